//! Which addresses a webhook may reach (SSRF): only public unicast ones, unless the
//! configuration allows private ones (`[webhooks] allow_private_addresses`). The shell checks
//! every address DNS gave and connects to the checked address itself (no second lookup).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused (words for the deliveries log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    UniqueLocal,
    Multicast,
    /// Shared (carrier-grade NAT), benchmarking, documentation, reserved or broadcast ranges,
    /// and IPv6 ranges that embed or translate to IPv4 (NAT64, 6to4, Teredo).
    Reserved,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Unspecified => "unspecified address",
            Refused::Loopback => "loopback address",
            Refused::Private => "private address",
            Refused::LinkLocal => "link-local address",
            Refused::UniqueLocal => "unique-local address",
            Refused::Multicast => "multicast address",
            Refused::Reserved => "reserved address",
        }
    }
}

/// `Ok` when `ip` is a public unicast address; else why not.
pub fn check(ip: IpAddr) -> Result<(), Refused> {
    match ip {
        IpAddr::V4(v4) => check_v4(v4),
        IpAddr::V6(v6) => check_v6(v6),
    }
}

/// Whether `ip` is public: [`check`] is `Ok`.
pub fn is_public(ip: IpAddr) -> bool {
    check(ip).is_ok()
}

fn check_v4(ip: Ipv4Addr) -> Result<(), Refused> {
    let [a, b, c, _] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        // 0.0.0.0/8: "this network"; 0.0.0.0 reaches the local host on Linux.
        return Err(Refused::Unspecified);
    }
    if ip.is_loopback() {
        return Err(Refused::Loopback);
    }
    if ip.is_private() {
        return Err(Refused::Private);
    }
    if ip.is_link_local() {
        return Err(Refused::LinkLocal);
    }
    if ip.is_multicast() {
        return Err(Refused::Multicast);
    }
    let reserved = (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10 shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24 IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15 benchmarking
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || a >= 240; // 240.0.0.0/4 reserved, and 255.255.255.255 broadcast
    if reserved {
        return Err(Refused::Reserved);
    }
    Ok(())
}

fn check_v6(ip: Ipv6Addr) -> Result<(), Refused> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        // ::ffff:a.b.c.d reaches a.b.c.d.
        return check_v4(v4);
    }
    if ip.is_unspecified() {
        return Err(Refused::Unspecified);
    }
    if ip.is_loopback() {
        return Err(Refused::Loopback);
    }
    if ip.is_multicast() {
        return Err(Refused::Multicast);
    }
    let s = ip.segments();
    if s[0] & 0xffc0 == 0xfe80 {
        return Err(Refused::LinkLocal);
    }
    if s[0] & 0xffc0 == 0xfec0 {
        // Site-local (deprecated, still routed inside some networks).
        return Err(Refused::Private);
    }
    if s[0] & 0xfe00 == 0xfc00 {
        return Err(Refused::UniqueLocal);
    }
    let reserved = (s[0..6] == [0, 0, 0, 0, 0, 0]) // ::a.b.c.d IPv4-compatible (deprecated)
        || (s[0] == 0x64 && s[1] == 0xff9b) // 64:ff9b::/96 and 64:ff9b:1::/48 NAT64
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0]) // 100::/64 discard
        || (s[0] == 0x2001 && s[1] == 0) // 2001::/32 Teredo
        || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || (s[0] == 0x2001 && s[1] & 0xfff0 == 0x10) // ORCHID
        || (s[0] == 0x2001 && s[1] & 0xfff0 == 0x20) // ORCHIDv2
        || s[0] == 0x2002 // 6to4: embeds any IPv4 address
        || s[0] & 0xe000 != 0x2000; // outside 2000::/3, the global unicast space
    if reserved {
        return Err(Refused::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Result<(), Refused> {
        check(s.parse().expect("an address"))
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82b::200e",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(v(ip), Ok(()), "{ip}");
        }
    }

    #[test]
    fn every_refused_range_v4() {
        let cases = [
            ("0.0.0.0", Refused::Unspecified),
            ("0.1.2.3", Refused::Unspecified),
            ("127.0.0.1", Refused::Loopback),
            ("127.255.255.254", Refused::Loopback),
            ("10.0.0.1", Refused::Private),
            ("10.255.255.255", Refused::Private),
            ("172.16.0.1", Refused::Private),
            ("172.31.255.255", Refused::Private),
            ("192.168.1.1", Refused::Private),
            ("169.254.169.254", Refused::LinkLocal),
            ("224.0.0.1", Refused::Multicast),
            ("239.255.255.255", Refused::Multicast),
            ("100.64.0.1", Refused::Reserved),
            ("100.127.255.255", Refused::Reserved),
            ("192.0.0.8", Refused::Reserved),
            ("192.0.2.1", Refused::Reserved),
            ("198.51.100.7", Refused::Reserved),
            ("203.0.113.9", Refused::Reserved),
            ("198.18.0.1", Refused::Reserved),
            ("198.19.255.255", Refused::Reserved),
            ("192.88.99.1", Refused::Reserved),
            ("240.0.0.1", Refused::Reserved),
            ("255.255.255.255", Refused::Reserved),
        ];
        for (ip, why) in cases {
            assert_eq!(v(ip), Err(why), "{ip}");
        }
    }

    #[test]
    fn every_refused_range_v6() {
        let cases = [
            ("::", Refused::Unspecified),
            ("::1", Refused::Loopback),
            ("fe80::1", Refused::LinkLocal),
            ("febf:ffff::1", Refused::LinkLocal),
            ("fec0::1", Refused::Private),
            ("fc00::1", Refused::UniqueLocal),
            ("fd12:3456::1", Refused::UniqueLocal),
            ("ff02::1", Refused::Multicast),
            ("ff0e::1", Refused::Multicast),
            ("::7f00:1", Refused::Reserved),
            ("64:ff9b::a00:1", Refused::Reserved),
            ("64:ff9b:1::1", Refused::Reserved),
            ("100::1", Refused::Reserved),
            ("2001::1", Refused::Reserved),
            ("2001:db8::1", Refused::Reserved),
            ("2001:10::1", Refused::Reserved),
            ("2001:20::1", Refused::Reserved),
            ("2002:a00:1::1", Refused::Reserved),
            ("4000::1", Refused::Reserved),
            ("::2:3:4:5:6", Refused::Reserved),
        ];
        for (ip, why) in cases {
            assert_eq!(v(ip), Err(why), "{ip}");
        }
    }

    #[test]
    fn v4_mapped_v6_is_judged_as_its_v4() {
        assert_eq!(v("::ffff:127.0.0.1"), Err(Refused::Loopback));
        assert_eq!(v("::ffff:10.1.2.3"), Err(Refused::Private));
        assert_eq!(v("::ffff:169.254.169.254"), Err(Refused::LinkLocal));
        assert_eq!(v("::ffff:0.0.0.0"), Err(Refused::Unspecified));
    }

    proptest! {
        #[test]
        fn mapped_v6_always_agrees_with_v4(raw: u32) {
            let v4 = Ipv4Addr::from(raw);
            prop_assert_eq!(check(IpAddr::V6(v4.to_ipv6_mapped())), check(IpAddr::V4(v4)));
        }

        #[test]
        fn private_and_loopback_v4_never_pass(a in 0u8..=255, b in 0u8..=255, c in 0u8..=255) {
            for ip in [
                Ipv4Addr::new(10, a, b, c),
                Ipv4Addr::new(127, a, b, c),
                Ipv4Addr::new(172, 16 + (a % 16), b, c),
                Ipv4Addr::new(192, 168, b, c),
                Ipv4Addr::new(169, 254, b, c),
            ] {
                prop_assert!(!is_public(IpAddr::V4(ip)), "{}", ip);
            }
        }

        #[test]
        fn v6_outside_global_unicast_never_passes(raw: u128) {
            let ip = Ipv6Addr::from(raw);
            if ip.segments()[0] & 0xe000 != 0x2000 && ip.to_ipv4_mapped().is_none() {
                prop_assert!(!is_public(IpAddr::V6(ip)));
            }
        }
    }
}

//! The visitor's IP: the peer address, or `X-Forwarded-For` when the peer is a trusted proxy.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// Walks `X-Forwarded-For` from the right, skipping trusted proxies; the first untrusted
/// address is the client. Only when the direct peer itself is trusted.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    while let Some(ip) = chain.pop() {
        if !trusted.contains(&ip) {
            return ip;
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("x-forwarded-for", v.parse().expect("header"));
        m
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let peer: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(
            client_ip(peer, &h("81.2.69.142"), &[proxy]),
            peer,
            "untrusted peer"
        );
        assert_eq!(
            client_ip(proxy, &h("1.1.1.1, 81.2.69.142"), &[proxy]),
            "81.2.69.142".parse::<IpAddr>().expect("ip"),
            "rightmost untrusted"
        );
        assert_eq!(client_ip(proxy, &h("junk"), &[proxy]), proxy);
    }
}

//! Privacy (issue 18): how long a site keeps chats and visits, whether it stores visitors'
//! addresses whole, and what a visitor's export holds. Rules only; the retention task, the
//! export and the erasure live in the shell (`services::privacy`), see docs/privacy.md.

use crate::ids::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Fewest and most days a site may keep chats or visits for (about 100 years).
pub const KEEP_DAYS: std::ops::RangeInclusive<u32> = 1..=36_500;
/// "Keep visits and page views for" on a site that never set it.
pub const DEFAULT_KEEP_VISITS_DAYS: u32 = 90;
const DAY_MS: i64 = 86_400_000;

fn default_keep_visits() -> Option<u32> {
    Some(DEFAULT_KEEP_VISITS_DAYS)
}

/// The site's "Privacy" section. A field missing from the stored JSON takes its default:
/// chats kept forever, visits and page views 90 days, addresses stored whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacySettings {
    /// "Keep chats for": days after a chat ended (and an offline message was left) before
    /// the retention task deletes it; `null`: forever (default). 1–36500.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 36500))]
    pub keep_chats_days: Option<u32>,
    /// "Keep visits and page views for": days after a visit was last seen before it is
    /// deleted with its page views; `null`: forever. Default 90. 1–36500.
    #[serde(default = "default_keep_visits")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 36500, default = 90)
    )]
    pub keep_visits_days: Option<u32>,
    /// "Anonymise IP addresses": a visit stores its address cut to the network (IPv4 /24,
    /// IPv6 /48), after the location was looked up from the whole one (default off).
    pub anonymise_ip: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        PrivacySettings {
            keep_chats_days: None,
            keep_visits_days: default_keep_visits(),
            anonymise_ip: false,
        }
    }
}

/// Why a privacy setting is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    #[error("\"Keep chats for\" must be between 1 and 36500 days, not {0}")]
    KeepChats(u32),
    #[error("\"Keep visits and page views for\" must be between 1 and 36500 days, not {0}")]
    KeepVisits(u32),
}

impl PrivacySettings {
    pub fn validate(&self) -> Result<(), PrivacyError> {
        if let Some(d) = self.keep_chats_days.filter(|d| !KEEP_DAYS.contains(d)) {
            return Err(PrivacyError::KeepChats(d));
        }
        if let Some(d) = self.keep_visits_days.filter(|d| !KEEP_DAYS.contains(d)) {
            return Err(PrivacyError::KeepVisits(d));
        }
        Ok(())
    }

    /// Chats that ended (offline messages left) before this instant are deleted; `None`:
    /// chats are kept forever.
    pub fn chats_cutoff(&self, now: Timestamp) -> Option<Timestamp> {
        cutoff(now, self.keep_chats_days)
    }

    /// Visits last seen before this instant are deleted; `None`: kept forever.
    pub fn visits_cutoff(&self, now: Timestamp) -> Option<Timestamp> {
        cutoff(now, self.keep_visits_days)
    }

    /// The address a visit stores: `ip` whole, or its network when anonymising.
    pub fn stored_ip(&self, ip: IpAddr) -> String {
        if self.anonymise_ip {
            anonymise_ip(ip).to_string()
        } else {
            ip.to_string()
        }
    }
}

/// `days` before `now` (`None` stays `None`: forever).
pub fn cutoff(now: Timestamp, days: Option<u32>) -> Option<Timestamp> {
    days.map(|d| now.plus_millis(-(i64::from(d) * DAY_MS)))
}

/// The address with its host part zeroed: IPv4 keeps its first 24 bits, IPv6 its first 48
/// (an IPv4-mapped IPv6 address is treated as the IPv4 address it maps).
pub fn anonymise_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & 0xFFFF_FF00).into()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => anonymise_ip(IpAddr::V4(v4)),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 80) - 1)).into()),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn defaults_keep_chats_forever_and_visits_ninety_days() {
        let p: PrivacySettings = serde_json::from_str("{}").unwrap();
        assert_eq!(p, PrivacySettings::default());
        assert_eq!(p.keep_chats_days, None);
        assert_eq!(p.keep_visits_days, Some(90));
        assert!(!p.anonymise_ip);
        let forever: PrivacySettings =
            serde_json::from_str(r#"{"keep_visits_days":null}"#).unwrap();
        assert_eq!(forever.keep_visits_days, None);
        assert_eq!(forever.visits_cutoff(Timestamp(1_000)), None);
    }

    #[test]
    fn cutoffs_are_whole_days_before_now() {
        let p = PrivacySettings {
            keep_chats_days: Some(30),
            keep_visits_days: Some(1),
            anonymise_ip: false,
        };
        let now = Timestamp(100 * DAY_MS);
        assert_eq!(p.chats_cutoff(now), Some(Timestamp(70 * DAY_MS)));
        assert_eq!(p.visits_cutoff(now), Some(Timestamp(99 * DAY_MS)));
        assert_eq!(PrivacySettings::default().chats_cutoff(now), None);
    }

    #[test]
    fn days_out_of_range_are_refused() {
        let mut p = PrivacySettings {
            keep_chats_days: Some(0),
            ..PrivacySettings::default()
        };
        assert_eq!(p.validate(), Err(PrivacyError::KeepChats(0)));
        p.keep_chats_days = Some(36_500);
        assert_eq!(p.validate(), Ok(()));
        p.keep_visits_days = Some(36_501);
        assert_eq!(p.validate(), Err(PrivacyError::KeepVisits(36_501)));
    }

    #[test]
    fn addresses_are_cut_to_their_network() {
        assert_eq!(anonymise_ip(ip("203.0.113.77")), ip("203.0.113.0"));
        assert_eq!(anonymise_ip(ip("10.1.2.255")), ip("10.1.2.0"));
        assert_eq!(
            anonymise_ip(ip("2001:db8:abcd:12:34::1")),
            ip("2001:db8:abcd::")
        );
        assert_eq!(anonymise_ip(ip("::ffff:198.51.100.9")), ip("198.51.100.0"));
        let on = PrivacySettings {
            anonymise_ip: true,
            ..PrivacySettings::default()
        };
        assert_eq!(on.stored_ip(ip("198.51.100.9")), "198.51.100.0");
        assert_eq!(
            PrivacySettings::default().stored_ip(ip("198.51.100.9")),
            "198.51.100.9"
        );
    }

    proptest! {
        #[test]
        fn anonymising_keeps_the_network_and_is_idempotent(v4 in any::<u32>(), v6 in any::<u128>()) {
            for a in [IpAddr::V4(v4.into()), IpAddr::V6(v6.into())] {
                let once = anonymise_ip(a);
                prop_assert_eq!(anonymise_ip(once), once);
                match (a, once) {
                    (IpAddr::V4(x), IpAddr::V4(y)) => {
                        prop_assert_eq!(u32::from(x) >> 8, u32::from(y) >> 8);
                        prop_assert_eq!(u32::from(y) & 0xFF, 0);
                    }
                    (IpAddr::V6(x), IpAddr::V6(y)) if x.to_ipv4_mapped().is_none() => {
                        prop_assert_eq!(u128::from(x) >> 80, u128::from(y) >> 80);
                        prop_assert_eq!(u128::from(y) & ((1u128 << 80) - 1), 0);
                    }
                    (IpAddr::V6(_), IpAddr::V4(y)) => prop_assert_eq!(u32::from(y) & 0xFF, 0),
                    _ => prop_assert!(false, "family changed"),
                }
            }
        }
    }
}

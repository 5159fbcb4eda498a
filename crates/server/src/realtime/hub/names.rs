//! This node's copy of each site's "Show all agents' names" (`SiteSettings.show_agent_names`),
//! so that delivering a message reads no storage: `crate::services::agent_names` fills it and
//! says how stale it may be.

use super::{Hub, lock};
use frontdesk_core::{SiteId, Timestamp};

/// A site's setting as read at `read_at` (the app clock's time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedNames {
    pub on: bool,
    pub read_at: Timestamp,
}

impl CachedNames {
    /// Whether the copy may still be used at `now`: read less than `max_age_ms` ago. A wall
    /// clock set back (`now` before `read_at`) makes it stale, never fresh forever.
    pub fn fresh(self, now: Timestamp, max_age_ms: i64) -> bool {
        let age = now.millis_since(self.read_at);
        (0..max_age_ms).contains(&age)
    }
}

impl Hub {
    /// The site's setting as last recorded here, if any.
    pub fn agent_names(&self, site: SiteId) -> Option<CachedNames> {
        lock(&self.agent_names).get(&site).copied()
    }

    /// Records the site's setting, read (or saved) at `read_at`.
    pub fn set_agent_names(&self, site: SiteId, on: bool, read_at: Timestamp) {
        lock(&self.agent_names).insert(site, CachedNames { on, read_at });
    }

    /// Drops a (deleted) site's copy.
    pub fn forget_agent_names(&self, site: SiteId) {
        lock(&self.agent_names).remove(&site);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_fresh_for_its_age_and_stale_when_the_clock_went_back() {
        let t = Timestamp(1_000_000);
        let c = CachedNames {
            on: false,
            read_at: t,
        };
        assert!(c.fresh(t, 60_000));
        assert!(c.fresh(t.plus_millis(59_999), 60_000));
        assert!(
            !c.fresh(t.plus_millis(60_000), 60_000),
            "a minute old: read again"
        );
        assert!(
            !c.fresh(t.plus_millis(-1), 60_000),
            "clock set back: read again"
        );
        let hub = Hub::new();
        let site = SiteId(4);
        assert_eq!(hub.agent_names(site), None);
        hub.set_agent_names(site, false, t);
        assert_eq!(hub.agent_names(site), Some(c));
        hub.set_agent_names(site, true, t.plus_millis(5));
        assert!(hub.agent_names(site).is_some_and(|c| c.on));
        hub.forget_agent_names(site);
        assert_eq!(hub.agent_names(site), None);
    }
}

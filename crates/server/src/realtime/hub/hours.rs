//! The opening hours' half of a site's availability on this node. The site is available to
//! its visitors when an agent is On-Line for it ([`Hub::set_availability`]) and its opening
//! hours let chats in ([`Hub::set_hours`]); an `availability` frame goes out when the pair
//! (online, opens_at) changes. `crate::services::hours` keeps the gates current.

use super::{Hub, lock};
use frontdesk_core::audience::Audience;
use frontdesk_core::protocol::ToVisitor;
use frontdesk_core::site_settings::HoursGate;
use frontdesk_core::{SiteId, Timestamp};

impl Hub {
    /// Records the site's opening-hours gate; tells its visitors here when availability
    /// changed, and wakes the opening-hours task (the next change may be earlier now).
    pub fn set_hours(&self, site: SiteId, gate: HoursGate) {
        let before = lock(&self.hours).insert(site, gate);
        if before != Some(gate) {
            self.tell_availability(site);
            self.hours_wake.notify_one();
        }
    }

    /// What a visitor of the site is told, given whether an agent is On-Line for it: the
    /// site is available when agents are and the hours let chats in; `opens_at` only when
    /// the hours keep it closed.
    pub fn availability_with(&self, site: SiteId, agents: bool) -> (bool, Option<Timestamp>) {
        let gate = lock(&self.hours)
            .get(&site)
            .copied()
            .unwrap_or(HoursGate::ALWAYS);
        let opens_at = if gate.open { None } else { gate.opens_at };
        (agents && gate.open, opens_at)
    }

    /// The earliest instant a gate known here changes, if any.
    pub fn next_hours_change(&self) -> Option<Timestamp> {
        lock(&self.hours)
            .values()
            .filter_map(|g| g.changes_at)
            .min()
    }

    /// Resolves when a gate changed since the last call (or at once if one did).
    pub async fn hours_changed(&self) {
        self.hours_wake.notified().await;
    }

    /// The sites with a gate here.
    pub fn hours_sites(&self) -> Vec<SiteId> {
        lock(&self.hours).keys().copied().collect()
    }

    /// Drops a (deleted) site's gate.
    pub fn forget_hours(&self, site: SiteId) {
        lock(&self.hours).remove(&site);
    }

    /// Sends `availability` to the site's visitors here when it differs from what they were
    /// told last.
    pub(super) fn tell_availability(&self, site: SiteId) {
        let agents = lock(&self.available).get(&site).copied().unwrap_or(false);
        let now = self.availability_with(site, agents);
        if lock(&self.told).insert(site, now) == Some(now) {
            return;
        }
        let frame = ToVisitor::Availability {
            online: now.0,
            opens_at: now.1,
        };
        if let Ok(text) = serde_json::to_string(&frame) {
            self.deliver(&Audience::SiteVisitors(site), text.into(), None);
        }
    }
}

//! `visitor.update` coalescing (issue 16): a visitor's page views reach the site's agents at
//! most once per second per visitor (on this node). The first change goes out at once, so the
//! console stays live; a change within the second after it is recorded here (the latest state
//! wins) and goes out when the second is over, sent by the connection that made it
//! ([`Hub::flush_visitor_update`]). A change that is not a page view (a `hello`, a chat request)
//! goes out at once and carries the latest state with it.
//!
//! The state that goes out is always the hub's `info` of the visitor, i.e. the latest one set
//! by any of the visitor's connections here; a version counter says whether it went out yet,
//! so no change is ever lost and none is sent twice.

use super::{Hub, lock};
use frontdesk_core::protocol::VisitorOnSite;
use frontdesk_core::{SiteId, Timestamp, VisitorId};
use std::time::Duration;

/// At most one coalesced `visitor.update` per visitor within this many milliseconds.
pub const VISITOR_UPDATE_WINDOW_MS: i64 = 1000;

/// Where a visitor's `visitor.update` stands (kept in the hub's entry of the visitor).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct UpdateWindow {
    /// Bumped by every change of `info`.
    version: u64,
    /// The version that went out last.
    sent_version: u64,
    /// When it went out (the app clock's time).
    sent_at: Option<Timestamp>,
}

/// What to do with a visitor's changed state.
#[derive(Debug)]
pub enum VisitorUpdate {
    /// Tell the agents now (presence and `visitor.update`).
    Now(Box<VisitorOnSite>),
    /// Recorded; the caller flushes with [`Hub::flush_visitor_update`] after this long.
    Later(Duration),
}

impl Hub {
    /// Records `info` as the visitor's latest state. A change that may not wait (`coalesce`
    /// false), or the first in a second, is to go out now; a page view within the second
    /// after the last one that went out, later.
    pub fn visitor_update(
        &self,
        info: VisitorOnSite,
        now: Timestamp,
        coalesce: bool,
    ) -> VisitorUpdate {
        let mut visitors = lock(&self.visitors);
        let Some(entry) = visitors
            .get_mut(&info.site_id)
            .and_then(|m| m.get_mut(&info.visitor_id))
        else {
            // Not connected here (any more): nothing to coalesce with; tell as before.
            return VisitorUpdate::Now(Box::new(info));
        };
        entry.info = Some(info.clone());
        let w = &mut entry.window;
        w.version += 1;
        match w.left(now) {
            Some(left) if coalesce => VisitorUpdate::Later(left),
            _ => {
                w.sent_version = w.version;
                w.sent_at = Some(now);
                VisitorUpdate::Now(Box::new(info))
            }
        }
    }

    /// The visitor's latest state, if a change of it has not gone out yet (then it counts as
    /// sent at `now`). `Nothing`: nothing new, or the visitor is not connected here any more.
    /// `Later`: an update went out since the caller's wait began (a chat request): the second
    /// is not over yet; wait again. `force` (a tab closing): now, whatever the second.
    pub fn flush_visitor_update(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        now: Timestamp,
        force: bool,
    ) -> Flush {
        let mut visitors = lock(&self.visitors);
        let Some(entry) = visitors.get_mut(&site).and_then(|m| m.get_mut(visitor)) else {
            return Flush::Nothing;
        };
        let w = &mut entry.window;
        if w.sent_version >= w.version {
            return Flush::Nothing;
        }
        if let Some(left) = w.left(now).filter(|_| !force) {
            return Flush::Later(left);
        }
        w.sent_version = w.version;
        w.sent_at = Some(now);
        match entry.info.clone() {
            Some(info) => Flush::Now(Box::new(info)),
            None => Flush::Nothing,
        }
    }
}

/// What a due flush does.
#[derive(Debug)]
pub enum Flush {
    Now(Box<VisitorOnSite>),
    Later(Duration),
    Nothing,
}

impl UpdateWindow {
    /// How long until an update may go out again, if not now. A wall clock set back (a
    /// negative age) counts as over: an update is never held back longer than the window.
    fn left(&self, now: Timestamp) -> Option<Duration> {
        self.sent_at
            .map(|at| VISITOR_UPDATE_WINDOW_MS - now.millis_since(at))
            .filter(|left| *left > 0 && *left <= VISITOR_UPDATE_WINDOW_MS)
            .map(|left| Duration::from_millis(u64::try_from(left).unwrap_or(0)))
    }
}

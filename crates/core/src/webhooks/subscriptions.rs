//! The in-memory set of which webhooks want which events, read by the stores on every write
//! that may cause an event (one atomic load when there is no webhook at all).

use super::{EventKind, Webhook};
use crate::ids::{SiteId, WebhookId};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which webhooks of which site want which events: read by the store on every write that
/// may cause an event, so it is in memory (replaced whole when a webhook changes).
#[derive(Default)]
pub struct Subscriptions {
    any: AtomicBool,
    by_site: RwLock<HashMap<SiteId, Vec<Subscribed>>>,
    /// Called after a write that may have put rows into the outbox committed (the shell's
    /// delivery task waits on it).
    waker: RwLock<Option<Waker>>,
}

type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for Subscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscriptions")
            .field("any", &self.any)
            .finish_non_exhaustive()
    }
}

/// One enabled webhook's events.
type Subscribed = (WebhookId, Vec<EventKind>);

impl Subscriptions {
    pub fn new() -> Subscriptions {
        Subscriptions::default()
    }

    /// Replaces the set with the enabled webhooks among `hooks`.
    pub fn replace(&self, hooks: &[Webhook]) {
        let mut by_site: HashMap<SiteId, Vec<Subscribed>> = HashMap::new();
        for h in hooks.iter().filter(|h| h.enabled && !h.events.is_empty()) {
            by_site
                .entry(h.site_id)
                .or_default()
                .push((h.id, h.events.clone()));
        }
        let any = !by_site.is_empty();
        match self.by_site.write() {
            Ok(mut g) => *g = by_site,
            Err(poisoned) => *poisoned.into_inner() = by_site,
        }
        self.any.store(any, Ordering::Release);
    }

    /// What [`Subscriptions::wake`] calls.
    pub fn set_waker(&self, waker: impl Fn() + Send + Sync + 'static) {
        let waker: Waker = std::sync::Arc::new(waker);
        match self.waker.write() {
            Ok(mut g) => *g = Some(waker),
            Err(poisoned) => *poisoned.into_inner() = Some(waker),
        }
    }

    /// A write that may have put rows into the outbox committed (stores call it when
    /// [`Subscriptions::is_empty`] is false, and after queueing an event themselves).
    pub fn wake(&self) {
        let waker = match self.waker.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(w) = waker {
            w();
        }
    }

    /// True when no webhook anywhere wants anything (the hot path's one atomic load).
    pub fn is_empty(&self) -> bool {
        !self.any.load(Ordering::Acquire)
    }

    /// The webhooks of `site` that want `kind` (empty for most writes).
    pub fn targets(&self, site: SiteId, kind: EventKind) -> Vec<WebhookId> {
        if self.is_empty() {
            return Vec::new();
        }
        let g = match self.by_site.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        g.get(&site)
            .map(|hooks| {
                hooks
                    .iter()
                    .filter(|(_, events)| events.contains(&kind))
                    .map(|(id, _)| *id)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether any webhook of `site` wants any of `kinds`.
    pub fn wants_any(&self, site: SiteId, kinds: &[EventKind]) -> bool {
        kinds.iter().any(|k| !self.targets(site, *k).is_empty())
    }
}

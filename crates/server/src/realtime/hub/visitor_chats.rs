//! Whether a visitor leaving this node may leave a waiting chat behind, so that a leave reads
//! storage only when it may (issue 16: a reconnect storm of 17,400 visitors queued 17,400
//! reads ahead of the reconnects' own).
//!
//! A leave needs the visitor's open chat only to end a waiting, never answered chat "Missed"
//! ([`frontdesk_core::unanswered::ends_when_visitor_leaves`]). Such a chat is only ever made
//! by `services::chats::request`, from one of the visitor's own connections. So a visitor's
//! entry here may have a chat when
//! - the `hello` of one of its connections found an open chat that no agent has answered
//!   ([`frontdesk_core::unanswered::may_end_when_visitor_leaves`]: an answered chat never
//!   ends at a leave, so a visitor moving from page to page in an answered chat reads
//!   nothing), or a chat request finished on this node between the start of that `hello`'s
//!   read and its registration (a request that committed after the read began:
//!   [`Hub::chat_requests_seen`] moved); or
//! - one of its connections started a chat request ([`Hub::chat_request_mark`], before the
//!   request, while that connection is registered).
//!
//! It is sticky while the visitor has a connection here: a chat that ended leaves it set, and
//! the leave reads as before. In cluster mode another node's connection could make the chat,
//! so every leave may have one (the old behaviour).

use super::{Hub, lock};
use frontdesk_core::{SiteId, VisitorId};
use std::sync::atomic::Ordering;

/// What [`Hub::unregister_visitor`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// The visitor has another connection here.
    Stays,
    /// That was the visitor's last connection here.
    Last { may_have_chat: bool },
}

/// A chat request in flight; counts as finished when dropped (also on an error or when the
/// connection's task is dropped mid-request: the request may have committed).
#[must_use = "the request counts as finished when the mark is dropped"]
pub struct ChatRequestMark<'a> {
    hub: &'a Hub,
}

impl Drop for ChatRequestMark<'_> {
    fn drop(&mut self) {
        self.hub.chat_requests.fetch_add(1, Ordering::SeqCst);
    }
}

impl Hub {
    /// A connection of `visitor` (registered here) is about to request a chat: from now on
    /// their leave reads their open chat. Hold the mark until the request is over.
    pub fn chat_request_mark(&self, site: SiteId, visitor: &VisitorId) -> ChatRequestMark<'_> {
        if let Some(entry) = lock(&self.visitors)
            .get_mut(&site)
            .and_then(|m| m.get_mut(visitor))
        {
            entry.may_have_chat = true;
        }
        ChatRequestMark { hub: self }
    }

    /// Chat requests finished here so far: read it before a `hello`'s read of the open chat;
    /// if it moved by the registration, a chat may have been made that the read missed.
    pub fn chat_requests_seen(&self) -> u64 {
        self.chat_requests.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor() -> (SiteId, VisitorId) {
        (SiteId(1), VisitorId("v1".into()))
    }

    #[test]
    fn a_visitor_without_a_chat_leaves_without_one() {
        let hub = Hub::new();
        let (site, v) = visitor();
        let (a, _ra) = hub.new_conn(8);
        let (b, _rb) = hub.new_conn(8);
        let (a_id, b_id) = (a.id, b.id);
        hub.register_visitor(site, &v, a, false);
        hub.register_visitor(site, &v, b, false);
        assert_eq!(hub.unregister_visitor(site, &v, a_id), Departure::Stays);
        assert_eq!(
            hub.unregister_visitor(site, &v, b_id),
            Departure::Last {
                may_have_chat: false
            }
        );
    }

    #[test]
    fn a_chat_found_or_requested_by_any_tab_is_remembered_until_the_last_leaves() {
        let hub = Hub::new();
        let (site, v) = visitor();
        let (a, _ra) = hub.new_conn(8);
        let (b, _rb) = hub.new_conn(8);
        let (a_id, b_id) = (a.id, b.id);
        hub.register_visitor(site, &v, a, true);
        hub.register_visitor(site, &v, b, false);
        assert_eq!(hub.unregister_visitor(site, &v, a_id), Departure::Stays);
        assert_eq!(
            hub.unregister_visitor(site, &v, b_id),
            Departure::Last {
                may_have_chat: true
            },
            "the first tab's chat outlives that tab"
        );
        // Back without a chat found; a request marks the entry, and stays marked after it.
        let (c, _rc) = hub.new_conn(8);
        let c_id = c.id;
        hub.register_visitor(site, &v, c, false);
        let before = hub.chat_requests_seen();
        drop(hub.chat_request_mark(site, &v));
        assert_eq!(
            hub.chat_requests_seen(),
            before + 1,
            "a finished request moves the count"
        );
        assert_eq!(
            hub.unregister_visitor(site, &v, c_id),
            Departure::Last {
                may_have_chat: true
            }
        );
    }

    #[test]
    fn in_cluster_mode_every_leave_may_have_a_chat() {
        let hub = Hub::for_cluster();
        let (site, v) = visitor();
        let (a, _ra) = hub.new_conn(8);
        let a_id = a.id;
        hub.register_visitor(site, &v, a, false);
        assert_eq!(
            hub.unregister_visitor(site, &v, a_id),
            Departure::Last {
                may_have_chat: true
            }
        );
    }

    #[test]
    fn an_unknown_connection_changes_nothing() {
        let hub = Hub::new();
        let (site, v) = visitor();
        assert_eq!(hub.unregister_visitor(site, &v, 99), Departure::Stays);
    }
}

//! Prometheus metrics, one registry per running app (two nodes in one process stay apart).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub chats_requested: Counter,
    pub chats_accepted: Counter,
    pub chats_requeued: Counter,
    pub chats_ended: Counter,
    pub chats_missed: Counter,
    pub chats_escalated: Counter,
    pub messages: Counter,
    pub page_views: Counter,
    pub visitor_connections: Gauge,
    pub agent_connections: Gauge,
    pub slow_consumers: Counter,
    /// Error frames sent to clients, by `code` (the protocol's error code).
    pub errors: Family<[(&'static str, &'static str); 1], Counter>,
    /// Requests, frames and connections refused by a rate limit, by `limit`.
    pub rate_limited: Family<[(&'static str, &'static str); 1], Counter>,
    pub resyncs: Counter,
    pub chat_offers: Counter,
    pub chat_offers_expired: Counter,
    /// Chats rated, by `rating="good"|"bad"`, counted when first rated.
    pub ratings: Family<[(&'static str, &'static str); 1], Counter>,
    /// Ratings changed within the window (not counted in `ratings` again).
    pub rating_changes: Counter,
    pub unread_reply_emails: Counter,
    /// Files stored (issue 14), their bytes, and uploads refused by error code.
    pub files_uploaded: Counter,
    pub file_bytes_uploaded: Counter,
    pub file_uploads_refused: Family<Vec<(String, String)>, Counter>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("frontdesk");
        let m = |r: &mut Registry, name: &str, help: &str| {
            let c = Counter::default();
            r.register(name, help, c.clone());
            c
        };
        let g = |r: &mut Registry, name: &str, help: &str| {
            let c = Gauge::default();
            r.register(name, help, c.clone());
            c
        };
        let chats_requested = m(&mut r, "chats_requested", "Chats requested by visitors");
        let chats_accepted = m(&mut r, "chats_accepted", "Chats taken by an agent");
        let chats_requeued = m(&mut r, "chats_requeued", "Chats returned to the queue");
        let chats_ended = m(&mut r, "chats_ended", "Chats ended or blocked");
        let chats_missed = m(
            &mut r,
            "chats_missed",
            "Chats the visitor left before any agent answered",
        );
        let chats_escalated = m(
            &mut r,
            "chats_escalated",
            "Chats escalated for waiting too long",
        );
        let messages = m(&mut r, "messages", "Messages stored and delivered");
        let page_views = m(&mut r, "page_views", "Page views recorded");
        let visitor_connections = g(&mut r, "visitor_connections", "Open visitor WebSockets");
        let agent_connections = g(&mut r, "agent_connections", "Open agent WebSockets");
        let slow_consumers = m(
            &mut r,
            "slow_consumers",
            "Connections cut off for not reading",
        );
        let errors = Family::<[(&'static str, &'static str); 1], Counter>::default();
        r.register(
            "client_errors",
            "Error frames sent to clients, by error code",
            errors.clone(),
        );
        // The codes alerts watch are shown at 0 from the start (a series appears at its first
        // error otherwise, and `rate()` needs it before).
        for code in ["internal", "unavailable", "rate_limited", "bad_request"] {
            drop(errors.get_or_create(&[("code", code)]));
        }
        let rate_limited = Family::<[(&'static str, &'static str); 1], Counter>::default();
        r.register(
            "rate_limited",
            "Refused by a rate limit, by limit (visitor_frames, agent_frames, visitor_connect, \
             visitor_sockets_per_ip, login, file_upload)",
            rate_limited.clone(),
        );
        for limit in [
            "visitor_frames",
            "agent_frames",
            "visitor_connect",
            "visitor_sockets_per_ip",
            "login",
            "file_upload",
        ] {
            drop(rate_limited.get_or_create(&[("limit", limit)]));
        }
        let resyncs = m(
            &mut r,
            "resyncs",
            "chat.resync frames sent (a gap beyond the replay window)",
        );
        let chat_offers = m(
            &mut r,
            "chat_offers",
            "Chats offered to one agent (\"Assign automatically\")",
        );
        let chat_offers_expired = m(
            &mut r,
            "chat_offers_expired",
            "Offers that ran out unanswered and moved on",
        );
        let ratings = Family::<[(&'static str, &'static str); 1], Counter>::default();
        r.register(
            "ratings",
            "Chats rated by their visitor, by rating (good: score 4 or more), counted once",
            ratings.clone(),
        );
        for label in ["good", "bad"] {
            drop(ratings.get_or_create(&[("rating", label)]));
        }
        let rating_changes = m(
            &mut r,
            "rating_changes",
            "Ratings changed by the visitor within the change window",
        );
        let unread_reply_emails = m(
            &mut r,
            "unread_reply_emails",
            "Emails of unread agent replies sent to visitors who left",
        );
        let files_uploaded = m(&mut r, "files_uploaded", "Files stored with their message");
        // `frontdesk_files_uploaded_bytes_total` (was `frontdesk_file_bytes_uploaded_total`:
        // Prometheus puts the unit last, before `_total`).
        let file_bytes_uploaded = m(&mut r, "files_uploaded_bytes", "Bytes of the files stored");
        let file_uploads_refused = Family::<Vec<(String, String)>, Counter>::default();
        r.register(
            "file_uploads_refused",
            "File uploads refused, by error code",
            file_uploads_refused.clone(),
        );
        Metrics {
            registry: Arc::new(r),
            chats_requested,
            chats_accepted,
            chats_requeued,
            chats_ended,
            chats_missed,
            chats_escalated,
            messages,
            page_views,
            visitor_connections,
            agent_connections,
            slow_consumers,
            errors,
            rate_limited,
            resyncs,
            chat_offers,
            chat_offers_expired,
            ratings,
            rating_changes,
            unread_reply_emails,
            files_uploaded,
            file_bytes_uploaded,
            file_uploads_refused,
        }
    }

    /// Counts an error frame sent to a client under its code; `rate_limited` ones also under
    /// `limit`.
    pub fn client_error(&self, code: frontdesk_core::error::ErrorCode, limit: &'static str) {
        self.errors.get_or_create(&[("code", code.as_str())]).inc();
        if code == frontdesk_core::error::ErrorCode::RateLimited {
            self.refused(limit);
        }
    }

    /// Counts one refusal by the rate limit `limit`.
    pub fn refused(&self, limit: &'static str) {
        self.rate_limited.get_or_create(&[("limit", limit)]).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

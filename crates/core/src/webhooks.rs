//! Webhooks (issue 18): events of a site POSTed as JSON to URLs of the site owner's.
//!
//! Rules:
//! - a webhook subscribes to some of [`EventKind::SUBSCRIBABLE`]; an event of a site is written into the
//!   outbox, one row per subscribed and enabled webhook, in the same transaction as the change
//!   that caused it. When no webhook of the site wants the event nothing is written
//!   ([`Subscriptions`], kept in memory by the store);
//! - every delivery is `POST` with the body [`envelope`] (`id`, `timestamp`, `event`, `data`)
//!   and the header `Frontdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//!   "<t>.<body>" with the webhook's secret>` ([`signature`], [`verify`]);
//! - deliveries of one webhook about one chat go in order: a row waits while an older row of
//!   the same webhook and chat is still pending ([`outbox`] rules the claim);
//! - a failed attempt is retried after [`backoff`] (exponential, with jitter) until
//!   [`GIVE_UP_AFTER_MS`] after the event, then the row is marked failed;
//! - outbound requests go only to public addresses unless the configuration allows private
//!   ones ([`address::is_public`]), checked on the resolved address that is then connected to.

pub mod address;
pub mod outbox;
mod subscriptions;

pub use subscriptions::Subscriptions;

use crate::ids::{ChatId, DeliveryId, SiteId, Timestamp, WebhookId};
use crate::model::{Chat, Message, OfflineMessage};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Longest webhook URL, in bytes.
pub const URL_MAX: usize = 2_000;
/// Most webhooks per site.
pub const PER_SITE_MAX: usize = 20;
/// Every secret starts with this (secret scanners recognise a leaked one).
pub const SECRET_PREFIX: &str = "whsec_";
/// Retries stop this long after the event; the row is then `failed`.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
/// The first retry waits about this long; each next one twice as long ...
pub const FIRST_RETRY_MS: i64 = 10_000;
/// ... up to this.
pub const LONGEST_RETRY_MS: i64 = 60 * 60 * 1000;
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Frontdesk-Signature";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    /// A visitor asked for a chat (it entered the queue).
    #[serde(rename = "chat.started")]
    ChatStarted,
    /// An agent took a waiting chat.
    #[serde(rename = "chat.accepted")]
    ChatAccepted,
    /// The chat went from one agent to another.
    #[serde(rename = "chat.transferred")]
    ChatTransferred,
    #[serde(rename = "chat.ended")]
    ChatEnded,
    /// A message in a chat (visitor's, agent's or a system line).
    #[serde(rename = "message.created")]
    MessageCreated,
    /// "Leave a message" while nobody was On-Line.
    #[serde(rename = "offline_message.created")]
    OfflineMessageCreated,
    /// The visitor rated the chat (or changed their rating).
    #[serde(rename = "chat.rated")]
    ChatRated,
    /// A visitor was identified by the site (`Frontdesk.identify`): sent when the identity
    /// stored on the visitor is new or changed (not on every page that repeats it).
    #[serde(rename = "visitor.identified")]
    VisitorIdentified,
    /// "Send test event" (never subscribed to: sent to the one webhook asked).
    #[serde(rename = "webhook.test")]
    Test,
}

impl EventKind {
    /// What a webhook may subscribe to.
    pub const SUBSCRIBABLE: [EventKind; 8] = [
        EventKind::ChatStarted,
        EventKind::ChatAccepted,
        EventKind::ChatTransferred,
        EventKind::ChatEnded,
        EventKind::MessageCreated,
        EventKind::OfflineMessageCreated,
        EventKind::ChatRated,
        EventKind::VisitorIdentified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ChatStarted => "chat.started",
            EventKind::ChatAccepted => "chat.accepted",
            EventKind::ChatTransferred => "chat.transferred",
            EventKind::ChatEnded => "chat.ended",
            EventKind::MessageCreated => "message.created",
            EventKind::OfflineMessageCreated => "offline_message.created",
            EventKind::ChatRated => "chat.rated",
            EventKind::VisitorIdentified => "visitor.identified",
            EventKind::Test => "webhook.test",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::SUBSCRIBABLE
            .into_iter()
            .chain([EventKind::Test])
            .find(|k| k.as_str() == s)
    }
}

/// `"a,b"` as stored.
pub fn events_text(events: &[EventKind]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored text back (unknown names are skipped: a newer node may know more).
pub fn events_from_text(s: &str) -> Vec<EventKind> {
    s.split(',').filter_map(EventKind::parse).collect()
}

/// A webhook as stored (its secret is never serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: WebhookId,
    pub site_id: SiteId,
    pub url: String,
    pub events: Vec<EventKind>,
    pub enabled: bool,
    #[serde(skip)]
    pub secret: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A webhook to create (checked by [`check_url`] and [`check_events`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub site_id: SiteId,
    pub url: String,
    pub events: Vec<EventKind>,
    pub enabled: bool,
    pub secret: String,
    pub created_at: Timestamp,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryStatus {
    /// Not delivered yet (waiting for its first attempt or a retry).
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Retries gave up ([`GIVE_UP_AFTER_MS`]), or the webhook was deleted.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// One event for one webhook: an outbox row and a line of the deliveries log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The event's id (the same for every webhook and every attempt: receivers dedupe on it).
    pub event_id: String,
    pub event: EventKind,
    pub chat_id: Option<ChatId>,
    pub created_at: Timestamp,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_attempt_at: Option<Timestamp>,
    /// The receiver's HTTP status of the last attempt (none when it did not answer).
    pub response_code: Option<u16>,
    /// How long the last attempt took, in milliseconds.
    pub latency_ms: Option<i64>,
    pub last_error: Option<String>,
    /// The JSON body sent.
    #[serde(skip)]
    pub payload: String,
}

/// An event to put into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub site_id: SiteId,
    pub kind: EventKind,
    /// Stable across retries and webhooks (see the `*_event_id` functions).
    pub id: String,
    pub chat_id: Option<ChatId>,
    pub at: Timestamp,
    /// The whole JSON body ([`envelope`]).
    pub payload: String,
}

impl Event {
    pub fn new(
        site_id: SiteId,
        kind: EventKind,
        id: String,
        chat_id: Option<ChatId>,
        at: Timestamp,
        data: serde_json::Value,
    ) -> Event {
        let payload = envelope(&id, kind, at, data);
        Event {
            site_id,
            kind,
            id,
            chat_id,
            at,
            payload,
        }
    }
}

/// The JSON body of a delivery.
pub fn envelope(id: &str, kind: EventKind, at: Timestamp, data: serde_json::Value) -> String {
    serde_json::json!({
        "id": id,
        "timestamp": at.0,
        "event": kind.as_str(),
        "data": data,
    })
    .to_string()
}

/// What a chat event tells about the chat.
pub fn chat_data(chat: &Chat) -> serde_json::Value {
    serde_json::json!({ "chat": chat })
}

/// `visitor.identified`: the identity the site gave `visitor` (new or changed), as stored.
/// Its id names the visitor and the time it was stored.
pub fn identified_event(
    site: SiteId,
    visitor: &crate::ids::VisitorId,
    profile: &crate::identity::VisitorProfile,
    at: Timestamp,
) -> Event {
    Event::new(
        site,
        EventKind::VisitorIdentified,
        format!("visitor.identified.{}.{}.{}", site.0, visitor.0, at.0),
        None,
        at,
        serde_json::json!({
            "site_id": site,
            "visitor_id": visitor,
            "external_id": profile.external_id,
            "verified": profile.verified,
            "name": profile.name,
            "email": profile.email,
            "attributes": profile.attributes,
        }),
    )
}

/// A chat event's id: the chat at its version (each state change bumps the version).
pub fn chat_event_id(kind: EventKind, chat: &Chat) -> String {
    format!("{}:{}:v{}", kind.as_str(), chat.id.0, chat.version)
}

/// A message's event (every kind, internal notes too: `message.kind` tells).
pub fn message_event(site: SiteId, message: &Message) -> Event {
    Event::new(
        site,
        EventKind::MessageCreated,
        format!("message.created:{}:{}", message.chat_id.0, message.seq.0),
        Some(message.chat_id),
        message.created_at,
        serde_json::json!({ "chat_id": message.chat_id, "message": message }),
    )
}

/// A chat state change's event, when the change is one ([`classify`]).
pub fn chat_event(kind: EventKind, chat: &Chat, at: Timestamp) -> Event {
    Event::new(
        chat.site_id,
        kind,
        chat_event_id(kind, chat),
        Some(chat.id),
        at,
        chat_data(chat),
    )
}

/// A rating's event (a changed rating is a new event: its id carries the time).
pub fn rated_event(chat: &Chat, at: Timestamp) -> Event {
    Event::new(
        chat.site_id,
        EventKind::ChatRated,
        format!("chat.rated:{}:{}", chat.id.0, at.0),
        Some(chat.id),
        at,
        chat_data(chat),
    )
}

/// An offline message's event (no chat: not ordered with anything).
pub fn offline_event(msg: &OfflineMessage) -> Event {
    Event::new(
        msg.site_id,
        EventKind::OfflineMessageCreated,
        format!("offline_message.created:{}", msg.id.0),
        None,
        msg.created_at,
        serde_json::json!({ "offline_message": msg }),
    )
}

/// Which event a state change from `before` to `after` is, if any.
pub fn classify(before: &crate::ChatState, after: &crate::ChatState) -> Option<EventKind> {
    use crate::ChatState as S;
    match (before, after) {
        (S::Pending, S::Active { .. }) => Some(EventKind::ChatAccepted),
        (S::Active { agent: a }, S::Active { agent: b }) if a != b => {
            Some(EventKind::ChatTransferred)
        }
        (S::Pending | S::Active { .. }, S::Ended { .. }) => Some(EventKind::ChatEnded),
        _ => None,
    }
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the URL must be an absolute http:// or https:// address of at most {URL_MAX} bytes")]
    BadUrl,
    #[error("the URL must not hold a user name or password")]
    Credentials,
    #[error("choose at least one event")]
    NoEvents,
}

/// The URL to store: absolute `http` or `https`, with a host, without credentials.
pub fn check_url(raw: &str) -> Result<url::Url, WebhookError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > URL_MAX {
        return Err(WebhookError::BadUrl);
    }
    let url = url::Url::parse(raw).map_err(|_| WebhookError::BadUrl)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(WebhookError::BadUrl);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(WebhookError::Credentials);
    }
    Ok(url)
}

/// The events to store: at least one, each once, in [`EventKind::SUBSCRIBABLE`]'s order.
pub fn check_events(events: &[EventKind]) -> Result<Vec<EventKind>, WebhookError> {
    let chosen: Vec<EventKind> = EventKind::SUBSCRIBABLE
        .into_iter()
        .filter(|k| events.contains(k))
        .collect();
    if chosen.is_empty() {
        return Err(WebhookError::NoEvents);
    }
    Ok(chosen)
}

fn mac(secret: &str, timestamp_secs: i64, body: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts every key length"),
    };
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac
}

/// The `Frontdesk-Signature` header value: `t=<timestamp>,v1=<hex HMAC-SHA256 of
/// "<timestamp>.<body>">`.
pub fn signature(secret: &str, timestamp_secs: i64, body: &str) -> String {
    let tag = mac(secret, timestamp_secs, body).finalize().into_bytes();
    format!("t={timestamp_secs},v1={}", hex::encode(tag))
}

/// What a receiver does: parse the header, recompute, compare in constant time, and refuse a
/// timestamp more than `tolerance_secs` away from `now_secs` (a replayed delivery).
pub fn verify(secret: &str, header: &str, body: &str, now_secs: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now_secs - t).abs() > tolerance_secs {
        return false;
    }
    sigs.iter().any(|s| {
        hex::decode(s)
            .map(|bytes| mac(secret, t, body).verify_slice(&bytes).is_ok())
            .unwrap_or(false)
    })
}

/// How long to wait before attempt number `attempts + 1`, after `attempts` failed ones:
/// [`FIRST_RETRY_MS`] doubled per failure, at most [`LONGEST_RETRY_MS`], then scaled by
/// `jitter` in [0, 1) to between half and all of it (so that many failed deliveries do not
/// come back at once).
pub fn backoff(attempts: u32, jitter: f64) -> i64 {
    let doublings = attempts.saturating_sub(1).min(30);
    let full = FIRST_RETRY_MS
        .saturating_mul(1_i64 << doublings)
        .min(LONGEST_RETRY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = full / 2;
    half + (half as f64 * jitter) as i64
}

/// After a failed attempt at `now`: when to try again, or `None` to give up (the event is
/// older than [`GIVE_UP_AFTER_MS`], or the retry would fall after that).
pub fn next_attempt(
    created_at: Timestamp,
    attempts: u32,
    now: Timestamp,
    jitter: f64,
) -> Option<Timestamp> {
    let deadline = created_at.plus_millis(GIVE_UP_AFTER_MS);
    if now >= deadline {
        return None;
    }
    Some(now.plus_millis(backoff(attempts, jitter)).min(deadline))
}

/// An error text fit for the deliveries log: one line, at most 300 characters.
pub fn clean_error(e: &str) -> String {
    let one_line: String = e
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.chars().take(300).collect()
}

/// "Send test event": `id` is fresh for every click.
pub fn test_event(site: SiteId, id: String, at: Timestamp) -> Event {
    Event::new(
        site,
        EventKind::Test,
        id,
        None,
        at,
        serde_json::json!({ "test": true, "message": "Frontdesk test event" }),
    )
}

#[cfg(test)]
mod tests;

//! The outbox's rules: what an attempt's outcome does to its row.
//!
//! The claim itself is SQL in each store (`WebhookStore::claim_deliveries`): a pending row
//! whose `next_attempt_at` has come, with no older pending row of the same webhook and chat
//! (order per chat), and not leased by another worker (`lease_until` passed).

use super::{DeliveryStatus, next_attempt};
use crate::ids::Timestamp;

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered (any status; only 2xx counts as delivered).
    Answered { code: u16 },
    /// No answer: refused address, DNS, connect or TLS failure, timeout.
    NoAnswer { error: String },
}

/// What to store after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub status: DeliveryStatus,
    /// When to try again (`None` unless still pending).
    pub next_attempt_at: Option<Timestamp>,
    pub response_code: Option<u16>,
    pub last_error: Option<String>,
    pub latency_ms: i64,
    pub at: Timestamp,
}

/// The row after attempt number `attempts` (1 for the first) of an event created at
/// `created_at` ended at `now` after `latency_ms`. `jitter` in [0, 1) spreads retries.
pub fn after_attempt(
    created_at: Timestamp,
    attempts: u32,
    outcome: Outcome,
    now: Timestamp,
    latency_ms: i64,
    jitter: f64,
) -> AttemptResult {
    let (code, error) = match outcome {
        Outcome::Answered { code } if (200..300).contains(&code) => {
            return AttemptResult {
                status: DeliveryStatus::Delivered,
                next_attempt_at: None,
                response_code: Some(code),
                last_error: None,
                latency_ms,
                at: now,
            };
        }
        Outcome::Answered { code } => (Some(code), format!("the receiver answered {code}")),
        Outcome::NoAnswer { error } => (None, super::clean_error(&error)),
    };
    let next = next_attempt(created_at, attempts, now, jitter);
    AttemptResult {
        status: if next.is_some() {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Failed
        },
        next_attempt_at: next,
        response_code: code,
        last_error: Some(error),
        latency_ms,
        at: now,
    }
}

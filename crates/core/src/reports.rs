//! "Reports" (issue 15): how the team is doing, computed from stored events (chat created,
//! accepted, first agent reply, ended, missed, rated), never from counters a restart loses.
//!
//! These types are the contract between the REST API (`GET /api/reports`, and its CSV) and
//! the console page. FOUNDATION: the reports helper adds the computation (hourly rollups,
//! percentiles, time-zone buckets) beside them.
//!
//! Definitions (each a duration between two stored timestamps, in whole seconds):
//! - wait: from the chat's creation to the first agent taking it (chats ever answered);
//! - first response: from the first agent taking it to that agent's first reply;
//! - duration: from the chat's creation to its end (ended chats);
//! - messages per chat: visitor and agent messages (not events, not notes) over chats;
//! - good share: ratings of 4 or more ("Good") over ratings.
//!
//! Medians and p90 use the nearest-rank definition (the value at rank ⌈p·n⌉).
//!
//! Refined by the reports helper (docs/reports.md):
//! - every figure of a chat counts in the bucket (and the hour) in which the chat was
//!   created; offline messages in the one in which they were received;
//! - first response: from the first agent taking the chat to the first agent message (text,
//!   link or file) after it, whoever wrote it; per agent it counts for its author;
//! - per agent, "chats" are the chats they took; "ratings" those of the chats they held last;
//! - durations are whole seconds rounded down; beyond one hour percentiles come from
//!   histogram buckets ([`hist`]: exact to the second up to an hour, then to the minute up
//!   to a day, then to the hour), and are the start of their bucket.

pub mod assemble;
pub mod buckets;
pub mod csv;
pub mod hist;
pub mod rollup;

use crate::ids::*;
use serde::{Deserialize, Serialize};

/// Is a rating "Good"? (4 or more of 5.)
pub fn is_good(score: u8) -> bool {
    score >= 4
}

/// Buckets of a report's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Granularity {
    Hour,
    Day,
    Week,
}

/// The figures of a period or of one bucket. A median of nothing is `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Chats created.
    pub chats: u64,
    /// Of those, missed (the visitor left before any agent answered).
    pub missed: u64,
    /// Offline messages ("Leave a message") received.
    pub offline_messages: u64,
    pub wait_median_secs: Option<u64>,
    pub wait_p90_secs: Option<u64>,
    pub first_response_median_secs: Option<u64>,
    pub duration_median_secs: Option<u64>,
    /// Visitor and agent messages per chat (two decimals), `null` without chats.
    pub messages_per_chat: Option<f64>,
    /// Chats rated, and of those rated "Good" (4 or more).
    pub ratings: u64,
    pub ratings_good: u64,
    /// `ratings_good / ratings` (0–1), `null` without ratings.
    pub good_share: Option<f64>,
}

/// One bucket of the series (an hour, a day or a week in the report's time zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    /// Start of the bucket (UTC milliseconds).
    pub start: Timestamp,
    /// The bucket as people read it, in the report's time zone: `2026-03-29 14:00` (hour),
    /// `2026-03-29` (day), `2026-03-23` (week, its Monday).
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One agent's figures over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentFigures {
    pub agent_id: AgentId,
    pub name: String,
    /// Chats the agent took (accepted, or received by a transfer).
    pub chats: u64,
    pub first_response_median_secs: Option<u64>,
    pub ratings: u64,
    pub ratings_good: u64,
    /// Seconds the agent was On-Line within the period.
    pub online_secs: u64,
}

/// A report (`GET /api/reports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// The site, or absent for all the caller's sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    /// `[from, to)`, UTC milliseconds.
    pub from: Timestamp,
    pub to: Timestamp,
    pub granularity: Granularity,
    /// The IANA time zone of buckets and the heat map (the site's; for all sites, the `tz`
    /// parameter or else the first site's).
    pub time_zone: String,
    pub totals: Figures,
    pub series: Vec<Bucket>,
    pub agents: Vec<AgentFigures>,
    /// Chats created, by weekday (0 = Monday … 6 = Sunday) and hour (0–23), local time.
    pub heat_map: Vec<[u64; 24]>,
}

//! What "Reports" (issue 15) reads and writes: the raw facts of chats, hourly rollups with
//! their dirty marks, and agents' On-Line spans. See docs/reports.md.
//!
//! Rules every implementation keeps:
//! - a change that moves a figure (a chat created, its state, its rating, a chat deleted, an
//!   offline message) marks its site and UTC hour (`created_at / 3600000`) dirty in the same
//!   transaction (a counter, so a mark made meanwhile is never lost);
//! - every state update of a chat records a chat event `(at, state, agent)` in its transaction;
//! - [`ReportStore::save_rollups`] writes only while the mark is still the one read before the
//!   facts were read, and is idempotent, so any number of nodes may recompute at once.

use super::StoreResult;
use crate::ids::*;
use crate::reports::rollup::{Acc, ChatFacts};
use async_trait::async_trait;

/// A part of the history to read raw: one site's `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteRange {
    pub site: SiteId,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// A dirty mark: the site's hour may be stale since `mark` last moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirtyHour {
    pub site: SiteId,
    pub hour: i64,
    pub mark: i64,
}

/// An agent's On-Line span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnlineSpan {
    pub agent: AgentId,
    pub start: Timestamp,
    /// The last instant they were known On-Line (the span's end).
    pub end: Timestamp,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The facts of every chat created in the ranges.
    async fn chat_facts(&self, ranges: &[SiteRange]) -> StoreResult<Vec<ChatFacts>>;
    /// When each offline message in the ranges was received.
    async fn offline_times(&self, ranges: &[SiteRange]) -> StoreResult<Vec<Timestamp>>;
    /// The stored rollup rows of `sites`, hours `first..=last`.
    async fn rollups(
        &self,
        sites: &[SiteId],
        first: i64,
        last: i64,
    ) -> StoreResult<Vec<(SiteId, i64, Acc)>>;
    /// Dirty marks of `sites` (every site: `None`) in hours `first..=last`, oldest first, at
    /// most `limit`.
    async fn dirty_hours(
        &self,
        sites: Option<&[SiteId]>,
        first: i64,
        last: i64,
        limit: u32,
    ) -> StoreResult<Vec<DirtyHour>>;
    /// Stores each `acc` as the rollup of its dirty hour (an empty one deletes the row) if the
    /// mark is still the one read, and then clears the mark when its `clear` is set; a moved
    /// (or vanished) mark writes nothing for that hour. One transaction. Returns the hours
    /// written.
    async fn save_rollups(&self, rollups: Vec<(DirtyHour, Acc, bool)>) -> StoreResult<u64>;
    /// Marks every hour with a chat, an offline message or a rollup row dirty (`frontdesk
    /// reports rebuild`). Returns the number of marks.
    async fn mark_all_dirty(&self) -> StoreResult<u64>;

    /// The agent is On-Line at `now`: extends their open span if it was seen at most `gap_ms`
    /// ago, else closes it where it was last seen and opens a new one at `now`.
    async fn online_seen(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()>;
    /// The agent is no longer On-Line at `now`: their open span ends (at `now` if it was seen
    /// within `gap_ms`, else where it was last seen).
    async fn online_ended(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()>;
    /// Spans overlapping `[from, to)`, of every agent.
    async fn online_spans(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<OnlineSpan>>;
}

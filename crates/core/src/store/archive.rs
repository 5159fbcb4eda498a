//! The "Archive" (issue 15): every chat of an agent's sites, filtered and searched, newest
//! first, paged with a cursor. The query types are in [`crate::archive`]; the search
//! language in [`crate::search`].

use super::StoreResult;
use crate::archive::{ArchiveCount, ArchiveCursor, ArchiveQuery, Snippet};
use crate::model::Chat;
use async_trait::async_trait;

/// One page of [`ArchiveStore::archive_page`]: the chats (newest first) with, for a search,
/// where it matched, and where the next page starts (`None` on the last page).
pub type ArchiveRows = (Vec<(Chat, Option<Snippet>)>, Option<ArchiveCursor>);

/// Rules every implementation keeps:
/// - only chats of `query.sites` are ever returned or counted;
/// - newest first by chat id; the next page holds chats strictly older than the cursor's
///   chat, so chats that arrive while paging never shift a page (no OFFSET);
/// - filters: `agent` (the chat's holder, `chats.agent_id`), `from`/`to` on `created_at`
///   (`[from, to)`), `state` (ended = ended, not missed, not blocked; missed; blocked = ended
///   by "Block"; open = pending or active), `tag` (an element of the chat's tags, ignoring
///   case), `rating` (the score);
/// - `search`: a chat matches when one of its documents (a message of kind text, link, note
///   or file (its name), or the chat's header: visitor name and email, page titles of its
///   visit, tags, wrap-up note) holds every required term and none of the excluded ones
///   (docs/archive.md "Search").
#[async_trait]
pub trait ArchiveStore: Send + Sync {
    async fn archive_page(&self, query: &ArchiveQuery) -> StoreResult<ArchiveRows>;
    /// How many chats match `query` (its cursor and limit ignored), counting at most `cap`
    /// plus one: `more` is true when there are more than `cap` (then `count` is `cap`).
    async fn archive_count(&self, query: &ArchiveQuery, cap: u64) -> StoreResult<ArchiveCount>;
    /// Rebuilds the search index from the stored text; the number of documents indexed.
    async fn rebuild_search_index(&self) -> StoreResult<u64>;
    /// `Err(StoreError::Conflict(what))` when the search index does not hold exactly the
    /// documents the stored text makes (damaged, or written while the index was off).
    async fn check_search_index(&self) -> StoreResult<()>;
}

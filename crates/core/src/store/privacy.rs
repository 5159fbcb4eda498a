//! Privacy (issue 18): what is held about one visitor, the retention task's deletes and a
//! visitor's erasure. Every delete removes a chat whole: its messages, files (rows and
//! bytes), search index entries and state history, in the same transaction as the chat; the
//! reports' hourly rollups are left as they are (the deletes do not mark the hours for
//! recount). Each call is one short write of at most `limit` rows of its kind, so that
//! several nodes may run the same deletes (what another node deleted is simply not found).

use super::StoreResult;
use crate::ids::*;
use crate::model::{Block, OfflineMessage};
use async_trait::async_trait;

#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// The visitor's offline messages on the site, oldest first.
    async fn offline_messages_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Vec<OfflineMessage>>;
    /// Every block of the visitor on the site (lifted and expired ones too), oldest first.
    async fn blocks_of_visitor(&self, site: SiteId, visitor: &VisitorId)
    -> StoreResult<Vec<Block>>;
    /// Deletes at most `limit` of the site's ended chats that ended before `before`, whole;
    /// how many it deleted.
    async fn delete_ended_chats(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64>;
    /// Deletes at most `limit` of the site's offline messages left before `before`.
    async fn delete_old_offline_messages(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64>;
    /// Deletes at most `limit` of the site's visits last seen before `before`, with their
    /// page views, then the site's visitors last seen before `before` who have no visit and
    /// no chat left (at most `limit` of them); how many visits and visitors it deleted.
    async fn delete_old_visits(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64>;
    /// Deletes at most `limit` of the visitor's ended chats, whole; how many it deleted.
    async fn delete_chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<u64>;
    /// Deletes everything else held about the visitor on the site, in one write: visits and
    /// page views, offline messages, blocks, and the visitor's row; how many rows.
    async fn erase_visitor_rows(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<u64>;
}

//! What the visitor has read, and the unread replies emailed to a visitor who left (issue 14).

use super::StoreResult;
use crate::ids::*;
use crate::model::Chat;
use async_trait::async_trait;

/// What the visitor has read, and the unread replies emailed to a visitor who left (issue 14).
#[async_trait]
pub trait UnreadStore: Send + Sync {
    /// Raises the chat's `visitor_read_seq` to `seq` (never lowers it).
    async fn mark_read(&self, chat: ChatId, seq: Seq) -> StoreResult<()>;
    /// Raises `replies_emailed_seq` from `from` to `to` (compare-and-set on `from`): `false`
    /// when another node already did (so each reply is emailed once).
    async fn mark_replies_emailed(&self, chat: ChatId, from: Seq, to: Seq) -> StoreResult<bool>;
    /// Chats with an agent reply (text, link or file) after both `visitor_read_seq` and
    /// `replies_emailed_seq`, the oldest such reply sent at or before `sent_before`; oldest
    /// first, at most `limit`. (Kept by the store on every append: a partial index.)
    async fn unread_reply_chats(
        &self,
        sent_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>>;
}

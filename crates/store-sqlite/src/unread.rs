//! What the visitor has read (`chats.visitor_read_seq`) and the replies emailed to a visitor
//! who left (`chats.replies_emailed_seq`). FOUNDATION: stubs until the unread work lands.

use crate::SqliteStore;
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::store::{StoreError, StoreResult, UnreadStore};

fn todo() -> StoreError {
    StoreError::Unavailable("FOUNDATION: read marks not stored yet".into())
}

#[async_trait]
impl UnreadStore for SqliteStore {
    async fn mark_read(&self, _chat: ChatId, _seq: Seq) -> StoreResult<()> {
        Err(todo())
    }
    async fn mark_replies_emailed(&self, _chat: ChatId, _from: Seq, _to: Seq) -> StoreResult<bool> {
        Err(todo())
    }
}

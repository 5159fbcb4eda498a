//! Files in chats (issue 14): a file's row as storage keeps it, read back and deleted with its
//! chat (written with its message by `ChatStore`).

use super::StoreResult;
use crate::ids::*;
use async_trait::async_trait;

/// A stored file's row (not its bytes): what it shows, the message that carries it, and the
/// chat and site it belongs to (who may fetch it is decided from those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub meta: crate::files::FileRef,
    pub chat_id: ChatId,
    pub site_id: SiteId,
    pub seq: Seq,
    pub sha256: String,
    pub created_at: Timestamp,
}

/// Files in chats (issue 14). A file is written by [`ChatStore::append_message`] /
/// [`ChatStore::append_visitor_message`] with its message, in the same commit; this reads
/// them back and deletes them with their chat.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// The file's row.
    async fn file(&self, id: &crate::files::FileId) -> StoreResult<StoredFile>;
    /// The file's bytes, or (`thumb`) its thumbnail's; `NotFound` when it has none.
    async fn file_data(&self, id: &crate::files::FileId, thumb: bool) -> StoreResult<Vec<u8>>;
    /// How many files the chat holds.
    async fn files_in_chat(&self, chat: ChatId) -> StoreResult<u32>;
    /// Deletes a chat with its messages and files (nothing of it is left in the database).
    async fn delete_chat(&self, chat: ChatId) -> StoreResult<()>;
}

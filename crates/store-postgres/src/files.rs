//! Files in chats: read back, counted, deleted with their chat. Written with their message
//! (see chats.rs). FOUNDATION: stubs until the files work lands.

use crate::PgStore;
use async_trait::async_trait;
use frontdesk_core::files::FileId;
use frontdesk_core::ids::*;
use frontdesk_core::store::{FileStore, StoreError, StoreResult, StoredFile};

fn todo() -> StoreError {
    StoreError::Unavailable("FOUNDATION: files not stored yet".into())
}

#[async_trait]
impl FileStore for PgStore {
    async fn file(&self, _id: &FileId) -> StoreResult<StoredFile> {
        Err(todo())
    }
    async fn file_data(&self, _id: &FileId, _thumb: bool) -> StoreResult<Vec<u8>> {
        Err(todo())
    }
    async fn files_in_chat(&self, _chat: ChatId) -> StoreResult<u32> {
        Err(todo())
    }
    async fn delete_chat(&self, _chat: ChatId) -> StoreResult<()> {
        Err(todo())
    }
}

//! The visitor's rating of a chat (columns `rating`, `rating_comment`, `rated_at` of
//! `chats`). FOUNDATION: stubs until the ratings work lands.

use crate::PgStore;
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{RatedChat, RatingStore, StoreError, StoreResult};

fn todo() -> StoreError {
    StoreError::Unavailable("FOUNDATION: ratings not stored yet".into())
}

#[async_trait]
impl RatingStore for PgStore {
    async fn rate_chat(
        &self,
        _chat: ChatId,
        _score: u8,
        _comment: Option<&str>,
        _now: Timestamp,
        _window_ms: i64,
    ) -> StoreResult<Option<Chat>> {
        Err(todo())
    }
    async fn ratings(
        &self,
        _site: SiteId,
        _from: Timestamp,
        _to: Timestamp,
        _limit: u32,
    ) -> StoreResult<Vec<RatedChat>> {
        Err(todo())
    }
}

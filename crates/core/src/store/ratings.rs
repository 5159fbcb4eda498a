//! The visitor's rating of a chat (issue 14).

use super::StoreResult;
use crate::ids::*;
use crate::model::Chat;
use async_trait::async_trait;

/// A chat's rating as the REST API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedChat {
    pub chat_id: ChatId,
    pub site_id: SiteId,
    pub agent_id: Option<AgentId>,
    pub rating: crate::rating::Rating,
}

/// The visitor's rating of a chat (issue 14).
#[async_trait]
pub trait RatingStore: Send + Sync {
    /// Sets the chat's rating (the first time, `rated_at` = `now`), or changes it while `now`
    /// is before `rated_at + window_ms`. Only an ended chat is rated. `None`: the window has
    /// closed, or the chat is still open (nothing written); `NotFound`: no such chat.
    async fn rate_chat(
        &self,
        chat: ChatId,
        score: u8,
        comment: Option<&str>,
        now: Timestamp,
        window_ms: i64,
    ) -> StoreResult<Option<Chat>>;
    /// The site's ratings first given in `[from, to)`, oldest first, at most `limit`.
    async fn ratings(
        &self,
        site: SiteId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<RatedChat>>;
}

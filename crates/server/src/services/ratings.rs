//! The visitor's rating of a chat ("How was this chat?"). FOUNDATION: the ratings work
//! fills this in.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{ChatId, ErrorCode, SiteId, VisitorId};

/// A `rate` frame from `visitor` on `site` for one of their chats.
pub async fn rate_by_visitor(
    _app: &App,
    _site: SiteId,
    _visitor: &VisitorId,
    _chat: ChatId,
    _score: u8,
    _comment: Option<String>,
) -> AppResult<()> {
    Err(AppError::new(ErrorCode::Unavailable, "FOUNDATION: ratings"))
}

//! "Email me this transcript": the chat's transcript for the visitor (never the internal
//! notes). FOUNDATION: the transcript-email work fills this in.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{ChatId, ErrorCode, SiteId, VisitorId};

/// An `email_transcript` frame from `visitor` for one of their chats.
pub async fn email_to_visitor(
    _app: &App,
    _site: SiteId,
    _visitor: &VisitorId,
    _chat: ChatId,
    _email: &str,
) -> AppResult<()> {
    Err(AppError::new(
        ErrorCode::Unavailable,
        "FOUNDATION: transcript email",
    ))
}

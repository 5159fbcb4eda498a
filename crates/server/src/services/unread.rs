//! What the visitor has read, and the email of unread replies to a visitor who left.
//! FOUNDATION: the unread work fills this in.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{ChatId, ErrorCode, Seq, SiteId, VisitorId};

/// A `read` frame: `visitor` has seen their chat up to `seq`.
pub async fn mark_read(
    _app: &App,
    _site: SiteId,
    _visitor: &VisitorId,
    _chat: ChatId,
    _seq: Seq,
) -> AppResult<()> {
    Err(AppError::new(
        ErrorCode::Unavailable,
        "FOUNDATION: read marks",
    ))
}

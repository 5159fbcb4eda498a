//! Internal notes ("Note"): messages of kind `note` in a chat, for its agents only (issue 13).

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::store::Appended;
use frontdesk_core::{AgentId, ChatId, ErrorCode};

/// An agent's note in a chat they are in (owner or colleague). FOUNDATION stub: the notes
/// work implements it.
pub async fn post_note(
    _app: &App,
    _agent: AgentId,
    _chat_id: ChatId,
    _client_id: &str,
    _body: &str,
) -> AppResult<Appended> {
    Err(AppError::new(
        ErrorCode::BadRequest,
        "Notes are not built yet.",
    ))
}

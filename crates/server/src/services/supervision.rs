//! Supervisors (issue 13): "All Chats", "Watch", "Take over".

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{AgentId, ChatId, ErrorCode};

fn not_yet() -> AppError {
    AppError::new(ErrorCode::BadRequest, "Supervision is not built yet.")
}

/// Checks that `agent` supervises the chat's site and that the connection may watch it.
/// FOUNDATION stub: the caller then registers the watch in the hub and replays the chat.
pub async fn may_watch(_app: &App, _agent: AgentId, _chat: ChatId) -> AppResult<()> {
    Err(not_yet())
}

/// "Take over": a supervisor transfers the chat to themselves. FOUNDATION stub.
pub async fn take_over(_app: &App, _agent: AgentId, _chat: ChatId) -> AppResult<()> {
    Err(not_yet())
}

//! A colleague in the chat (issue 13): "Invite Agent", "Join chat", "Leave chat".

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{AgentId, ChatId, ErrorCode};

fn not_yet() -> AppError {
    AppError::new(ErrorCode::BadRequest, "Colleagues are not built yet.")
}

/// "Invite Agent": the owner asks an On-Line colleague of the site in. FOUNDATION stub.
pub async fn invite(_app: &App, _agent: AgentId, _chat: ChatId, _to: AgentId) -> AppResult<()> {
    Err(not_yet())
}

/// "Join chat": invited, or a supervisor of the chat's site. FOUNDATION stub.
pub async fn join(_app: &App, _agent: AgentId, _chat: ChatId) -> AppResult<()> {
    Err(not_yet())
}

/// "Leave chat": a colleague leaves; the owner hands the chat over. FOUNDATION stub.
pub async fn leave(_app: &App, _agent: AgentId, _chat: ChatId) -> AppResult<()> {
    Err(not_yet())
}

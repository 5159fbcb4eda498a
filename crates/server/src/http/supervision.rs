//! REST: "All Chats" for supervisors: every live chat of the sites the agent supervises.
//! An agent who supervises no site is refused (403 `forbidden`).

use super::auth::AuthAgent;
use super::extract::ApiErrorBody;
use crate::error::AppResult;
use crate::services::supervision;
use crate::state::App;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::protocol::{AgentMessageView, ChatSummary};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new().route("/api/supervision/chats", get(all_chats))
}

/// One live chat as a supervisor sees it in "All Chats".
#[derive(Serialize, ToSchema)]
pub struct SupervisedChatView {
    /// The chat: its site, visitor, state ("pending" or "active"), owner (`agent_id`,
    /// `agent_name`; null while waiting) and the colleagues who joined it (`joined`).
    pub chat: ChatSummary,
    /// Milliseconds since the chat (last) entered the queue, on the server's clock: how long
    /// a waiting chat has waited; for an active chat, how long since it was asked for (or put
    /// back in the queue).
    pub waiting_ms: i64,
    /// The last message a person wrote in the chat: the visitor's, an agent's, or an agent's
    /// internal note (`kind: "note"`: supervisors see notes); system events are skipped. Cut
    /// to 200 characters (then ending with "…"). Null when nobody has written yet.
    pub last_message: Option<AgentMessageView>,
}

#[utoipa::path(get, path = "/api/supervision/chats", tag = "supervision",
    responses(
        (status = 200, description = "Every open (waiting or active) chat of the sites the \
         agent supervises (admins: every site they belong to), oldest first",
         body = [SupervisedChatView]),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 403, description = "The agent supervises no site (`forbidden`)",
         body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn all_chats(
    State(app): State<App>,
    auth: AuthAgent,
) -> AppResult<Json<Vec<SupervisedChatView>>> {
    let chats = supervision::all_chats(&app, auth.agent.id).await?;
    Ok(Json(
        chats
            .into_iter()
            .map(|c| SupervisedChatView {
                chat: c.chat,
                waiting_ms: c.waiting_ms,
                last_message: c.last_message.as_ref().map(Into::into),
            })
            .collect(),
    ))
}

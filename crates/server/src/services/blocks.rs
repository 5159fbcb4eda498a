//! "Block": ends a chat and keeps the visitor (by id and by address) from chatting on the site
//! until the end of the site's day. (The check every visitor request makes: `blocked.rs`.)

use super::{access, chats};
use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::chat::ChatCommand;
use frontdesk_core::model::{Chat, NewBlock};
use frontdesk_core::{AgentId, ChatId, day};

/// Block: the chat ends at the visitor's end at once, and the visitor (by id and by IP) cannot
/// start another chat on the site until the end of the site's day. Audited with `agent_ip`,
/// the address of the agent's socket, when known.
pub async fn block(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    agent_ip: Option<&str>,
) -> AppResult<Chat> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    chat.state.apply(ChatCommand::Block { by: agent })?;
    let site = app.store.site(chat.site_id).await?;
    let now = app.now();
    let until = day::end_of_day(now, &site.timezone)
        .map_err(|e| AppError::internal(format!("site time zone: {e}")))?;
    let ip = match chat.visit_id {
        Some(v) => app.store.visit(v).await.ok().map(|v| v.ip),
        None => None,
    };
    let (before, after) = chats::transition(app, chat_id, ChatCommand::Block { by: agent }).await?;
    app.store
        .create_block(NewBlock {
            site_id: chat.site_id,
            visitor_id: chat.visitor_id.clone(),
            ip: ip.filter(|ip| !ip.is_empty()),
            chat_id: Some(chat_id),
            blocked_by: agent,
            created_at: now,
            until,
        })
        .await?;
    chats::announce_end(app, &before, &after, "blocked").await;
    let who = super::audit::Who {
        actor: frontdesk_core::audit::Actor::Agent {
            id: agent,
            name: app.agent_name(agent).await?,
        },
        ip: agent_ip.map(str::to_owned),
    };
    let detail = serde_json::json!({ "chat_id": chat_id, "until": until });
    let action = frontdesk_core::audit::AuditAction::VisitorBlocked;
    super::audit::record(
        app,
        &who,
        action,
        Some(&chat.visitor_id.0),
        Some(chat.site_id),
        detail,
    )
    .await;
    Ok(after)
}

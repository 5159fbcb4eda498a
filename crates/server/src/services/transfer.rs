//! "Transfer": hand a chat to another agent, or to a department (back to its queue). The
//! visitor is told nothing either way.

use super::presence;
use super::summary::chat_summary;
use super::{access, capacity, chats, colleagues};
use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::store::StoreError;
use frontdesk_core::{AgentId, ChatCommand, ChatId, DepartmentId, ErrorCode};

/// Hand the chat to another On-Line agent who monitors the site. The visitor is not told.
pub async fn to_agent(app: &App, agent: AgentId, chat_id: ChatId, to: AgentId) -> AppResult<Chat> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    if to == agent || !app.presence.agent_available_for(to, chat.site_id).await {
        return Err(AppError::new(
            ErrorCode::InvalidTarget,
            "That agent is not On-Line for this site.",
        ));
    }
    capacity::require_room(app, to).await?;
    let (_, after) =
        chats::transition(app, chat_id, ChatCommand::Transfer { by: agent, to }).await?;
    handed_over(app, agent, to, &after).await?;
    Ok(after)
}

/// The chat went from `from` to `to` (a transfer, a supervisor's "Take over"): their chat
/// counts, `chat.transferred` (with the history to follow) to `to`, `chat.released` to
/// `from`, `chat.taken` to the site's agents, and `chat.updated` to whoever watches it.
pub(crate) async fn handed_over(
    app: &App,
    from: AgentId,
    to: AgentId,
    after: &Chat,
) -> AppResult<()> {
    let chat_id = after.id;
    presence::chat_count_changed(app, to, true).await;
    presence::chat_count_changed(app, from, false).await;
    let from_name = app.agent_name(from).await?;
    let summary = chat_summary(app, after).await?;
    app.publish(
        Audience::Agent(to),
        &ToAgent::ChatTransferred {
            chat: summary.clone(),
            from_agent_id: from,
            from_agent_name: from_name,
        },
        None,
    )
    .await;
    app.publish(
        Audience::Agent(from),
        &ToAgent::ChatReleased { chat_id },
        None,
    )
    .await;
    app.publish(
        chats::site_agents(after, None),
        &ToAgent::ChatTaken {
            chat_id,
            agent_id: to,
            agent_name: summary.agent_name.clone().unwrap_or_default(),
        },
        None,
    )
    .await;
    if after.joined.is_empty() {
        app.publish(
            chats::watchers(chat_id),
            &ToAgent::ChatUpdated { chat: summary },
            None,
        )
        .await;
    } else {
        // Colleagues stay in a transferred chat (the target leaves their list, if in it);
        // they and the watchers hear it.
        colleagues::announce_update(app, after).await?;
    }
    Ok(())
}

/// "Transfer" to a department: the chat takes the department, then goes back to the queue
/// and is announced to that department's agents. The visitor is told nothing.
pub async fn to_department(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    department: DepartmentId,
) -> AppResult<Chat> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    let cmd = ChatCommand::TransferToDepartment { by: agent };
    match app.store.department(department).await {
        Ok(d) if d.site_id == chat.site_id => {}
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::new(
                ErrorCode::InvalidTarget,
                "That department is not one of this chat's site.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    // First the department (compare-and-set while the agent still holds the chat), then the
    // queue: a failure between the two leaves the chat with its agent, only relabelled.
    let mut loaded = Some(chat);
    for _ in 0..32 {
        let chat = match loaded.take() {
            Some(chat) => chat,
            None => app.store.chat(chat_id).await?,
        };
        chat.state.apply(cmd)?;
        if chat.department_id == Some(department)
            || super::hot::write(
                app,
                chat_id,
                app.store
                    .set_chat_department(chat_id, chat.version, Some(department)),
            )
            .await?
            .is_some()
        {
            let (before, after) = chats::transition(app, chat_id, cmd).await?;
            chats::released(app, agent, chat_id).await;
            chats::colleagues_dropped(app, &before).await;
            chats::announce_to_agents(app, &after, Some(agent)).await?;
            return Ok(after);
        }
    }
    Err(AppError::new(
        ErrorCode::Unavailable,
        "The chat is changing too fast; try again.",
    ))
}

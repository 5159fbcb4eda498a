//! A colleague in the chat (issue 13): "Invite Agent", "Join chat", "Leave chat".
//!
//! The rules are `frontdesk_core::colleagues`; storage settles races with one conditional
//! write per change (`ColleagueStore`). Invitations live in every node's hub (published on
//! the bus before the pop-up). What colleagues get once in: every message and note of the
//! chat (`messages::deliver` reaches `Audience::ChatAgents`), the visitor's typing, the
//! chat's end; they write like the owner, while Close, End, Block and Transfer stay the
//! owner's. A colleague's disconnect never requeues the chat (only its owner's does:
//! `chats::agent_gone` reads the chats an agent holds).

use super::summary::chat_summary;
use super::{access, chats, hot, presence};
use crate::error::{AppError, AppResult};
use crate::realtime::bus::BusEvent;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::colleagues::{self as rules, ColleagueError, Leaving};
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::{ToAgent, ToVisitor};
use frontdesk_core::{AgentId, ChatId, ErrorCode};

impl From<ColleagueError> for AppError {
    fn from(e: ColleagueError) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

fn cap(app: &App) -> u32 {
    app.settings.limits.colleagues_per_chat
}

fn too_fast() -> AppError {
    AppError::new(
        ErrorCode::Unavailable,
        "The chat is changing too fast; try again.",
    )
}

/// Everyone in the chat (owner, colleagues, watchers) learns how it is now (`chat.updated`).
pub(crate) async fn announce_update(app: &App, chat: &Chat) -> AppResult<()> {
    let summary = chat_summary(app, chat).await?;
    app.publish(
        Audience::ChatAgents {
            chat: chat.id,
            agents: chat.agents(),
        },
        &ToAgent::ChatUpdated { chat: summary },
        None,
    )
    .await;
    Ok(())
}

/// "Invite Agent": the owner asks an On-Line colleague of the site in; they get
/// `chat.join_invite` (the "Join chat" pop-up). Another site's chat is `not_found`.
pub async fn invite(app: &App, agent: AgentId, chat_id: ChatId, to: AgentId) -> AppResult<()> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    let online = to != agent && app.presence.agent_available_for(to, chat.site_id).await;
    rules::may_invite(&chat, agent, to, online, cap(app))?;
    // Every node records the invitation before the pop-up can be answered anywhere.
    app.bus
        .publish(BusEvent::ColleagueInvited {
            chat: chat_id,
            agent: to,
            by: agent,
            at: app.now(),
        })
        .await;
    app.publish(
        Audience::Agent(to),
        &ToAgent::ChatJoinInvite {
            chat: chat_summary(app, &chat).await?,
            from_agent_id: agent,
            from_agent_name: app.agent_name(agent).await?,
        },
        None,
    )
    .await;
    Ok(())
}

/// "Join chat": an agent invited into the chat by its owner, or a supervisor of its site
/// (`access::supervises`; their "Join" needs no invitation), becomes a colleague in it.
/// Everyone in the chat gets `chat.updated`; the caller sends the joiner the chat's history.
/// Joining a chat one is already in changes nothing.
pub async fn join(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    let mut chat = access::chat_for_agent(app, agent, chat_id).await?;
    let mut supervisor = None;
    for _ in 0..32 {
        let invited_by = app.hub.invitation(chat_id, agent, app.now());
        let is_supervisor = match (invited_by, supervisor) {
            (Some(by), _) if chat.state.owner() == Some(by) => false,
            (_, Some(known)) => known,
            _ => {
                let known = access::supervises(app, agent, chat.site_id).await?;
                supervisor = Some(known);
                known
            }
        };
        if !rules::may_join(&chat, agent, invited_by, is_supervisor, cap(app))? {
            return Ok(chat); // already in it
        }
        let write = app.store.join_chat(chat_id, agent, cap(app));
        match hot::write(app, chat_id, write).await? {
            Some(joined) => {
                app.hub.forget_invitation(chat_id, agent);
                announce_update(app, &joined).await?;
                return Ok(joined);
            }
            // The chat changed meanwhile (ended, requeued, filled up): decide again.
            None => chat = app.store.chat(chat_id).await?,
        }
    }
    Err(too_fast())
}

/// "Leave chat": a colleague leaves (they get `chat.released`); the owner leaving hands the
/// chat to the colleague who joined first, who becomes its owner (the old owner gets
/// `chat.released`, the agents of the site `chat.taken`, the visitor `chat.accepted` with the
/// new owner's name). An owner alone cannot leave (`invalid_target`: Close or End instead).
pub async fn leave(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    let mut chat = access::chat_for_agent(app, agent, chat_id).await?;
    for _ in 0..32 {
        let updated = match rules::leave(&chat, agent)? {
            Leaving::Colleague => {
                let write = app.store.leave_chat(chat_id, agent);
                hot::write(app, chat_id, write).await?
            }
            Leaving::HandOver { .. } => {
                let write = app.store.hand_over_chat(chat_id, chat.version);
                hot::write(app, chat_id, write).await?
            }
        };
        let Some(after) = updated else {
            chat = app.store.chat(chat_id).await?;
            continue;
        };
        app.publish(
            Audience::Agent(agent),
            &ToAgent::ChatReleased { chat_id },
            None,
        )
        .await;
        announce_update(app, &after).await?;
        if let Some(owner) = after.state.owner()
            && owner != agent
            && chat.state.owner() == Some(agent)
        {
            handed_over(app, agent, owner, &after).await?;
        }
        return Ok(after);
    }
    Err(too_fast())
}

/// The owner left and `to` holds the chat now: capacity, the site's lists, the visitor.
async fn handed_over(app: &App, from: AgentId, to: AgentId, chat: &Chat) -> AppResult<()> {
    presence::chat_count_changed(app, to, true).await;
    presence::chat_count_changed(app, from, false).await;
    let agent_name = app.agent_name(to).await?;
    app.publish(
        chats::site_agents(chat, None),
        &ToAgent::ChatTaken {
            chat_id: chat.id,
            agent_id: to,
            agent_name,
        },
        None,
    )
    .await;
    let agent_name = crate::services::agent_names::for_visitor(app, chat.site_id, to).await?;
    app.publish(
        chats::visitor_of(chat),
        &ToVisitor::ChatAccepted {
            chat_id: chat.id,
            agent_name,
        },
        None,
    )
    .await;
    Ok(())
}

//! The chat lifecycle in the shell: request, accept, close/requeue, end (block: `blocks.rs`;
//! transfer: `transfer.rs`; the summaries agents see: `summary.rs`).
//! Decisions come from [`ChatState::apply`]; the database settles races with a conditional
//! update on the chat's version.

use super::{access, departments, hot, presence, routing};
use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::appearance::Ask;
use frontdesk_core::audience::Audience;
use frontdesk_core::departments::Asked;
use frontdesk_core::model::{Chat, NewChat};
use frontdesk_core::protocol::{ToAgent, ToVisitor};
use frontdesk_core::{
    AgentId, ChatCommand, ChatId, ChatState, DepartmentId, EndReason, ErrorCode, Party, SiteId,
    VisitId, VisitorId,
};

/// What a visitor gives when asking for a chat.
pub struct ChatRequest {
    pub site: SiteId,
    pub visitor: VisitorId,
    pub visit: Option<VisitId>,
    pub ip: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
    /// The department chosen in the widget, and the snippet's `data-department`.
    pub department_choice: Option<DepartmentId>,
    pub department_name: Option<String>,
}

/// 1-based place of a pending chat in its site's queue.
pub async fn queue_position(app: &App, chat: &Chat) -> AppResult<u32> {
    let waiting = app.store.waiting_chats(chat.site_id).await?;
    let ahead = waiting
        .iter()
        .filter(|c| (c.queued_at, c.id) < (chat.queued_at, chat.id))
        .count();
    Ok(u32::try_from(ahead + 1).unwrap_or(u32::MAX))
}

/// A visitor asks for a chat. Refused while blocked or outside the opening hours; returns the
/// open chat if there is one. `true` with the chat: it is new (its visitor has been told its
/// place in the queue, before any agent heard of it); `false`: it was already open.
///
/// The one place chats are made. Its caller holds `Hub::chat_request_mark` while it runs: a
/// visitor's leave reads their open chat only when the hub knows they may have one
/// (`realtime/hub/visitor_chats.rs`); another caller must do the same.
pub async fn request(app: &App, req: ChatRequest) -> AppResult<(Chat, bool)> {
    let now = app.now();
    super::blocked::refuse_if_blocked(app, req.site, &req.visitor, req.ip.as_deref()).await?;
    if let Some(open) = app
        .store
        .open_chat_of_visitor(req.site, &req.visitor)
        .await?
    {
        return Ok((open, false));
    }
    // Outside the opening hours: `closed` (an offline message is still taken).
    let site_row = app.store.site(req.site).await?;
    super::hours::refuse_if_closed(app, &site_row)?;
    let (site, visitor) = (req.site, req.visitor.clone());
    // Not given now: the name and address the visitor gave before (an earlier chat, an offline
    // message).
    let name_asked = site_row.settings.appearance.ask_name == Ask::Required;
    let known = if req.email.is_none() || (req.name.is_none() && name_asked) {
        Some(app.store.visitor(site, &visitor).await?)
    } else {
        None
    };
    let visitor_email = req
        .email
        .clone()
        .or_else(|| known.as_ref().and_then(|v| v.email.clone()));
    let has_name = req.name.is_some() || known.as_ref().is_some_and(|v| v.name.is_some());
    // "Ask for a name" / "Ask for an email" set to required: the widget asks before it sends;
    // a request without them (another client) is refused, nothing written.
    if let Some(field) = site_row
        .settings
        .appearance
        .missing_for_chat(has_name, visitor_email.is_some())
    {
        return Err(AppError::new(
            ErrorCode::Empty,
            format!("This site asks for your {field} before a chat starts."),
        ));
    }
    if req.name.is_some() || req.email.is_some() {
        app.store
            .set_visitor_identity(
                req.site,
                &req.visitor,
                req.name.as_deref(),
                req.email.as_deref(),
            )
            .await?;
    }
    let asked = Asked {
        choice: req.department_choice,
        snippet: req.department_name.as_deref(),
        page_url: req.page_url.as_deref(),
    };
    let department_id = departments::for_request(app, site, asked).await?;
    let created = app
        .store
        .create_chat(NewChat {
            site_id: site,
            visitor_id: visitor.clone(),
            visit_id: req.visit,
            visitor_name: req.name,
            visitor_email,
            page_url: req.page_url,
            department_id,
            created_at: now,
        })
        .await;
    let chat = match created {
        Ok(chat) => {
            app.hot.created(&chat);
            chat
        }
        // Two requests at once: the database lets one open chat exist; return it.
        Err(frontdesk_core::store::StoreError::Conflict(_)) => {
            let open = app
                .store
                .open_chat_of_visitor(site, &visitor)
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::Unavailable, "Please try again."))?;
            return Ok((open, false));
        }
        Err(e) => return Err(e.into()),
    };
    app.metrics.chats_requested.inc();
    announce_pending(app, &chat, None).await?;
    Ok((chat, true))
}

/// Tell the visitor their place in the queue, then the agents of the site about the waiting
/// chat (as its "Routing" says). In that order: an agent may accept as soon as they hear of
/// it, and the visitor's `chat.queued` must come before that `chat.accepted`, never after it
/// (the widget would show "Waiting for an agent…" in an accepted chat). `closed_by`: the agent
/// who put it back in the queue.
async fn announce_pending(app: &App, chat: &Chat, closed_by: Option<AgentId>) -> AppResult<()> {
    let position = queue_position(app, chat).await?;
    app.publish(
        visitor_of(chat),
        &ToVisitor::ChatQueued {
            chat_id: chat.id,
            position,
            requeued: was_answered(chat),
        },
        None,
    )
    .await;
    routing::chat_waiting(app, chat, closed_by).await
}

/// The pop-up of a waiting chat (a chat transferred to a department): routed as its site's
/// "Routing" says, to the department's agents (see `departments::request_audience`).
/// `released_by`: the agent who let it go (not offered it straight back).
pub(crate) async fn announce_to_agents(
    app: &App,
    chat: &Chat,
    released_by: Option<AgentId>,
) -> AppResult<()> {
    routing::chat_waiting(app, chat, released_by).await
}

/// A waiting chat an agent had before (closed, or the agent gone): the visitor is told they
/// are being connected to another agent rather than a queue number.
fn was_answered(chat: &Chat) -> bool {
    chat.answered_at.is_some()
}

/// `left` has left the queue of its site: tell the visitors who waited behind it their new
/// place (those ahead of it keep theirs and hear nothing).
pub(crate) async fn refresh_queue(app: &App, left: &Chat) -> AppResult<()> {
    let waiting = app.store.waiting_chats(left.site_id).await?;
    let key = (left.queued_at, left.id);
    for (i, chat) in waiting.iter().enumerate() {
        if (chat.queued_at, chat.id) < key {
            continue;
        }
        app.publish(
            visitor_of(chat),
            &ToVisitor::ChatQueued {
                chat_id: chat.id,
                position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                requeued: was_answered(chat),
            },
            None,
        )
        .await;
    }
    Ok(())
}

pub fn visitor_of(chat: &Chat) -> Audience {
    Audience::Visitor {
        site: chat.site_id,
        visitor: chat.visitor_id.clone(),
    }
}

pub(crate) fn site_agents(chat: &Chat, also: Option<AgentId>) -> Audience {
    Audience::SiteAgents {
        site: chat.site_id,
        online_only: false,
        also,
    }
}

/// Only the connections watching the chat (a supervisor's "Watch"), not its agents: for the
/// frames about it that otherwise reach only its owner or the site's monitoring agents.
pub(crate) fn watchers(chat: ChatId) -> Audience {
    Audience::ChatAgents {
        chat,
        agents: Vec::new(),
    }
}

/// Load, decide, compare-and-set; retry when another writer moved the version on.
/// Returns (before, after).
pub(crate) async fn transition(app: &App, id: ChatId, cmd: ChatCommand) -> AppResult<(Chat, Chat)> {
    transition_from(app, None, id, cmd).await
}

/// [`transition`], deciding first on `loaded` (a copy the caller just read) when given: a
/// stale copy only costs a failed compare-and-set and a reload. Its log lines carry `chat_id`
/// (a span per state change, not per message).
#[tracing::instrument(level = "info", name = "chat", skip(app, loaded, cmd), fields(chat_id = %id))]
async fn transition_from(
    app: &App,
    mut loaded: Option<Chat>,
    id: ChatId,
    cmd: ChatCommand,
) -> AppResult<(Chat, Chat)> {
    for _ in 0..32 {
        let chat = match loaded.take() {
            Some(chat) => chat,
            None => app.store.chat(id).await?,
        };
        if let (ChatCommand::Accept { agent }, ChatState::Pending) = (cmd, chat.state) {
            // "Assign automatically": while the chat is offered to another agent, not yours.
            frontdesk_core::routing::may_accept(chat.offer, agent, app.now())?;
        }
        let next = chat.state.apply(cmd)?;
        if next == chat.state {
            return Ok((chat.clone(), chat));
        }
        let write = app
            .store
            .update_chat_state(id, chat.version, next, app.now());
        if let Some(updated) = hot::write(app, id, write).await? {
            tracing::debug!(command = ?cmd, from = ?chat.state, to = ?updated.state, "chat state changed");
            return Ok((chat, updated));
        }
    }
    Err(AppError::new(
        ErrorCode::Unavailable,
        "The chat is changing too fast; try again.",
    ))
}

/// "Start Chatting": the first agent wins; the others get `chat_taken`.
/// On a single node the accepts of one chat take turns (see [`crate::hot_chats::HotChats::accept_turn`]):
/// the first decides against the database, the others on the copy it leaves, with no storage
/// read (a loser gets the same `chat_taken` the database's refusal gives).
pub async fn accept(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    let (before, after) = {
        let _turn = app.hot.accept_turn(chat_id).await;
        let chat = access::hot_chat_for_agent(app, agent, chat_id).await?;
        let accept = ChatCommand::Accept { agent };
        transition_from(app, Some(chat), chat_id, accept).await?
    };
    if before.version == after.version {
        return Ok(after); // already ours (the hot copy: callers use none of its other fields)
    }
    app.metrics.chats_accepted.inc();
    routing::offer_gone(app, &before, Some(agent)).await;
    // The agents and the visitor first: the bookkeeping below (a write and a read) does not
    // delay who is told that the chat is taken.
    let agent_name = app.agent_name(agent).await?;
    app.publish(
        Audience::SiteAgents {
            site: after.site_id,
            online_only: false,
            also: Some(agent),
        },
        &ToAgent::ChatTaken {
            chat_id,
            agent_id: agent,
            agent_name,
        },
        None,
    )
    .await;
    // The visitor may see the team's name instead ("Appearance", "Agent names").
    let agent_name = super::agent_names::for_visitor(app, after.site_id, agent).await?;
    app.publish(
        visitor_of(&after),
        &ToVisitor::ChatAccepted {
            chat_id,
            agent_name,
        },
        None,
    )
    .await;
    app.store.set_last_assigned_at(agent, app.now()).await?;
    presence::chat_count_changed(app, agent, true).await;
    refresh_queue(app, &before).await?;
    Ok(after)
}

/// Close the window without ending (or the agent is gone): back to the queue.
pub async fn requeue(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    cmd: ChatCommand,
) -> AppResult<Chat> {
    let (before, after) = transition(app, chat_id, cmd).await?;
    if before.version == after.version {
        return Ok(after);
    }
    released(app, agent, chat_id).await;
    colleagues_dropped(app, &before).await;
    let closed_by = matches!(cmd, ChatCommand::Close { .. }).then_some(agent);
    announce_pending(app, &after, closed_by).await?;
    Ok(after)
}

/// `agent` let the chat go back to the queue (Close, gone, a transfer to a department): it is
/// counted, they are told (`chat.released`), and their capacity is recounted.
pub(crate) async fn released(app: &App, agent: AgentId, chat_id: ChatId) {
    app.metrics.chats_requeued.inc();
    app.publish(
        Audience::Agent(agent),
        &ToAgent::ChatReleased { chat_id },
        None,
    )
    .await;
    presence::chat_count_changed(app, agent, false).await;
}

/// A chat back in the queue has no colleagues (the store emptied `joined` in the same
/// write: whoever takes it next decides whom to invite): each one is told `chat.released`.
pub(crate) async fn colleagues_dropped(app: &App, before: &Chat) {
    for &colleague in &before.joined {
        app.publish(
            Audience::Agent(colleague),
            &ToAgent::ChatReleased { chat_id: before.id },
            None,
        )
        .await;
    }
}

pub async fn close(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    access::chat_for_agent(app, agent, chat_id).await?;
    requeue(app, agent, chat_id, ChatCommand::Close { by: agent }).await
}

/// Every active chat of an agent whose connections are all gone returns to the queue; their
/// standing offers move on first.
pub async fn agent_gone(app: &App, agent: AgentId) -> AppResult<usize> {
    routing::end_offers_of(app, agent).await?;
    let chats = app.store.chats_of_agent(agent).await?;
    let mut n = 0;
    for chat in chats {
        match requeue(app, agent, chat.id, ChatCommand::AgentGone { agent }).await {
            Ok(_) => n += 1,
            Err(e) if e.code == ErrorCode::NotYourChat || e.code == ErrorCode::ChatEnded => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Either side ends the chat.
pub async fn end(app: &App, by: Party, chat_id: ChatId) -> AppResult<Chat> {
    let (before, after) = transition(app, chat_id, ChatCommand::End { by }).await?;
    announce_end(app, &before, &after, "ended").await;
    if before.state == ChatState::Pending {
        refresh_queue(app, &before).await?;
    }
    Ok(after)
}

pub async fn end_by_agent(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    access::chat_for_agent(app, agent, chat_id).await?;
    end(app, Party::Agent(agent), chat_id).await
}

pub(crate) async fn announce_end(app: &App, before: &Chat, after: &Chat, _why: &str) {
    let reason = match after.state {
        ChatState::Ended {
            reason: EndReason::Visitor,
        } => "visitor",
        ChatState::Ended {
            reason: EndReason::Blocked { .. },
        } => "blocked",
        _ => "agent",
    };
    app.metrics.chats_ended.inc();
    if after.missed && !before.missed {
        app.metrics.chats_missed.inc();
    }
    routing::offer_gone(app, before, None).await;
    if let Some(owner) = before.state.owner() {
        presence::chat_count_changed(app, owner, false).await;
    }
    app.publish(
        site_agents(after, before.state.owner()),
        &ToAgent::ChatEnded {
            chat_id: after.id,
            reason: reason.to_string(),
            missed: after.missed,
        },
        None,
    )
    .await;
    // The colleagues who joined (even when they do not monitor the site: they keep the chat,
    // read-only, in history) and the connections watching it hear the end too. Those who also
    // monitor the site get it twice: it is idempotent.
    app.publish(
        Audience::ChatAgents {
            chat: after.id,
            agents: after.joined.clone(),
        },
        &ToAgent::ChatEnded {
            chat_id: after.id,
            reason: reason.to_string(),
            missed: after.missed,
        },
        None,
    )
    .await;
    app.publish(
        visitor_of(after),
        &ToVisitor::ChatEnded { chat_id: after.id },
        None,
    )
    .await;
}

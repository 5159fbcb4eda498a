//! Messages and links: stored first (acknowledged only after the commit), then delivered.

use super::chats::visitor_of;
use super::{access, agent_names};
use crate::error::{AppError, AppResult};
use crate::realtime::bus::BusEvent;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::link::resolve_link;
use frontdesk_core::model::{Author, Chat, Message, MessageKind, NewMessage};
use frontdesk_core::protocol::{ToAgent, ToVisitor, VisitorMessageView};
use frontdesk_core::store::{Appended, Posted, VisitorMessage};
use frontdesk_core::text::{check_message, truncate};
use frontdesk_core::{AgentId, ChatId, ErrorCode, Party, SiteId, VisitorId};

/// Deliver a stored message: to the visitor's tabs (never a note: [`VisitorMessageView::of`]
/// is the gate) and to the chat's agents (its owner, the colleagues who joined, the author,
/// and every connection watching the chat).
pub async fn deliver(app: &App, chat: &Chat, m: &Message) {
    let seq = Some((m.chat_id, m.seq));
    // "Show all agents' names": this node's copy, read only for a colleague's reply.
    let names = agent_names::for_message(app, chat, m).await;
    if let Some(view) = VisitorMessageView::of(m, chat.state.owner(), names) {
        app.publish(visitor_of(chat), &ToVisitor::Message(view), seq)
            .await;
    } else {
        // A note: the visitor gets nothing, but its seq is passed (see `BusEvent::Withheld`).
        app.bus
            .publish(BusEvent::Withheld {
                chat: m.chat_id,
                seq: m.seq,
            })
            .await;
    }
    let mut agents = chat.agents();
    if let Author::Agent { agent } = m.author
        && !agents.contains(&agent)
    {
        agents.push(agent);
    }
    let to = Audience::ChatAgents {
        chat: chat.id,
        agents,
    };
    app.publish(to, &ToAgent::Message(m.into()), seq).await;
    app.metrics.messages.inc();
}

/// Store a message from `party` in `chat` and deliver it (unless it is a resend).
pub async fn post(
    app: &App,
    chat: &Chat,
    party: Party,
    client_id: &str,
    body: &str,
    kind: MessageKind,
) -> AppResult<Appended> {
    // The owner and the colleagues who joined write; the visitor while the chat is open.
    frontdesk_core::colleagues::may_post(chat, party)?;
    append(app, chat, party, client_id, body, kind).await
}

/// Store a message (or note) from `party` in `chat` and deliver it (unless it is a resend),
/// once the caller has checked that `party` may write it: the length limit, the idempotency
/// by `client_id` and the delivery are the same for every kind.
pub async fn append(
    app: &App,
    chat: &Chat,
    party: Party,
    client_id: &str,
    body: &str,
    kind: MessageKind,
) -> AppResult<Appended> {
    let body = check_message(body, app.settings.message_max_chars)?;
    let (author, author_name) = match party {
        Party::Visitor => (Author::Visitor, chat.visitor_name.clone()),
        Party::Agent(agent) => (Author::Agent { agent }, Some(app.agent_name(agent).await?)),
    };
    let client_id = truncate(client_id, 64);
    let appended = app
        .store
        .append_message(NewMessage {
            chat_id: chat.id,
            author,
            author_name,
            kind,
            body: body.to_string(),
            client_id: (!client_id.is_empty()).then_some(client_id),
            created_at: app.now(),
            file: None,
        })
        .await?;
    if !appended.duplicate {
        deliver(app, chat, &appended.message).await;
    }
    Ok(appended)
}

/// A visitor's message in their open chat on the site: the chat is found, checked (an ended
/// chat takes no message) and appended to in one storage write, with no read before it;
/// then delivered to the chat's owner as that write found it (unless it is a resend).
pub async fn post_by_visitor(
    app: &App,
    site: SiteId,
    visitor: &VisitorId,
    client_id: &str,
    body: &str,
) -> AppResult<Posted> {
    let body = check_message(body, app.settings.message_max_chars)?;
    let client_id = truncate(client_id, 64);
    let posted = app
        .store
        .append_visitor_message(VisitorMessage {
            site,
            visitor: visitor.clone(),
            kind: MessageKind::Text,
            body: body.to_string(),
            client_id: (!client_id.is_empty()).then_some(client_id),
            created_at: app.now(),
            file: None,
        })
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "You have no open chat."))?;
    if !posted.appended.duplicate {
        deliver(app, &posted.chat, &posted.appended.message).await;
    }
    Ok(posted)
}

/// An agent's message in a chat they hold or joined as a colleague.
pub async fn post_by_agent(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    client_id: &str,
    body: &str,
) -> AppResult<Appended> {
    let chat = access::hot_chat_for_agent(app, agent, chat_id).await?;
    post(
        app,
        &chat,
        Party::Agent(agent),
        client_id,
        body,
        MessageKind::Text,
    )
    .await
}

/// Send Link: resolved against the site's base URL, http(s) only, kept in the transcript,
/// and opened in a new tab on the visitor's side.
pub async fn send_link(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    client_id: &str,
    url: &str,
) -> AppResult<Appended> {
    let chat = access::hot_chat_for_agent(app, agent, chat_id).await?;
    frontdesk_core::colleagues::may_post(&chat, Party::Agent(agent))?;
    let site = app.store.site(chat.site_id).await?;
    let url = resolve_link(&site.base_url, url)?;
    let appended = post(
        app,
        &chat,
        Party::Agent(agent),
        client_id,
        &url,
        MessageKind::Link,
    )
    .await?;
    if !appended.duplicate {
        app.publish(
            visitor_of(&chat),
            &ToVisitor::OpenUrl {
                chat_id,
                url: appended.message.body.clone(),
            },
            None,
        )
        .await;
    }
    Ok(appended)
}

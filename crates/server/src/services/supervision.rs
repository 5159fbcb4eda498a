//! Supervisors (issue 13): "All Chats", "Watch", "Take over". A supervisor of a site is an
//! admin who belongs to it or a member given the "Supervisor" role there
//! ([`access::supervises`]). Like every chat action, another site's chat is `not_found`; a
//! member of the chat's site who does not supervise it is `forbidden`.

use super::summary::chat_summary;
use super::{access, capacity, chats, transfer};
use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::model::{Author, Chat, Message, MessageKind};
use frontdesk_core::protocol::ChatSummary;
use frontdesk_core::text::truncate;
use frontdesk_core::{AgentId, ChatCommand, ChatId, ChatState, ErrorCode, Seq, SiteId};

/// The last message of a chat in "All Chats" is cut to this many characters.
pub const LAST_MESSAGE_CHARS: usize = 200;
/// How far back "All Chats" looks for the last message someone wrote (past system events).
const LAST_MESSAGE_LOOKBACK: i64 = 20;

fn not_a_supervisor() -> AppError {
    AppError::new(
        ErrorCode::Forbidden,
        "Only a supervisor of this chat's site may do that.",
    )
}

/// The chat, if `agent` supervises its site: `not_found` for another site's chat (exactly as
/// every chat action), `forbidden` for a member of the site who does not supervise it.
pub async fn supervised_chat(app: &App, agent: AgentId, chat: ChatId) -> AppResult<Chat> {
    let chat = access::chat_for_agent(app, agent, chat).await?;
    if access::supervises(app, agent, chat.site_id).await? {
        Ok(chat)
    } else {
        Err(not_a_supervisor())
    }
}

/// The sites `agent` supervises; `forbidden` when none (no "All Chats" for them).
pub async fn supervised_sites(app: &App, agent: AgentId) -> AppResult<Vec<SiteId>> {
    let a = app.store.agent(agent).await?;
    let sites: Vec<SiteId> = access::memberships(app, agent)
        .await?
        .into_iter()
        .filter(|m| a.is_admin || m.supervisor)
        .map(|m| m.site_id)
        .collect();
    if sites.is_empty() {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Only supervisors see all chats.",
        ));
    }
    Ok(sites)
}

/// One live chat of "All Chats".
pub struct SupervisedChat {
    pub chat: ChatSummary,
    /// Milliseconds since the chat (last) entered the queue, on the server's clock.
    pub waiting_ms: i64,
    pub last_message: Option<Message>,
}

/// "All Chats": every open (waiting or active) chat of the sites `agent` supervises, oldest
/// first, with the last message someone wrote in each (visitor, agent, or an agent's note:
/// supervisors see notes; system events are skipped).
pub async fn all_chats(app: &App, agent: AgentId) -> AppResult<Vec<SupervisedChat>> {
    let sites = supervised_sites(app, agent).await?;
    let now = app.now();
    let mut out = Vec::new();
    for chat in app.store.open_chats(&sites).await? {
        let last_message = last_written(app, &chat).await?;
        out.push(SupervisedChat {
            waiting_ms: now.millis_since(chat.queued_at),
            chat: chat_summary(app, &chat).await?,
            last_message,
        });
    }
    Ok(out)
}

/// The last message of the chat that a person wrote (text, link or note), cut to
/// [`LAST_MESSAGE_CHARS`].
async fn last_written(app: &App, chat: &Chat) -> AppResult<Option<Message>> {
    if chat.last_seq.0 <= 0 {
        return Ok(None);
    }
    let from = Seq((chat.last_seq.0 - LAST_MESSAGE_LOOKBACK).max(0));
    let page = app
        .store
        .messages_after(chat.id, from, LAST_MESSAGE_LOOKBACK as u32)
        .await?;
    Ok(page.into_iter().rev().find(written).map(|mut m| {
        if m.body.chars().count() > LAST_MESSAGE_CHARS {
            m.body = format!("{}…", truncate(&m.body, LAST_MESSAGE_CHARS));
        }
        m
    }))
}

/// Typed by a person (not a system event).
fn written(m: &Message) -> bool {
    match m.kind {
        MessageKind::Event => false,
        MessageKind::Text | MessageKind::Link | MessageKind::Note | MessageKind::File => {
            !matches!(m.author, Author::System)
        }
    }
}

/// "Watch": `agent` must supervise the chat's site (see [`supervised_chat`]). An ended chat
/// may be watched too (its history, read-only); the caller registers the watch and replays.
pub async fn may_watch(app: &App, agent: AgentId, chat: ChatId) -> AppResult<()> {
    supervised_chat(app, agent, chat).await.map(|_| ())
}

/// "Take over": a supervisor makes the chat theirs. A waiting chat is accepted ("Start
/// Chatting", with its rules: an offer standing for someone else refuses it); an active chat
/// of another agent is transferred to the supervisor as if its owner had (the same capacity
/// rule: `at_capacity`), and its owner gets `chat.released`. Their own chat: nothing to do.
pub async fn take_over(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<()> {
    let mut chat = supervised_chat(app, agent, chat_id).await?;
    // The owner may change between reading and writing (a transfer, a close): decide again
    // on the chat as it is then.
    for _ in 0..8 {
        match chat.state {
            ChatState::Ended { .. } => {
                return Err(AppError::new(ErrorCode::ChatEnded, "This chat has ended."));
            }
            ChatState::Pending => {
                return chats::accept(app, agent, chat_id).await.map(|_| ());
            }
            ChatState::Active { agent: owner } if owner == agent => return Ok(()),
            ChatState::Active { agent: owner } => {
                capacity::require_room(app, agent).await?;
                let cmd = ChatCommand::Transfer {
                    by: owner,
                    to: agent,
                };
                match chats::transition(app, chat_id, cmd).await {
                    Ok((_, after)) => {
                        transfer::handed_over(app, owner, agent, &after).await?;
                        return Ok(());
                    }
                    Err(e) if e.code == ErrorCode::NotYourChat => {
                        chat = app.store.chat(chat_id).await?;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Err(AppError::new(
        ErrorCode::Unavailable,
        "The chat is changing too fast; try again.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_core::Timestamp;

    fn msg(author: Author, kind: MessageKind) -> Message {
        Message {
            chat_id: ChatId(1),
            seq: Seq(1),
            author,
            author_name: None,
            kind,
            body: "hi".into(),
            client_id: None,
            created_at: Timestamp(1),
            file: None,
        }
    }

    #[test]
    fn last_message_is_one_a_person_wrote() {
        let agent = Author::Agent { agent: AgentId(1) };
        assert!(written(&msg(Author::Visitor, MessageKind::Text)));
        assert!(written(&msg(agent, MessageKind::Text)));
        assert!(written(&msg(agent, MessageKind::Link)));
        assert!(written(&msg(agent, MessageKind::Note)));
        assert!(!written(&msg(Author::System, MessageKind::Event)));
        assert!(!written(&msg(Author::System, MessageKind::Text)));
        assert!(!written(&msg(agent, MessageKind::Event)));
    }
}

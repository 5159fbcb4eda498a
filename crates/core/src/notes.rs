//! Internal notes ("Note", issue 13): who may write one, and which renderings of a chat may
//! carry them. A note is a message of kind [`MessageKind::Note`]: for the chat's agents only.
//! The visitor never reads one: [`crate::protocol::VisitorMessageView::of`] is the gate of
//! every frame to a visitor, and [`for_visitor`] the filter of everything else that may reach
//! the visitor (a transcript emailed to them).
//!
//! # Who writes a note
//!
//! An agent who is *in* the chat: its owner, or a colleague who joined it (`Chat.joined`),
//! while the chat is open ([`may_note`]). So:
//!
//! * an active chat takes notes from its owner and its colleagues;
//! * a pending chat (back in the queue) has no owner: only a colleague still listed as joined
//!   may write one (nobody holds the chat, so in practice nobody does);
//! * an ended chat is read-only: `chat_ended`, like a message;
//! * anyone else (another agent of the site, a supervisor who only watches) gets
//!   `not_your_chat`. An agent of another site never gets this far: the chat reads as
//!   `not_found`, like every chat action.
//!
//! # Notes in emailed transcripts
//!
//! The agent's own downloads (Save as Text / HTML) carry the notes, marked. What may leave the
//! server towards an address is decided by [`email_with_notes`]: the console's "Email" sends
//! notes only when the agent ticks "Include internal notes", and never to the chat's visitor
//! address; the `.eml` draft and the `mailto:` link never carry them (the server cannot know
//! where the agent's mail program finally sends them).

use crate::chat::ChatState;
use crate::error::{ChatError, ErrorCode};
use crate::ids::AgentId;
use crate::model::{Message, MessageKind};

/// May `agent` write a note in a chat in `state` with the colleagues `joined`?
pub fn may_note(state: ChatState, joined: &[AgentId], agent: AgentId) -> Result<(), ChatError> {
    if !state.is_open() {
        return Err(ChatError::ChatEnded);
    }
    if state.owner() == Some(agent) || joined.contains(&agent) {
        Ok(())
    } else {
        Err(ChatError::NotYourChat)
    }
}

/// Why an emailed transcript with notes is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotesError {
    #[error("Internal notes are never sent to the visitor's address.")]
    ToVisitor,
}

impl NotesError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::BadRequest
    }
}

/// Whether a transcript emailed to `to` carries the chat's notes: only when the agent asked
/// (`include_notes`), and never to the address the visitor gave (`visitor_email`, compared
/// ignoring case and surrounding space): asking for that is refused, not silently ignored.
pub fn email_with_notes(
    include_notes: bool,
    to: &str,
    visitor_email: Option<&str>,
) -> Result<bool, NotesError> {
    if !include_notes {
        return Ok(false);
    }
    let to_visitor = visitor_email
        .map(str::trim)
        .is_some_and(|v| !v.is_empty() && v.eq_ignore_ascii_case(to.trim()));
    if to_visitor {
        Err(NotesError::ToVisitor)
    } else {
        Ok(true)
    }
}

/// The messages a visitor may read, in order: every one but the notes.
pub fn for_visitor(messages: Vec<Message>) -> Vec<Message> {
    messages
        .into_iter()
        .filter(|m| m.kind.visitor_may_see())
        .collect()
}

/// Whether a message is a note (marked as one in every rendering for agents).
pub fn is_note(m: &Message) -> bool {
    m.kind == MessageKind::Note
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::EndReason;
    use crate::ids::{ChatId, Seq, Timestamp};
    use crate::model::Author;

    const OWNER: AgentId = AgentId(1);
    const COLLEAGUE: AgentId = AgentId(2);
    const OTHER: AgentId = AgentId(3);

    fn states() -> Vec<ChatState> {
        vec![
            ChatState::Pending,
            ChatState::Active { agent: OWNER },
            ChatState::Ended {
                reason: EndReason::Visitor,
            },
            ChatState::Ended {
                reason: EndReason::Agent { agent: OWNER },
            },
            ChatState::Ended {
                reason: EndReason::Blocked { agent: OWNER },
            },
        ]
    }

    /// Every state, every agent, with and without a colleague: the whole table.
    #[test]
    fn who_may_write_a_note() {
        for state in states() {
            for joined in [vec![], vec![COLLEAGUE]] {
                for agent in [OWNER, COLLEAGUE, OTHER] {
                    let got = may_note(state, &joined, agent);
                    let want = if !state.is_open() {
                        Err(ChatError::ChatEnded)
                    } else if state.owner() == Some(agent) || joined.contains(&agent) {
                        Ok(())
                    } else {
                        Err(ChatError::NotYourChat)
                    };
                    assert_eq!(got, want, "{state:?} joined {joined:?} by {agent:?}");
                }
            }
        }
    }

    #[test]
    fn the_rule_spelled_out() {
        let active = ChatState::Active { agent: OWNER };
        assert_eq!(may_note(active, &[], OWNER), Ok(()), "the owner");
        assert_eq!(
            may_note(active, &[COLLEAGUE], COLLEAGUE),
            Ok(()),
            "a colleague"
        );
        assert_eq!(
            may_note(active, &[COLLEAGUE], OTHER),
            Err(ChatError::NotYourChat),
            "a watcher or any other agent of the site does not write"
        );
        assert_eq!(
            may_note(ChatState::Pending, &[], OWNER),
            Err(ChatError::NotYourChat),
            "nobody holds a chat in the queue"
        );
        assert_eq!(
            may_note(ChatState::Pending, &[COLLEAGUE], COLLEAGUE),
            Ok(())
        );
        let ended = ChatState::Ended {
            reason: EndReason::Agent { agent: OWNER },
        };
        assert_eq!(
            may_note(ended, &[COLLEAGUE], OWNER),
            Err(ChatError::ChatEnded)
        );
        assert_eq!(ChatError::NotYourChat.code(), ErrorCode::NotYourChat);
    }

    #[test]
    fn notes_are_emailed_only_when_asked_and_never_to_the_visitor() {
        let v = Some("Ann@Example.com");
        assert_eq!(email_with_notes(false, "boss@example.com", v), Ok(false));
        assert_eq!(email_with_notes(false, "ann@example.com", v), Ok(false));
        assert_eq!(email_with_notes(true, "boss@example.com", v), Ok(true));
        assert_eq!(email_with_notes(true, "boss@example.com", None), Ok(true));
        for to in ["ann@example.com", " ANN@example.COM ", "Ann@Example.com"] {
            assert_eq!(
                email_with_notes(true, to, v),
                Err(NotesError::ToVisitor),
                "{to}"
            );
        }
        assert_eq!(
            email_with_notes(true, "x@example.com", Some("  ")),
            Ok(true),
            "a blank visitor email matches nobody"
        );
        assert_eq!(NotesError::ToVisitor.code(), ErrorCode::BadRequest);
    }

    fn message(seq: i64, kind: MessageKind) -> Message {
        Message {
            chat_id: ChatId(1),
            seq: Seq(seq),
            author: Author::Agent { agent: OWNER },
            author_name: Some("Anna".into()),
            kind,
            body: format!("m{seq}"),
            client_id: None,
            created_at: Timestamp(seq),
            file: None,
        }
    }

    #[test]
    fn the_visitor_filter_drops_notes_only() {
        let all = vec![
            message(1, MessageKind::Text),
            message(2, MessageKind::Note),
            message(3, MessageKind::Link),
            message(4, MessageKind::Event),
            message(5, MessageKind::Note),
        ];
        assert_eq!(all.iter().filter(|m| is_note(m)).count(), 2);
        let seqs: Vec<i64> = for_visitor(all).iter().map(|m| m.seq.0).collect();
        assert_eq!(seqs, vec![1, 3, 4]);
    }
}

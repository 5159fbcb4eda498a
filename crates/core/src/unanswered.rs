//! Chats nobody answered: when a visitor's leaving makes a chat "Missed", and when a waiting
//! chat is "waiting too long" and must be escalated. Pure rules; the shell applies them with
//! conditional updates (the database decides, so one node wins).

use crate::chat::{ChatState, EndReason};
use crate::ids::Timestamp;
use crate::model::Chat;

/// Does ending `chat` (as read before the end) by the visitor make it "Missed"? Only when no
/// agent ever answered it. The store applies the same rule inside its state update.
pub fn missed_if_visitor_ends(chat: &Chat) -> bool {
    chat.state.is_open() && chat.answered_at.is_none()
}

/// Is `chat` ended and "Missed" (the visitor left before any agent answered)?
pub fn is_missed(chat: &Chat) -> bool {
    chat.missed
        && matches!(
            chat.state,
            ChatState::Ended {
                reason: EndReason::Visitor
            }
        )
}

/// Should the visitor's leaving (all their sockets gone for the grace period) end `chat`?
/// A waiting chat that no agent ever answered: it becomes "Missed". A chat an agent answered
/// stays as it is (the agent ends it, or it ends with the site's day as before).
pub fn ends_when_visitor_leaves(chat: &Chat) -> bool {
    chat.state == ChatState::Pending && chat.answered_at.is_none()
}

/// Has `chat` waited in the queue at least `threshold_secs` at `now`, and not been escalated
/// yet? (`waiting_too_long_seconds` of the site's settings.) Waiting is counted from the time
/// the chat entered the queue (`queued_at`).
pub fn waiting_too_long(chat: &Chat, now: Timestamp, threshold_secs: u32) -> bool {
    chat.state == ChatState::Pending
        && chat.escalated_at.is_none()
        && now.millis_since(chat.queued_at) >= i64::from(threshold_secs) * 1000
}

/// Could `chat`, as read now, ever end at its visitor's leave ([`ends_when_visitor_leaves`])?
/// Not once an agent answered it: `answered_at` is set at the first answer and never cleared
/// (the stores keep the first), so a requeued chat stays answered. The hub uses it to skip
/// the leave's storage read of visitors whose chat cannot end that way.
pub fn may_end_when_visitor_leaves(chat: &Chat) -> bool {
    chat.state.is_open() && chat.answered_at.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;

    fn chat(state: ChatState) -> Chat {
        Chat::fixture(state, &[], Timestamp(1_000))
    }

    #[test]
    fn waiting_too_long_from_the_threshold_on_and_once() {
        let c = chat(ChatState::Pending);
        assert!(!waiting_too_long(&c, Timestamp(1_000 + 179_999), 180));
        assert!(waiting_too_long(&c, Timestamp(1_000 + 180_000), 180));
        assert!(waiting_too_long(&c, Timestamp(1_000 + 900_000), 180));
        let escalated = Chat {
            escalated_at: Some(Timestamp(181_000)),
            ..c.clone()
        };
        assert!(!waiting_too_long(&escalated, Timestamp(1_000_000), 180));
        // A clock set back before the queue time never escalates.
        assert!(!waiting_too_long(&c, Timestamp(0), 180));
    }

    #[test]
    fn only_waiting_chats_are_escalated() {
        let active = chat(ChatState::Active { agent: AgentId(1) });
        assert!(!waiting_too_long(&active, Timestamp(10_000_000), 10));
        let ended = chat(ChatState::Ended {
            reason: EndReason::Visitor,
        });
        assert!(!waiting_too_long(&ended, Timestamp(10_000_000), 10));
    }

    #[test]
    fn leaving_ends_only_chats_nobody_answered() {
        let waiting = chat(ChatState::Pending);
        assert!(ends_when_visitor_leaves(&waiting));
        assert!(missed_if_visitor_ends(&waiting));
        assert!(may_end_when_visitor_leaves(&waiting));
        // The rule trusts `answered_at` alone (in storage an active chat always has one).
        assert!(may_end_when_visitor_leaves(&chat(ChatState::Active {
            agent: AgentId(1)
        })));
        // Answered, then back in the queue (Close, a vanished agent): not missed.
        let requeued = Chat {
            answered_at: Some(Timestamp(2_000)),
            ..waiting.clone()
        };
        assert!(!ends_when_visitor_leaves(&requeued));
        assert!(!missed_if_visitor_ends(&requeued));
        assert!(!may_end_when_visitor_leaves(&requeued));
        let active = Chat {
            answered_at: Some(Timestamp(2_000)),
            ..chat(ChatState::Active { agent: AgentId(1) })
        };
        assert!(!ends_when_visitor_leaves(&active));
        assert!(!missed_if_visitor_ends(&active));
        assert!(!may_end_when_visitor_leaves(&active));
        let ended = chat(ChatState::Ended {
            reason: EndReason::Agent { agent: AgentId(1) },
        });
        assert!(!may_end_when_visitor_leaves(&ended));
    }

    #[test]
    fn missed_means_ended_by_the_visitor_unanswered() {
        let ended = Chat {
            missed: true,
            ..chat(ChatState::Ended {
                reason: EndReason::Visitor,
            })
        };
        assert!(is_missed(&ended));
        let not = Chat {
            missed: false,
            ..ended.clone()
        };
        assert!(!is_missed(&not));
    }
}

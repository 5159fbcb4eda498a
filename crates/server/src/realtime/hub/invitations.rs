//! "Invite Agent": the invitations to join a chat, kept in memory on every node. The inviting
//! node publishes each on the bus (`BusEvent::ColleagueInvited`) before the invited agent's
//! "Join chat" pop-up, so that whichever node the agent answers on knows it. An invitation
//! lasts [`INVITATION_TTL_MS`]; a restart forgets them (the owner invites again).

use super::{Hub, lock};
use frontdesk_core::{AgentId, ChatId, Timestamp};

/// How long an invitation to join a chat stands.
pub const INVITATION_TTL_MS: i64 = 30 * 60 * 1000;

impl Hub {
    /// `by` invited `agent` into `chat` at `at`. Drops invitations that ran out.
    pub fn record_invitation(&self, chat: ChatId, agent: AgentId, by: AgentId, at: Timestamp) {
        let mut invitations = lock(&self.invitations);
        invitations.retain(|_, (_, when)| at.0.saturating_sub(when.0) < INVITATION_TTL_MS);
        invitations.insert((chat, agent), (by, at));
    }

    /// Who invited `agent` into `chat`, if the invitation still stands at `now`.
    pub fn invitation(&self, chat: ChatId, agent: AgentId, now: Timestamp) -> Option<AgentId> {
        lock(&self.invitations)
            .get(&(chat, agent))
            .filter(|(_, at)| now.0.saturating_sub(at.0) < INVITATION_TTL_MS)
            .map(|(by, _)| *by)
    }

    /// The invitation was used (or the chat is over for the agent).
    pub fn forget_invitation(&self, chat: ChatId, agent: AgentId) {
        lock(&self.invitations).remove(&(chat, agent));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_stands_for_its_time_and_is_used_once() {
        let hub = Hub::new();
        let (chat, ann, bob) = (ChatId(1), AgentId(1), AgentId(2));
        assert_eq!(hub.invitation(chat, bob, Timestamp(0)), None);
        hub.record_invitation(chat, bob, ann, Timestamp(1_000));
        assert_eq!(hub.invitation(chat, bob, Timestamp(1_000)), Some(ann));
        assert_eq!(hub.invitation(ChatId(2), bob, Timestamp(1_000)), None);
        assert_eq!(hub.invitation(chat, ann, Timestamp(1_000)), None);
        let last = Timestamp(1_000 + INVITATION_TTL_MS - 1);
        assert_eq!(hub.invitation(chat, bob, last), Some(ann));
        assert_eq!(
            hub.invitation(chat, bob, Timestamp(1_000 + INVITATION_TTL_MS)),
            None
        );
        hub.forget_invitation(chat, bob);
        assert_eq!(hub.invitation(chat, bob, Timestamp(1_000)), None);
    }

    #[test]
    fn old_invitations_are_dropped_as_new_ones_come() {
        let hub = Hub::new();
        hub.record_invitation(ChatId(1), AgentId(2), AgentId(1), Timestamp(0));
        hub.record_invitation(
            ChatId(2),
            AgentId(2),
            AgentId(1),
            Timestamp(INVITATION_TTL_MS),
        );
        assert_eq!(lock(&hub.invitations).len(), 1);
    }
}

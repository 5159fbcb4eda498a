//! A supervisor's "Watch": which agent connections on this node follow a chat read-only and
//! live. [`Audience::ChatAgents`](frontdesk_core::audience::Audience::ChatAgents) reaches them
//! besides the chat's own agents. Watching belongs to one connection (one console tab) and
//! ends with it; the visitor is never told.

use super::{Hub, lock};
use frontdesk_core::{AgentId, ChatId};

impl Hub {
    /// Starts (`on`) or stops one connection's watch of a chat. True when that changed
    /// anything.
    pub fn set_watching(&self, chat: ChatId, agent: AgentId, conn: u64, on: bool) -> bool {
        let mut watchers = lock(&self.watchers);
        let list = watchers.entry(chat).or_default();
        let had = list.contains(&(agent, conn));
        if on && !had {
            list.push((agent, conn));
        } else if !on && had {
            list.retain(|w| *w != (agent, conn));
        }
        if list.is_empty() {
            watchers.remove(&chat);
        }
        on != had
    }

    /// Ends every watch of a connection (it closed).
    pub fn stop_watching_all(&self, agent: AgentId, conn: u64) {
        lock(&self.watchers).retain(|_, list| {
            list.retain(|w| *w != (agent, conn));
            !list.is_empty()
        });
    }

    /// The connections here watching a chat.
    pub fn watchers_of(&self, chat: ChatId) -> Vec<(AgentId, u64)> {
        lock(&self.watchers).get(&chat).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_belongs_to_one_connection_and_ends_with_it() {
        let hub = Hub::new();
        let (chat, ann) = (ChatId(1), AgentId(7));
        assert!(hub.set_watching(chat, ann, 10, true));
        assert!(!hub.set_watching(chat, ann, 10, true), "twice is once");
        assert!(hub.set_watching(chat, ann, 11, true));
        assert_eq!(hub.watchers_of(chat), vec![(ann, 10), (ann, 11)]);
        hub.stop_watching_all(ann, 10);
        assert_eq!(hub.watchers_of(chat), vec![(ann, 11)]);
        assert!(hub.set_watching(chat, ann, 11, false));
        assert!(hub.watchers_of(chat).is_empty());
        assert!(!hub.set_watching(chat, ann, 11, false), "nothing to stop");
    }
}

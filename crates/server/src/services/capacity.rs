//! "Most chats at once" in the shell (issue 12, "Capacity"): agents' loads from storage, the
//! capacity fields of `agent.presence`, telling colleagues when an agent reaches or leaves their
//! cap, and refusing a transfer to an agent at capacity. The rule itself is
//! [`frontdesk_core::routing::at_capacity`].

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::AgentId;
use frontdesk_core::protocol::AgentPresence;
use frontdesk_core::routing::{Capacity, RoutingError, at_capacity};
use frontdesk_core::store::AgentLoad;
use std::collections::HashMap;

/// The stored cap as the routing rule's type (a stored 0 cannot exist: the schema refuses it).
pub fn capacity(load: &AgentLoad) -> Option<Capacity> {
    load.max_chats.and_then(|n| Capacity::new(n).ok())
}

/// Is the agent at (or above) their cap with the chats they hold?
pub fn is_full(load: &AgentLoad) -> bool {
    at_capacity(load.active_chats, capacity(load))
}

/// The loads of `agents`, by agent.
pub async fn loads(app: &App, agents: &[AgentId]) -> AppResult<HashMap<AgentId, AgentLoad>> {
    let loads = app.store.agent_loads(agents, app.now()).await?;
    Ok(loads.into_iter().map(|l| (l.agent, l)).collect())
}

/// Fills `active_chats`, `max_chats` and `at_capacity` from storage. A storage failure leaves
/// them at their defaults (presence is still worth sending).
pub async fn decorate(app: &App, mut presence: Vec<AgentPresence>) -> Vec<AgentPresence> {
    let ids: Vec<AgentId> = presence.iter().map(|p| p.agent_id).collect();
    match loads(app, &ids).await {
        Ok(loads) => {
            for p in &mut presence {
                if let Some(load) = loads.get(&p.agent_id) {
                    p.active_chats = load.active_chats;
                    p.max_chats = load.max_chats;
                    p.at_capacity = is_full(load);
                }
            }
        }
        Err(e) => tracing::warn!(error = %e.message, "agent loads unreadable for presence"),
    }
    presence
}

/// A transfer target must be under their cap: `at_capacity` ("Anna is at capacity (3 chats).").
pub async fn require_room(app: &App, agent: AgentId) -> AppResult<()> {
    let mut loads = loads(app, &[agent]).await?;
    match loads.remove(&agent) {
        Some(load) if is_full(&load) => Err(RoutingError::AtCapacity {
            name: app.agent_name(agent).await?,
            chats: load.max_chats.unwrap_or_default(),
        }
        .into()),
        _ => Ok(()),
    }
}

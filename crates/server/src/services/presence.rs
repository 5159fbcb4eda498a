//! An agent's presence as the rest of the product sees it: what the hub knows of an agent,
//! and telling the agents of their sites how they are now (`agent.presence`, with the capacity
//! fields), also when their number of chats crosses their cap.

use super::{access, capacity};
use crate::error::AppResult;
use crate::realtime::hub::AgentInfo;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::Agent;
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::routing::at_capacity;
use frontdesk_core::{AgentId, SiteId};
use std::collections::HashSet;

/// The hub's view of an agent, from storage.
pub async fn agent_info(app: &App, agent: &Agent) -> AppResult<AgentInfo> {
    let memberships = access::memberships(app, agent.id).await?;
    Ok(AgentInfo {
        name: agent.name.clone(),
        status: agent.status,
        sites: memberships.iter().map(|m| m.site_id).collect(),
        monitoring: memberships
            .iter()
            .filter(|m| m.monitoring)
            .map(|m| m.site_id)
            .collect(),
    })
}

/// Tell the agents of `sites` how `agent` is now (connected on any node, status, monitoring).
pub async fn publish_presence(app: &App, agent: AgentId, sites: &HashSet<SiteId>) {
    let Some(presence) = app.presence.agent_presence(agent).await else {
        return;
    };
    let Some(presence) = capacity::decorate(app, vec![presence]).await.pop() else {
        return;
    };
    for site in sites {
        app.publish(
            Audience::SiteAgents {
                site: *site,
                online_only: false,
                also: None,
            },
            &ToAgent::AgentPresence(presence.clone()),
            None,
        )
        .await;
    }
}

/// `agent` now holds one chat more (`gained`) or one fewer: when that moved them onto or off
/// their cap, tell the agents of their sites (and the agent's own console) by `agent.presence`.
pub async fn chat_count_changed(app: &App, agent: AgentId, gained: bool) {
    let load = match capacity::loads(app, &[agent]).await {
        Ok(mut loads) => loads.remove(&agent),
        Err(e) => {
            tracing::warn!(agent = agent.0, error = %e.message, "agent load unreadable");
            return;
        }
    };
    let Some(load) = load else { return };
    let cap = capacity::capacity(&load);
    let now = at_capacity(load.active_chats, cap);
    let before = if gained {
        at_capacity(load.active_chats.saturating_sub(1), cap)
    } else {
        at_capacity(load.active_chats.saturating_add(1), cap)
    };
    if now != before
        && let Ok(a) = app.store.agent(agent).await
        && let Ok(info) = agent_info(app, &a).await
    {
        publish_presence(app, agent, &info.sites).await;
    }
}

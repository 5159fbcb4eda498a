//! The event bus: every node's hub receives every event and delivers it to its own local
//! connections. Embedded mode: in-process ([`MemoryBus`]). Cluster mode: Redis pub/sub
//! ([`super::cluster::bus_redis::RedisBus`]).

use super::hub::{AgentInfo, Hub};
use frontdesk_core::audience::Audience;
use frontdesk_core::model::AgentStatus;
use frontdesk_core::{AgentId, ChatId, Seq, SiteId, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What travels between nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum BusEvent {
    /// Deliver a serialized frame. `seq` marks a chat message, so that a connection never
    /// sends the same message twice (replay and live delivery may overlap).
    Deliver {
        to: Audience,
        frame: String,
        seq: Option<(ChatId, Seq)>,
    },
    /// A chat message its visitor never gets (an internal note): nothing is sent to anyone.
    /// In cluster mode each node's sequencer counts the seq as passed, so that the visitor's
    /// next message is not held waiting for it (and the visitor not cut off).
    Withheld { chat: ChatId, seq: Seq },
    /// An agent's status, monitored sites or memberships changed.
    AgentState {
        agent: AgentId,
        name: String,
        status: AgentStatus,
        sites: Vec<SiteId>,
        monitoring: Vec<SiteId>,
    },
    /// Close an agent's sockets: one session's (`session`), or all but one (`except`), or all.
    EndSessions {
        agent: AgentId,
        session: Option<String>,
        except: Option<String>,
    },
    /// "Invite Agent": `by` invited `agent` into `chat` at `at`; every node records it, so that
    /// the agent may "Join chat" on any node.
    ColleagueInvited {
        chat: ChatId,
        agent: AgentId,
        by: AgentId,
        at: Timestamp,
    },
    /// Cluster mode: agents' presence, or a site's team settings, changed on these sites; every
    /// node recomputes whether the sites are available and tells its visitors, and drops its
    /// copy of the sites' "Show all agents' names" / team name (`services::agent_names`).
    SitesChanged { sites: Vec<SiteId> },
    /// A webhook was created, changed or deleted: every node reloads which webhooks want
    /// which events (the store writes the outbox by it).
    WebhooksChanged,
    /// "Erase visitor": every node closes the visitor's connections to the site.
    CloseVisitor {
        site: SiteId,
        visitor: frontdesk_core::VisitorId,
    },
    /// Cluster mode: events were lost between nodes; every node closes its connections, and
    /// the clients reconnect and catch up by sequence.
    Resync,
}

/// Carries events to every node's hub.
#[async_trait::async_trait]
pub trait Bus: Send + Sync + 'static {
    async fn publish(&self, event: BusEvent);

    /// Can this node exchange events with the other nodes now (`Err`: why not)? `/readyz`
    /// asks. In process: always.
    async fn ready(&self) -> Result<(), String> {
        Ok(())
    }

    /// Events waiting to be published to the other nodes (cluster mode: Redis away). `/metrics`
    /// shows it. In process: none.
    fn backlog(&self) -> usize {
        0
    }
}

/// Single node: the event goes straight to the local hub.
pub struct MemoryBus {
    hub: Arc<Hub>,
}

impl MemoryBus {
    pub fn new(hub: Arc<Hub>) -> MemoryBus {
        MemoryBus { hub }
    }
}

#[async_trait::async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, event: BusEvent) {
        dispatch(&self.hub, event);
    }
}

/// Apply a bus event to this node's hub.
pub fn dispatch(hub: &Hub, event: BusEvent) {
    match event {
        BusEvent::Deliver { to, frame, seq } => hub.deliver(&to, frame.into(), seq),
        BusEvent::Withheld { .. } => {}
        BusEvent::AgentState {
            agent,
            name,
            status,
            sites,
            monitoring,
        } => hub.agent_changed(
            agent,
            AgentInfo {
                name,
                status,
                sites: sites.into_iter().collect(),
                monitoring: monitoring.into_iter().collect(),
            },
        ),
        BusEvent::EndSessions {
            agent,
            session,
            except,
        } => hub.end_sessions(agent, session.as_deref(), except.as_deref()),
        BusEvent::ColleagueInvited {
            chat,
            agent,
            by,
            at,
        } => hub.record_invitation(chat, agent, by, at),
        // Handled by the cluster's bus and presence before reaching a hub.
        BusEvent::SitesChanged { .. } => {}
        BusEvent::WebhooksChanged => hub.webhooks_changed.notify_one(),
        BusEvent::CloseVisitor { site, visitor } => hub.close_visitor(site, &visitor),
        BusEvent::Resync => hub.close_all(),
    }
}

#[cfg(test)]
#[path = "bus_wire_tests.rs"]
mod wire_tests;

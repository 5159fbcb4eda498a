//! Who is here: agents' connections and visitors on sites, as the whole deployment sees them.
//!
//! The hub knows this node's connections. [`Presence`] answers for every node: an agent is
//! connected (and may make a site available) if any of their sessions on any node is.
//! Embedded mode: [`MemoryPresence`], the hub itself. Cluster mode:
//! [`super::cluster::presence_redis::RedisPresence`], per-node entries in Redis that expire when their
//! node stops refreshing them.

use super::hub::{AgentInfo, Hub};
use frontdesk_core::protocol::{AgentPresence, VisitorCursor, VisitorOnSite, VisitorsPage};
use frontdesk_core::{AgentId, SiteId, VisitorId};
use std::collections::HashSet;
use std::sync::Arc;

/// Why a shared-presence question could not be answered.
#[derive(Debug, Clone, thiserror::Error)]
#[error("presence unavailable: {0}")]
pub struct PresenceError(pub String);

/// Presence across every node. Queries never fail: when the shared view cannot be read, the
/// answer falls back to this node's own (and the failure is logged).
#[async_trait::async_trait]
pub trait Presence: Send + Sync + 'static {
    /// Is any agent, on any node, connected, On-Line and monitoring the site?
    async fn site_available(&self, site: SiteId) -> bool;
    /// Is the agent connected (anywhere), On-Line and monitoring `site`?
    async fn agent_available_for(&self, agent: AgentId, site: SiteId) -> bool;
    /// Is any of `agents` connected (anywhere), On-Line and monitoring `site`? (A department
    /// staffed now; one read of the shared view.)
    async fn any_available_for(&self, agents: &[AgentId], site: SiteId) -> bool;
    /// Presence of every agent known who belongs to one of `sites`, by agent id.
    async fn presence(&self, sites: &HashSet<SiteId>) -> Vec<AgentPresence>;
    /// One agent's presence, if known.
    async fn agent_presence(&self, agent: AgentId) -> Option<AgentPresence>;
    /// Visitors connected now (to any node) to any of `sites`, oldest visit first.
    async fn visitors_on(&self, sites: &HashSet<SiteId>) -> Vec<VisitorOnSite>;
    /// A page of the visitors connected now (to any node) to any of `sites`, newest first,
    /// older than `before` (see [`frontdesk_core::protocol::newest_page`]).
    async fn visitors_page(
        &self,
        sites: &HashSet<SiteId>,
        before: Option<&VisitorCursor>,
        n: usize,
    ) -> VisitorsPage;
    /// Is the visitor connected to any node?
    async fn visitor_connected(&self, site: SiteId, visitor: &VisitorId) -> bool;
    /// (the agent's connections on every node, generation): the generation changes whenever
    /// the agent connects anywhere, so a requeue timer can tell that they came back.
    async fn agent_connections(&self, agent: AgentId) -> Result<(usize, u64), PresenceError>;

    /// The hub registered a connection of the agent (with this view of them).
    async fn agent_connected(&self, agent: AgentId, info: &AgentInfo);
    /// The hub removed a connection of the agent; `last` when it was their last one here.
    async fn agent_disconnected(&self, agent: AgentId, sites: &HashSet<SiteId>, last: bool);
    /// The agent's name, status, sites or monitoring changed.
    async fn agent_info_changed(&self, agent: AgentId, info: &AgentInfo);
    /// The hub's record of a visitor changed (arrived, moved, left this node).
    async fn visitor_changed(&self, site: SiteId, visitor: &VisitorId);
}

/// One node: the hub is the whole truth.
pub struct MemoryPresence {
    hub: Arc<Hub>,
}

impl MemoryPresence {
    pub fn new(hub: Arc<Hub>) -> MemoryPresence {
        MemoryPresence { hub }
    }
}

#[async_trait::async_trait]
impl Presence for MemoryPresence {
    async fn site_available(&self, site: SiteId) -> bool {
        self.hub.site_available(site)
    }
    async fn agent_available_for(&self, agent: AgentId, site: SiteId) -> bool {
        self.hub.agent_available_for(agent, site)
    }
    async fn any_available_for(&self, agents: &[AgentId], site: SiteId) -> bool {
        agents
            .iter()
            .any(|a| self.hub.agent_available_for(*a, site))
    }
    async fn presence(&self, sites: &HashSet<SiteId>) -> Vec<AgentPresence> {
        self.hub.presence(sites)
    }
    async fn agent_presence(&self, agent: AgentId) -> Option<AgentPresence> {
        self.hub.agent_presence(agent)
    }
    async fn visitors_on(&self, sites: &HashSet<SiteId>) -> Vec<VisitorOnSite> {
        self.hub.visitors_on(sites)
    }
    async fn visitors_page(
        &self,
        sites: &HashSet<SiteId>,
        before: Option<&VisitorCursor>,
        n: usize,
    ) -> VisitorsPage {
        self.hub.visitors_page(sites, before, n)
    }
    async fn visitor_connected(&self, site: SiteId, visitor: &VisitorId) -> bool {
        self.hub.visitor_connected(site, visitor)
    }
    async fn agent_connections(&self, agent: AgentId) -> Result<(usize, u64), PresenceError> {
        Ok(self.hub.agent_connections(agent))
    }
    async fn agent_connected(&self, _: AgentId, _: &AgentInfo) {}
    async fn agent_disconnected(&self, _: AgentId, _: &HashSet<SiteId>, _: bool) {}
    async fn agent_info_changed(&self, _: AgentId, _: &AgentInfo) {}
    async fn visitor_changed(&self, _: SiteId, _: &VisitorId) {}
}

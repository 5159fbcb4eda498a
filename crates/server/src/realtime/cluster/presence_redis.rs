//! Cluster mode: presence shared through Redis.
//!
//! Keys (all under the cluster's prefix `P`):
//! - `P:nodes` hash: node id → `"{wall ms}:{app ms}"` of its last heartbeat. A node whose
//!   heartbeat is older than three intervals (wall clock) is dead: its entries stop counting.
//! - `P:aconn` hash: `"{agent}|{node}"` → that agent's connections on that node.
//! - `P:ainfo` hash: agent → their name, status, sites and monitored sites (JSON).
//! - `P:agen` hash: agent → a counter bumped whenever they connect anywhere.
//! - `P:aleft` hash: agent → when (app clock) they were last seen leaving; their chats return
//!   to the queue once that is a grace period ago and they have no connection anywhere.
//! - `P:vis:{site}:{node}` hash: visitor → what agents see of them; the key expires unless
//!   its node refreshes it.
//!
//! Every node writes its own entries when its hub changes and rewrites them on each heartbeat
//! (so they come back after a Redis restart); readers combine every live node's entries. The
//! background work (heartbeat, availability, sweeping dead nodes) is in `presence_tasks`.

use super::bus_redis::run;
use crate::clock::SharedClock;
use crate::realtime::bus::{Bus, BusEvent};
use crate::realtime::hub::{AgentInfo, Hub};
use crate::realtime::presence::{Presence, PresenceError};
use frontdesk_core::audience::AgentOnSite;
use frontdesk_core::model::AgentStatus;
use frontdesk_core::protocol::{AgentPresence, VisitorCursor, VisitorOnSite, VisitorsPage};
use frontdesk_core::{AgentId, SiteId, Timestamp, VisitorId};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod visitors;

/// What other nodes know of an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct InfoWire {
    pub(crate) name: String,
    pub(crate) status: AgentStatus,
    pub(crate) sites: Vec<SiteId>,
    pub(crate) monitoring: Vec<SiteId>,
}

impl InfoWire {
    pub(crate) fn of(info: &AgentInfo) -> InfoWire {
        let mut sites: Vec<SiteId> = info.sites.iter().copied().collect();
        let mut monitoring: Vec<SiteId> = info.monitoring.iter().copied().collect();
        sites.sort();
        monitoring.sort();
        InfoWire {
            name: info.name.clone(),
            status: info.status,
            sites,
            monitoring,
        }
    }

    fn hears(&self, site: SiteId, online_only: bool) -> bool {
        AgentOnSite {
            status: self.status,
            member: self.sites.contains(&site),
            monitoring: self.monitoring.contains(&site),
        }
        .hears(online_only)
    }

    fn presence(&self, agent: AgentId, connected: bool) -> AgentPresence {
        AgentPresence {
            agent_id: agent,
            name: self.name.clone(),
            status: self.status,
            connected,
            monitoring: self
                .monitoring
                .iter()
                .filter(|s| self.sites.contains(s))
                .copied()
                .collect(),
            active_chats: 0,
            max_chats: None,
            at_capacity: false,
        }
    }
}

/// The agents of the whole cluster, as read in one round trip.
pub(crate) struct View {
    /// Connections of each agent on live nodes (only agents with some).
    pub(crate) live: HashMap<AgentId, usize>,
    pub(crate) info: HashMap<AgentId, InfoWire>,
    /// Live nodes.
    pub(crate) nodes: HashSet<String>,
    /// Dead nodes, with the app-clock time of their last heartbeat.
    pub(crate) dead: HashMap<String, Timestamp>,
    /// Every `P:aconn` field: (agent, node, connections).
    pub(crate) conns: Vec<(AgentId, String, usize)>,
    pub(crate) generation: u64,
}

/// Milliseconds of the machine's clock (liveness is real time, whatever the app clock says).
pub(crate) fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Presence across the nodes of a cluster. See the module documentation.
pub struct RedisPresence {
    pub(crate) node: String,
    pub(crate) prefix: String,
    pub(crate) conn: ConnectionManager,
    pub(crate) hub: Arc<Hub>,
    pub(crate) bus: Arc<dyn Bus>,
    pub(crate) clock: SharedClock,
    pub(crate) heartbeat: Duration,
    pub(crate) grace_ms: i64,
    /// A write failed: the next heartbeat rewrites this node's entries from scratch.
    pub(crate) dirty: AtomicBool,
}

impl RedisPresence {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        node: &str,
        prefix: &str,
        conn: ConnectionManager,
        hub: Arc<Hub>,
        bus: Arc<dyn Bus>,
        clock: SharedClock,
        heartbeat: Duration,
        grace: Duration,
    ) -> Arc<RedisPresence> {
        Arc::new(RedisPresence {
            node: node.to_string(),
            prefix: prefix.to_string(),
            conn,
            hub,
            bus,
            clock,
            heartbeat: heartbeat.max(Duration::from_millis(50)),
            grace_ms: i64::try_from(grace.as_millis()).unwrap_or(i64::MAX),
            dirty: AtomicBool::new(false),
        })
    }

    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    pub(crate) fn vis_key(&self, site: SiteId, node: &str) -> String {
        format!("{}:vis:{}:{node}", self.prefix, site.0)
    }

    pub(crate) fn conn_field(&self, agent: AgentId) -> String {
        format!("{}|{}", agent.0, self.node)
    }

    /// A node is dead once it missed three heartbeats (and at least two seconds passed: a
    /// busy node is not declared dead for a short stall).
    pub(crate) fn ttl(&self) -> Duration {
        (self.heartbeat * 3).max(self.heartbeat + Duration::from_secs(2))
    }

    /// Runs a write; a failure is logged and repaired by the next heartbeat.
    pub(crate) async fn write(&self, what: &str, pipe: &redis::Pipeline) {
        if pipe.is_empty() {
            return;
        }
        if let Err(e) = run::<redis::Value>(&self.conn, pipe).await {
            self.dirty.store(true, Ordering::Relaxed);
            tracing::warn!(error = %e, what, "presence write to Redis failed");
        }
    }

    /// Tells every node (this one too) to recompute these sites' availability.
    pub(crate) async fn sites_changed(&self, sites: impl IntoIterator<Item = SiteId>) {
        let mut sites: Vec<SiteId> = sites.into_iter().collect();
        sites.sort();
        sites.dedup();
        if !sites.is_empty() {
            self.bus.publish(BusEvent::SitesChanged { sites }).await;
        }
    }

    /// The cluster's agents (and `agent`'s generation, when given).
    pub(crate) async fn view(&self, agent: Option<AgentId>) -> Result<View, PresenceError> {
        let mut pipe = redis::pipe();
        pipe.hgetall(self.key("nodes"))
            .hgetall(self.key("aconn"))
            .hgetall(self.key("ainfo"))
            .hget(self.key("agen"), agent.map_or(0, |a| a.0));
        type Raw = (
            HashMap<String, String>,
            HashMap<String, String>,
            HashMap<String, String>,
            Option<u64>,
        );
        let (nodes, aconn, ainfo, generation): Raw =
            run(&self.conn, &pipe).await.map_err(PresenceError)?;
        let (wall, ttl) = (
            wall_ms(),
            i64::try_from(self.ttl().as_millis()).unwrap_or(0),
        );
        let mut view = View {
            live: HashMap::new(),
            info: HashMap::new(),
            nodes: HashSet::new(),
            dead: HashMap::new(),
            conns: Vec::new(),
            generation: generation.unwrap_or(0),
        };
        for (node, seen) in nodes {
            let (w, a) = seen.split_once(':').unwrap_or((&seen, "0"));
            let (w, a) = (w.parse::<i64>().unwrap_or(0), a.parse::<i64>().unwrap_or(0));
            if w.saturating_add(ttl) > wall {
                view.nodes.insert(node);
            } else {
                view.dead.insert(node, Timestamp(a));
            }
        }
        for (field, n) in aconn {
            let Some((agent, node)) = field.split_once('|') else {
                continue;
            };
            let (Ok(agent), Ok(n)) = (agent.parse::<i64>(), n.parse::<usize>()) else {
                continue;
            };
            if n > 0 && view.nodes.contains(node) {
                *view.live.entry(AgentId(agent)).or_default() += n;
            }
            view.conns.push((AgentId(agent), node.to_string(), n));
        }
        for (agent, json) in ainfo {
            if let (Ok(agent), Ok(info)) = (
                agent.parse::<i64>(),
                serde_json::from_str::<InfoWire>(&json),
            ) {
                view.info.insert(AgentId(agent), info);
            }
        }
        Ok(view)
    }

    /// The shared view, or (logged) `None` when Redis cannot be read.
    async fn view_or_log(&self, agent: Option<AgentId>) -> Option<View> {
        match self.view(agent).await {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "presence read failed; answering for this node only");
                None
            }
        }
    }

    /// Whether the cluster (per `view`) has the site available.
    pub(crate) fn available_in(view: &View, site: SiteId) -> bool {
        view.live
            .keys()
            .any(|a| view.info.get(a).is_some_and(|i| i.hears(site, true)))
    }
}

#[async_trait::async_trait]
impl Presence for RedisPresence {
    async fn site_available(&self, site: SiteId) -> bool {
        match self.view_or_log(None).await {
            Some(view) => RedisPresence::available_in(&view, site),
            None => self.hub.site_available(site),
        }
    }

    async fn agent_available_for(&self, agent: AgentId, site: SiteId) -> bool {
        match self.view_or_log(None).await {
            Some(view) => {
                view.live.contains_key(&agent)
                    && view.info.get(&agent).is_some_and(|i| i.hears(site, true))
            }
            None => self.hub.agent_available_for(agent, site),
        }
    }

    async fn any_available_for(&self, agents: &[AgentId], site: SiteId) -> bool {
        match self.view_or_log(None).await {
            Some(view) => agents.iter().any(|agent| {
                view.live.contains_key(agent)
                    && view.info.get(agent).is_some_and(|i| i.hears(site, true))
            }),
            None => agents
                .iter()
                .any(|a| self.hub.agent_available_for(*a, site)),
        }
    }

    async fn presence(&self, sites: &HashSet<SiteId>) -> Vec<AgentPresence> {
        let Some(view) = self.view_or_log(None).await else {
            return self.hub.presence(sites);
        };
        let mut out: Vec<AgentPresence> = view
            .info
            .iter()
            .filter(|(_, i)| i.sites.iter().any(|s| sites.contains(s)))
            .map(|(id, i)| i.presence(*id, view.live.contains_key(id)))
            .collect();
        out.sort_by_key(|p| p.agent_id);
        out
    }

    async fn agent_presence(&self, agent: AgentId) -> Option<AgentPresence> {
        let Some(view) = self.view_or_log(None).await else {
            return self.hub.agent_presence(agent);
        };
        view.info
            .get(&agent)
            .map(|i| i.presence(agent, view.live.contains_key(&agent)))
    }

    async fn visitors_on(&self, sites: &HashSet<SiteId>) -> Vec<VisitorOnSite> {
        match self.visitors(sites).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "presence read failed; answering for this node only");
                self.hub.visitors_on(sites)
            }
        }
    }

    async fn visitors_page(
        &self,
        sites: &HashSet<SiteId>,
        before: Option<&VisitorCursor>,
        n: usize,
    ) -> VisitorsPage {
        match self.visitors_paged(sites, before, n).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "presence read failed; answering for this node only");
                self.hub.visitors_page(sites, before, n)
            }
        }
    }

    async fn visitor_connected(&self, site: SiteId, visitor: &VisitorId) -> bool {
        if self.hub.visitor_connected(site, visitor) {
            return true;
        }
        // One field per live node (HEXISTS), not the site's whole list: asked at every
        // visitor's leave, reading every visitor of the site made a disconnect storm cost
        // visitors² in Redis replies (138 MB of output buffers for 5,000 visitors).
        // Redis unreachable: answered for this node only (as before).
        self.connected_elsewhere(site, visitor)
            .await
            .unwrap_or_default()
    }

    async fn agent_connections(&self, agent: AgentId) -> Result<(usize, u64), PresenceError> {
        let view = self.view(Some(agent)).await?;
        Ok((view.live.get(&agent).copied().unwrap_or(0), view.generation))
    }

    async fn agent_connected(&self, agent: AgentId, info: &AgentInfo) {
        let wire = InfoWire::of(info);
        let count = self.hub.local_agent(agent).map_or(0, |(n, _)| n);
        let mut pipe = redis::pipe();
        if let Ok(json) = serde_json::to_string(&wire) {
            pipe.hset(self.key("ainfo"), agent.0, json).ignore();
        }
        pipe.hset(self.key("aconn"), self.conn_field(agent), count)
            .ignore()
            .hincr(self.key("agen"), agent.0, 1)
            .ignore()
            .hdel(self.key("aleft"), agent.0)
            .ignore();
        self.write("agent connected", &pipe).await;
        self.sites_changed(wire.sites).await;
    }

    async fn agent_disconnected(&self, agent: AgentId, sites: &HashSet<SiteId>, last: bool) {
        let count = self.hub.local_agent(agent).map_or(0, |(n, _)| n);
        let mut pipe = redis::pipe();
        if count > 0 {
            pipe.hset(self.key("aconn"), self.conn_field(agent), count)
                .ignore();
        } else {
            pipe.hdel(self.key("aconn"), self.conn_field(agent))
                .ignore();
        }
        if last {
            pipe.hset(self.key("aleft"), agent.0, self.clock.now().0)
                .ignore();
        }
        self.write("agent disconnected", &pipe).await;
        if last {
            self.sites_changed(sites.iter().copied()).await;
        }
    }

    /// Sites the agent left (the previous entry's) change availability too.
    async fn agent_info_changed(&self, agent: AgentId, info: &AgentInfo) {
        let wire = InfoWire::of(info);
        let Ok(json) = serde_json::to_string(&wire) else {
            return;
        };
        let mut pipe = redis::pipe();
        pipe.hget(self.key("ainfo"), agent.0)
            .hset(self.key("ainfo"), agent.0, json)
            .ignore();
        let before: Vec<SiteId> = match run::<(Option<String>,)>(&self.conn, &pipe).await {
            Ok((old,)) => old
                .and_then(|o| serde_json::from_str::<InfoWire>(&o).ok())
                .map(|o| o.sites)
                .unwrap_or_default(),
            Err(e) => {
                self.dirty.store(true, Ordering::Relaxed);
                tracing::warn!(error = %e, "presence write to Redis failed");
                Vec::new()
            }
        };
        self.sites_changed(wire.sites.into_iter().chain(before))
            .await;
    }

    async fn visitor_changed(&self, site: SiteId, visitor: &VisitorId) {
        let key = self.vis_key(site, &self.node);
        let mut pipe = redis::pipe();
        match self.hub.visitor_info(site, visitor) {
            Some(info) => {
                let Ok(json) = serde_json::to_string(&info) else {
                    return;
                };
                let ttl = i64::try_from(self.ttl().as_secs().max(1)).unwrap_or(60);
                pipe.hset(&key, &visitor.0, json)
                    .ignore()
                    .expire(&key, ttl)
                    .ignore();
            }
            None => {
                pipe.hdel(&key, &visitor.0).ignore();
            }
        }
        self.write("visitor", &pipe).await;
    }
}

impl RedisPresence {
    /// Is `visitor` in the presence entries of any live node?
    async fn connected_elsewhere(&self, site: SiteId, visitor: &VisitorId) -> Result<bool, String> {
        let live = self.live_nodes().await?;
        if live.is_empty() {
            return Ok(false);
        }
        let mut pipe = redis::pipe();
        for node in &live {
            pipe.hexists(self.vis_key(site, node), &visitor.0);
        }
        let found: Vec<bool> = run(&self.conn, &pipe).await?;
        Ok(found.into_iter().any(|f| f))
    }

    /// Nodes whose last heartbeat is within the presence TTL.
    async fn live_nodes(&self) -> Result<Vec<String>, String> {
        let nodes: HashMap<String, String> =
            run(&self.conn, redis::cmd("HGETALL").arg(self.key("nodes"))).await?;
        let (wall, ttl) = (
            wall_ms(),
            i64::try_from(self.ttl().as_millis()).unwrap_or(0),
        );
        let live: Vec<String> = nodes
            .iter()
            .filter(|(_, seen)| {
                let w = seen.split_once(':').map_or(seen.as_str(), |p| p.0);
                w.parse::<i64>().unwrap_or(0).saturating_add(ttl) > wall
            })
            .map(|(n, _)| n.clone())
            .collect();
        Ok(live)
    }
}

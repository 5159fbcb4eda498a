//! The hub: this node's live connections, and delivery of events to them.
//!
//! Each connection has a bounded outbound queue. Delivery never waits: when a queue is full
//! the connection is a slow reader, and it is cut off (it reconnects and catches up by
//! sequence). A frame is serialized once per event, then shared by every connection.

mod hours;
mod invitations;
mod names;
mod visitor_chats;
mod visitor_updates;
mod watch;

pub use names::CachedNames;
pub use visitor_chats::{ChatRequestMark, Departure};
pub use visitor_updates::{Flush, VISITOR_UPDATE_WINDOW_MS, VisitorUpdate};

pub use super::outbound::{ConnHandle, ConnReceiver, Outbound};
use axum::extract::ws::Utf8Bytes;
use frontdesk_core::audience::{AgentOnSite, Audience};
use frontdesk_core::model::AgentStatus;
use frontdesk_core::protocol::{
    AgentPresence, VisitorCursor, VisitorOnSite, VisitorsPage, newest_page,
};
use frontdesk_core::site_settings::HoursGate;
use frontdesk_core::{AgentId, ChatId, Seq, SiteId, Timestamp, VisitorId};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::MutexGuard;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What the hub knows about an agent on this node.
#[derive(Debug, Clone)]
pub struct AgentInfo {
    pub name: String,
    pub status: AgentStatus,
    pub sites: HashSet<SiteId>,
    pub monitoring: HashSet<SiteId>,
}

impl AgentInfo {
    /// How the agent stands towards `site` (for the core's [`Audience`] rule).
    pub fn on_site(&self, site: SiteId) -> AgentOnSite {
        AgentOnSite {
            status: self.status,
            member: self.sites.contains(&site),
            monitoring: self.monitoring.contains(&site),
        }
    }

    fn hears(&self, site: SiteId, online_only: bool) -> bool {
        self.on_site(site).hears(online_only)
    }
}

struct AgentConn {
    handle: ConnHandle,
    session: String,
}

struct AgentEntry {
    info: AgentInfo,
    conns: Vec<AgentConn>,
    /// Bumped on every new connection: a requeue timer started at a disconnect only fires if
    /// no connection came since.
    generation: u64,
}

#[derive(Default)]
struct VisitorEntry {
    conns: Vec<ConnHandle>,
    info: Option<VisitorOnSite>,
    /// Coalescing of `visitor.update` (see `hub/visitor_updates.rs`).
    window: visitor_updates::UpdateWindow,
    /// The visitor may have an open chat (see `hub/visitor_chats.rs`).
    may_have_chat: bool,
}

#[derive(Default)]
pub struct Hub {
    next_conn: AtomicU64,
    agents: Mutex<HashMap<AgentId, AgentEntry>>,
    visitors: Mutex<HashMap<SiteId, HashMap<VisitorId, VisitorEntry>>>,
    /// Whether an agent is On-Line for the site (the agents' half of availability).
    available: Mutex<HashMap<SiteId, bool>>,
    /// The opening hours' half of availability, per site with visitors here (see `hub/hours.rs`).
    hours: Mutex<HashMap<SiteId, HoursGate>>,
    /// The availability last told to the site's visitors here: (online, opens_at).
    told: Mutex<HashMap<SiteId, (bool, Option<Timestamp>)>>,
    /// Wakes the opening-hours task when a site's next change may have moved earlier.
    hours_wake: tokio::sync::Notify,
    /// Connections watching a chat (a supervisor's "Watch"): (agent, connection id).
    watchers: Mutex<HashMap<ChatId, Vec<(AgentId, u64)>>>,
    /// Each site's "Show all agents' names" as last read here (see `hub/names.rs`).
    agent_names: Mutex<HashMap<SiteId, CachedNames>>,
    /// "Invite Agent": (chat, invited agent) → (who invited, when) (see `hub/invitations.rs`).
    invitations: Mutex<HashMap<(ChatId, AgentId), (AgentId, Timestamp)>>,
    /// Chat requests finished on this node (see `hub/visitor_chats.rs`).
    chat_requests: AtomicU64,
    /// Cluster mode: a site's availability depends on agents of every node, so it is not
    /// computed here but pushed in by the shared presence ([`Hub::set_availability`]).
    cluster: AtomicBool,
    /// A webhook changed (here or on another node): the webhook task reloads the
    /// subscription set (services/webhooks).
    pub webhooks_changed: tokio::sync::Notify,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; carry on with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Hub {
    pub fn new() -> Hub {
        Hub::default()
    }

    /// A hub of one node of a cluster (see [`Hub::set_availability`]).
    pub fn for_cluster() -> Hub {
        let hub = Hub::default();
        hub.cluster.store(true, Ordering::Relaxed);
        hub
    }

    /// A new connection's channel, bounded to `queue` items.
    pub fn new_conn(&self, queue: usize) -> (ConnHandle, ConnReceiver) {
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed) + 1;
        super::outbound::channel(id, queue)
    }

    // ───────────── agents ─────────────

    pub fn register_agent(
        &self,
        agent: AgentId,
        info: AgentInfo,
        session: String,
        handle: ConnHandle,
    ) {
        let sites: Vec<SiteId> = info.sites.iter().copied().collect();
        {
            let mut agents = lock(&self.agents);
            let entry = agents.entry(agent).or_insert_with(|| AgentEntry {
                info: info.clone(),
                conns: Vec::new(),
                generation: 0,
            });
            entry.info = info;
            entry.generation += 1;
            entry.conns.push(AgentConn { handle, session });
        }
        self.refresh_availability(&sites);
    }

    /// Removes a connection. Returns the agent's generation if that was their last one here.
    pub fn unregister_agent(&self, agent: AgentId, conn: u64) -> Option<u64> {
        let (last, sites) = {
            let mut agents = lock(&self.agents);
            let entry = agents.get_mut(&agent)?;
            entry.conns.retain(|c| c.handle.id != conn);
            let sites: Vec<SiteId> = entry.info.sites.iter().copied().collect();
            (entry.conns.is_empty().then_some(entry.generation), sites)
        };
        self.refresh_availability(&sites);
        last
    }

    /// (connections, generation) of an agent on this node.
    pub fn agent_connections(&self, agent: AgentId) -> (usize, u64) {
        lock(&self.agents)
            .get(&agent)
            .map(|e| (e.conns.len(), e.generation))
            .unwrap_or((0, 0))
    }

    /// Whether the agent is connected, On-Line and monitoring `site` (a valid transfer target).
    pub fn agent_available_for(&self, agent: AgentId, site: SiteId) -> bool {
        lock(&self.agents)
            .get(&agent)
            .is_some_and(|e| !e.conns.is_empty() && e.info.hears(site, true))
    }

    /// Whether the agent belongs to `site`, if they are connected here (`None`: ask storage).
    pub fn agent_belongs_to(&self, agent: AgentId, site: SiteId) -> Option<bool> {
        lock(&self.agents)
            .get(&agent)
            .filter(|e| !e.conns.is_empty())
            .map(|e| e.info.sites.contains(&site))
    }

    /// Presence of every agent known here who belongs to one of `sites`.
    pub fn presence(&self, sites: &HashSet<SiteId>) -> Vec<AgentPresence> {
        let agents = lock(&self.agents);
        let mut out: Vec<AgentPresence> = agents
            .iter()
            .filter(|(_, e)| e.info.sites.iter().any(|s| sites.contains(s)))
            .map(|(id, e)| presence_of(*id, e))
            .collect();
        out.sort_by_key(|p| p.agent_id);
        out
    }

    pub fn agent_presence(&self, agent: AgentId) -> Option<AgentPresence> {
        lock(&self.agents)
            .get(&agent)
            .map(|e| presence_of(agent, e))
    }

    // ───────────── visitors ─────────────

    /// Adds a visitor connection; `chat`: the visitor may have an open chat (see
    /// [`Hub::chat_request_mark`]).
    pub fn register_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        handle: ConnHandle,
        chat: bool,
    ) {
        let mut visitors = lock(&self.visitors);
        let entry = visitors
            .entry(site)
            .or_default()
            .entry(visitor.clone())
            .or_default();
        entry.conns.push(handle);
        entry.may_have_chat |= chat;
    }

    /// Removes a visitor connection: whether it was the visitor's last one here and, if so,
    /// whether they may have an open chat.
    pub fn unregister_visitor(&self, site: SiteId, visitor: &VisitorId, conn: u64) -> Departure {
        let mut visitors = lock(&self.visitors);
        let Some(site_map) = visitors.get_mut(&site) else {
            return Departure::Stays;
        };
        let Some(entry) = site_map.get_mut(visitor) else {
            return Departure::Stays;
        };
        entry.conns.retain(|c| c.id != conn);
        if !entry.conns.is_empty() {
            return Departure::Stays;
        }
        let may_have_chat = entry.may_have_chat || self.cluster.load(Ordering::Relaxed);
        site_map.remove(visitor);
        if site_map.is_empty() {
            visitors.remove(&site);
        }
        Departure::Last { may_have_chat }
    }

    pub fn visitor_info(&self, site: SiteId, visitor: &VisitorId) -> Option<VisitorOnSite> {
        lock(&self.visitors)
            .get(&site)
            .and_then(|m| m.get(visitor))
            .and_then(|e| e.info.clone())
    }

    pub fn visitor_connected(&self, site: SiteId, visitor: &VisitorId) -> bool {
        lock(&self.visitors)
            .get(&site)
            .is_some_and(|m| m.contains_key(visitor))
    }

    /// Visitors connected now to any of `sites`.
    pub fn visitors_on(&self, sites: &HashSet<SiteId>) -> Vec<VisitorOnSite> {
        let visitors = lock(&self.visitors);
        let mut out: Vec<VisitorOnSite> = sites
            .iter()
            .filter_map(|s| visitors.get(s))
            .flat_map(|m| m.values().filter_map(|e| e.info.clone()))
            .collect();
        out.sort_by_key(|v| v.started_at);
        out
    }

    /// A page of the visitors connected now to any of `sites`, newest first, chosen under the
    /// lock by reference: only the page is cloned (see [`newest_page`]).
    pub fn visitors_page(
        &self,
        sites: &HashSet<SiteId>,
        before: Option<&VisitorCursor>,
        n: usize,
    ) -> VisitorsPage {
        let visitors = lock(&self.visitors);
        let all = sites
            .iter()
            .filter_map(|s| visitors.get(s))
            .flat_map(|m| m.values().filter_map(|e| e.info.as_ref()));
        newest_page(all, before, n)
    }

    pub fn visitor_count(&self) -> usize {
        lock(&self.visitors).values().map(|m| m.len()).sum()
    }

    /// Is any agent connected, On-Line and monitoring the site?
    pub fn site_available(&self, site: SiteId) -> bool {
        lock(&self.agents)
            .values()
            .any(|e| !e.conns.is_empty() && e.info.hears(site, true))
    }

    /// Recompute availability of these sites and tell their visitors when it changed.
    fn refresh_availability(&self, sites: &[SiteId]) {
        if self.cluster.load(Ordering::Relaxed) {
            return;
        }
        for &site in sites {
            self.set_availability(site, self.site_available(site));
        }
    }

    /// Records whether an agent is On-Line for the site; tells its visitors here when the
    /// site's availability (agents and opening hours together) changed.
    pub fn set_availability(&self, site: SiteId, online: bool) {
        lock(&self.available).insert(site, online);
        self.tell_availability(site);
    }

    // ───────────── this node's share of the cluster ─────────────

    /// Every agent connected here: (id, connections, what the hub knows).
    pub fn local_agents(&self) -> Vec<(AgentId, usize, AgentInfo)> {
        lock(&self.agents)
            .iter()
            .filter(|(_, e)| !e.conns.is_empty())
            .map(|(id, e)| (*id, e.conns.len(), e.info.clone()))
            .collect()
    }

    /// The agent's connections here and what the hub knows, if connected here.
    pub fn local_agent(&self, agent: AgentId) -> Option<(usize, AgentInfo)> {
        lock(&self.agents)
            .get(&agent)
            .filter(|e| !e.conns.is_empty())
            .map(|e| (e.conns.len(), e.info.clone()))
    }

    /// Every visitor connected here who said hello.
    pub fn local_visitors(&self) -> Vec<VisitorOnSite> {
        lock(&self.visitors)
            .values()
            .flat_map(|m| m.values().filter_map(|e| e.info.clone()))
            .collect()
    }

    /// Sites with visitors connected here.
    pub fn visitor_sites(&self) -> Vec<SiteId> {
        lock(&self.visitors).keys().copied().collect()
    }

    /// Closes a visitor's connections here (they reconnect and catch up by sequence).
    pub fn close_visitor(&self, site: SiteId, visitor: &VisitorId) {
        if let Some(entry) = lock(&self.visitors).get(&site).and_then(|m| m.get(visitor)) {
            entry.conns.iter().for_each(ConnHandle::close);
        }
    }

    /// Closes every connection here (they reconnect and catch up by sequence).
    pub fn close_all(&self) {
        for entry in lock(&self.agents).values() {
            entry.conns.iter().for_each(|c| c.handle.close());
        }
        for site in lock(&self.visitors).values() {
            site.values()
                .flat_map(|e| &e.conns)
                .for_each(ConnHandle::close);
        }
    }

    // ───────────── delivery ─────────────

    /// An agent's status, sites or monitoring changed (on any node): what the hub knows of
    /// them, if they are known here, and the availability of every site concerned.
    pub fn agent_changed(&self, agent: AgentId, info: AgentInfo) {
        let mut touched: HashSet<SiteId> = info.sites.clone();
        {
            let mut agents = lock(&self.agents);
            if let Some(entry) = agents.get_mut(&agent) {
                touched.extend(entry.info.sites.iter().copied());
                entry.info = info;
            }
        }
        let touched: Vec<SiteId> = touched.into_iter().collect();
        self.refresh_availability(&touched);
    }

    /// Ends an agent's sockets here (`session.ended`, then close): one session's
    /// (`session`), or all but one (`except`), or all.
    pub fn end_sessions(&self, agent: AgentId, session: Option<&str>, except: Option<&str>) {
        let agents = lock(&self.agents);
        if let Some(entry) = agents.get(&agent) {
            for c in &entry.conns {
                let matches = match (session, except) {
                    (Some(s), _) => c.session == s,
                    (None, Some(e)) => c.session != e,
                    (None, None) => true,
                };
                if matches {
                    c.handle.frame(r#"{"type":"session.ended"}"#);
                    if !c.handle.deliver(Outbound::Close) {
                        c.handle.close();
                    }
                }
            }
        }
    }

    /// Queue a frame on every connection here that `to` reaches.
    pub fn deliver(&self, to: &Audience, text: Utf8Bytes, seq: Option<(ChatId, Seq)>) {
        let item = || Outbound::Frame {
            text: text.clone(),
            seq,
        };
        match to {
            Audience::SiteAgents { .. } | Audience::DepartmentAgents { .. } => {
                let agents = lock(&self.agents);
                for (id, entry) in agents.iter() {
                    if to.reaches_agent(*id, |s| entry.info.on_site(s)) {
                        for c in &entry.conns {
                            c.handle.deliver(item());
                        }
                    }
                }
            }
            Audience::ChatAgents { chat, agents: to } => {
                let watchers = self.watchers_of(*chat);
                let agents = lock(&self.agents);
                for agent in to {
                    if let Some(entry) = agents.get(agent) {
                        for c in &entry.conns {
                            c.handle.deliver(item());
                        }
                    }
                }
                for (agent, conn) in watchers.iter().filter(|(a, _)| !to.contains(a)) {
                    if let Some(c) = agents
                        .get(agent)
                        .and_then(|e| e.conns.iter().find(|c| c.handle.id == *conn))
                    {
                        c.handle.deliver(item());
                    }
                }
            }
            Audience::Agent(agent) => {
                if let Some(entry) = lock(&self.agents).get(agent) {
                    for c in &entry.conns {
                        c.handle.deliver(item());
                    }
                }
            }
            Audience::Visitor { site, visitor } => {
                if let Some(entry) = lock(&self.visitors).get(site).and_then(|m| m.get(visitor)) {
                    for c in &entry.conns {
                        c.deliver(item());
                    }
                }
            }
            Audience::SiteVisitors(site) => {
                if let Some(m) = lock(&self.visitors).get(site) {
                    for entry in m.values() {
                        for c in &entry.conns {
                            c.deliver(item());
                        }
                    }
                }
            }
        }
    }
}

fn presence_of(id: AgentId, e: &AgentEntry) -> AgentPresence {
    let mut monitoring: Vec<SiteId> = e
        .info
        .monitoring
        .iter()
        .filter(|s| e.info.sites.contains(s))
        .copied()
        .collect();
    monitoring.sort();
    AgentPresence {
        agent_id: id,
        name: e.info.name.clone(),
        status: e.info.status,
        connected: !e.conns.is_empty(),
        monitoring,
        active_chats: 0,
        max_chats: None,
        at_capacity: false,
    }
}

//! Cluster mode: the background work of [`RedisPresence`].
//!
//! - **Heartbeat** (every `presence_heartbeat_ms`): this node marks itself alive and rewrites
//!   its entries (after a Redis restart they are back within one interval).
//! - **Availability**: whenever a `SitesChanged` event arrives (and on every heartbeat for the
//!   sites of this node's visitors), the sites' availability is recomputed from the shared
//!   view and pushed to the hub, which tells its visitors when it changed.
//! - **Sweep** (one node per interval, under a short Redis lock): a node that missed three
//!   heartbeats is dead; its agents count as having left at its last heartbeat. An agent who
//!   left a grace period ago and has no connection on any live node gets their chats put
//!   back in the queue (exactly once: the chat's version decides). Local grace timers do the
//!   same on the node where the agent left; the sweep covers nodes that died before theirs fired.

use super::bus_redis::run;
use super::presence_redis::{RedisPresence, wall_ms};
use crate::state::App;
use frontdesk_core::{AgentId, SiteId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Deletes a hash field only if it still holds the value read (an agent who came back and
/// left again in between keeps their new entry).
const HDEL_IF: &str = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then \
                       return redis.call('HDEL', KEYS[1], ARGV[1]) else return 0 end";

/// How long the cluster's shared entries stay in Redis after the last node stopped.
const KEEP_SECS: i64 = 3600;

impl RedisPresence {
    /// Starts the heartbeat, the sweep and the availability refresher (separate tasks: a slow
    /// sweep never delays the heartbeat that keeps this node alive).
    pub fn spawn(
        self: &Arc<Self>,
        app: App,
        sites_changed: mpsc::UnboundedReceiver<Vec<SiteId>>,
    ) -> Vec<JoinHandle<()>> {
        let (beat, sweep, refresh) = (self.clone(), self.clone(), self.clone());
        vec![
            tokio::spawn(async move {
                let mut ticker = beat.ticker();
                loop {
                    ticker.tick().await;
                    beat.beat().await;
                }
            }),
            tokio::spawn(async move {
                let mut ticker = sweep.ticker();
                loop {
                    ticker.tick().await;
                    if let Err(e) = sweep.sweep(&app).await {
                        tracing::warn!(error = %e, "presence sweep failed");
                    }
                }
            }),
            tokio::spawn(async move { refresh.refresh_loop(sites_changed).await }),
        ]
    }

    fn ticker(&self) -> tokio::time::Interval {
        let mut ticker = tokio::time::interval(self.heartbeat);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker
    }

    /// Marks this node alive and rewrites its entries.
    pub(crate) async fn beat(&self) {
        let dirty = self.dirty.swap(false, Ordering::Relaxed);
        let ttl = i64::try_from(self.ttl().as_secs().max(1)).unwrap_or(60);
        let agents = self.hub.local_agents();
        let mut pipe = redis::pipe();
        pipe.hset(
            self.key("nodes"),
            &self.node,
            format!("{}:{}", wall_ms(), self.clock.now().0),
        )
        .ignore();
        // The shared hashes outlive any one node, not a whole cluster that is gone for good.
        for key in ["nodes", "aconn", "ainfo", "agen", "aleft"] {
            pipe.expire(self.key(key), KEEP_SECS).ignore();
        }
        for (agent, n, info) in &agents {
            pipe.hset(self.key("aconn"), self.conn_field(*agent), *n)
                .ignore();
            let wire = super::presence_redis::InfoWire::of(info);
            if let Ok(json) = serde_json::to_string(&wire) {
                pipe.hset_nx(self.key("ainfo"), agent.0, json).ignore();
            }
        }
        let mut by_site: HashMap<SiteId, Vec<(String, String)>> = HashMap::new();
        for v in self.hub.local_visitors() {
            if let Ok(json) = serde_json::to_string(&v) {
                by_site
                    .entry(v.site_id)
                    .or_default()
                    .push((v.visitor_id.0, json));
            }
        }
        let sites: Vec<SiteId> = by_site.keys().copied().collect();
        for site in &sites {
            let key = self.vis_key(*site, &self.node);
            if dirty {
                pipe.del(&key).ignore();
            }
            pipe.expire(&key, ttl);
        }
        let refreshed: Vec<bool> = match run(&self.conn, &pipe).await {
            Ok(r) => r,
            Err(e) => {
                self.dirty.store(true, Ordering::Relaxed);
                tracing::warn!(error = %e, "presence heartbeat failed");
                return;
            }
        };
        // Keys that were gone (deleted above, expired, or Redis restarted): write them whole.
        let mut pipe = redis::pipe();
        for (site, present) in sites.iter().zip(refreshed) {
            if present {
                continue;
            }
            let key = self.vis_key(*site, &self.node);
            if let Some(fields) = by_site.get(site) {
                pipe.hset_multiple(&key, fields)
                    .ignore()
                    .expire(&key, ttl)
                    .ignore();
            }
        }
        if dirty {
            self.forget_stale_agents(&agents).await;
        }
        self.write("heartbeat", &pipe).await;
    }

    /// Removes this node's connection entries of agents no longer connected here.
    async fn forget_stale_agents(
        &self,
        agents: &[(AgentId, usize, crate::realtime::hub::AgentInfo)],
    ) {
        let here: HashSet<String> = agents.iter().map(|(a, _, _)| self.conn_field(*a)).collect();
        let fields: Vec<String> =
            match run(&self.conn, redis::cmd("HKEYS").arg(self.key("aconn"))).await {
                Ok(f) => f,
                Err(_) => {
                    self.dirty.store(true, Ordering::Relaxed);
                    return;
                }
            };
        let suffix = format!("|{}", self.node);
        let stale: Vec<&String> = fields
            .iter()
            .filter(|f| f.ends_with(&suffix) && !here.contains(*f))
            .collect();
        if !stale.is_empty() {
            let mut pipe = redis::pipe();
            pipe.hdel(self.key("aconn"), stale).ignore();
            self.write("stale agents", &pipe).await;
        }
    }

    /// Recomputes availability of the sites named by `SitesChanged` events (empty: the sites
    /// of this node's visitors), one read of the shared view per batch; and, on every
    /// heartbeat, of the sites of this node's visitors (repairing anything an event missed).
    async fn refresh_loop(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<Vec<SiteId>>) {
        let mut ticker = self.ticker();
        loop {
            let first = tokio::select! {
                next = rx.recv() => match next {
                    Some(sites) => sites,
                    None => return,
                },
                _ = ticker.tick() => Vec::new(),
            };
            let mut sites: HashSet<SiteId> = HashSet::new();
            let mut batch = vec![first];
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
            for b in batch {
                if b.is_empty() {
                    sites.extend(self.hub.visitor_sites());
                } else {
                    sites.extend(b);
                }
            }
            if sites.is_empty() {
                continue;
            }
            match self.view(None).await {
                Ok(view) => {
                    for site in sites {
                        self.hub
                            .set_availability(site, RedisPresence::available_in(&view, site));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "availability not refreshed"),
            }
        }
    }

    /// See the module documentation. Returns the agents whose chats were requeued.
    pub(crate) async fn sweep(&self, app: &App) -> Result<Vec<AgentId>, String> {
        let lock_ms = u64::try_from(self.heartbeat.as_millis()).unwrap_or(1000);
        let mut lock = redis::cmd("SET");
        lock.arg(self.key("sweep"))
            .arg(&self.node)
            .arg("NX")
            .arg("PX")
            .arg(lock_ms.saturating_sub(10).max(10));
        let got: Option<String> = run(&self.conn, &lock).await?;
        if got.is_none() {
            return Ok(Vec::new());
        }
        let view = self.view(None).await.map_err(|e| e.0)?;
        // Dead nodes: their agents count as having left at the node's last heartbeat.
        let mut orphans: HashMap<AgentId, i64> = HashMap::new();
        if !view.dead.is_empty() {
            let mut pipe = redis::pipe();
            for (agent, node, _) in &view.conns {
                if let Some(seen) = view.dead.get(node) {
                    pipe.hdel(self.key("aconn"), format!("{}|{node}", agent.0))
                        .ignore();
                    if !view.live.contains_key(agent) {
                        let at = orphans.entry(*agent).or_insert(seen.0);
                        *at = (*at).min(seen.0);
                    }
                }
            }
            for (agent, at) in &orphans {
                pipe.hset_nx(self.key("aleft"), agent.0, *at).ignore();
            }
            for node in view.dead.keys() {
                pipe.hdel(self.key("nodes"), node).ignore();
                tracing::warn!(node, "cluster node gone: its agents and visitors expired");
            }
            run::<redis::Value>(&self.conn, &pipe).await?;
            let sites: Vec<SiteId> = orphans
                .keys()
                .filter_map(|a| view.info.get(a))
                .flat_map(|i| i.sites.iter().copied())
                .collect();
            self.sites_changed(sites).await;
            for agent in orphans.keys() {
                let sites = view
                    .info
                    .get(agent)
                    .map(|i| i.sites.iter().copied().collect())
                    .unwrap_or_default();
                crate::services::presence::publish_presence(app, *agent, &sites).await;
            }
        }
        // Agents gone for the grace period, everywhere: their chats go back to the queue.
        let left: HashMap<String, i64> =
            run(&self.conn, redis::cmd("HGETALL").arg(self.key("aleft"))).await?;
        let now = self.clock.now().0;
        let mut requeued = Vec::new();
        for (agent, at) in left {
            let Ok(id) = agent.parse::<i64>().map(AgentId) else {
                continue;
            };
            let back = view.live.contains_key(&id);
            if !back && at.saturating_add(self.grace_ms) > now {
                continue; // still within the grace period
            }
            if !back {
                match crate::services::chats::agent_gone(app, id).await {
                    Ok(n) if n > 0 => {
                        tracing::info!(agent = id.0, chats = n, "agent gone: chats requeued");
                        requeued.push(id);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(agent = id.0, error = %e, "requeue failed; will retry");
                        continue;
                    }
                }
                // Their node may have died before telling anyone they left.
                let sites = view
                    .info
                    .get(&id)
                    .map(|i| i.sites.iter().copied().collect())
                    .unwrap_or_default();
                crate::services::presence::publish_presence(app, id, &sites).await;
            }
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(HDEL_IF)
                .arg(1)
                .arg(self.key("aleft"))
                .arg(&agent)
                .arg(at);
            run::<i64>(&self.conn, &cmd).await?;
        }
        Ok(requeued)
    }

    /// A graceful stop: this node's agents count as leaving now, its entries go away.
    pub async fn leave(&self) {
        let now = self.clock.now().0;
        let agents = self.hub.local_agents();
        let mut pipe = redis::pipe();
        for (agent, _, _) in &agents {
            pipe.hdel(self.key("aconn"), self.conn_field(*agent))
                .ignore()
                .hset_nx(self.key("aleft"), agent.0, now)
                .ignore();
        }
        for site in self.hub.visitor_sites() {
            pipe.del(self.vis_key(site, &self.node)).ignore();
        }
        pipe.hdel(self.key("nodes"), &self.node).ignore();
        self.write("leave", &pipe).await;
        let sites: Vec<SiteId> = agents
            .iter()
            .flat_map(|(_, _, i)| i.sites.iter().copied())
            .collect();
        self.sites_changed(sites).await;
    }
}

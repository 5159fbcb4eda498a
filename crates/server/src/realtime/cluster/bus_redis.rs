//! Cluster mode: events travel between nodes over one Redis pub/sub channel.
//!
//! - **Publishing** delivers to this node's hub at once (local delivery never depends on
//!   Redis), then `PUBLISH`es the event as JSON, tagged with this node's id, within a bounded
//!   time. When Redis does not answer in time the event waits in a bounded outbox, and a
//!   background task publishes it, in order, once Redis is back; a request never hangs on
//!   Redis. Messages are stored before they are published, so nothing stored is lost: if the
//!   outbox overflows, its events are dropped and every node is told to resync (clients
//!   reconnect and catch up by sequence).
//! - **Subscribing**: one connection per node, pinged regularly, re-opened with back-off when
//!   it drops (Redis restarted, connection killed). Events published while a node was not
//!   subscribed are lost to it, so after re-subscribing it closes its clients' connections:
//!   they reconnect and catch up from storage by sequence.
//! - Visitor-bound chat messages pass through a [`Sequencer`] so that each chat's messages
//!   reach its visitor in order even when two nodes publish them in the opposite order.

use super::sequencer::Sequencer;
use crate::realtime::bus::{Bus, BusEvent};
use crate::realtime::hub::Hub;
use frontdesk_core::SiteId;
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// Longest a single Redis command may take before it counts as failed.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(1);
/// Events kept while Redis cannot be reached; beyond this, they are dropped (and nodes resync).
const OUTBOX_MAX: usize = 10_000;
/// How long a visitor-bound message may wait for an earlier one that is late. A loaded node
/// can publish a few hundred milliseconds late (300 ms closed visitor sockets in the 3-node
/// bench on a busy 2-core machine); a longer hold only delays the rare truly lost case.
const SEQUENCE_HOLD: Duration = Duration::from_secs(2);
/// The subscriber connection is pinged this often (a silent dead connection is noticed).
const SUBSCRIBER_PING: Duration = Duration::from_secs(5);

/// Why the cluster's Redis could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    #[error("invalid Redis URL: {0}")]
    Url(String),
    #[error("cannot connect to Redis: {0}")]
    Connect(String),
}

/// A client for `url` and a self-reconnecting command connection.
pub async fn connect(url: &str) -> Result<(redis::Client, ConnectionManager), RedisError> {
    let client = redis::Client::open(url).map_err(|e| RedisError::Url(e.to_string()))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(REDIS_TIMEOUT * 2))
        .set_response_timeout(Some(REDIS_TIMEOUT))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(2));
    let conn = tokio::time::timeout(
        REDIS_TIMEOUT * 5,
        client.get_connection_manager_with_config(config),
    )
    .await
    .map_err(|_| RedisError::Connect("timed out".into()))?
    .map_err(|e| RedisError::Connect(e.to_string()))?;
    Ok((client, conn))
}

/// Runs one Redis command (or pipeline) within [`REDIS_TIMEOUT`].
pub async fn run<T: redis::FromRedisValue>(
    conn: &ConnectionManager,
    cmd: &(impl RedisQuery + Sync),
) -> Result<T, String> {
    let mut conn = conn.clone();
    match tokio::time::timeout(REDIS_TIMEOUT, cmd.query_on(&mut conn)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("Redis did not answer in time".into()),
    }
}

/// A command or a pipeline.
#[async_trait::async_trait]
pub trait RedisQuery {
    async fn query_on<T: redis::FromRedisValue>(
        &self,
        conn: &mut ConnectionManager,
    ) -> redis::RedisResult<T>;
}

#[async_trait::async_trait]
impl RedisQuery for redis::Cmd {
    async fn query_on<T: redis::FromRedisValue>(
        &self,
        conn: &mut ConnectionManager,
    ) -> redis::RedisResult<T> {
        self.query_async(conn).await
    }
}

#[async_trait::async_trait]
impl RedisQuery for redis::Pipeline {
    async fn query_on<T: redis::FromRedisValue>(
        &self,
        conn: &mut ConnectionManager,
    ) -> redis::RedisResult<T> {
        self.query_async(conn).await
    }
}

/// Where events end up on this node.
pub struct Local {
    pub hub: Arc<Hub>,
    sequencer: Arc<Sequencer>,
    /// Sites whose availability must be recomputed (read by the shared presence).
    sites_changed: mpsc::UnboundedSender<Vec<SiteId>>,
}

impl Local {
    pub fn new(hub: Arc<Hub>, sites_changed: mpsc::UnboundedSender<Vec<SiteId>>) -> Local {
        Local {
            sequencer: Sequencer::new(hub.clone(), SEQUENCE_HOLD),
            hub,
            sites_changed,
        }
    }

    pub fn dispatch(&self, event: BusEvent) {
        match event {
            BusEvent::SitesChanged { sites } => {
                // A site's team settings may have changed (services::agent_names::saved): the
                // next colleague's reply reads them again.
                for site in &sites {
                    self.hub.forget_agent_names(*site);
                }
                let _ = self.sites_changed.send(sites);
            }
            other => self.sequencer.push(other),
        }
    }
}

/// What travels on the channel.
#[derive(Serialize, Deserialize)]
struct Envelope {
    node: String,
    event: BusEvent,
}

#[derive(Default)]
struct Outbox {
    queue: VecDeque<String>,
    /// Events were dropped: the other nodes must resync.
    lost: bool,
}

/// The bus of a cluster node. See the module documentation.
pub struct RedisBus {
    node: String,
    channel: String,
    conn: ConnectionManager,
    local: Arc<Local>,
    outbox: Mutex<Outbox>,
    wake: Notify,
    /// The subscriber connection is open (events from other nodes arrive).
    subscribed: AtomicBool,
}

fn lock(m: &Mutex<Outbox>) -> MutexGuard<'_, Outbox> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl RedisBus {
    /// `prefix`: of the channel name (`{prefix}:bus`), shared by the nodes of one cluster.
    pub fn new(node: &str, prefix: &str, conn: ConnectionManager, local: Arc<Local>) -> Arc<Self> {
        Arc::new(RedisBus {
            node: node.to_string(),
            channel: format!("{prefix}:bus"),
            conn,
            local,
            outbox: Mutex::default(),
            wake: Notify::new(),
            subscribed: AtomicBool::new(false),
        })
    }

    /// Starts the subscriber and the outbox's publisher.
    pub fn spawn(self: &Arc<Self>, client: redis::Client) -> Vec<JoinHandle<()>> {
        let (subscriber, drainer) = (self.clone(), self.clone());
        vec![
            tokio::spawn(async move { subscriber.subscribe_loop(client).await }),
            tokio::spawn(async move { drainer.drain_loop().await }),
        ]
    }

    async fn send(&self, payload: &str) -> Result<(), String> {
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(&self.channel).arg(payload);
        run::<i64>(&self.conn, &cmd).await.map(|_| ())
    }

    fn queue(&self, payload: String) {
        let mut outbox = lock(&self.outbox);
        if outbox.queue.len() >= OUTBOX_MAX {
            tracing::error!(
                dropped = outbox.queue.len(),
                "Redis unreachable for too long: dropping queued events; nodes will resync"
            );
            outbox.queue.clear();
            outbox.lost = true;
        }
        outbox.queue.push_back(payload);
        drop(outbox);
        self.wake.notify_one();
    }

    /// Publishes queued events in order whenever Redis answers again.
    async fn drain_loop(self: Arc<Self>) {
        loop {
            self.wake.notified().await;
            loop {
                let next = {
                    let outbox = lock(&self.outbox);
                    match outbox.queue.front() {
                        Some(p) => Some(p.clone()),
                        None if outbox.lost => self.envelope(BusEvent::Resync),
                        None => None,
                    }
                };
                let Some(payload) = next else { break };
                match self.send(&payload).await {
                    Ok(()) => {
                        let mut outbox = lock(&self.outbox);
                        if outbox.queue.pop_front().is_none() {
                            outbox.lost = false;
                        }
                    }
                    Err(_) => tokio::time::sleep(REDIS_TIMEOUT / 2).await,
                }
            }
            tracing::info!("queued events published to Redis");
        }
    }

    fn envelope(&self, event: BusEvent) -> Option<String> {
        let envelope = Envelope {
            node: self.node.clone(),
            event,
        };
        serde_json::to_string(&envelope)
            .map_err(|e| tracing::error!(error = %e, "bus event did not serialize"))
            .ok()
    }

    /// Keeps one subscription open, for as long as the node runs.
    async fn subscribe_loop(self: Arc<Self>, client: redis::Client) {
        let mut subscribed_before = false;
        let mut backoff = Duration::from_millis(50);
        let mut failures = 0u32;
        loop {
            let opened = tokio::time::timeout(REDIS_TIMEOUT * 3, async {
                let mut pubsub = client.get_async_pubsub().await?;
                pubsub.subscribe(&self.channel).await?;
                Ok::<_, redis::RedisError>(pubsub.split())
            })
            .await;
            let (mut sink, mut stream) = match opened {
                Ok(Ok(pair)) => pair,
                Ok(Err(e)) => {
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!(error = %e, "cannot subscribe to Redis; retrying");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
                Err(_) => {
                    failures += 1;
                    tokio::time::sleep(backoff).await;
                    continue;
                }
            };
            backoff = Duration::from_millis(50);
            failures = 0;
            if subscribed_before {
                tracing::warn!("re-subscribed to Redis: closing connections so clients catch up");
                self.local.hub.close_all();
                let _ = self.local.sites_changed.send(Vec::new());
            } else {
                tracing::info!(channel = %self.channel, "subscribed to Redis");
            }
            subscribed_before = true;
            self.subscribed.store(true, Ordering::Relaxed);
            let mut ping = tokio::time::interval(SUBSCRIBER_PING);
            ping.tick().await;
            loop {
                tokio::select! {
                    msg = stream.next() => match msg {
                        Some(msg) => self.on_message(&msg),
                        None => break,
                    },
                    _ = ping.tick() => {
                        let pong = tokio::time::timeout(
                            REDIS_TIMEOUT * 3,
                            sink.ping::<redis::Value>(),
                        )
                        .await;
                        if !matches!(pong, Ok(Ok(_))) {
                            break;
                        }
                    }
                }
            }
            self.subscribed.store(false, Ordering::Relaxed);
            tracing::warn!("lost the Redis subscription; re-subscribing");
        }
    }

    fn on_message(&self, msg: &redis::Msg) {
        let envelope: Envelope = match serde_json::from_slice(msg.get_payload_bytes()) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable event on the bus; ignored");
                return;
            }
        };
        if envelope.node != self.node {
            self.local.dispatch(envelope.event);
        }
    }
}

#[async_trait::async_trait]
impl Bus for RedisBus {
    async fn publish(&self, event: BusEvent) {
        let payload = self.envelope(event.clone());
        self.local.dispatch(event);
        let Some(payload) = payload else { return };
        // Keep order: while older events wait in the outbox, newer ones queue behind them.
        if !lock(&self.outbox).queue.is_empty() {
            self.queue(payload);
            return;
        }
        if let Err(e) = self.send(&payload).await {
            tracing::warn!(error = %e, "publishing to Redis failed; queued for retry");
            self.queue(payload);
        }
    }

    fn backlog(&self) -> usize {
        lock(&self.outbox).queue.len()
    }

    /// Subscribed, and Redis answers a `PING` within [`REDIS_TIMEOUT`].
    async fn ready(&self) -> Result<(), String> {
        if !self.subscribed.load(Ordering::Relaxed) {
            return Err("not subscribed to Redis".into());
        }
        run::<String>(&self.conn, &redis::cmd("PING"))
            .await
            .map(|_| ())
    }
}

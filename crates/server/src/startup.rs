//! Building and running the app: storage opened, demo data made, listener served until told
//! to stop. Tests call [`start`] with their own listener and clock; `main` calls it too.
//!
//! The backend follows the settings: `database_url` selects PostgreSQL (else the SQLite file
//! in `data_dir`); `redis_url` selects cluster mode, where events travel over Redis and
//! presence is shared (else both stay in this process).

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::realtime::bus::{Bus, MemoryBus};
use crate::realtime::cluster::bus_redis::{self, Local, RedisBus};
use crate::realtime::cluster::presence_redis::RedisPresence;
use crate::realtime::hub::Hub;
use crate::realtime::presence::{MemoryPresence, Presence};
use crate::security::{VisitorTokens, dummy_hash, random_key};
use crate::state::{App, AppInner};
use crate::tracking::{geo::GeoLookup, ua::UaParser};
use frontdesk_core::store::{Store, StoreError};
use frontdesk_store_postgres::{PgOptions, PgStore};
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("cannot read the GeoIP database: {0}")]
    Geo(String),
    #[error("SMTP settings: {0}")]
    Mail(String),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot use Redis: {0}")]
    Redis(String),
    #[error("settings: {0}")]
    Config(String),
    #[error("TLS: {0}")]
    Tls(#[from] crate::listen::TlsError),
}

/// A running server.
pub struct Running {
    pub app: App,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// Cluster mode: the bus's and the presence's tasks, and the presence (to leave).
    background: Vec<JoinHandle<()>>,
    cluster: Option<Arc<RedisPresence>>,
    /// When serving TLS: the certificate in use, replaceable while running (SIGHUP).
    pub tls: Option<Arc<crate::tls::CertStore>>,
}

impl Running {
    /// Stop accepting, close every connection, leave the cluster, and wait.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // No new connections from here on; the open sockets are closed (their clients
        // reconnect elsewhere). Bounded: a connection that will not finish does not keep the
        // process alive.
        self.app.hub.close_all();
        if tokio::time::timeout(std::time::Duration::from_secs(10), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
        if let Some(presence) = self.cluster.take() {
            presence.leave().await;
        }
        self.background.iter().for_each(JoinHandle::abort);
    }

    /// Stop at once, as a crash would, as far as one process can: nothing is said to the
    /// cluster, connections are dropped, background work ends (its presence expires).
    pub fn abort(self) {
        self.task.abort();
        self.background.iter().for_each(JoinHandle::abort);
        self.app.hub.close_all();
    }

    /// Serve until the process is told to stop (Ctrl-C / SIGTERM).
    /// On the signal, stops as [`Running::stop`] does (in cluster mode, the other nodes learn
    /// at once that this node's agents and visitors left).
    pub async fn wait(mut self) -> std::io::Result<()> {
        tokio::select! {
            r = &mut self.task => return r.unwrap_or(Ok(())),
            _ = shutdown_signal() => {}
        }
        self.stop().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Opens the store the settings name: PostgreSQL (`database_url`, migrated on connect), or
/// the embedded SQLite file in the data directory.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, StartError> {
    match &settings.database_url {
        Some(url) => {
            let options = PgOptions {
                pool_size: settings.database_pool_size.max(1),
                search_index: settings.search.index,
                ..PgOptions::default()
            };
            let store = PgStore::connect(url, options)
                .await
                .map_err(|e| StartError::Database(e.to_string()))?;
            Ok(Arc::new(store))
        }
        None => {
            let options = SqliteOptions {
                unsafe_ack_before_commit: settings.unsafe_ack_before_commit,
                open_check_budget: if settings.database_full_check {
                    None
                } else {
                    SqliteOptions::default().open_check_budget
                },
                search_index: settings.search.index,
                ..SqliteOptions::default()
            };
            let store = SqliteStore::open(&settings.database_path(), options)
                .await
                .map_err(|e| StartError::Database(e.to_string()))?;
            Ok(Arc::new(store))
        }
    }
}

/// Builds the app on `listener` and starts serving.
pub async fn start(
    settings: Settings,
    listener: TcpListener,
    clock: SharedClock,
) -> Result<Running, StartError> {
    if settings.redis_url.is_some() && settings.database_url.is_none() {
        return Err(StartError::Config(
            "redis_url needs database_url: the nodes of a cluster share one PostgreSQL database"
                .into(),
        ));
    }
    let store = open_store(&settings).await?;
    start_with_store(settings, listener, clock, store).await
}

/// How events and presence travel: in this process, or between nodes over Redis.
struct Wiring {
    hub: Arc<Hub>,
    bus: Arc<dyn Bus>,
    presence: Arc<dyn Presence>,
    cluster: Option<Cluster>,
}

struct Cluster {
    client: redis::Client,
    bus: Arc<RedisBus>,
    presence: Arc<RedisPresence>,
    sites_changed: tokio::sync::mpsc::UnboundedReceiver<Vec<frontdesk_core::SiteId>>,
}

async fn wiring(
    settings: &Settings,
    clock: &SharedClock,
    node: &str,
) -> Result<Wiring, StartError> {
    let Some(url) = &settings.redis_url else {
        let hub = Arc::new(Hub::new());
        return Ok(Wiring {
            bus: Arc::new(MemoryBus::new(hub.clone())),
            presence: Arc::new(MemoryPresence::new(hub.clone())),
            hub,
            cluster: None,
        });
    };
    let (client, conn) = bus_redis::connect(url)
        .await
        .map_err(|e| StartError::Redis(e.to_string()))?;
    let hub = Arc::new(Hub::for_cluster());
    let (tx, sites_changed) = tokio::sync::mpsc::unbounded_channel();
    let local = Arc::new(Local::new(hub.clone(), tx));
    let bus = RedisBus::new(node, &settings.redis_prefix, conn.clone(), local);
    let presence = RedisPresence::new(
        node,
        &settings.redis_prefix,
        conn,
        hub.clone(),
        bus.clone(),
        clock.clone(),
        std::time::Duration::from_millis(settings.presence_heartbeat_ms),
        std::time::Duration::from_secs(settings.requeue_grace_secs),
    );
    // Counted among the live nodes before the first connection arrives.
    presence.beat().await;
    Ok(Wiring {
        hub,
        bus: bus.clone(),
        presence: presence.clone(),
        cluster: Some(Cluster {
            client,
            bus,
            presence,
            sites_changed,
        }),
    })
}

pub async fn start_with_store(
    settings: Settings,
    listener: TcpListener,
    clock: SharedClock,
    store: Arc<dyn Store>,
) -> Result<Running, StartError> {
    let addr = listener.local_addr()?;
    let (acceptor, cert_store) = match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => {
            let (acceptor, store) = crate::tls::acceptor(cert, key)?;
            (Some(acceptor), Some(store))
        }
        (None, None) => (None, None),
        _ => {
            return Err(StartError::Config(
                "tls_cert and tls_key go together: set both or neither".into(),
            ));
        }
    };
    let serving = crate::listen::Serving {
        tls: acceptor,
        header_read_timeout: std::time::Duration::from_millis(
            settings.limits.header_read_timeout_ms.max(1),
        ),
    };
    let public_base = settings.public_base(addr);
    let demo_site_key = if settings.demo {
        Some(crate::demo::ensure_demo(&*store, &public_base, clock.now()).await?)
    } else {
        None
    };
    let key = store.secret("visitor_token_key", random_key()).await?;
    let geo = match &settings.geoip_db {
        Some(path) => GeoLookup::open(path).map_err(StartError::Geo)?,
        None => GeoLookup::none(),
    };
    let mailer = match &settings.smtp {
        Some(s) => Some(Mailer::new(s).map_err(|e| StartError::Mail(e.to_string()))?),
        None => None,
    };
    let epoch = uuid::Uuid::new_v4().to_string();
    let Wiring {
        hub,
        bus,
        presence,
        cluster,
    } = wiring(&settings, &clock, &epoch).await?;
    let dummy = tokio::task::spawn_blocking(dummy_hash)
        .await
        .unwrap_or_default();
    let app = App(Arc::new(AppInner {
        public_base,
        store,
        hub,
        hot: crate::hot_chats::HotChats::new(settings.redis_url.is_none()),
        bus,
        presence,
        clock,
        tokens: VisitorTokens::new(key),
        geo,
        ua: UaParser::default(),
        mailer,
        metrics: Metrics::new(),
        epoch,
        dummy_hash: dummy,
        login_limits: Default::default(),
        ip_sockets: Default::default(),
        shared_limits: Arc::new(crate::limits::visitor::SharedLimits::new(&settings.limits)),
        archive_limits: crate::limits::archive::ArchiveLimiter::new(
            settings.limits.archive_searches,
        ),
        token_limits: crate::limits::tokens::TokenLimiter::new(
            settings.limits.api_token_requests,
            settings.limits.api_token_misses_per_ip,
        ),
        demo_site_key,
        settings,
    }));
    let mut background = vec![
        crate::services::hours::spawn(app.clone()),
        crate::services::routing::spawn_sweep(app.clone()),
    ];
    let cluster = cluster.map(|c| {
        background.extend(c.bus.spawn(c.client));
        background.extend(c.presence.spawn(app.clone(), c.sites_changed));
        c.presence
    });
    background.push(crate::services::unanswered::spawn_sweep(app.clone()));
    background.push(crate::services::unread::spawn_sweep(app.clone()));
    background.push(crate::services::reports::spawn(app.clone()));
    background.push(crate::services::audit::spawn_retention(app.clone()));
    background.extend(
        crate::services::webhooks::spawn(app.clone())
            .await
            .map_err(|e| StartError::Config(format!("webhooks: {e}")))?,
    );
    background.push(crate::services::retention::spawn(app.clone()));
    let router = crate::http::router(app.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(crate::listen::serve(listener, router, serving, rx));
    Ok(Running {
        app,
        addr,
        shutdown: Some(tx),
        task,
        background,
        cluster,
        tls: cert_store,
    })
}

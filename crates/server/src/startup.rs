//! Building and running the app: storage opened, demo data made, listener served until told
//! to stop. Tests call [`start`] with their own listener and clock; `main` calls it too.

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::realtime::bus::MemoryBus;
use crate::realtime::hub::Hub;
use crate::security::{VisitorTokens, dummy_hash, random_key};
use crate::services::mail::Mailer;
use crate::state::{App, AppInner};
use crate::tracking::{geo::GeoLookup, ua::UaParser};
use frontdesk_core::store::{Store, StoreError};
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
}

/// A running server.
pub struct Running {
    pub app: App,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stop accepting, close, and wait.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }

    /// Serve until the process is told to stop (Ctrl-C / SIGTERM).
    pub async fn wait(mut self) -> std::io::Result<()> {
        let shutdown = self.shutdown.take();
        let task = self.task;
        tokio::select! {
            r = task => r.unwrap_or(Ok(())),
            _ = shutdown_signal() => {
                if let Some(tx) = shutdown { let _ = tx.send(()); }
                Ok(())
            }
        }
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

/// Opens the embedded store in the settings' data directory.
pub async fn open_store(settings: &Settings) -> Result<SqliteStore, StartError> {
    SqliteStore::open(&settings.database_path(), SqliteOptions::default())
        .await
        .map_err(|e| StartError::Database(e.to_string()))
}

/// Builds the app on `listener` and starts serving.
pub async fn start(
    settings: Settings,
    listener: TcpListener,
    clock: SharedClock,
) -> Result<Running, StartError> {
    let store: Arc<dyn Store> = Arc::new(open_store(&settings).await?);
    start_with_store(settings, listener, clock, store).await
}

pub async fn start_with_store(
    settings: Settings,
    listener: TcpListener,
    clock: SharedClock,
    store: Arc<dyn Store>,
) -> Result<Running, StartError> {
    let addr = listener.local_addr()?;
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
    let hub = Arc::new(Hub::new());
    let bus = Arc::new(MemoryBus::new(hub.clone()));
    let dummy = tokio::task::spawn_blocking(dummy_hash)
        .await
        .unwrap_or_default();
    let app = App(Arc::new(AppInner {
        public_base,
        store,
        hub,
        bus,
        clock,
        tokens: VisitorTokens::new(key),
        geo,
        ua: UaParser::default(),
        mailer,
        metrics: Metrics::new(),
        epoch: uuid::Uuid::new_v4().to_string(),
        dummy_hash: dummy,
        login_limits: Default::default(),
        ip_sockets: Default::default(),
        demo_site_key,
        settings,
    }));
    let router = crate::http::router(app.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    Ok(Running {
        app,
        addr,
        shutdown: Some(tx),
        task,
    })
}

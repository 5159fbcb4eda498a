//! Frontdesk storage on PostgreSQL: the store of cluster mode, where many identical nodes
//! share one database.
//!
//! - **Same semantics as the embedded SQLite store** (the same test-suite runs against both):
//!   a write returns only after its transaction committed (`synchronous_commit` as the server
//!   is configured, `on` by default); [`ChatStore::update_chat_state`] is one conditional
//!   `UPDATE ... WHERE version = $n`, so the database decides races between nodes;
//!   [`ChatStore::append_message`] bumps `chats.last_seq` and inserts the message in ONE
//!   statement (one transaction): per-chat numbers without gaps, and a resend with the same
//!   `client_id` returns the stored message.
//! - **Pool**: `deadpool-postgres`, statements prepared once per connection. A broken
//!   connection is dropped and replaced; while the server is unreachable every call fails
//!   fast with [`StoreError::Unavailable`] and the store recovers by itself when it returns.
//! - **Migrations** (`migrations/NNNN_name.sql`) are applied at connect (and by
//!   `frontdesk migrate`), under an advisory lock so that nodes starting together apply each
//!   once. The applied versions are kept in `frontdesk_migrations`.
//!
//! [`ChatStore::update_chat_state`]: frontdesk_core::store::ChatStore::update_chat_state
//! [`ChatStore::append_message`]: frontdesk_core::store::ChatStore::append_message

mod agents;
mod archive;
mod blocks;
pub mod bulk;
mod canned;
mod chats;
mod colleagues;
mod departments;
pub mod dump;
mod files;
mod identity;
mod integrations;
mod map;
mod migrate;
mod offline;
mod privacy;
mod ratings;
mod reports;
mod routing;
pub mod scratch;
mod settings;
mod sites;
mod tags;
mod unanswered;
mod unread;
mod visitors;
mod webhooks;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use frontdesk_core::store::{StoreError, StoreResult};
use map::Db;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

pub use map::COMMIT_LATENCY;
/// The schema version a database is at, without migrating it (the rolling-upgrade test).
pub use migrate::applied_version;
pub use migrate::{latest_version, migrate};

/// Parameters of a statement.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Tuning knobs for [`PgStore::connect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgOptions {
    /// Most connections this store opens (each node has its own pool).
    pub pool_size: usize,
    /// How long opening a connection, or waiting for a free one, may take before the call
    /// fails with `Unavailable`.
    pub timeout: Duration,
    /// Keep the full-text search index (`[search] index`, default true). Off, this store's
    /// connections run with `frontdesk.search_index = off`, which the indexing triggers
    /// obey (the server answers searches `search_off`); back on, run
    /// `frontdesk search rebuild`.
    pub search_index: bool,
}

impl Default for PgOptions {
    fn default() -> PgOptions {
        PgOptions {
            pool_size: 16,
            timeout: Duration::from_secs(5),
            search_index: true,
        }
    }
}

/// Why [`PgStore::connect`] (or [`migrate`]) failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL is not a PostgreSQL connection string.
    #[error("invalid PostgreSQL URL: {0}")]
    Url(String),
    /// The server could not be reached, or refused the connection.
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(String),
    /// The database was migrated by a newer Frontdesk.
    #[error("database schema version {found} is newer than this build knows ({known})")]
    TooNew { found: i64, known: i64 },
    /// A migration failed; the database is left at the previous version.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// Any other failure while preparing the database.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
}

/// Frontdesk storage on a PostgreSQL database. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Which webhooks want which events (webhooks.rs): read by every write that may cause one.
    webhooks: std::sync::Arc<frontdesk_core::webhooks::Subscriptions>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PgStore")
            .field("size", &status.size)
            .field("max_size", &status.max_size)
            .finish_non_exhaustive()
    }
}

/// A pool of connections to `url` (nothing is connected yet).
pub(crate) fn pool(url: &str, options: PgOptions) -> Result<Pool, OpenError> {
    let mut config =
        tokio_postgres::Config::from_str(url).map_err(|e| OpenError::Url(e.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.timeout);
    }
    if !options.search_index {
        config.options("-c frontdesk.search_index=off");
    }
    if config.get_application_name().is_none() {
        config.application_name("frontdesk");
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(options.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(options.timeout))
        .create_timeout(Some(options.timeout))
        .recycle_timeout(Some(options.timeout))
        .build()
        .map_err(|e| OpenError::Connect(e.to_string()))
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), applies pending migrations, and
    /// keeps a pool of at most `options.pool_size` connections.
    pub async fn connect(url: &str, options: PgOptions) -> Result<PgStore, OpenError> {
        let pool = pool(url, options)?;
        {
            let mut client = pool
                .get()
                .await
                .map_err(|e| OpenError::Connect(e.to_string()))?;
            migrate::apply(&mut client).await?;
        }
        tracing::info!(pool_size = options.pool_size, "postgres store connected");
        Ok(PgStore {
            pool,
            webhooks: Default::default(),
        })
    }

    /// The webhook subscription set.
    pub(crate) fn subscriptions(&self) -> std::sync::Arc<frontdesk_core::webhooks::Subscriptions> {
        self.webhooks.clone()
    }

    /// A pooled connection (for maintenance: export, import, tests).
    pub async fn client(&self) -> StoreResult<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("postgres: {e}")))
    }

    /// Rows of `sql`.
    pub(crate) async fn rows(&self, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.db()?;
        client.query(&stmt, params).await.db()
    }

    /// The one row of `sql`, if any.
    pub(crate) async fn row(&self, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.db()?;
        client.query_opt(&stmt, params).await.db()
    }

    /// The one row of `sql`; `NotFound` when there is none.
    pub(crate) async fn one(&self, sql: &str, params: Params<'_>) -> StoreResult<Row> {
        self.row(sql, params).await?.ok_or(StoreError::NotFound)
    }

    /// Rows changed by `sql`.
    pub(crate) async fn exec(&self, sql: &str, params: Params<'_>) -> StoreResult<u64> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.db()?;
        client.execute(&stmt, params).await.db()
    }

    /// Like [`PgStore::exec`], but `NotFound` when no row changed.
    pub(crate) async fn exec_one(&self, sql: &str, params: Params<'_>) -> StoreResult<()> {
        map::changed(self.exec(sql, params).await?)
    }
}

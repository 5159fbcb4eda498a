//! Frontdesk storage on one embedded SQLite file.
//!
//! - **Durable**: WAL journal, `synchronous=FULL` (every commit fsyncs the WAL),
//!   `foreign_keys=ON`; a write is acknowledged only after its transaction committed.
//! - **Group commit**: one OS thread owns the only read-write connection. Writes are queued
//!   to it as closures; it runs every job already waiting (up to
//!   [`SqliteOptions::max_batch`]) in one transaction, each job in its own savepoint (a job
//!   that fails is rolled back alone), commits once (one fsync for the whole batch), and
//!   only then answers the callers.
//! - **Reads** run on a small pool of read-only connections on tokio's blocking threads;
//!   WAL lets them proceed while the writer commits, and they see every acknowledged write.
//! - **Safe open**: the parent directory and the file are created if missing, the file is
//!   checked with `PRAGMA quick_check` (a corrupt file is refused, never served; on a large
//!   file the check is bounded at open and finishes in the background, see [`check`]), and
//!   pending schema migrations (`migrations/NNNN_name.sql`, tracked by `PRAGMA user_version`)
//!   are applied, each in its own transaction.
//!
//! The [`frontdesk_core::store`] traits are implemented in the per-area modules.

mod agents;
mod archive;
pub mod backup;
mod blocks;
mod bulk;
mod canned;
mod chats;
pub mod check;
mod colleagues;
mod departments;
pub mod dump;
mod fault;
mod files;
mod identity;
pub mod inspect;
mod integrations;
mod map;
mod migrate;
mod offline;
mod page_loads;
mod privacy;
mod ratings;
mod readers;
mod reports;
mod routing;
mod search_queue;
mod search_terms;
mod settings;
mod sites;
mod tags;
mod unanswered;
mod unread;
mod visitors;
mod webhooks;
mod writer;

pub use writer::COMMIT_LATENCY;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod unit_tests;

use frontdesk_core::store::{StoreError, StoreResult};
use readers::ReadPool;
use rusqlite::{Connection, OpenFlags, Transaction};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use writer::Writer;

pub use check::Integrity;
pub use fault::WriteFault;
pub use frontdesk_core::bulk::BulkHistory;

/// How long a connection waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);
/// Prepared statements kept per connection (the store uses a few dozen distinct ones).
const STATEMENT_CACHE: usize = 128;
/// Page cache per connection, in KiB (negative `cache_size` means KiB in SQLite).
const CACHE_KIB: i64 = 16 * 1024;
/// The WAL file is truncated back to at most this size after a checkpoint.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Tuning knobs for [`SqliteStore::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// `true` (the default and the only setting for production): `synchronous=FULL`, every
    /// commit fsyncs the WAL before the write is acknowledged.
    ///
    /// `false` selects `synchronous=NORMAL`, where a commit acknowledged just before a power
    /// loss may be lost. It exists only so that a test can show that weakened durability is
    /// detectable (see [`SqliteStore::durability`]); never turn it off in a deployment.
    pub synchronous_full: bool,
    /// Number of read-only connections (at least 1 is used).
    pub readers: usize,
    /// Most write jobs committed together in one transaction (at least 1 is used).
    pub max_batch: usize,
    /// BROKEN ON PURPOSE, for tests only: acknowledge writes before committing them (and wait
    /// 50 ms before the commit). The crash test runs once with this on to show that it detects
    /// lost acknowledged messages. Never set it in a deployment.
    pub unsafe_ack_before_commit: bool,
    /// How long `PRAGMA quick_check` may hold up [`SqliteStore::open`] (default
    /// [`check::OPEN_CHECK_BUDGET`]); if the file is larger than that covers, the check
    /// finishes on a background thread (see [`SqliteStore::integrity`]). `None`: the whole
    /// file is checked before open returns (start-up time grows with the file, seconds per GiB).
    pub open_check_budget: Option<Duration>,
    /// Keep the full-text search index (`[search] index`, default true): a chat header is
    /// indexed in the transaction that writes it, a message is queued by its transaction and
    /// indexed soon after, and always before a search (`search_queue.rs`). Off, nothing is
    /// indexed (the server answers searches `search_off`); turning it back on needs
    /// `frontdesk search rebuild`.
    pub search_index: bool,
    /// How long the writer must have had nothing to do before it indexes the messages queued
    /// for search (default 200 ms). A search indexes them first whatever this is; tests set
    /// it long so that nothing is indexed behind their back.
    pub search_idle: Duration,
}

impl Default for SqliteOptions {
    fn default() -> SqliteOptions {
        SqliteOptions {
            synchronous_full: true,
            readers: 4,
            max_batch: 512,
            unsafe_ack_before_commit: false,
            open_check_budget: Some(check::OPEN_CHECK_BUDGET),
            search_index: true,
            search_idle: search_queue::IDLE,
        }
    }
}

/// Why [`SqliteStore::open`] refused to open a database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The parent directory could not be created.
    #[error("cannot create directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a database or fails `PRAGMA quick_check`. It is not served.
    #[error("database {path} is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// The file was written by a newer Frontdesk (its schema version is unknown here).
    #[error("database schema version {found} is newer than this build knows ({known})")]
    TooNew { found: i64, known: i64 },
    /// A schema migration failed; the database is left at the previous version.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// A required setting could not be applied (e.g. WAL mode on a file system without
    /// shared memory support).
    #[error("cannot configure database: {0}")]
    Config(String),
    /// Any other SQLite failure while opening.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread could not be started, or the open task failed.
    #[error("cannot start storage threads: {0}")]
    Thread(String),
}

/// The durability settings in force on the write connection, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durability {
    /// `PRAGMA journal_mode` (expected: `wal`).
    pub journal_mode: String,
    /// `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    pub synchronous: i64,
}

impl Durability {
    /// True when every acknowledged commit has been fsynced (WAL with FULL or EXTRA).
    pub fn is_full(&self) -> bool {
        self.journal_mode.eq_ignore_ascii_case("wal") && self.synchronous >= 2
    }
}

/// Frontdesk storage on one SQLite file. Cheap to clone (shared inside).
///
/// Dropping the last clone stops the writer thread (after it finished its current batch)
/// and closes every connection.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    // Field order matters on drop: the writer (and its connection) goes first.
    writer: Writer,
    readers: Arc<ReadPool>,
    integrity: Arc<check::IntegrityState>,
    search_index: bool,
    /// Messages queued for the search index and not yet in it (`search_queue.rs`).
    search_backlog: Arc<search_queue::Backlog>,
    /// Which webhooks want which events (webhooks.rs): read by every write that may cause one.
    webhooks: Arc<frontdesk_core::webhooks::Subscriptions>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.integrity.stop();
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path`: creates the parent directory,
    /// refuses a corrupt file, applies pending migrations, configures WAL and durability,
    /// starts the writer thread and the reader pool.
    ///
    /// `PRAGMA quick_check` reads the whole file; it holds up the open for at most
    /// [`SqliteOptions::open_check_budget`] and the rest of a large file is checked in the
    /// background.
    pub async fn open(path: &Path, options: SqliteOptions) -> Result<SqliteStore, OpenError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || open_blocking(path, options))
            .await
            .map_err(|e| OpenError::Thread(e.to_string()))?
    }

    /// Whether writes keep the search index ([`SqliteOptions::search_index`]).
    pub(crate) fn search_index(&self) -> bool {
        self.inner.search_index
    }

    /// Where a new message is queued for the search index: `None` when writes do not keep
    /// the index ([`SqliteOptions::search_index`]).
    pub(crate) fn search_queue(&self) -> Option<Arc<search_queue::Backlog>> {
        self.inner
            .search_index
            .then(|| self.inner.search_backlog.clone())
    }

    /// The count of queued messages (for a flush, which zeroes it).
    pub(crate) fn search_backlog(&self) -> Arc<search_queue::Backlog> {
        self.inner.search_backlog.clone()
    }

    /// Indexes every message queued for search (`search_queue.rs`) in the writer's next
    /// batch, so that a search that follows sees every message acknowledged before.
    pub(crate) async fn flush_search_queue(&self) -> StoreResult<()> {
        let backlog = self.search_backlog();
        self.write(move |tx| search_queue::flush(tx, &backlog).map(|_| ()))
            .await
    }

    /// The webhook subscription set (cheap to clone into a write job).
    pub(crate) fn subscriptions(&self) -> Arc<frontdesk_core::webhooks::Subscriptions> {
        self.inner.webhooks.clone()
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// What the structural check of the file found so far (see [`check`]).
    pub fn integrity(&self) -> Integrity {
        self.inner.integrity.get()
    }

    /// Copies the WAL into the database file and truncates the WAL
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), between two write batches. SQLite also
    /// checkpoints automatically; this is for quiet moments and before backups.
    /// Returns whether the checkpoint completed (false when a reader held it back).
    pub async fn checkpoint(&self) -> StoreResult<bool> {
        self.inner
            .writer
            .exclusive(|conn| {
                let busy: i64 = conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
                    .map_err(map::store_error)?;
                Ok(busy == 0)
            })
            .await
    }

    /// The journal mode and `synchronous` level of the write connection, so that a health
    /// check (or a test) can detect weakened durability.
    pub async fn durability(&self) -> StoreResult<Durability> {
        self.inner
            .writer
            .exclusive(|conn| {
                let journal_mode: String = conn
                    .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                    .map_err(map::store_error)?;
                let synchronous: i64 = conn
                    .query_row("PRAGMA synchronous", [], |r| r.get(0))
                    .map_err(map::store_error)?;
                Ok(Durability {
                    journal_mode,
                    synchronous,
                })
            })
            .await
    }

    /// Runs `work` in the writer's current group-commit transaction (in its own savepoint)
    /// and returns its result once the transaction has durably committed.
    ///
    /// If the caller stops waiting, the job still runs and may commit.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.inner.writer.write(work).await
    }

    /// [`SqliteStore::write`] for a write that may cause webhook events: `work` gets the
    /// subscription set, and the delivery task is woken once the write committed.
    pub(crate) async fn write_events<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>, &frontdesk_core::webhooks::Subscriptions) -> StoreResult<T>
            + Send
            + 'static,
    {
        let subs = self.subscriptions();
        let inner = subs.clone();
        let out = self.inner.writer.write(move |tx| work(tx, &inner)).await;
        if !subs.is_empty() {
            subs.wake();
        }
        out
    }

    /// Runs `work` on a read-only connection, on a blocking thread.
    pub(crate) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.readers.run(work).await
    }

    /// A point read (one row by its key) on the caller's thread when a reader is idle: see
    /// [`ReadPool::run_inline`].
    pub(crate) async fn read_point<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.readers.run_inline(work).await
    }
}

fn open_blocking(path: PathBuf, options: SqliteOptions) -> Result<SqliteStore, OpenError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| OpenError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let checked = check::at_open(&mut conn, &path, options.open_check_budget)?;
    let integrity = check::IntegrityState::new(checked);
    configure_writer(&conn, options.synchronous_full)?;
    migrate::apply(&mut conn)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // What a crash left queued for the search index (`search_queue.rs`).
    let search_backlog = Arc::new(search_queue::Backlog::default());
    search_queue::flush_alone(&mut conn, &search_backlog);

    let readers = ReadPool::open(&path, options.readers.max(1))?;
    if options.unsafe_ack_before_commit {
        tracing::error!("UNSAFE: writes are acknowledged before they are committed (test mode)");
    }
    let writer = Writer::spawn(
        conn,
        options.max_batch.max(1),
        options.unsafe_ack_before_commit,
        search_backlog.clone(),
        options.search_idle,
    )
    .map_err(|e| OpenError::Thread(e.to_string()))?;
    if integrity.get() == Integrity::Checking {
        tracing::info!(path = %path.display(), "database is large: its check continues in the background");
        check::in_background(path.clone(), integrity.clone())
            .map_err(|e| OpenError::Thread(e.to_string()))?;
    }
    tracing::info!(path = %path.display(), "sqlite store open");
    Ok(SqliteStore {
        inner: Arc::new(Inner {
            path,
            writer,
            readers: Arc::new(readers),
            integrity,
            search_index: options.search_index,
            search_backlog,
            webhooks: Arc::default(),
        }),
    })
}

pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn configure_writer(conn: &Connection, synchronous_full: bool) -> Result<(), OpenError> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Config(format!(
            "journal_mode is {mode}, WAL is required"
        )));
    }
    let level = if synchronous_full { "FULL" } else { "NORMAL" };
    conn.pragma_update(None, "synchronous", level)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    if fk != 1 {
        return Err(OpenError::Config("foreign keys cannot be enabled".into()));
    }
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    plans_stable(conn)?;
    if !synchronous_full {
        tracing::warn!("sqlite store opened with synchronous=NORMAL: commits are not fsynced");
    }
    Ok(())
}

/// A cached statement keeps its plan whatever values are bound (SQLite's query planner
/// stability guarantee). Without it, a statement whose bound value SQLite may compare with a
/// constant while planning (an equality on an index's leading columns followed by ORDER BY on
/// the next, as in the visit and open-chat lookups of every page view) is marked to be
/// planned again whenever that value changes: it was parsed and planned anew at almost every
/// execution, 74% of the writer thread's time while recording page views (BENCHMARKS.md,
/// "Page views: statements planned again at every step"). Frontdesk runs no ANALYZE, so no
/// plan depended on the bound values.
pub(crate) fn plans_stable(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(drop)
}

/// The error returned when the writer thread is gone.
fn writer_gone() -> StoreError {
    StoreError::Unavailable("storage writer stopped".into())
}

//! A small pool of read-only connections, used from tokio's blocking threads.
//!
//! A semaphore with one permit per connection makes callers wait asynchronously when every
//! connection is busy; a permit guarantees that a connection is in the pool.

use crate::map::store_error;
use crate::{BUSY_TIMEOUT, CACHE_KIB, OpenError, STATEMENT_CACHE};
use frontdesk_core::store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct ReadPool {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReadPool {
    /// Opens `count` read-only connections to the (already created and migrated) file.
    pub(crate) fn open(path: &Path, count: usize) -> Result<ReadPool, OpenError> {
        let conns = (0..count)
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReadPool {
            idle: Mutex::new(conns),
            permits: Arc::new(Semaphore::new(count)),
        })
    }

    /// Runs `work` on an idle connection, on a blocking thread.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("reader pool closed".into()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let checkout = pool.checkout(permit)?;
            work(checkout.conn()?)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("read task failed: {e}")))?
    }

    /// Runs `work`, a point read (one row by key, from a cached statement: microseconds), on
    /// the calling task's own thread when a connection is idle, without the hop to a
    /// blocking thread and back that costs more than the read itself; on a blocking thread
    /// like [`ReadPool::run`] when every connection is busy. Only for reads that touch a few
    /// pages: a scan would stall the async worker.
    pub(crate) async fn run_inline<T, F>(self: &Arc<Self>, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let checkout = Arc::clone(self).checkout(permit)?;
                work(checkout.conn()?)
            }
            Err(_) => self.run(work).await,
        }
    }

    fn checkout(self: Arc<Self>, permit: OwnedSemaphorePermit) -> StoreResult<Checkout> {
        let conn = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| StoreError::Unavailable("no idle reader".into()))?;
        Ok(Checkout {
            conn: Some(conn),
            pool: self,
            _permit: permit,
        })
    }
}

/// A connection taken from the pool; goes back (even on panic) when dropped, before the
/// permit is released.
struct Checkout {
    conn: Option<Connection>,
    pool: Arc<ReadPool>,
    _permit: OwnedSemaphorePermit,
}

impl Checkout {
    fn conn(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError::Unavailable("reader connection missing".into()))
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

pub(crate) fn open_reader(path: &Path) -> Result<Connection, OpenError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    crate::plans_stable(&conn)?;
    // The Archive's prefix search asks this temp table for the index's terms.
    conn.execute_batch(crate::search_terms::CREATE_VOCABULARY)?;
    conn.pragma_update(None, "query_only", "ON")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Fail now rather than at the first query if the file cannot be read.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| OpenError::Config(format!("reader: {}", store_error(e))))?;
    Ok(conn)
}

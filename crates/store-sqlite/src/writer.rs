//! Group commit: one OS thread owns the only read-write connection.
//!
//! Async callers queue a job (a closure over the open transaction plus a reply channel).
//! The thread blocks for the first job, takes every job already queued (up to
//! `max_batch` in all), and runs them in ONE `BEGIN IMMEDIATE` transaction, each inside its
//! own `SAVEPOINT` so that a job returning an error is rolled back alone. It then commits
//! once — one WAL fsync for the whole batch — and only after the commit succeeded answers
//! each caller with its job's result. If the commit (or the transaction as a whole) fails,
//! every job of the batch is answered `StoreError::Unavailable` and nothing of it is kept.
//!
//! Page views (`record_page_load`) are queued apart and run after the batch's other jobs, all
//! together in one savepoint with one multi-row insert (`page_loads.rs`); they are answered
//! after the same commit.
//!
//! Between batches the thread also indexes the messages queued for search, in a transaction
//! of its own, when it is idle or the backlog is large (`search_queue.rs` has the rule).

use crate::page_loads::{self, PendingLoad};
use crate::search_queue::{self, AfterBatch, Backlog};
use crate::writer_gone;
use frontdesk_core::store::{PageLoad, PageLoaded, StoreError, StoreResult};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Work that needs the bare connection, outside any transaction (checkpoints, pragmas).
type Exclusive = Box<dyn FnOnce(&mut Connection) + Send>;

enum Msg {
    Job(Box<dyn Job>),
    /// A page view: batched with the others of the batch (`page_loads.rs`).
    PageLoad(Box<PendingLoad>),
    Exclusive(Exclusive),
}

/// The writes of one group commit.
struct Batch {
    jobs: Vec<Box<dyn Job>>,
    loads: Vec<PendingLoad>,
}

impl Batch {
    fn len(&self) -> usize {
        self.jobs.len() + self.loads.len()
    }

    fn push(&mut self, msg: Msg) -> Option<Exclusive> {
        match msg {
            Msg::Job(job) => self.jobs.push(job),
            Msg::PageLoad(load) => self.loads.push(*load),
            Msg::Exclusive(work) => return Some(work),
        }
        None
    }

    /// Answers every write of the batch (see [`Job::finish`]).
    fn finish(&mut self, outcome: &Result<(), StoreError>) {
        for job in self.jobs.drain(..) {
            job.finish(outcome.clone());
        }
        for load in self.loads.drain(..) {
            load.finish(outcome.clone());
        }
    }
}

/// A queued write, type-erased so that jobs of any result type share one queue.
trait Job: Send {
    /// Runs the work in the open transaction; true when it succeeded (keep its changes).
    fn run(&mut self, tx: &Transaction<'_>) -> bool;
    /// Answers the caller: its own result when the batch committed, else `outcome`'s error.
    fn finish(self: Box<Self>, outcome: Result<(), StoreError>);
}

struct Queued<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Job for Queued<T, F>
where
    T: Send,
    F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send,
{
    fn run(&mut self, tx: &Transaction<'_>) -> bool {
        let result = match self.work.take() {
            Some(work) => catch_unwind(AssertUnwindSafe(|| work(tx))).unwrap_or_else(|_| {
                tracing::error!("a storage write panicked; rolled back");
                Err(StoreError::Unavailable("storage write failed".into()))
            }),
            None => Err(StoreError::Unavailable("storage write ran twice".into())),
        };
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, outcome: Result<(), StoreError>) {
        let answer = match outcome {
            Ok(()) => self.result.unwrap_or_else(|| {
                Err(StoreError::Unavailable("storage write did not run".into()))
            }),
            Err(e) => Err(e),
        };
        // The caller may have stopped waiting; the write stands either way.
        let _ = self.reply.send(answer);
    }
}

/// Handle to the writer thread. Dropping it stops the thread after its current batch.
pub(crate) struct Writer {
    queue: Option<mpsc::Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread, which takes ownership of `conn`.
    pub(crate) fn spawn(
        conn: Connection,
        max_batch: usize,
        sabotage: bool,
        search_backlog: Arc<Backlog>,
        search_idle: Duration,
    ) -> std::io::Result<Writer> {
        let (queue, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("frontdesk-sqlite-writer".into())
            .spawn(move || {
                let search = Search {
                    backlog: &search_backlog,
                    idle: search_idle,
                };
                run(conn, rx, max_batch, sabotage, &search)
            })?;
        Ok(Writer {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues `work` for the next batch; resolves once the batch has committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Msg::Job(Box::new(Queued {
            work: Some(work),
            result: None,
            reply,
        })))?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Queues a page load for the next batch (batched with the batch's other page loads);
    /// resolves once the batch has committed.
    pub(crate) async fn page_load(&self, load: PageLoad) -> StoreResult<PageLoaded> {
        let (reply, answer) = oneshot::channel();
        self.send(Msg::PageLoad(Box::new(PendingLoad::new(load, reply))))?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Runs `work` on the write connection between two batches (no transaction open).
    pub(crate) async fn exclusive<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Msg::Exclusive(Box::new(move |conn: &mut Connection| {
            let _ = reply.send(work(conn));
        })))?;
        answer.await.map_err(|_| writer_gone())?
    }

    fn send(&self, msg: Msg) -> StoreResult<()> {
        self.queue
            .as_ref()
            .ok_or_else(writer_gone)?
            .send(msg)
            .map_err(|_| writer_gone())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue ends the thread's loop; wait for it so that the connection is
        // closed (and the WAL checkpointed) before the store counts as closed.
        self.queue.take();
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
            && thread.join().is_err()
        {
            tracing::error!("storage writer thread panicked");
        }
    }
}

/// The writer thread's loop: runs until every sender is gone.
fn run(
    mut conn: Connection,
    queue: mpsc::Receiver<Msg>,
    max_batch: usize,
    sabotage: bool,
    search: &Search<'_>,
) {
    let mut batch = Batch {
        jobs: Vec::with_capacity(max_batch),
        loads: Vec::with_capacity(max_batch),
    };
    // A message taken off the queue to see whether it was empty: the next batch's first.
    let mut taken = None;
    loop {
        let first = match taken.take() {
            Some(msg) => msg,
            None => match next(&queue, search) {
                Next::Msg(msg) => msg,
                Next::Idle => {
                    search_queue::flush_alone(&mut conn, search.backlog);
                    continue;
                }
                Next::Closed => break,
            },
        };
        if let Some(work) = batch.push(first) {
            run_exclusive(&mut conn, work);
            continue;
        }
        let mut after = None;
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(msg) => {
                    if let Some(work) = batch.push(msg) {
                        after = Some(work);
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, &mut batch, sabotage);
        if let Some(work) = after {
            run_exclusive(&mut conn, work);
        }
        let index = match search_queue::after_batch(search.backlog.get()) {
            AfterBatch::Wait => false,
            AfterBatch::Now => true,
            AfterBatch::IfIdle => match queue.try_recv() {
                Ok(msg) => {
                    taken = Some(msg);
                    false
                }
                Err(TryRecvError::Empty) => true,
                Err(TryRecvError::Disconnected) => false,
            },
        };
        if index {
            search_queue::flush_alone(&mut conn, search.backlog);
        }
    }
    if search.backlog.get() > 0 {
        search_queue::flush_alone(&mut conn, search.backlog);
    }
    // The readers may still be open, so closing this connection is not the last close that
    // would checkpoint by itself: copy the WAL into the file and empty it here. A WAL left
    // full is read whole at the next start (a 640 MB one added ~0.9 s to start-up).
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    }) {
        tracing::warn!(error = %e, "closing checkpoint failed");
    }
    tracing::debug!("storage writer stopped");
}

/// The search queue's backlog and how long the thread must be idle to index it.
struct Search<'a> {
    backlog: &'a Backlog,
    idle: Duration,
}

enum Next {
    Msg(Msg),
    /// Nothing was queued for [`Search::idle`] and messages wait for the index.
    Idle,
    Closed,
}

/// The next message; with a search backlog, waits for it only [`Search::idle`].
fn next(queue: &mpsc::Receiver<Msg>, search: &Search<'_>) -> Next {
    if search.backlog.get() == 0 {
        return queue.recv().map_or(Next::Closed, Next::Msg);
    }
    match queue.recv_timeout(search.idle) {
        Ok(msg) => Next::Msg(msg),
        Err(RecvTimeoutError::Timeout) => Next::Idle,
        Err(RecvTimeoutError::Disconnected) => Next::Closed,
    }
}

fn run_exclusive(conn: &mut Connection, work: Exclusive) {
    if catch_unwind(AssertUnwindSafe(|| work(conn))).is_err() {
        tracing::error!("an exclusive storage task panicked");
    }
}

/// Runs every job of `batch` in one transaction, commits once, then answers them all.
///
/// `sabotage` (tests only, see [`crate::SqliteOptions::unsafe_ack_before_commit`]) answers
/// every job *before* committing, then waits 50 ms: the broken behaviour that a crash test
/// must be able to catch.
fn commit_batch(conn: &mut Connection, batch: &mut Batch, sabotage: bool) {
    let outcome = run_batch(conn, batch, sabotage);
    if let Err(e) = &outcome {
        tracing::error!(jobs = batch.len(), error = %e, "write batch failed");
    }
    batch.finish(&outcome);
}

/// How long each write batch's `COMMIT` took (the fsync of the WAL with `synchronous=FULL`),
/// for every store of this process (`/metrics`: `frontdesk_store_commit_seconds`).
pub static COMMIT_LATENCY: frontdesk_core::latency::LatencyHistogram =
    frontdesk_core::latency::LatencyHistogram::new();

fn run_batch(conn: &mut Connection, batch: &mut Batch, sabotage: bool) -> Result<(), StoreError> {
    let unavailable =
        |what: &str, e: rusqlite::Error| StoreError::Unavailable(format!("{what}: {e}"));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| unavailable("begin", e))?;
    for job in batch.jobs.iter_mut() {
        savepoint(&tx, "SAVEPOINT job").map_err(|e| unavailable("savepoint", e))?;
        let end = if job.run(&tx) {
            savepoint(&tx, "RELEASE job")
        } else {
            savepoint(&tx, "ROLLBACK TO job").and_then(|()| savepoint(&tx, "RELEASE job"))
        };
        // Either failure means SQLite rolled the whole transaction back (e.g. disk full):
        // the jobs that already ran have lost their changes too. `tx` rolls back on drop.
        end.map_err(|e| unavailable("savepoint", e))?;
        if tx.is_autocommit() {
            return Err(StoreError::Unavailable(
                "transaction rolled back by sqlite".into(),
            ));
        }
    }
    if !batch.loads.is_empty() {
        page_loads::run(&tx, &mut batch.loads)?;
    }
    if sabotage {
        batch.finish(&Ok(()));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let started = std::time::Instant::now();
    let committed = tx.commit().map_err(|e| unavailable("commit", e));
    COMMIT_LATENCY.observe(started.elapsed());
    committed
}

fn savepoint(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(|_| ())
}

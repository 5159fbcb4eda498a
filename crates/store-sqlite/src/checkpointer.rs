//! WAL checkpoints off the writer thread.
//!
//! SQLite checkpoints by itself in the connection that commits, once the WAL holds 1,000 pages
//! (`wal_autocheckpoint`): on our single writer thread, that means a group commit now and then
//! also copies every page changed since the last checkpoint into the database file and fsyncs
//! it, and the writes queued meanwhile wait. Here the writer's `wal_hook` (which replaces the
//! automatic checkpoint) only signals a thread of its own, which runs a `PASSIVE` checkpoint
//! on a second read-write connection while the writer goes on committing. Nothing changes for
//! durability: a commit is durable once its WAL frames are synced, which the writer still does
//! before it answers; a checkpoint only copies committed pages, and SQLite makes a checkpoint
//! cut short by a crash safe to redo.
//!
//! If the thread cannot keep up (a checkpoint held back by long readers, or a slow disk) and
//! the WAL reaches [`WRITER_CHECKPOINT_PAGES`], the writer checkpoints itself, as SQLite would,
//! so the WAL stays bounded.

use crate::{BUSY_TIMEOUT, OpenError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

/// WAL size (pages) from which a commit asks the checkpoint thread for a checkpoint: SQLite's
/// own `wal_autocheckpoint` default.
pub(crate) const CHECKPOINT_PAGES: i32 = 1000;

/// WAL size (pages, ~40 MiB of 4 KiB pages) from which the writer checkpoints itself: the
/// thread fell behind.
pub(crate) const WRITER_CHECKPOINT_PAGES: i32 = 10 * 1000;

/// Checkpoints run so far, by the thread and by the writer itself.
#[derive(Debug, Default)]
pub(crate) struct CheckpointCounts {
    pub(crate) by_thread: AtomicU64,
    pub(crate) by_writer: AtomicU64,
}

/// Starts the checkpoint thread on its own connection to `path` and installs the writer's
/// `wal_hook` that signals it. The thread stops when the writer's connection is closed (the
/// hook, holding the only sender, is dropped with it).
pub(crate) fn start(
    writer: &mut Connection,
    path: &Path,
    synchronous_full: bool,
) -> Result<Arc<CheckpointCounts>, OpenError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(
        None,
        "synchronous",
        if synchronous_full { "FULL" } else { "NORMAL" },
    )?;
    let counts = Arc::new(CheckpointCounts::default());
    // One pending signal is enough: a checkpoint copies everything committed before it starts.
    let (signal, wait) = mpsc::sync_channel::<()>(1);
    let thread_counts = Arc::clone(&counts);
    std::thread::Builder::new()
        .name("frontdesk-sqlite-checkpoint".into())
        .spawn(move || run(conn, wait, &thread_counts))
        .map_err(|e| OpenError::Thread(e.to_string()))?;
    let hook_counts = Arc::clone(&counts);
    writer.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages| {
        on_commit(wal, pages, &signal, &hook_counts)
    }))?;
    Ok(counts)
}

/// The writer's hook after each commit, with the WAL's size in pages.
fn on_commit(
    wal: &mut rusqlite::hooks::Wal,
    pages: i32,
    signal: &SyncSender<()>,
    counts: &CheckpointCounts,
) -> rusqlite::Result<()> {
    if pages >= WRITER_CHECKPOINT_PAGES {
        counts.by_writer.fetch_add(1, Ordering::Relaxed);
        // As SQLite's own automatic checkpoint: a failure here is not the commit's.
        if let Err(e) = wal.checkpoint() {
            tracing::warn!(error = %e, pages, "checkpoint on the writer failed");
        }
    } else if pages >= CHECKPOINT_PAGES {
        match signal.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::warn!("checkpoint thread gone; the writer checkpoints");
                let _ = wal.checkpoint();
            }
        }
    }
    Ok(())
}

fn run(conn: Connection, wait: Receiver<()>, counts: &CheckpointCounts) {
    while wait.recv().is_ok() {
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        counts.by_thread.fetch_add(1, Ordering::Relaxed);
        match done {
            Ok((log, copied)) => tracing::trace!(log, copied, "checkpoint"),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
        }
    }
    tracing::debug!("checkpoint thread stopped");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::{SqliteOptions, SqliteStore};
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    /// Writes `n` commits of one 64 KiB blob each (16 pages of the WAL per commit).
    async fn write_blobs(s: &SqliteStore, n: usize) {
        for _ in 0..n {
            s.write(|tx| {
                tx.execute("INSERT INTO scratch (v) VALUES (zeroblob(65536))", [])
                    .map(|_| ())
                    .map_err(crate::map::store_error)
            })
            .await
            .unwrap();
        }
    }

    /// Once the WAL passes 1,000 pages, the checkpoint runs on the checkpoint thread, not in
    /// the writer's commit; the WAL then starts over, so it stays small.
    #[tokio::test]
    async fn the_wal_is_checkpointed_off_the_writer_thread() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("t.db"), SqliteOptions::default())
            .await
            .unwrap();
        s.write(|tx| {
            tx.execute_batch("CREATE TABLE scratch (v BLOB)")
                .map_err(crate::map::store_error)
        })
        .await
        .unwrap();
        let counts = std::sync::Arc::clone(&s.inner.checkpoints);
        // 70 commits × 16 pages: past the 1,000-page mark.
        write_blobs(&s, 70).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while counts.by_thread.load(Ordering::Relaxed) == 0 {
            assert!(Instant::now() < deadline, "no checkpoint on the thread");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(counts.by_writer.load(Ordering::Relaxed), 0);
        // The next commit starts the WAL over (everything before it was copied).
        write_blobs(&s, 1).await;
        let log: i64 = rusqlite::Connection::open(dir.path().join("t.db"))
            .unwrap()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap();
        assert!(log < 100, "WAL frames after the checkpoint: {log}");
    }
}

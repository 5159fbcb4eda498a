//! Messages reach the search index after their commit, many at a time (issue 16).
//!
//! A message's own transaction only notes, in `search_queue` (migrations/0013), that its chat
//! has messages not yet indexed and from which seq. The writer thread ([`crate::writer`])
//! indexes what is queued, in rowid order and in a transaction of its own:
//! - when it is idle (nothing queued for [`IDLE`]) with a backlog;
//! - after a batch, once [`BATCH`] messages wait and nothing else is queued, or, however
//!   busy it is, once [`BUSY_CAP`] wait;
//! - before every search and every index check ([`flush`] as a write job, so it runs after
//!   every write acknowledged before the search began): a search sees every acknowledged
//!   message, as when the index was written in the message's commit;
//! - when the store opens, for what a crash left queued.
//!
//! Why: FTS5 writes an index segment at every commit that indexes anything, and another
//! each time a rowid is not above the previous one. A group commit holds messages of many
//! chats in no rowid order, so each wrote several small segments, which FTS5 then merged:
//! that was a third of the cost of a message. Queued, one commit writes one segment for
//! hundreds of messages, and a message costs one `INSERT OR IGNORE` into a small table
//! (nothing at all when its chat is already queued).

use crate::archive::{MAX_SEQ, searchable, searchable_messages};
use crate::map::Db;
use frontdesk_core::ids::ChatId;
use frontdesk_core::model::MessageKind;
use frontdesk_core::store::StoreResult;
use rusqlite::{Connection, params};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Messages waiting at which the writer indexes them as soon as it has nothing else to do.
pub(crate) const BATCH: usize = 512;
/// Messages waiting at which the writer indexes them even with writes queued.
pub(crate) const BUSY_CAP: usize = 8 * BATCH;
/// How long the writer must have had nothing to do before it indexes a smaller backlog.
pub(crate) const IDLE: Duration = Duration::from_millis(200);

const QUEUE: &str = "INSERT OR IGNORE INTO search_queue (chat_id, from_seq) VALUES (?1, ?2)";
/// Every queued message in rowid order, so that FTS5 writes one segment; then the queue is
/// emptied. `CROSS JOIN` keeps the queue outside: each queued chat's messages by primary key
/// from its seq, which is rowid order already (seq < 2^20), so nothing is sorted and only
/// queued messages are read.
const FLUSH: &str = concat!(
    "INSERT INTO search (rowid, body) \
     SELECT (chat_id << 20) | seq, body FROM search_queue AS q \
     CROSS JOIN messages AS m USING (chat_id) WHERE seq >= q.from_seq AND ",
    searchable_messages!(),
    " ORDER BY chat_id, seq"
);
const EMPTY: &str = "DELETE FROM search_queue";

/// How many queued messages wait, as the writer thread counts them: raised by each message's
/// job (in the writer thread), zeroed by each flush. A job rolled back after counting leaves
/// it a little high, which only brings the next flush forward.
#[derive(Debug, Default)]
pub(crate) struct Backlog(AtomicUsize);

impl Backlog {
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    fn take(&self) -> usize {
        self.0.swap(0, Ordering::Relaxed)
    }
}

/// What the writer thread should do about the backlog after a batch.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterBatch {
    /// Nothing yet.
    Wait,
    /// Index now if no write is queued.
    IfIdle,
    /// Index now.
    Now,
}

/// The rule, for a backlog of `waiting` messages.
pub(crate) fn after_batch(waiting: usize) -> AfterBatch {
    if waiting >= BUSY_CAP {
        AfterBatch::Now
    } else if waiting >= BATCH {
        AfterBatch::IfIdle
    } else {
        AfterBatch::Wait
    }
}

/// Queues a new message for indexing, in its own transaction (a no-op for kinds that are not
/// searchable).
pub(crate) fn queue_message(
    c: &Connection,
    backlog: &Backlog,
    chat: ChatId,
    seq: i64,
    kind: MessageKind,
) -> StoreResult<()> {
    if searchable(kind) && seq < MAX_SEQ {
        c.prepare_cached(QUEUE)
            .db()?
            .execute(params![chat.0, seq])
            .db()?;
        backlog.add(1);
    }
    Ok(())
}

/// Indexes every queued message and empties the queue, in the caller's transaction; the
/// number of messages indexed. `backlog` is zeroed (what it counted is now indexed, or, if
/// the transaction fails, still queued and found again by the next flush).
pub(crate) fn flush(c: &Connection, backlog: &Backlog) -> StoreResult<usize> {
    backlog.take();
    let n = c.prepare_cached(FLUSH).db()?.execute([]).db()?;
    c.prepare_cached(EMPTY).db()?.execute([]).db()?;
    Ok(n)
}

/// [`flush`] in a transaction of its own, on the writer thread between two batches. A failure
/// is logged and the messages stay queued: the next flush takes them.
pub(crate) fn flush_alone(conn: &mut Connection, backlog: &Backlog) {
    let waiting = backlog.get();
    let done = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .db()
        .and_then(|tx| {
            flush(&tx, backlog)?;
            tx.commit().db()
        });
    if let Err(e) = done {
        backlog.add(waiting.max(1));
        tracing::warn!(error = %e, waiting, "indexing queued messages for search failed; they stay queued");
    }
}

#[cfg(test)]
#[path = "search_queue_tests.rs"]
mod tests;

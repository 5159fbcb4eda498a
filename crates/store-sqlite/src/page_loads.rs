//! Page views batched into the group commit (issue 16). Every `record_page_load` queued for
//! the same batch runs in one savepoint of the writer's transaction: each load continues or
//! starts its visit and reads the open chat (two statements), then ONE multi-row insert adds
//! all their page views. Each caller is answered after the commit, as every write is.
//!
//! If any load of the group fails (an unknown site), the group is rolled back and each load
//! runs again on its own, in its own savepoint, exactly as a single write would: one failing
//! load never costs another its page view.

use crate::map::Db;
use crate::visitors::{ADD_PAGE_VIEW, continue_or_start, open_chat, page_load};
use frontdesk_core::store::{PageLoad, PageLoaded, StoreError, StoreResult};
use rusqlite::{Connection, ToSql, Transaction, params_from_iter};
use std::sync::OnceLock;
use tokio::sync::oneshot;

/// A page load queued for the writer, and where its answer goes.
pub(crate) struct PendingLoad {
    load: PageLoad,
    result: Option<StoreResult<PageLoaded>>,
    reply: oneshot::Sender<StoreResult<PageLoaded>>,
}

impl PendingLoad {
    pub(crate) fn new(load: PageLoad, reply: oneshot::Sender<StoreResult<PageLoaded>>) -> Self {
        PendingLoad {
            load,
            result: None,
            reply,
        }
    }

    /// Answers the caller: its own result when the batch committed, else `outcome`'s error.
    pub(crate) fn finish(self, outcome: Result<(), StoreError>) {
        let answer = match outcome {
            Ok(()) => self
                .result
                .unwrap_or_else(|| Err(StoreError::Unavailable("page view did not run".into()))),
            Err(e) => Err(e),
        };
        // The caller may have stopped waiting; the write stands either way.
        let _ = self.reply.send(answer);
    }
}

/// Rows per multi-row insert: a batch is cut into statements of these sizes (largest first),
/// so that at most three statements are prepared and cached, whatever the batch's size.
const CHUNKS: [usize; 3] = [64, 8, 1];

fn insert_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        CHUNKS
            .iter()
            .map(|&n| {
                let values = vec!["(?, ?, ?, ?)"; n].join(", ");
                format!("INSERT INTO page_views (visit_id, url, title, viewed_at) VALUES {values}")
            })
            .collect()
    });
    CHUNKS
        .iter()
        .position(|&n| n == rows)
        .and_then(|i| all.get(i))
        .map_or(ADD_PAGE_VIEW, String::as_str)
}

/// Runs every load of `loads` in the open transaction (see the module's doc). `Err` only when
/// the transaction itself failed (then the whole batch is answered with it).
pub(crate) fn run(tx: &Transaction<'_>, loads: &mut [PendingLoad]) -> StoreResult<()> {
    let unavailable = |e: rusqlite::Error| StoreError::Unavailable(format!("savepoint: {e}"));
    savepoint(tx, "SAVEPOINT page_loads").map_err(unavailable)?;
    match together(tx, loads) {
        Ok(done) => {
            savepoint(tx, "RELEASE page_loads").map_err(unavailable)?;
            for (pending, loaded) in loads.iter_mut().zip(done) {
                pending.result = Some(Ok(loaded));
            }
        }
        Err(_) => {
            savepoint(tx, "ROLLBACK TO page_loads")
                .and_then(|()| savepoint(tx, "RELEASE page_loads"))
                .map_err(unavailable)?;
            for pending in loads.iter_mut() {
                savepoint(tx, "SAVEPOINT page_load").map_err(unavailable)?;
                let result = page_load(tx, &pending.load);
                let end = if result.is_ok() {
                    savepoint(tx, "RELEASE page_load")
                } else {
                    savepoint(tx, "ROLLBACK TO page_load")
                        .and_then(|()| savepoint(tx, "RELEASE page_load"))
                };
                end.map_err(unavailable)?;
                pending.result = Some(result);
            }
        }
    }
    if tx.is_autocommit() {
        return Err(StoreError::Unavailable(
            "transaction rolled back by sqlite".into(),
        ));
    }
    Ok(())
}

/// All loads, then one multi-row insert (in chunks) of their page views.
fn together(c: &Connection, loads: &[PendingLoad]) -> StoreResult<Vec<PageLoaded>> {
    let mut done = Vec::with_capacity(loads.len());
    for pending in loads {
        let visit = continue_or_start(c, &pending.load)?;
        let open_chat = open_chat(c, &pending.load)?;
        done.push(PageLoaded { visit, open_chat });
    }
    let mut rows = loads.iter().zip(&done);
    let mut left = loads.len();
    for &size in &CHUNKS {
        while left >= size {
            let mut values: Vec<&dyn ToSql> = Vec::with_capacity(size * 4);
            for (pending, loaded) in rows.by_ref().take(size) {
                values.push(&loaded.visit.id.0);
                values.push(&pending.load.url);
                values.push(&pending.load.title);
                values.push(&pending.load.visit.started_at.0);
            }
            c.prepare_cached(insert_sql(size))
                .db()?
                .execute(params_from_iter(values))
                .db()?;
            left -= size;
        }
    }
    Ok(done)
}

fn savepoint(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(|_| ())
}

#[cfg(test)]
#[path = "page_loads_tests.rs"]
mod tests;

//! The structural check of the database file (`PRAGMA quick_check`), bounded at open.
//!
//! `quick_check` reads every page, so on a large file it takes seconds to minutes. At open it
//! runs for at most [`OPEN_CHECK_BUDGET`] (a small file is checked whole in that time; a file
//! that is not a database fails at once): a damaged file found in that time is refused. If the
//! budget runs out first, the store opens and the whole file is checked again on a background
//! thread with its own read-only connection; a failure there is logged as an error and
//! reported by [`crate::SqliteStore::integrity`] (the server's `/readyz` then answers 503).
//! [`crate::SqliteOptions::open_check_budget`] `None` restores the unbounded check before open.

use crate::{OpenError, is_corruption};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the check may hold up the open by default before it continues in the background.
pub const OPEN_CHECK_BUDGET: Duration = Duration::from_millis(100);
/// Steps between two looks at the clock / stop flag: virtual-machine instructions, and inside
/// the b-tree walk of `quick_check` pages (SQLite ≥ 3.43 calls the handler there too).
const PROGRESS_STEPS: i32 = 64;

/// What the structural check found so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// The whole file passed `PRAGMA quick_check`.
    Ok,
    /// The open-time check ran out of time; the rest is being checked in the background.
    Checking,
    /// The background check found damage (the detail is SQLite's report).
    Corrupt(String),
    /// The background check could not run to the end (e.g. an I/O error, or the store closed).
    Unknown(String),
}

/// Shared between the store and its background check thread.
pub(crate) struct IntegrityState {
    state: Mutex<Integrity>,
    /// Set when the store closes: the background check stops early.
    stop: AtomicBool,
}

impl IntegrityState {
    pub(crate) fn new(state: Integrity) -> Arc<IntegrityState> {
        Arc::new(IntegrityState {
            state: Mutex::new(state),
            stop: AtomicBool::new(false),
        })
    }

    pub(crate) fn get(&self) -> Integrity {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, state: Integrity) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }

    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The outcome of one `quick_check` run.
enum Checked {
    Ok,
    Corrupt(String),
    /// Interrupted (budget spent or told to stop) before the end.
    Interrupted,
}

/// Runs `PRAGMA quick_check` on `conn`, giving up (interrupting) once `give_up()` is true.
fn run_check(
    conn: &mut Connection,
    give_up: impl FnMut() -> bool + Send + 'static,
) -> rusqlite::Result<Checked> {
    conn.progress_handler(PROGRESS_STEPS, Some(give_up))?;
    let rows: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA quick_check")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect());
    conn.progress_handler(0, None::<fn() -> bool>)?;
    match rows {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(Checked::Ok),
        Ok(rows) => Ok(Checked::Corrupt(rows.join("; "))),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
            Ok(Checked::Interrupted)
        }
        Err(e) if is_corruption(&e) => Ok(Checked::Corrupt(e.to_string())),
        Err(e) => Err(e),
    }
}

/// The open-time check: refuses a damaged file found within `budget` (`None`: no limit).
/// Returns [`Integrity::Ok`] when the whole file was checked, [`Integrity::Checking`] when
/// the budget ran out first.
pub(crate) fn at_open(
    conn: &mut Connection,
    path: &Path,
    budget: Option<Duration>,
) -> Result<Integrity, OpenError> {
    let start = Instant::now();
    let give_up = move || budget.is_some_and(|b| start.elapsed() > b);
    match run_check(conn, give_up) {
        Ok(Checked::Ok) => Ok(Integrity::Ok),
        Ok(Checked::Interrupted) => Ok(Integrity::Checking),
        Ok(Checked::Corrupt(detail)) => Err(OpenError::Corrupt {
            path: path.to_path_buf(),
            detail,
        }),
        Err(e) => Err(OpenError::Sqlite(e)),
    }
}

/// Checks the whole file on a thread of its own; the result lands in `state`.
pub(crate) fn in_background(path: PathBuf, state: Arc<IntegrityState>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("frontdesk-sqlite-check".into())
        .spawn(move || {
            let started = Instant::now();
            let outcome = crate::readers::open_reader(&path)
                .map_err(|e| e.to_string())
                .and_then(|mut conn| {
                    let watched = state.clone();
                    run_check(&mut conn, move || watched.stop.load(Ordering::Relaxed))
                        .map_err(|e| e.to_string())
                });
            let result = match outcome {
                Ok(Checked::Ok) => {
                    tracing::info!(
                        path = %path.display(),
                        secs = started.elapsed().as_secs_f64(),
                        "database check finished: ok"
                    );
                    Integrity::Ok
                }
                Ok(Checked::Corrupt(detail)) => {
                    tracing::error!(
                        path = %path.display(),
                        %detail,
                        "DATABASE IS CORRUPT (background quick_check): this node reports \
                         not ready; stop it and restore from a backup"
                    );
                    Integrity::Corrupt(detail)
                }
                Ok(Checked::Interrupted) => Integrity::Unknown("check stopped: store closed".into()),
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "database check failed to run");
                    Integrity::Unknown(e)
                }
            };
            state.set(result);
        })
        .map(|_| ())
}

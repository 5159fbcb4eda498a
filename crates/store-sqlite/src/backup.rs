//! Online backup of the SQLite file (`frontdesk backup`), and the checks a backup and a
//! restore run on a copy.
//!
//! [`snapshot`] runs `VACUUM INTO` on a **read-only** connection: in WAL mode a reader takes a
//! snapshot of the last commit and never holds a lock the writer needs, so a running server's
//! writer goes on committing while the copy is made (the copy is the state at the moment the
//! read transaction began: every write acknowledged before that is in it). The copy is
//! compacted and has no WAL of its own. Stored files live in the same database (`files`,
//! `file_data`), so they are in the copy too.

use crate::migrate;
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;

/// Why a snapshot or a check failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("no database at {0}")]
    Missing(String),
    #[error("{path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// `PRAGMA integrity_check` did not answer "ok".
    #[error("{path} fails the integrity check: {detail}")]
    Corrupt { path: String, detail: String },
    #[error("{path} already exists")]
    Exists { path: String },
    #[error("cannot create {path}: {source}")]
    Create {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Creates `path`, which must not exist, readable and writable by its owner only (on Unix).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// What a checked copy holds: its schema version and the row count of each table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub schema: i64,
    pub tables: BTreeMap<String, i64>,
}

/// The schema version this build writes (a backup from a newer one is refused on restore).
pub fn latest_version() -> i64 {
    migrate::latest()
}

fn at(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a consistent copy of the database at `db` to `out` (which must not exist), then
/// checks the copy ([`verify`]). Blocking: run it on a blocking thread.
pub fn snapshot(db: &Path, out: &Path) -> Result<Verified, BackupError> {
    if !db.is_file() {
        return Err(BackupError::Missing(db.display().to_string()));
    }
    if out.exists() {
        return Err(BackupError::Exists {
            path: out.display().to_string(),
        });
    }
    // The copy holds password hashes and signing keys: made private before SQLite fills it
    // (VACUUM INTO accepts an existing empty file).
    create_private(out).map_err(|e| BackupError::Create {
        path: out.display().to_string(),
        source: e,
    })?;
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(at(db))?;
    conn.busy_timeout(crate::BUSY_TIMEOUT).map_err(at(db))?;
    let target = out.to_string_lossy().to_string();
    conn.execute("VACUUM INTO ?1", [&target]).map_err(at(db))?;
    drop(conn);
    verify(out)
}

/// Checks the database file at `path` without changing it: `PRAGMA integrity_check` must
/// answer "ok"; returns its schema version (`PRAGMA user_version`) and row counts.
pub fn verify(path: &Path) -> Result<Verified, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Missing(path.display().to_string()));
    }
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(at(path))?;
    let corrupt = |detail: String| BackupError::Corrupt {
        path: path.display().to_string(),
        detail,
    };
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .map_err(|e| corrupt(e.to_string()))?;
    let answers: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| corrupt(e.to_string()))?;
    drop(stmt);
    if answers != ["ok"] {
        return Err(corrupt(answers.join("; ")));
    }
    let schema: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(at(path))?;
    let names: Vec<String> = conn
        .prepare(
            // Not the search index (`search` and its FTS5 shadow tables): derived from the
            // rows counted here.
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name <> 'search' AND name NOT LIKE 'search!_%' ESCAPE '!' ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(at(path))?;
    let mut tables = BTreeMap::new();
    for name in names {
        // The name comes from sqlite_master of this very file; quoted as an identifier.
        let sql = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0)).map_err(at(path))?;
        tables.insert(name, n);
    }
    Ok(Verified { schema, tables })
}

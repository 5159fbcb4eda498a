//! Read-only looks into a database file for `frontdesk doctor`: nothing here writes or
//! migrates, so it is safe beside a running server.

use crate::backup::BackupError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// A site's URLs as stored: its base URL and the extra origins allowed to embed the widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrls {
    pub name: String,
    pub base_url: String,
    pub allowed_origins: Vec<String>,
}

fn open(path: &Path) -> Result<Connection, BackupError> {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
        BackupError::Sqlite {
            path: path.display().to_string(),
            source,
        }
    })
}

fn at(path: &Path) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

/// The newest `created_at` (Unix milliseconds) of any site, chat or message; `None` when
/// there is none.
pub fn newest_write_ms(path: &Path) -> Result<Option<i64>, BackupError> {
    let conn = open(path)?;
    conn.query_row(
        "SELECT max(t) FROM (SELECT max(created_at) AS t FROM messages
                             UNION ALL SELECT max(created_at) FROM chats
                             UNION ALL SELECT max(created_at) FROM sites)",
        [],
        |r| r.get(0),
    )
    .map_err(at(path))
}

/// Every site's URLs.
pub fn site_urls(path: &Path) -> Result<Vec<SiteUrls>, BackupError> {
    let conn = open(path)?;
    let mut stmt = conn
        .prepare("SELECT name, base_url, allowed_origins FROM sites ORDER BY id")
        .map_err(at(path))?;
    let rows = stmt
        .query_map([], |r| {
            let origins: String = r.get(2)?;
            Ok(SiteUrls {
                name: r.get(0)?,
                base_url: r.get(1)?,
                allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(at(path))?;
    Ok(rows)
}

//! Privacy (issue 18), on both backends: "Export visitor data" holds everything about a
//! visitor; "Erase visitor" leaves no row mentioning them and no file (checked in the
//! database itself); the retention task deletes chats, files, search entries and visits past
//! a site's keep periods by the injectable clock; "Anonymise IP addresses" stores the
//! network. Shared helpers here; the tests in `privacy/`.

mod erase;
mod retention;

use crate::helpers::*;
use crate::rest::{ok_json, put};
use serde_json::{Value, json};

/// The database itself, read by the test (not through the store).
pub enum Raw {
    Sqlite(rusqlite::Connection),
    Pg(frontdesk_store_postgres::PgStore),
}

impl Raw {
    pub async fn open(app: &TestApp) -> Raw {
        match &app.settings.database_url {
            None => Raw::Sqlite(
                rusqlite::Connection::open(app.settings.database_path()).expect("raw sqlite"),
            ),
            Some(url) => {
                let store = frontdesk_store_postgres::PgStore::connect(url, Default::default())
                    .await
                    .expect("raw pg");
                Raw::Pg(store)
            }
        }
    }

    /// The one integer `sql` answers (SQL both databases read alike).
    pub async fn count(&self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(c) => c.query_row(sql, [], |r| r.get(0)).expect(sql),
            Raw::Pg(pg) => {
                let c = pg.client().await.expect("client");
                c.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0)
            }
        }
    }

    /// The application's tables (the audit log left out: it keeps its own entries, see
    /// docs/privacy.md) with a row holding `needle` in any column, as text (or, in
    /// PostgreSQL's bytea, as hex), each with how many.
    pub async fn mentions(&self, needle: &str) -> Vec<(String, i64)> {
        let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
        let mut found = Vec::new();
        match self {
            Raw::Sqlite(c) => {
                let tables: Vec<String> = c
                    .prepare(
                        "SELECT name FROM sqlite_master WHERE type = 'table' \
                         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search%' \
                         AND name <> 'audit_log'",
                    )
                    .expect("tables")
                    .query_map([], |r| r.get(0))
                    .expect("tables")
                    .map(|t| t.expect("table"))
                    .collect();
                for t in tables {
                    let cols: Vec<String> = c
                        .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
                        .expect("cols")
                        .query_map([], |r| r.get(0))
                        .expect("cols")
                        .map(|c| c.expect("col"))
                        .collect();
                    let cond: Vec<String> = cols
                        .iter()
                        .map(|c| format!("instr(CAST(\"{c}\" AS TEXT), ?1) > 0"))
                        .collect();
                    let sql = format!("SELECT count(*) FROM \"{t}\" WHERE {}", cond.join(" OR "));
                    let n: i64 = c.query_row(&sql, [needle], |r| r.get(0)).expect(&sql);
                    if n > 0 {
                        found.push((t, n));
                    }
                }
            }
            Raw::Pg(pg) => {
                let c = pg.client().await.expect("client");
                let tables: Vec<String> = c
                    .query(
                        "SELECT table_name::text FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                         AND table_name <> 'audit_log'",
                        &[],
                    )
                    .await
                    .expect("tables")
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                for t in tables {
                    let sql = format!(
                        "SELECT count(*) FROM \"{t}\" x WHERE strpos(x::text, $1) > 0 \
                         OR strpos(x::text, $2) > 0"
                    );
                    let n: i64 = c
                        .query_one(&sql, &[&needle, &hex])
                        .await
                        .expect(&sql)
                        .get(0);
                    if n > 0 {
                        found.push((t, n));
                    }
                }
            }
        }
        found
    }

    /// Search index entries of the SQLite FTS table matching `word` (PostgreSQL keeps its
    /// vectors in the rows themselves: [`Raw::mentions`] sees them).
    pub async fn search_entries(&self, word: &str) -> i64 {
        match self {
            Raw::Sqlite(c) => c
                .query_row(
                    "SELECT count(*) FROM search WHERE search MATCH ?1",
                    [word],
                    |r| r.get(0),
                )
                .expect("fts"),
            Raw::Pg(_) => 0,
        }
    }
}

/// Saves the site's "Privacy" section (the rest of its settings as they were) as `admin`.
pub async fn set_privacy(admin: &AgentClient, site: i64, privacy: Value) -> Value {
    let path = format!("/api/admin/sites/{site}/settings");
    ok_json(put(admin, &path, json!({ "privacy": privacy })).await, 200).await
}

/// The audit actions stored, newest first.
pub async fn audited(app: &TestApp) -> Vec<&'static str> {
    let filter = frontdesk_core::audit::AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let page = app.store().audit_page(&filter).await.expect("audit");
    page.iter().map(|e| e.action.as_str()).collect()
}

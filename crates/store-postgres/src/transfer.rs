//! Moving a whole database between backends (`frontdesk export` / `frontdesk import`): every
//! table as JSON lines, in an order that satisfies the foreign keys.
//!
//! The file starts with a header line `{"frontdesk_export":1,"schema":N}`; then one line per
//! row: `{"table":"chats","row":{"id":1,...}}`. Values are backend-neutral: integers, text,
//! `true`/`false`, JSON (a site's allowed origins, as an array) and bytes (lower-case hex).
//! [`TABLES`] describes the schema both backends share; this module reads and writes it on
//! PostgreSQL (the SQLite side lives in the server, next to the embedded store).

use crate::PgStore;
use crate::map::Db;
use frontdesk_core::store::{StoreError, StoreResult};
use futures_util::{StreamExt, pin_mut};
use serde_json::{Map, Value, json};
use std::io::Write;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// The export format's version.
pub const FORMAT: i64 = 1;

/// How a column's values are written in an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bool,
    /// Stored as JSON text (SQLite) or `jsonb` (PostgreSQL); exported as the JSON value.
    Json,
    /// Exported as lower-case hex.
    Bytes,
}

/// A table as exported.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// `ORDER BY` on SQLite (rows come out in a stable order).
    pub sqlite_order: &'static str,
    /// `ORDER BY` on PostgreSQL.
    pub pg_order: &'static str,
    /// Whether `id` is generated (its sequence is moved past the imported ids).
    pub serial_id: bool,
}

use Kind::*;

const fn table(
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    serial_id: bool,
) -> Table {
    Table {
        name,
        columns,
        sqlite_order: order,
        pg_order: order,
        serial_id,
    }
}

/// Every table, parents before children.
pub const TABLES: &[Table] = &[
    table(
        "sites",
        &[
            ("id", Int),
            ("key", Text),
            ("name", Text),
            ("base_url", Text),
            ("timezone", Text),
            ("allowed_origins", Json),
            ("email", Text),
            ("created_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "agents",
        &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("password_hash", Text),
            ("is_admin", Bool),
            ("status", Text),
            ("all_sites", Bool),
            ("created_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "agent_sites",
        &[("agent_id", Int), ("site_id", Int), ("monitoring", Bool)],
        "agent_id, site_id",
        false,
    ),
    table(
        "sessions",
        &[
            ("token_hash", Text),
            ("agent_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        "token_hash",
        false,
    ),
    table(
        "visitors",
        &[
            ("site_id", Int),
            ("visitor_id", Text),
            ("name", Text),
            ("email", Text),
            ("first_seen", Int),
            ("last_seen", Int),
        ],
        "site_id, visitor_id",
        false,
    ),
    table(
        "visits",
        &[
            ("id", Int),
            ("site_id", Int),
            ("visitor_id", Text),
            ("ip", Text),
            ("user_agent", Text),
            ("browser", Text),
            ("os", Text),
            ("referrer", Text),
            ("country", Text),
            ("country_code", Text),
            ("region", Text),
            ("city", Text),
            ("started_at", Int),
            ("last_seen", Int),
        ],
        "id",
        true,
    ),
    Table {
        name: "page_views",
        columns: &[
            ("visit_id", Int),
            ("url", Text),
            ("title", Text),
            ("viewed_at", Int),
        ],
        sqlite_order: "rowid",
        pg_order: "id",
        serial_id: true,
    },
    table(
        "chats",
        &[
            ("id", Int),
            ("site_id", Int),
            ("visitor_id", Text),
            ("visit_id", Int),
            ("visitor_name", Text),
            ("visitor_email", Text),
            ("state", Text),
            ("agent_id", Int),
            ("end_reason", Text),
            ("ended_by", Int),
            ("version", Int),
            ("last_seq", Int),
            ("created_at", Int),
            ("queued_at", Int),
            ("ended_at", Int),
            ("page_url", Text),
        ],
        "id",
        true,
    ),
    table(
        "messages",
        &[
            ("chat_id", Int),
            ("seq", Int),
            ("author", Text),
            ("agent_id", Int),
            ("author_name", Text),
            ("kind", Text),
            ("body", Text),
            ("client_id", Text),
            ("created_at", Int),
        ],
        "chat_id, seq",
        false,
    ),
    table(
        "canned_responses",
        &[
            ("id", Int),
            ("site_id", Int),
            ("agent_id", Int),
            ("title", Text),
            ("body", Text),
        ],
        "id",
        true,
    ),
    table(
        "blocks",
        &[
            ("id", Int),
            ("site_id", Int),
            ("visitor_id", Text),
            ("ip", Text),
            ("chat_id", Int),
            ("blocked_by", Int),
            ("created_at", Int),
            ("until", Int),
            ("lifted", Bool),
        ],
        "id",
        true,
    ),
    table(
        "offline_messages",
        &[
            ("id", Int),
            ("site_id", Int),
            ("visitor_id", Text),
            ("name", Text),
            ("email", Text),
            ("body", Text),
            ("page_url", Text),
            ("created_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "settings",
        &[("name", Text), ("value", Bytes)],
        "name",
        false,
    ),
];

/// The table named `name`.
pub fn table_named(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The header line.
pub fn header(schema: i64) -> Value {
    json!({ "frontdesk_export": FORMAT, "schema": schema })
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of a hex string.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// A failed transfer.
fn broken(what: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("transfer: {what}"))
}

fn select_list(t: &Table) -> String {
    t.columns
        .iter()
        .map(|(c, k)| match k {
            Json => format!("{c}::text"),
            _ => (*c).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cell(row: &Row, i: usize, kind: Kind) -> StoreResult<Value> {
    let v = match kind {
        Int => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::from)),
        Text => row
            .try_get::<_, Option<String>>(i)
            .map(|v| v.map(Value::from)),
        Bool => row
            .try_get::<_, Option<bool>>(i)
            .map(|v| v.map(Value::from)),
        Bytes => row
            .try_get::<_, Option<Vec<u8>>>(i)
            .map(|v| v.map(|b| Value::from(to_hex(&b)))),
        Json => {
            let text = row.try_get::<_, Option<String>>(i).map_err(broken)?;
            return match text {
                Some(t) => serde_json::from_str(&t).map_err(broken),
                None => Ok(Value::Null),
            };
        }
    };
    Ok(v.map_err(broken)?.unwrap_or(Value::Null))
}

/// One row's value of `col` as a statement parameter.
fn param(row: &Map<String, Value>, col: &str, kind: Kind) -> StoreResult<Box<dyn ToSql + Sync>> {
    let v = row.get(col).unwrap_or(&Value::Null);
    let bad = || broken(format!("column {col}: unexpected value {v}"));
    Ok(match (kind, v) {
        (Int, Value::Null) => Box::new(None::<i64>),
        (Int, v) => Box::new(Some(v.as_i64().ok_or_else(bad)?)),
        (Bool, Value::Null) => Box::new(None::<bool>),
        (Bool, Value::Bool(b)) => Box::new(Some(*b)),
        (Bool, v) => Box::new(Some(v.as_i64().ok_or_else(bad)? != 0)),
        (Text, Value::Null) => Box::new(None::<String>),
        (Text, Value::String(s)) => Box::new(Some(s.clone())),
        (Json, Value::Null) => Box::new(None::<String>),
        (Json, v) => Box::new(Some(v.to_string())),
        (Bytes, Value::String(s)) => Box::new(from_hex(s).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

/// Rows inserted per statement on import.
const BATCH: usize = 500;

impl PgStore {
    /// Writes every table to `out` (header first). Returns the number of rows.
    pub async fn export(&self, out: &mut (dyn Write + Send)) -> StoreResult<u64> {
        let client = self.client().await?;
        let line = |v: &Value, out: &mut (dyn Write + Send)| -> StoreResult<()> {
            writeln!(out, "{v}").map_err(broken)
        };
        line(&header(crate::latest_version()), out)?;
        let mut rows = 0;
        for t in TABLES {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                select_list(t),
                t.name,
                t.pg_order
            );
            let stream = client
                .query_raw(&sql, std::iter::empty::<i64>())
                .await
                .db()?;
            pin_mut!(stream);
            while let Some(row) = stream.next().await {
                let row = row.db()?;
                let mut obj = Map::new();
                for (i, (col, kind)) in t.columns.iter().enumerate() {
                    obj.insert((*col).to_string(), cell(&row, i, *kind)?);
                }
                line(&json!({ "table": t.name, "row": obj }), out)?;
                rows += 1;
            }
        }
        out.flush().map_err(broken)?;
        Ok(rows)
    }

    /// Loads an export (as produced by either backend) into this database, which must have
    /// no sites, agents or chats. All of it in one transaction: on error nothing is kept.
    pub async fn import(
        &self,
        lines: impl Iterator<Item = std::io::Result<String>>,
    ) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let used: i64 = tx
            .query_one(
                "SELECT (SELECT count(*) FROM sites) + (SELECT count(*) FROM agents) \
                 + (SELECT count(*) FROM chats)",
                &[],
            )
            .await
            .db()?
            .get(0);
        if used > 0 {
            return Err(StoreError::Conflict("the database is not empty".into()));
        }
        let mut pending: Vec<Map<String, Value>> = Vec::new();
        let mut current: Option<&'static Table> = None;
        let mut rows = 0u64;
        for (n, line) in lines.enumerate() {
            let line = line.map_err(broken)?;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value =
                serde_json::from_str(&line).map_err(|e| broken(format!("line {}: {e}", n + 1)))?;
            if n == 0 {
                if v["frontdesk_export"] != json!(FORMAT) {
                    return Err(broken("not a Frontdesk export (no header line)"));
                }
                continue;
            }
            let t = v["table"]
                .as_str()
                .and_then(table_named)
                .ok_or_else(|| broken(format!("line {}: unknown table", n + 1)))?;
            let Value::Object(row) = &v["row"] else {
                return Err(broken(format!("line {}: no row", n + 1)));
            };
            if current.is_some_and(|c| c.name != t.name) || pending.len() >= BATCH {
                if let Some(c) = current {
                    insert(&tx, c, &pending).await?;
                }
                pending.clear();
            }
            current = Some(t);
            pending.push(row.clone());
            rows += 1;
        }
        if let Some(c) = current {
            insert(&tx, c, &pending).await?;
        }
        for t in TABLES.iter().filter(|t| t.serial_id) {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     coalesce(max(id), 1), max(id) IS NOT NULL) FROM {0}",
                    t.name
                ),
                &[],
            )
            .await
            .db()?;
        }
        tx.commit().await.db()?;
        Ok(rows)
    }
}

/// One multi-row INSERT of `rows` into `t`.
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    t: &Table,
    rows: &[Map<String, Value>],
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(rows.len() * cols.len());
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        let mut marks = Vec::with_capacity(cols.len());
        for (col, kind) in t.columns {
            params.push(param(row, col, *kind)?);
            let n = params.len();
            marks.push(match kind {
                Json => format!("${n}::text::jsonb"),
                _ => format!("${n}"),
            });
        }
        tuples.push(format!("({})", marks.join(", ")));
    }
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        t.name,
        cols.join(", "),
        tuples.join(", ")
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    tx.execute(&sql, &refs).await.db()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes = vec![0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex("0001abff"), Some(bytes));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn every_table_is_listed_once() {
        let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
    }
}

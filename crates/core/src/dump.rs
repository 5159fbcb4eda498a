//! The dump: a whole database as JSON lines, the same on both backends (`frontdesk export` /
//! `frontdesk import`: the move from one SQLite node to a PostgreSQL cluster, and a portable
//! backup). This module is the format; each store reads and writes it (`dump.rs` in
//! store-sqlite and store-postgres).
//!
//! The file starts with a header line `{"frontdesk_export":1,"schema":N}`; then one line per
//! row: `{"table":"chats","row":{"id":1,...}}`, tables in the order of [`TABLES`] (parents
//! before children, so the foreign keys hold while importing). Values are backend-neutral:
//! integers, text, `true`/`false`, JSON (a site's allowed origins, as an array) and bytes
//! (lower-case hex). A database holds them as [`Cell`]s; [`encode`] and [`decode`] turn one
//! into the other.

use crate::store::StoreError;
use serde_json::{Map, Value, json};

mod tables;
#[cfg(test)]
mod tests;

pub use tables::TABLES;

/// The dump format's version (the header's `frontdesk_export`).
pub const FORMAT: i64 = 1;

/// Counts what makes a database "not empty" for an import (sites, agents, chats); the same
/// SQL on both backends.
pub const COUNT_USED: &str = "SELECT (SELECT count(*) FROM sites) + (SELECT count(*) FROM agents) \
     + (SELECT count(*) FROM chats)";

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("the database already has data: import only into an empty database")]
    NotEmpty,
    /// The database refused a statement.
    #[error("{0}")]
    Database(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A line of the file being imported is not what the format says.
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
    /// A stored value cannot be exported as its column's kind.
    #[error("table {table}, column {column}: {message}")]
    Value {
        table: &'static str,
        column: &'static str,
        message: String,
    },
}

/// How a column's values are written in a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bool,
    /// Stored as JSON text (SQLite) or `jsonb` (PostgreSQL); dumped as the JSON value.
    Json,
    /// Dumped as lower-case hex.
    Bytes,
}

/// A table as dumped.
#[derive(Debug, PartialEq, Eq)]
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

/// The table named `name`.
pub fn table_named(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The header line of a database at schema version `schema`.
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

/// One value as a database holds it (JSON columns as their text).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    /// Only from SQLite, which lets any column hold a float.
    Real(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

/// A stored value as written in a dump, for a column of `kind`. Fails only on a JSON column
/// whose text is not JSON.
pub fn encode(kind: Kind, cell: Cell) -> Result<Value, String> {
    Ok(match (kind, cell) {
        (_, Cell::Null) => Value::Null,
        (Bool, Cell::Int(i)) => Value::Bool(i != 0),
        (Json, Cell::Text(t)) => serde_json::from_str(&t).map_err(|e| e.to_string())?,
        (Bytes, Cell::Text(t)) => Value::String(to_hex(t.as_bytes())),
        (_, Cell::Bytes(b)) => Value::String(to_hex(&b)),
        (_, Cell::Int(i)) => Value::from(i),
        (_, Cell::Real(f)) => Value::from(f),
        (_, Cell::Bool(b)) => Value::Bool(b),
        (_, Cell::Text(t)) => Value::String(t),
    })
}

/// A dumped value as stored in a column of `kind`: `Int`, `Bool`, `Text` (also for JSON
/// columns: the JSON's text), `Bytes` or `Null`. A boolean may also be dumped as a number.
pub fn decode(kind: Kind, v: &Value) -> Result<Cell, String> {
    let wrong = || format!("unexpected value {v}");
    Ok(match (kind, v) {
        (_, Value::Null) => Cell::Null,
        (Int, v) => Cell::Int(v.as_i64().ok_or_else(wrong)?),
        (Bool, Value::Bool(b)) => Cell::Bool(*b),
        (Bool, v) => Cell::Bool(v.as_i64().ok_or_else(wrong)? != 0),
        (Text, Value::String(s)) => Cell::Text(s.clone()),
        (Json, v) => Cell::Text(v.to_string()),
        (Bytes, Value::String(s)) => Cell::Bytes(from_hex(s).ok_or_else(wrong)?),
        _ => return Err(wrong()),
    })
}

/// A row's line: `{"table":…,"row":{…}}`, `cells` in the order of `t.columns`.
pub fn row_line(t: &'static Table, cells: Vec<Cell>) -> Result<Value, DumpError> {
    let mut row = Map::new();
    for ((column, kind), cell) in t.columns.iter().zip(cells) {
        let v = encode(*kind, cell).map_err(|message| DumpError::Value {
            table: t.name,
            column,
            message,
        })?;
        row.insert((*column).to_string(), v);
    }
    Ok(json!({ "table": t.name, "row": row }))
}

/// The value of a column that a dump does not have because it was written before the column
/// existed (a later migration added it): the column's default in the schema.
fn absent(table: &Table, column: &str, kind: Kind) -> Value {
    match (table.name, column, kind) {
        ("sites", "settings", _) => json!({}),
        ("chats", "visitor_read_seq" | "replies_emailed_seq", _) => json!(0),
        (_, _, Json) => json!([]),
        (_, _, Bool) => Value::Bool(false),
        _ => Value::Null,
    }
}

/// One row read from a dump: its table and its values in the order of `table.columns`.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpRow {
    pub table: &'static Table,
    pub cells: Vec<Cell>,
}

/// Reads line `index` (counting from 0) of a dump: `None` for the header (checked) and blank
/// lines, else the row.
pub fn parse_line(index: usize, line: &str) -> Result<Option<DumpRow>, DumpError> {
    let bad = |message: String| DumpError::Format {
        line: index + 1,
        message,
    };
    if line.trim().is_empty() {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
    if index == 0 {
        if v["frontdesk_export"] != json!(FORMAT) {
            return Err(bad("not a Frontdesk export (no header line)".into()));
        }
        return Ok(None);
    }
    let table = v["table"]
        .as_str()
        .and_then(table_named)
        .ok_or_else(|| bad("unknown table".into()))?;
    let Value::Object(row) = &v["row"] else {
        return Err(bad("no row".into()));
    };
    let cells = table
        .columns
        .iter()
        .map(|(column, kind)| {
            let absent = absent(table, column, *kind);
            decode(*kind, row.get(*column).unwrap_or(&absent))
                .map_err(|e| bad(format!("column {column}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(Some(DumpRow { table, cells }))
}

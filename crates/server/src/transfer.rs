//! `frontdesk export` / `frontdesk import`: the whole database as JSON lines, from and to
//! either backend (the upgrade path from one SQLite node to a PostgreSQL cluster, and a
//! portable backup). The format and the PostgreSQL side are in
//! [`frontdesk_store_postgres::transfer`]; the SQLite side is here.

use crate::config::Settings;
use frontdesk_store_postgres::transfer::{Kind, TABLES, Table, from_hex, header, to_hex};
use frontdesk_store_postgres::{PgOptions, PgStore};
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("the database already has data: import only into an empty database")]
    NotEmpty,
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage: {0}")]
    Store(#[from] frontdesk_core::store::StoreError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
}

fn bad(line: usize, message: impl Into<String>) -> TransferError {
    TransferError::Format {
        line,
        message: message.into(),
    }
}

/// Writes every table of the configured database to `out`; returns the number of rows.
pub async fn export(
    settings: &Settings,
    mut out: Box<dyn Write + Send>,
) -> Result<u64, TransferError> {
    if let Some(url) = &settings.database_url {
        let store = PgStore::connect(url, PgOptions::default())
            .await
            .map_err(|e| TransferError::Open(e.to_string()))?;
        return Ok(store.export(&mut out).await?);
    }
    let path = settings.database_path();
    if !path.exists() {
        return Err(TransferError::Open(format!(
            "no database at {}",
            path.display()
        )));
    }
    tokio::task::spawn_blocking(move || {
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        export_sqlite(&conn, &mut out)
    })
    .await
    .map_err(|e| TransferError::Open(e.to_string()))?
}

fn export_sqlite(conn: &Connection, out: &mut dyn Write) -> Result<u64, TransferError> {
    let schema: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    writeln!(out, "{}", header(schema))?;
    let mut rows = 0;
    for t in TABLES {
        let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            cols.join(", "),
            t.name,
            t.sqlite_order
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut query = stmt.query([])?;
        while let Some(row) = query.next()? {
            let mut obj = Map::new();
            for (i, (col, kind)) in t.columns.iter().enumerate() {
                obj.insert((*col).to_string(), to_json(row.get::<_, Sql>(i)?, *kind)?);
            }
            writeln!(out, "{}", json!({ "table": t.name, "row": obj }))?;
            rows += 1;
        }
    }
    out.flush()?;
    Ok(rows)
}

fn to_json(v: Sql, kind: Kind) -> Result<Value, TransferError> {
    Ok(match (kind, v) {
        (_, Sql::Null) => Value::Null,
        (Kind::Bool, Sql::Integer(i)) => Value::Bool(i != 0),
        (Kind::Json, Sql::Text(t)) => {
            serde_json::from_str(&t).map_err(|e| bad(0, e.to_string()))?
        }
        (Kind::Bytes, Sql::Blob(b)) => Value::String(to_hex(&b)),
        (Kind::Bytes, Sql::Text(t)) => Value::String(to_hex(t.as_bytes())),
        (_, Sql::Integer(i)) => Value::from(i),
        (_, Sql::Text(t)) => Value::String(t),
        (_, Sql::Real(f)) => Value::from(f),
        (_, Sql::Blob(b)) => Value::String(to_hex(&b)),
    })
}

/// Loads an export into the configured database, which must be empty; returns the number of
/// rows. Nothing is kept when it fails.
pub async fn import(
    settings: &Settings,
    input: Box<dyn BufRead + Send>,
) -> Result<u64, TransferError> {
    if let Some(url) = &settings.database_url {
        let store = PgStore::connect(url, PgOptions::default())
            .await
            .map_err(|e| TransferError::Open(e.to_string()))?;
        return match store.import(input.lines()).await {
            Err(frontdesk_core::store::StoreError::Conflict(_)) => Err(TransferError::NotEmpty),
            other => Ok(other?),
        };
    }
    let path = settings.database_path();
    // Creates the file and its schema if needed; closed again before writing directly.
    drop(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .map_err(|e| TransferError::Open(e.to_string()))?,
    );
    tokio::task::spawn_blocking(move || {
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        import_sqlite(&mut conn, input)
    })
    .await
    .map_err(|e| TransferError::Open(e.to_string()))?
}

fn import_sqlite(
    conn: &mut Connection,
    input: Box<dyn BufRead + Send>,
) -> Result<u64, TransferError> {
    let tx = conn.transaction()?;
    let used: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM sites) + (SELECT count(*) FROM agents) \
         + (SELECT count(*) FROM chats)",
        [],
        |r| r.get(0),
    )?;
    if used > 0 {
        return Err(TransferError::NotEmpty);
    }
    let mut rows = 0;
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).map_err(|e| bad(n + 1, e.to_string()))?;
        if n == 0 {
            if v["frontdesk_export"] != json!(frontdesk_store_postgres::transfer::FORMAT) {
                return Err(bad(1, "not a Frontdesk export (no header line)"));
            }
            continue;
        }
        let t = v["table"]
            .as_str()
            .and_then(frontdesk_store_postgres::transfer::table_named)
            .ok_or_else(|| bad(n + 1, "unknown table"))?;
        let Value::Object(row) = &v["row"] else {
            return Err(bad(n + 1, "no row"));
        };
        insert_sqlite(&tx, t, row).map_err(|e| match e {
            TransferError::Format { message, .. } => bad(n + 1, message),
            other => other,
        })?;
        rows += 1;
    }
    tx.commit()?;
    Ok(rows)
}

fn insert_sqlite(
    tx: &rusqlite::Transaction<'_>,
    t: &Table,
    row: &Map<String, Value>,
) -> Result<(), TransferError> {
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        marks.join(", ")
    );
    let mut values = Vec::with_capacity(cols.len());
    for (col, kind) in t.columns {
        let v = row.get(*col).unwrap_or(&Value::Null);
        let wrong = || bad(0, format!("column {col}: unexpected value {v}"));
        values.push(match (kind, v) {
            (_, Value::Null) => Sql::Null,
            (Kind::Int, v) => Sql::Integer(v.as_i64().ok_or_else(wrong)?),
            (Kind::Bool, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            (Kind::Bool, v) => Sql::Integer(i64::from(v.as_i64().ok_or_else(wrong)? != 0)),
            (Kind::Text, Value::String(s)) => Sql::Text(s.clone()),
            (Kind::Json, v) => Sql::Text(v.to_string()),
            (Kind::Bytes, Value::String(s)) => Sql::Blob(from_hex(s).ok_or_else(wrong)?),
            _ => return Err(wrong()),
        });
    }
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

//! The dump (`frontdesk export` / `frontdesk import`) on SQLite: every table of the database
//! file written as JSON lines, or loaded from them. The format, backend-neutral, is
//! [`frontdesk_core::dump`]; the PostgreSQL side is `frontdesk_store_postgres::dump`.
//!
//! Both work on the file directly, beside the store: an export reads it without migrating it
//! (a node must not be writing meanwhile); an import opens the store once (which creates the
//! file and its schema), closes it, then loads every row in one transaction.

use crate::{SqliteOptions, SqliteStore};
use frontdesk_core::dump::{
    COUNT_USED, Cell, DumpError, DumpRow, TABLES, header, parse_line, row_line,
};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};
use std::io::{BufRead, Write};
use std::path::Path;

fn database(e: rusqlite::Error) -> DumpError {
    DumpError::Database(e.to_string())
}

fn joined(e: tokio::task::JoinError) -> DumpError {
    DumpError::Open(e.to_string())
}

/// Writes every table of the database file at `path` to `out`; returns the number of rows.
pub async fn export(path: &Path, mut out: Box<dyn Write + Send>) -> Result<u64, DumpError> {
    if !path.exists() {
        return Err(DumpError::Open(format!(
            "no database at {}",
            path.display()
        )));
    }
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(database)?;
        export_rows(&conn, &mut out)
    })
    .await
    .map_err(joined)?
}

fn export_rows(conn: &Connection, out: &mut dyn Write) -> Result<u64, DumpError> {
    let schema: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(database)?;
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
        let mut stmt = conn.prepare(&sql).map_err(database)?;
        let mut query = stmt.query([]).map_err(database)?;
        while let Some(row) = query.next().map_err(database)? {
            let cells = (0..cols.len())
                .map(|i| row.get::<_, Sql>(i).map(cell))
                .collect::<Result<_, _>>()
                .map_err(database)?;
            writeln!(out, "{}", row_line(t, cells)?)?;
            rows += 1;
        }
    }
    out.flush()?;
    Ok(rows)
}

fn cell(v: Sql) -> Cell {
    match v {
        Sql::Null => Cell::Null,
        Sql::Integer(i) => Cell::Int(i),
        Sql::Real(f) => Cell::Real(f),
        Sql::Text(t) => Cell::Text(t),
        Sql::Blob(b) => Cell::Bytes(b),
    }
}

fn sql(cell: Cell) -> Sql {
    match cell {
        Cell::Null => Sql::Null,
        Cell::Int(i) => Sql::Integer(i),
        Cell::Real(f) => Sql::Real(f),
        Cell::Bool(b) => Sql::Integer(i64::from(b)),
        Cell::Text(t) => Sql::Text(t),
        Cell::Bytes(b) => Sql::Blob(b),
    }
}

/// Loads a dump (made on either backend) into the database file at `path`, which must be
/// empty; returns the number of rows. Nothing is kept when it fails.
pub async fn import(path: &Path, input: Box<dyn BufRead + Send>) -> Result<u64, DumpError> {
    // Creates the file and its schema if needed; closed again before writing directly.
    drop(
        SqliteStore::open(path, SqliteOptions::default())
            .await
            .map_err(|e| DumpError::Open(e.to_string()))?,
    );
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut conn = Connection::open(&path).map_err(database)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(database)?;
        import_rows(&mut conn, input)
    })
    .await
    .map_err(joined)?
}

/// Clears what the sweep for unread replies would email (`chats.unread_reply_at`).
const NO_UNREAD_EMAIL: &str =
    "UPDATE chats SET unread_reply_at = NULL WHERE unread_reply_at IS NOT NULL";

fn import_rows(conn: &mut Connection, input: Box<dyn BufRead + Send>) -> Result<u64, DumpError> {
    let tx = conn.transaction().map_err(database)?;
    let used: i64 = tx
        .query_row(COUNT_USED, [], |r| r.get(0))
        .map_err(database)?;
    if used > 0 {
        return Err(DumpError::NotEmpty);
    }
    let mut rows = 0;
    for (n, line) in input.lines().enumerate() {
        if let Some(row) = parse_line(n, &line?)? {
            insert(&tx, row).map_err(database)?;
            rows += 1;
        }
    }
    // An import never emails replies sent before it (the trigger marked them while loading).
    tx.execute_batch(NO_UNREAD_EMAIL).map_err(database)?;
    // The search index is not in the dump: made from the loaded text.
    tx.execute_batch(crate::archive::REBUILD)
        .map_err(database)?;
    tx.commit().map_err(database)?;
    Ok(rows)
}

fn insert(tx: &rusqlite::Transaction<'_>, row: DumpRow) -> rusqlite::Result<()> {
    let t = row.table;
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let statement = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        marks.join(", ")
    );
    tx.prepare_cached(&statement)?
        .execute(rusqlite::params_from_iter(row.cells.into_iter().map(sql)))?;
    Ok(())
}

//! The dump (`frontdesk export` / `frontdesk import`) on PostgreSQL: every table written as
//! JSON lines, or loaded from them. The format, backend-neutral, is
//! [`frontdesk_core::dump`]; the SQLite side is `frontdesk_store_sqlite::dump`.

use crate::map::Db;
use crate::{PgOptions, PgStore};
use frontdesk_core::dump::{
    COUNT_USED, Cell, DumpError, DumpRow, Kind, TABLES, Table, header, parse_line, row_line,
};
use futures_util::{StreamExt, pin_mut};
use std::io::{BufRead, Write};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// Rows inserted per statement on import.
const BATCH: usize = 500;

/// Writes every table of the database at `url` to `out` (header first); returns the number
/// of rows.
pub async fn export(url: &str, mut out: Box<dyn Write + Send>) -> Result<u64, DumpError> {
    connect(url).await?.export(&mut out).await
}

/// Loads a dump (made on either backend) into the database at `url`, which must be empty;
/// returns the number of rows. Nothing is kept when it fails.
pub async fn import(url: &str, input: Box<dyn BufRead + Send>) -> Result<u64, DumpError> {
    connect(url).await?.import(input.lines()).await
}

async fn connect(url: &str) -> Result<PgStore, DumpError> {
    PgStore::connect(url, PgOptions::default())
        .await
        .map_err(|e| DumpError::Open(e.to_string()))
}

fn select_list(t: &Table) -> String {
    t.columns
        .iter()
        .map(|(c, k)| match k {
            Kind::Json => format!("{c}::text"),
            // INTEGER and SMALLINT columns (a file's width) read as i64 like BIGINT ones.
            Kind::Int => format!("{c}::bigint"),
            _ => (*c).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Column `i` of `row`, read as its kind's type.
fn cell(row: &Row, i: usize, kind: Kind) -> Result<Cell, DumpError> {
    let v = match kind {
        Kind::Int => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Cell::Int)),
        Kind::Text | Kind::Json => row
            .try_get::<_, Option<String>>(i)
            .map(|v| v.map(Cell::Text)),
        Kind::Bool => row.try_get::<_, Option<bool>>(i).map(|v| v.map(Cell::Bool)),
        Kind::Bytes => row
            .try_get::<_, Option<Vec<u8>>>(i)
            .map(|v| v.map(Cell::Bytes)),
    };
    Ok(v.db()?.unwrap_or(Cell::Null))
}

/// A decoded value as a statement parameter (a NULL typed as its column).
fn param(kind: Kind, cell: Cell) -> Box<dyn ToSql + Sync> {
    match (kind, cell) {
        (_, Cell::Int(i)) => Box::new(Some(i)),
        (_, Cell::Bool(b)) => Box::new(Some(b)),
        (_, Cell::Text(s)) => Box::new(Some(s)),
        (_, Cell::Bytes(b)) => Box::new(Some(b)),
        (_, Cell::Real(f)) => Box::new(Some(f)),
        (Kind::Int, Cell::Null) => Box::new(None::<i64>),
        (Kind::Bool, Cell::Null) => Box::new(None::<bool>),
        (Kind::Text | Kind::Json, Cell::Null) => Box::new(None::<String>),
        (Kind::Bytes, Cell::Null) => Box::new(None::<Vec<u8>>),
    }
}

impl PgStore {
    /// Writes every table to `out` (header first). Returns the number of rows.
    pub async fn export(&self, out: &mut (dyn Write + Send)) -> Result<u64, DumpError> {
        let client = self.client().await?;
        writeln!(out, "{}", header(crate::latest_version()))?;
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
                let cells = (t.columns.iter().enumerate())
                    .map(|(i, (_, kind))| cell(&row, i, *kind))
                    .collect::<Result<_, _>>()?;
                writeln!(out, "{}", row_line(t, cells)?)?;
                rows += 1;
            }
        }
        out.flush()?;
        Ok(rows)
    }

    /// Loads a dump (as produced by either backend) into this database, which must have
    /// no sites, agents or chats. All of it in one transaction: on error nothing is kept.
    pub async fn import(
        &self,
        lines: impl Iterator<Item = std::io::Result<String>>,
    ) -> Result<u64, DumpError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let used: i64 = tx.query_one(COUNT_USED, &[]).await.db()?.get(0);
        if used > 0 {
            return Err(DumpError::NotEmpty);
        }
        let mut pending: Vec<DumpRow> = Vec::new();
        let mut rows = 0u64;
        for (n, line) in lines.enumerate() {
            let Some(row) = parse_line(n, &line?)? else {
                continue;
            };
            let table_changed = pending.first().is_some_and(|p| p.table != row.table);
            if table_changed || pending.len() >= BATCH {
                insert(&tx, std::mem::take(&mut pending)).await?;
            }
            pending.push(row);
            rows += 1;
        }
        insert(&tx, pending).await?;
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

/// One multi-row INSERT of `rows`, all of one table.
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    rows: Vec<DumpRow>,
) -> Result<(), DumpError> {
    let Some(t) = rows.first().map(|r| r.table) else {
        return Ok(());
    };
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(rows.len() * cols.len());
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        let mut marks = Vec::with_capacity(cols.len());
        for ((_, kind), cell) in t.columns.iter().zip(row.cells) {
            params.push(param(*kind, cell));
            let n = params.len();
            marks.push(match kind {
                Kind::Json => format!("${n}::text::jsonb"),
                // An i64 parameter, assigned to INTEGER / SMALLINT columns too.
                Kind::Int => format!("${n}::bigint"),
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

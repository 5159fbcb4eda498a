//! Integration tests of the SQLite store through the core storage traits: the shared
//! conformance suite (crates/store-conformance), plus what only a database file has
//! (`files`: creating, refusing damaged files, durability, maintenance).

#![allow(clippy::unwrap_used)]

// Shared with the other store: the same tests, word for word (see crates/store-conformance).
#[path = "../../../store-conformance/conformance.rs"]
mod conformance;
mod files;

pub use conformance::helpers::*;
use frontdesk_core::dump::DumpError;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::*;
pub use frontdesk_store_sqlite::OpenError;
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore};
use tempfile::TempDir;

/// The store under test (the shared tests name it so).
pub type Store = SqliteStore;

/// The database file inside a test's directory.
pub fn db_path(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join("frontdesk.db")
}

/// A fresh store in a fresh directory (keep the directory alive while using the store).
pub async fn fresh() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(&dir).await.unwrap();
    (dir, store)
}

/// A fresh store with the smallest pools: no reader connections, writes not batched.
pub async fn fresh_tiny() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        synchronous_full: true,
        readers: 0,
        max_batch: 0,
        unsafe_ack_before_commit: false,
        open_check_budget: None,
        search_index: true,
        search_idle: std::time::Duration::from_millis(200),
    };
    let store = SqliteStore::open(&db_path(&dir), options).await.unwrap();
    (dir, store)
}

/// Opens the store of `dir` again (after the previous one was dropped).
pub async fn reopen(dir: &TempDir) -> Result<Store, OpenError> {
    SqliteStore::open(&db_path(dir), SqliteOptions::default()).await
}

/// Marks the (closed) database as migrated to `version`.
pub async fn record_schema_version(dir: &TempDir, version: i64) {
    rusqlite::Connection::open(db_path(dir))
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {version}"))
        .unwrap();
}

/// The columns of a chat the model does not show: agent, end reason, ended by.
pub async fn raw_chat(s: &Store, id: ChatId) -> (Option<i64>, Option<String>, Option<i64>) {
    rusqlite::Connection::open(s.path())
        .unwrap()
        .query_row(
            "SELECT agent_id, end_reason, ended_by FROM chats WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

/// How many rows `table` holds, counted with raw SQL.
pub async fn raw_rows(s: &Store, table: &str) -> i64 {
    rusqlite::Connection::open(s.path())
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Damages the search index behind the store's back: drops the newest document.
pub async fn damage_search_index(s: &Store) {
    rusqlite::Connection::open(s.path())
        .unwrap()
        .execute(
            "DELETE FROM search WHERE rowid = (SELECT max(rowid) FROM search)",
            [],
        )
        .unwrap();
}

/// `frontdesk export` of the database of `dir` into `file`.
pub async fn dump_export(dir: &TempDir, file: &std::path::Path) -> Result<u64, DumpError> {
    let out = Box::new(std::fs::File::create(file).unwrap());
    frontdesk_store_sqlite::dump::export(&db_path(dir), out).await
}

/// `frontdesk import` of `file` into the database of `dir`.
pub async fn dump_import(dir: &TempDir, file: &std::path::Path) -> Result<u64, DumpError> {
    let input = Box::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    frontdesk_store_sqlite::dump::import(&db_path(dir), input).await
}

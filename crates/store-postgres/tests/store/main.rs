//! Integration tests of the PostgreSQL store through the core storage traits: the shared
//! conformance suite (crates/store-conformance, the same tests as the SQLite store), plus what
//! only a server database has (`server`: concurrent migrations, an unreachable server, an
//! outage). Each test runs on a fresh database `fd_<random>` made on the server of
//! `FRONTDESK_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and dropped
//! afterwards.

#![allow(clippy::unwrap_used)]

// Shared with the other store: the same tests, word for word (see crates/store-conformance).
#[path = "../../../store-conformance/conformance.rs"]
mod conformance;
mod server;

pub use conformance::helpers::*;
use frontdesk_core::dump::DumpError;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::*;
pub use frontdesk_store_postgres::OpenError;
use frontdesk_store_postgres::scratch::ScratchDb;
use frontdesk_store_postgres::{PgOptions, PgStore};

/// The store under test (the shared tests name it so).
pub type Store = PgStore;

pub fn admin_url() -> String {
    std::env::var("FRONTDESK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A fresh, migrated store on a fresh database (keep the database alive while using it).
pub async fn fresh() -> (ScratchDb, Store) {
    let db = ScratchDb::create(&admin_url())
        .await
        .expect("PostgreSQL answers on FRONTDESK_TEST_PG_URL");
    let store = reopen(&db).await.unwrap();
    (db, store)
}

/// A fresh store with the smallest pool: one connection.
pub async fn fresh_tiny() -> (ScratchDb, Store) {
    let (db, _) = fresh().await;
    let options = PgOptions {
        pool_size: 1,
        ..PgOptions::default()
    };
    let store = PgStore::connect(db.url(), options).await.unwrap();
    (db, store)
}

/// Connects to the database again.
pub async fn reopen(db: &ScratchDb) -> Result<Store, OpenError> {
    PgStore::connect(db.url(), PgOptions::default()).await
}

/// Records a migration `version` as applied.
pub async fn record_schema_version(db: &ScratchDb, version: i64) {
    reopen(db)
        .await
        .unwrap()
        .client()
        .await
        .unwrap()
        .execute(
            "INSERT INTO frontdesk_migrations (version, name) VALUES ($1, 'future')",
            &[&version],
        )
        .await
        .unwrap();
}

/// The columns of a chat the model does not show: agent, end reason, ended by.
pub async fn raw_chat(s: &Store, id: ChatId) -> (Option<i64>, Option<String>, Option<i64>) {
    let row = s
        .client()
        .await
        .unwrap()
        .query_one(
            "SELECT agent_id, end_reason, ended_by FROM chats WHERE id = $1",
            &[&id.0],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

/// How many rows `table` holds, counted with raw SQL.
pub async fn raw_rows(s: &Store, table: &str) -> i64 {
    let row = s
        .client()
        .await
        .unwrap()
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap();
    row.get(0)
}

/// Damages the search index behind the store's back: the newest message loses its tsvector.
pub async fn damage_search_index(s: &Store) {
    s.client()
        .await
        .unwrap()
        .execute(
            "UPDATE messages SET search = NULL WHERE (chat_id, seq) = \
             (SELECT chat_id, seq FROM messages ORDER BY chat_id DESC, seq DESC LIMIT 1)",
            &[],
        )
        .await
        .unwrap();
}

/// `frontdesk export` of the database into `file`.
pub async fn dump_export(db: &ScratchDb, file: &std::path::Path) -> Result<u64, DumpError> {
    let out = Box::new(std::fs::File::create(file).unwrap());
    frontdesk_store_postgres::dump::export(db.url(), out).await
}

/// `frontdesk import` of `file` into the database.
pub async fn dump_import(db: &ScratchDb, file: &std::path::Path) -> Result<u64, DumpError> {
    let input = Box::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    frontdesk_store_postgres::dump::import(db.url(), input).await
}

//! Forward migrations from every released schema version, with data in it, on PostgreSQL:
//! each fixture (`tests/fixtures/schema-vN.sql`, made by
//! `crates/store-sqlite/tests/fixtures/make.sh` from the migrations as they were released) is
//! loaded into a fresh database, `migrate` applies the rest, and the data must survive and
//! take new writes. Needs the server of `FRONTDESK_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), like the store tests.

#[path = "../../store-conformance/upgrade_fixtures.rs"]
mod upgrade_fixtures;

use frontdesk_store_postgres::scratch::ScratchDb;
use frontdesk_store_postgres::{PgOptions, PgStore, latest_version, migrate};
use std::path::Path;

fn admin_url() -> String {
    std::env::var("FRONTDESK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

#[tokio::test]
async fn every_released_schema_migrates_forward_with_its_data() {
    for version in 1..=3 {
        let db = ScratchDb::create(&admin_url())
            .await
            .expect("PostgreSQL answers on FRONTDESK_TEST_PG_URL");
        let dump = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/fixtures/schema-v{version}.sql")),
        )
        .expect("fixture");
        let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        let task = tokio::spawn(connection);
        client
            .batch_execute(&dump)
            .await
            .unwrap_or_else(|e| panic!("schema v{version} loads: {e}"));
        drop(client);
        let _ = task.await;
        let applied = migrate(db.url())
            .await
            .unwrap_or_else(|e| panic!("schema v{version} migrates: {e}"));
        assert_eq!(
            applied,
            ((version + 1)..=latest_version()).collect::<Vec<_>>(),
            "from schema v{version}"
        );
        let store = PgStore::connect(db.url(), PgOptions::default())
            .await
            .expect("connect");
        upgrade_fixtures::check_upgraded(&store, version).await;
    }
}

//! Forward migrations from every released schema version, with data in it: each fixture
//! (`tests/fixtures/schema-vN.sqlite`, made by `tests/fixtures/make.sh` from the migrations as
//! they were released) is copied, opened by today's store (which migrates it), and must hold
//! every row and take new writes.

#[path = "../../store-conformance/upgrade_fixtures.rs"]
mod upgrade_fixtures;

use frontdesk_store_sqlite::{SqliteOptions, SqliteStore, backup};
use std::path::Path;

#[tokio::test]
async fn every_released_schema_migrates_forward_with_its_data() {
    for version in 1..=3 {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/schema-v{version}.sqlite"));
        let before = backup::verify(&fixture).expect("the fixture is a sound database");
        assert_eq!(before.schema, version, "the fixture is at schema {version}");
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("frontdesk.db");
        std::fs::copy(&fixture, &db).expect("copy");
        let store = SqliteStore::open(&db, SqliteOptions::default())
            .await
            .unwrap_or_else(|e| panic!("schema v{version} opens: {e}"));
        upgrade_fixtures::check_upgraded(&store, version).await;
        drop(store);
        let after = backup::verify(&db).expect("sound after the upgrade");
        assert_eq!(after.schema, backup::latest_version());
    }
}

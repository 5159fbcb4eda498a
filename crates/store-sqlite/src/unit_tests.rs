//! Tests of internals: query plans of the hot paths, and the group-commit writer's
//! failure handling.

#![allow(clippy::unwrap_used)]

use crate::{SqliteOptions, SqliteStore, agents, blocks, canned, chats, offline, visitors};
use frontdesk_core::store::StoreError;
use rusqlite::Connection;
use std::time::Duration;

async fn store(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open(&dir.path().join("t.db"), SqliteOptions::default())
        .await
        .unwrap()
}

fn plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
    stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every hot query reaches its rows through an index (a `SEARCH`), never a table scan;
/// those that list rows in an order get that order from the index (no sort) where the
/// order can come from one index.
#[tokio::test]
async fn hot_queries_use_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let conn = Connection::open(s.path()).unwrap();
    let sorted_by_index = [
        ("messages_after", chats::MESSAGES_AFTER),
        ("chats_of_visitor", chats::CHATS_OF_VISITOR),
        ("open_chat_of_visitor", chats::OPEN_CHAT_OF_VISITOR),
        ("chats_of_agent", chats::CHATS_OF_AGENT),
        ("waiting_chats", chats::WAITING_CHATS),
        ("latest_visit", visitors::LATEST_VISIT),
        ("visits_of", visitors::VISITS_OF),
        ("page_views", visitors::PAGE_VIEWS),
        ("offline_messages", offline::OFFLINE_MESSAGES),
    ];
    let others = [
        ("client_id_lookup", chats::CLIENT_ID_LOOKUP),
        ("files_of_messages", crate::files::FILES_OF_MESSAGES),
        ("next_seq", chats::NEXT_SEQ),
        ("update_state", chats::UPDATE_STATE),
        ("open_chats", chats::OPEN_CHATS),
        ("touch_visitor", visitors::TOUCH_VISITOR),
        ("continue_visit", visitors::CONTINUE_VISIT),
        ("active_block", blocks::ACTIVE_BLOCK),
        ("blocks_of_site", blocks::BLOCKS_OF_SITE),
        ("canned_for", canned::CANNED_FOR),
        ("agent_by_email", agents::AGENT_BY_EMAIL),
        ("memberships_some", agents::MEMBERSHIPS_SOME),
        ("session", agents::SESSION),
    ];
    for (name, sql) in sorted_by_index.iter().chain(others.iter()) {
        let steps = plan(&conn, sql);
        println!("{name}: {steps:?}");
        for step in &steps {
            let scan = step.starts_with("SCAN ")
                && !step.starts_with("SCAN json_each")
                && !step.contains("CONSTANT ROW")
                && !step.starts_with("SCAN (subquery");
            assert!(!scan, "{name} scans: {steps:?}");
        }
        if sorted_by_index.iter().any(|(n, _)| n == name) {
            assert!(
                !steps.iter().any(|s| s.contains("TEMP B-TREE")),
                "{name} sorts: {steps:?}"
            );
        }
    }
    let open = plan(&conn, chats::OPEN_CHATS);
    assert!(
        open.iter().any(|s| s.contains("chats_open")),
        "open_chats must use the partial index: {open:?}"
    );
}

/// The Archive's "open" filter reaches the few open chats through the partial index
/// `chats_open` (a walk of the whole history newest first took 374 ms p99 at 1M chats); the
/// other filters walk the rowid newest first and stop at the page's end (no sort).
#[tokio::test]
async fn archive_open_filter_uses_the_open_chats_index() {
    use frontdesk_core::archive::{ArchiveQuery, ArchiveState};
    use frontdesk_core::ids::SiteId;
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let conn = Connection::open(s.path()).unwrap();
    let query = |state| ArchiveQuery {
        sites: vec![SiteId(1)],
        agent: None,
        from: None,
        to: None,
        state,
        tag: None,
        rating: None,
        search: None,
        cursor: None,
        limit: 25,
    };
    let sql = |q: &ArchiveQuery| {
        let where_ = crate::archive::filters(q, &mut Vec::new());
        format!("SELECT c.id FROM chats AS c WHERE {where_} ORDER BY c.id DESC LIMIT 26")
    };
    let open = plan(&conn, &sql(&query(Some(ArchiveState::Open))));
    assert!(
        open.iter().any(|s| s.contains("chats_open")),
        "open: {open:?}"
    );
    let ended = plan(&conn, &sql(&query(Some(ArchiveState::Ended))));
    assert!(
        !ended.iter().any(|s| s.contains("TEMP B-TREE")),
        "ended: {ended:?}"
    );
}

/// Keeps the writer busy so that the next jobs queue up and are committed together.
async fn hold_writer(s: &SqliteStore, ms: u64) -> tokio::task::JoinHandle<()> {
    let s = s.clone();
    let (started, wait) = tokio::sync::oneshot::channel();
    let handle = tokio::spawn(async move {
        s.inner
            .writer
            .exclusive(move |_| {
                let _ = started.send(());
                std::thread::sleep(Duration::from_millis(ms));
                Ok(())
            })
            .await
            .unwrap();
    });
    wait.await.unwrap();
    handle
}

fn insert_setting(
    name: &'static str,
) -> impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    move |tx| {
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?1, x'00')",
            [name],
        )
        .map(|_| ())
        .map_err(crate::map::store_error)
    }
}

async fn setting_exists(s: &SqliteStore, name: &'static str) -> bool {
    s.read(move |c| {
        c.query_row(
            "SELECT count(*) FROM settings WHERE name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map_err(crate::map::store_error)
    })
    .await
    .unwrap()
        == 1
}

/// In one batch, a job that fails after writing is rolled back alone (its savepoint);
/// the jobs around it commit.
#[tokio::test]
async fn failing_job_is_rolled_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let hold = hold_writer(&s, 100).await;
    let a = tokio::spawn({
        let s = s.clone();
        async move { s.write(insert_setting("a")).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let bad = tokio::spawn({
        let s = s.clone();
        async move {
            s.write(|tx| {
                insert_setting("bad")(tx)?;
                Err::<(), _>(StoreError::Conflict("on purpose".into()))
            })
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let c = tokio::spawn({
        let s = s.clone();
        async move { s.write(insert_setting("c")).await }
    });
    hold.await.unwrap();
    assert_eq!(a.await.unwrap(), Ok(()));
    assert_eq!(
        bad.await.unwrap(),
        Err(StoreError::Conflict("on purpose".into()))
    );
    assert_eq!(c.await.unwrap(), Ok(()));
    assert!(setting_exists(&s, "a").await);
    assert!(!setting_exists(&s, "bad").await);
    assert!(setting_exists(&s, "c").await);
}

/// When the COMMIT fails (here: a deferred foreign key violated by one job), every job
/// of the batch is answered `Unavailable` and nothing of the batch is kept.
#[tokio::test]
async fn failed_commit_fails_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.inner
        .writer
        .exclusive(|c| {
            c.execute_batch(
                "CREATE TABLE parent (id INTEGER PRIMARY KEY); \
                 CREATE TABLE child (p INTEGER REFERENCES parent (id) \
                 DEFERRABLE INITIALLY DEFERRED);",
            )
            .map_err(crate::map::store_error)
        })
        .await
        .unwrap();
    let hold = hold_writer(&s, 100).await;
    let good = tokio::spawn({
        let s = s.clone();
        async move { s.write(insert_setting("good")).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let poison = tokio::spawn({
        let s = s.clone();
        async move {
            s.write(|tx| {
                tx.execute("INSERT INTO child (p) VALUES (42)", [])
                    .map(|_| ())
                    .map_err(crate::map::store_error)
            })
            .await
        }
    });
    hold.await.unwrap();
    assert!(matches!(
        good.await.unwrap(),
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        poison.await.unwrap(),
        Err(StoreError::Unavailable(_))
    ));
    assert!(!setting_exists(&s, "good").await);
    // The writer carries on.
    s.write(insert_setting("after")).await.unwrap();
    assert!(setting_exists(&s, "after").await);
}

/// A job that ends the transaction itself (SQLite rolling it back, as on a full disk)
/// fails its batch instead of letting earlier jobs believe they committed.
#[tokio::test]
async fn transaction_lost_mid_batch_fails_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let hold = hold_writer(&s, 100).await;
    let first = tokio::spawn({
        let s = s.clone();
        async move { s.write(insert_setting("first")).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let rogue = tokio::spawn({
        let s = s.clone();
        async move {
            s.write(|tx| {
                tx.execute_batch("ROLLBACK")
                    .map_err(crate::map::store_error)
            })
            .await
        }
    });
    hold.await.unwrap();
    assert!(matches!(
        first.await.unwrap(),
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        rogue.await.unwrap(),
        Err(StoreError::Unavailable(_))
    ));
    assert!(!setting_exists(&s, "first").await);
    s.write(insert_setting("after")).await.unwrap();
    assert!(setting_exists(&s, "after").await);
}

/// A panicking job is answered with an error; the writer thread survives.
#[tokio::test]
async fn panicking_job_does_not_kill_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let r = s
        .write(|_| -> Result<(), StoreError> { panic!("bug in a job") })
        .await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))));
    s.write(insert_setting("after")).await.unwrap();
    assert!(setting_exists(&s, "after").await);
}

/// A prefix expanded to the index's terms finds exactly what FTS5's own prefix query finds,
/// with exclusions and other terms around it, and the reader connections have the
/// vocabulary table it needs.
#[tokio::test]
async fn expanded_prefixes_find_what_the_engines_prefix_query_finds() {
    use frontdesk_core::search::{SearchQuery, Term};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(store(&dir).await);
    let texts = [
        "I want a refund for my order",
        "Refunds take five days, shipping two",
        "refunded already? shipped yesterday",
        "the shipment is lost",
        "Le CAFÉ était froid, refundable",
        "nothing to see here",
        "ship it",
        "café crème",
    ];
    {
        let w = Connection::open(&path).unwrap();
        for (i, t) in texts.iter().enumerate() {
            w.execute(
                "INSERT INTO search (rowid, body) VALUES (?1, ?2)",
                rusqlite::params![(i64::try_from(i).unwrap() + 1) << 20, t],
            )
            .unwrap();
        }
    }
    let r = crate::readers::open_reader(&path).unwrap();
    let run = |fts: &str| -> Vec<i64> {
        let mut stmt = r
            .prepare("SELECT rowid FROM search WHERE search MATCH ?1 ORDER BY rowid DESC")
            .unwrap();
        stmt.query_map([fts], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for typed in [
        "refund*",
        "refunds*",
        "ship*",
        "shipping*",
        "caf*",
        "Café*",
        "ship* -refund*",
        "refund* ship*",
        "\"five days\" refund*",
        "zebra*",
        "r*",
        "re*",
    ] {
        let q = SearchQuery::parse(typed).unwrap();
        let expanded = crate::archive::engine_query(&r, &q).unwrap();
        let native = crate::archive::render(&q, &crate::archive::native_prefix);
        assert_eq!(
            run(&expanded),
            run(&native),
            "{typed}: {expanded} vs {native}"
        );
        let has_prefix = q
            .clauses
            .iter()
            .any(|c| matches!(c.term, Term::Prefix { .. }));
        assert!(has_prefix);
    }
    // The expansion is used where it applies (not silently the engine's prefix query).
    let q = SearchQuery::parse("refund*").unwrap();
    assert_eq!(
        crate::archive::engine_query(&r, &q).unwrap(),
        "((\"refund\"))"
    );
    let q = SearchQuery::parse("ship*").unwrap();
    assert_eq!(
        crate::archive::engine_query(&r, &q).unwrap(),
        "((\"ship\" OR \"shipment\"))"
    );
}

/// Closing the store empties the WAL (a full one is read whole at the next start), even
/// though the reader connections are still open when the writer closes.
#[tokio::test]
async fn closing_the_store_leaves_an_empty_wal() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.write(|tx| {
        tx.execute_batch("CREATE TABLE scratch (v TEXT); INSERT INTO scratch VALUES ('x');")
            .map_err(crate::map::store_error)
    })
    .await
    .unwrap();
    let wal = dir.path().join("t.db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the write is in the WAL"
    );
    drop(s);
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(left, 0, "WAL bytes left after close");
}

/// The statements every page view runs are planned once, not again for each visitor (with
/// SQLite's default, binding another visitor re-planned them: `plans_stable`).
#[tokio::test]
async fn page_view_statements_are_not_planned_again_per_visitor() {
    use rusqlite::StatementStatus;
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let conn = Connection::open(s.path()).unwrap();
    conn.set_prepared_statement_cache_capacity(16);
    let replanned = |conn: &Connection| -> Vec<(&'static str, i32)> {
        [
            ("open chat", crate::chats::OPEN_CHAT_OF_VISITOR),
            ("continue visit", crate::visitors::CONTINUE_VISIT),
        ]
        .into_iter()
        .map(|(name, sql)| {
            for i in 0..10i64 {
                let mut st = conn.prepare_cached(sql).unwrap();
                let visitor = format!("v{i}");
                let n = st.parameter_count();
                let values: Vec<Box<dyn rusqlite::ToSql>> = (1..=n)
                    .map(|k| -> Box<dyn rusqlite::ToSql> {
                        if k == 2 {
                            Box::new(visitor.clone())
                        } else {
                            Box::new(i)
                        }
                    })
                    .collect();
                let mut rows = st.query(rusqlite::params_from_iter(values.iter())).unwrap();
                while rows.next().unwrap().is_some() {}
            }
            let st = conn.prepare_cached(sql).unwrap();
            (name, st.reset_status(StatementStatus::RePrepare))
        })
        .collect()
    };
    // SQLite's default: planned again (the test sees the effect it guards against).
    assert!(
        replanned(&conn).iter().all(|(_, n)| *n >= 5),
        "{:?}",
        replanned(&conn)
    );
    crate::plans_stable(&conn).unwrap();
    conn.flush_prepared_statement_cache();
    assert_eq!(replanned(&conn), [("open chat", 0), ("continue visit", 0)]);
}

//! What only a database file has: opening creates it, damaged files are refused (at once or
//! by the background check), durability settings, checkpoints, bulk history.

use super::*;
use frontdesk_store_sqlite::{BulkHistory, Integrity};
use std::future::Future;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Opening `path` with `options` fails: the file is damaged.
async fn assert_refused_as_corrupt(path: &Path, options: SqliteOptions) {
    let err = SqliteStore::open(path, options).await.unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
}

/// Lets `fill` write to the database of `dir`, then checkpoints and closes it; returns its
/// size in pages.
async fn pages_after<F: Future<Output = ()>>(dir: &TempDir, fill: impl FnOnce(Store) -> F) -> u64 {
    let s = reopen(dir).await.unwrap();
    fill(s.clone()).await;
    assert!(s.checkpoint().await.unwrap());
    drop(s);
    std::fs::metadata(db_path(dir)).unwrap().len() / 4096
}

/// Overwrites `len` bytes of the file at `path` from `offset` on.
fn overwrite(path: &Path, offset: u64, len: usize) {
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(&vec![0xA5; len]).unwrap();
    f.sync_all().unwrap();
}

#[tokio::test]
async fn open_creates_missing_directories_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c/frontdesk.db");
    let s = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    assert!(path.exists());
    assert_eq!(s.path(), path.as_path());
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    // One per migration file (whatever migrations the branch carries).
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    assert_eq!(version, files as i64, "migrations recorded in user_version");
}

#[tokio::test]
async fn garbage_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frontdesk.db");
    let garbage: Vec<u8> = (0..64 * 1024u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, garbage).unwrap();
    assert_refused_as_corrupt(&path, SqliteOptions::default()).await;
}

#[tokio::test]
async fn damaged_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages_after(&dir, |s| async move {
        let site = site(&s, "shop").await;
        for i in 0..50 {
            let c = chat(&s, site.id, &format!("v{i}"), i).await;
            s.append_message(text(c.id, &"x".repeat(500), None))
                .await
                .unwrap();
        }
    })
    .await;
    assert!(pages > 10, "database too small to damage: {pages} pages");
    // Part of a page near the end: the chats and messages written last (the first ~40 pages
    // are the schema's root pages, some of them empty, whose unused space damage cannot show).
    let path = db_path(&dir);
    overwrite(&path, (pages - 3) * 4096 + 16, 2048);
    assert_refused_as_corrupt(&path, SqliteOptions::default()).await;
}

/// Waits (without a fixed sleep) for the background check to reach a verdict.
async fn verdict(s: &SqliteStore) -> Integrity {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let now = s.integrity();
        if now != Integrity::Checking || std::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn damage_past_the_open_budget_is_found_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    // About 1 MB (a few hundred pages): more than the check walks between two looks at the
    // clock.
    let pages = pages_after(&dir, |s| async move {
        let site = site(&s, "shop").await;
        let c = chat(&s, site.id, "v1", 1).await;
        let appends: Vec<_> = (0..400)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(
                    async move { s.append_message(text(c.id, &"x".repeat(2000), None)).await },
                )
            })
            .collect();
        for a in appends {
            a.await.unwrap().unwrap();
        }
    })
    .await;
    let path = db_path(&dir);
    assert!(pages > 200, "database too small: {pages} pages");
    // A zero budget: the open-time check stops at its first look at the clock, as it would
    // on a file too large to read within the budget.
    let no_time = SqliteOptions {
        open_check_budget: Some(std::time::Duration::ZERO),
        ..SqliteOptions::default()
    };
    {
        let s = SqliteStore::open(&path, no_time).await.unwrap();
        assert_eq!(verdict(&s).await, Integrity::Ok, "an intact file passes");
        assert_eq!(s.integrity_problem(), None);
    }
    // The last page (a b-tree page: nothing was ever deleted), overwritten whole, so that
    // the walk finds it however its cells were laid out; it comes late in the walk.
    overwrite(&path, (pages - 1) * 4096, 4096);
    let s = SqliteStore::open(&path, no_time).await.unwrap();
    assert!(
        matches!(verdict(&s).await, Integrity::Corrupt(_)),
        "{:?}",
        s.integrity()
    );
    assert!(s.integrity_problem().is_some());
    drop(s);
    // With no budget (the `database_full_check` setting) the damage refuses the open.
    let whole = SqliteOptions {
        open_check_budget: None,
        ..SqliteOptions::default()
    };
    assert_refused_as_corrupt(&path, whole).await;
}

#[tokio::test]
async fn full_durability_by_default() {
    let (_keep, s) = fresh().await;
    let d = s.durability().await.unwrap();
    assert_eq!(d.journal_mode, "wal");
    assert_eq!(d.synchronous, 2, "FULL");
    assert!(d.is_full());
}

#[tokio::test]
async fn weakened_durability_is_detectable() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        synchronous_full: false,
        ..SqliteOptions::default()
    };
    let s = SqliteStore::open(&dir.path().join("weak.db"), options)
        .await
        .unwrap();
    let d = s.durability().await.unwrap();
    assert_eq!(d.synchronous, 1, "NORMAL");
    assert!(!d.is_full());
}

#[tokio::test]
async fn checkpoint_truncates_the_wal() {
    let (dir, s) = fresh().await;
    let site = site(&s, "shop").await;
    chat(&s, site.id, "v", 1).await;
    assert!(s.checkpoint().await.unwrap());
    let wal = dir.path().join("frontdesk.db-wal");
    assert_eq!(std::fs::metadata(wal).unwrap().len(), 0);
    // Still serving afterwards.
    assert_eq!(s.list_sites().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bulk_history_is_queryable() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let a = agent(&s, "ann@example.com", None).await;
    let spec = BulkHistory {
        sites: vec![site.id],
        agents: vec![a.id],
        chats: 1_200,
        messages_per_chat: 6,
        start: Timestamp(1_000_000),
        span_ms: 1_200_000_000,
        visitors: 100,
    };
    s.bulk_insert_history(spec.clone()).await.unwrap();
    let v = VisitorId("bulk-7".into());
    let chats = s.chats_of_visitor(site.id, &v, 100).await.unwrap();
    assert_eq!(chats.len(), 12);
    assert!(chats.windows(2).all(|w| w[0].created_at > w[1].created_at));
    // The generator's description of a chat is what the store holds.
    let answered = chats.iter().find(|c| c.answered_at.is_some()).unwrap();
    let want = spec.chat(u64::try_from(answered.id.0 - 1).unwrap());
    assert_eq!(answered.created_at, want.created);
    assert_eq!(answered.answered_at, want.answered);
    assert_eq!(answered.tags, want.tags);
    let msgs = s.messages_after(answered.id, Seq(0), 100).await.unwrap();
    let seqs: Vec<i64> = msgs.iter().map(|m| m.seq.0).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(msgs[1].author, Author::Agent { agent: a.id });
    let bodies: Vec<String> = spec.messages(&want).map(|m| m.body).collect();
    assert_eq!(
        msgs.iter().map(|m| m.body.clone()).collect::<Vec<_>>(),
        bodies
    );
    assert!(s.open_chats(&[site.id]).await.unwrap().is_empty());
    // Real report figures: waits, first replies, durations, missed chats and ratings.
    let facts = s
        .chat_facts(&[SiteRange {
            site: site.id,
            from: Timestamp(0),
            to: Timestamp(i64::MAX),
        }])
        .await
        .unwrap();
    assert_eq!(facts.len(), 1_200);
    // What the generator's description says, chat by chat.
    let described: Vec<_> = (0..1_200).map(|i| spec.chat(i)).collect();
    let missed = described.iter().filter(|c| c.answered.is_none()).count();
    assert!(missed > 0);
    assert_eq!(facts.iter().filter(|f| f.missed).count(), missed);
    let answered: Vec<_> = facts.iter().filter(|f| f.answered_at.is_some()).collect();
    assert_eq!(answered.len(), 1_200 - missed);
    assert!(
        answered
            .iter()
            .all(|f| f.first_reply.is_some() && f.messages == 6)
    );
    let rated = described.iter().filter(|c| c.rating.is_some()).count();
    assert!(rated > 0);
    assert_eq!(facts.iter().filter(|f| f.rating.is_some()).count(), rated);
    // The median wait (nearest rank, whole seconds) equals the description's.
    let mut waits: Vec<i64> = described
        .iter()
        .filter_map(|c| c.answered.map(|a| (a.0 - c.created.0) / 1000))
        .collect();
    waits.sort_unstable();
    let want = waits[waits.len().div_ceil(2) - 1];
    let acc = frontdesk_core::reports::rollup::rollup_hour(&facts, 0);
    assert_eq!(acc.wait.median(), Some(u64::try_from(want).unwrap()));
    assert!(acc.first_response.median().is_some());
}

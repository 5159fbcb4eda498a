//! The search queue on a real database file: a message is queued by its commit and indexed
//! later, a search always sees it, a crash's queue is indexed at the next open, an erased
//! chat leaves nothing queued, and the writer indexes a large backlog by itself.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::test_support::shop;
use crate::{SqliteOptions, SqliteStore};
use frontdesk_core::archive::ArchiveQuery;
use frontdesk_core::ids::{SiteId, Timestamp, VisitorId};
use frontdesk_core::model::{Author, NewChat, NewMessage};
use frontdesk_core::search::SearchQuery;
use frontdesk_core::store::{ArchiveStore, ChatStore};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A store whose writer never indexes on its own for being idle (an hour): what is indexed
/// is what a batch, a search, a check or the open indexed.
async fn open(path: &Path) -> SqliteStore {
    open_idle(path, Duration::from_secs(3600)).await
}

async fn open_idle(path: &Path, idle: Duration) -> SqliteStore {
    let options = SqliteOptions {
        search_idle: idle,
        ..SqliteOptions::default()
    };
    SqliteStore::open(path, options).await.unwrap()
}

async fn chat(s: &SqliteStore, site: SiteId, visitor: &str) -> ChatId {
    s.create_chat(NewChat {
        site_id: site,
        visitor_id: VisitorId(visitor.into()),
        visit_id: None,
        visitor_name: Some("Vera".into()),
        visitor_email: None,
        page_url: None,
        department_id: None,
        created_at: Timestamp(10),
    })
    .await
    .unwrap()
    .id
}

/// A store on a new file (idle for an hour, see [`open`]) with a site and one chat in it:
/// (its directory, the file, the store, the site, the chat).
async fn fixture() -> (tempfile::TempDir, PathBuf, SqliteStore, SiteId, ChatId) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let s = open(&path).await;
    let site = shop(&s).await;
    let chat = chat(&s, site, "va").await;
    (dir, path, s, site, chat)
}

async fn say(s: &SqliteStore, chat: ChatId, kind: MessageKind, body: &str) -> i64 {
    s.append_message(NewMessage {
        chat_id: chat,
        author: Author::Visitor,
        author_name: None,
        kind,
        body: body.into(),
        client_id: None,
        created_at: Timestamp(20),
        file: None,
    })
    .await
    .unwrap()
    .message
    .seq
    .0
}

fn searching(site: SiteId, text: &str) -> ArchiveQuery {
    ArchiveQuery {
        sites: vec![site],
        agent: None,
        from: None,
        to: None,
        state: None,
        tag: None,
        rating: None,
        search: Some(SearchQuery::parse(text).unwrap()),
        cursor: None,
        limit: 25,
    }
}

/// The queue's rows, and the message rowids (not headers) in the index, read behind the
/// store's back.
fn raw(path: &Path) -> (Vec<(i64, i64)>, Vec<i64>) {
    let c = Connection::open(path).unwrap();
    let queue = c
        .prepare("SELECT chat_id, from_seq FROM search_queue ORDER BY chat_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let indexed = c
        .prepare("SELECT rowid FROM search WHERE rowid & 1048575 <> 0 ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (queue, indexed)
}

fn rowid(chat: ChatId, seq: i64) -> i64 {
    (chat.0 << 20) | seq
}

#[test]
fn the_backlog_is_indexed_when_idle_from_a_batch_and_at_once_from_the_cap() {
    assert_eq!(after_batch(0), AfterBatch::Wait);
    assert_eq!(after_batch(BATCH - 1), AfterBatch::Wait);
    assert_eq!(after_batch(BATCH), AfterBatch::IfIdle);
    assert_eq!(after_batch(BUSY_CAP - 1), AfterBatch::IfIdle);
    assert_eq!(after_batch(BUSY_CAP), AfterBatch::Now);
}

#[tokio::test]
async fn a_message_is_queued_by_its_commit_and_a_search_indexes_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let s = open(&path).await;
    let site = shop(&s).await;
    let (a, b) = (chat(&s, site, "va").await, chat(&s, site, "vb").await);
    let a1 = say(&s, a, MessageKind::Text, "where is my parcel").await;
    let b1 = say(&s, b, MessageKind::Text, "hello").await;
    let a2 = say(&s, a, MessageKind::Event, "parcel event").await;
    let a3 = say(&s, a, MessageKind::Link, "https://parcel.example").await;
    // Queued from each chat's first searchable message; nothing of them indexed yet.
    assert_eq!(raw(&path), (vec![(a.0, a1), (b.0, b1)], vec![]));

    let (rows, _) = s.archive_page(&searching(site, "parcel")).await.unwrap();
    assert_eq!(rows.len(), 1, "the chat is found");
    assert_eq!(rows[0].0.id, a);
    // Every searchable message indexed (the event is not searchable), the queue empty.
    assert_eq!(
        raw(&path),
        (vec![], vec![rowid(a, a1), rowid(a, a3), rowid(b, b1)])
    );
    assert_ne!(a2, a3);
    s.check_search_index().await.unwrap();

    // A count with a search indexes first too.
    say(&s, b, MessageKind::Text, "a second parcel").await;
    let n = s
        .archive_count(&searching(site, "parcel"), 100)
        .await
        .unwrap();
    assert_eq!(n.count, 2);
}

#[tokio::test]
async fn the_check_indexes_the_queue_first_and_the_rebuild_empties_it() {
    let (_dir, path, s, _, a) = fixture().await;
    let a1 = say(&s, a, MessageKind::Text, "queued").await;
    s.check_search_index().await.unwrap();
    assert_eq!(raw(&path), (vec![], vec![rowid(a, a1)]));

    let a2 = say(&s, a, MessageKind::Text, "queued again").await;
    assert_eq!(
        s.rebuild_search_index().await.unwrap(),
        3,
        "two messages and a header"
    );
    assert_eq!(raw(&path), (vec![], vec![rowid(a, a1), rowid(a, a2)]));
    s.check_search_index().await.unwrap();
}

#[tokio::test]
async fn what_a_crash_left_queued_is_indexed_when_the_store_opens() {
    let (_dir, path, s, _, a) = fixture().await;
    let a1 = say(&s, a, MessageKind::Text, "before the crash").await;
    drop(s);
    // A clean close indexes the queue; a crash would have left it as it was: put it back.
    let c = Connection::open(&path).unwrap();
    c.execute("DELETE FROM search WHERE rowid = ?1", [rowid(a, a1)])
        .unwrap();
    c.execute(
        "INSERT INTO search_queue (chat_id, from_seq) VALUES (?1, ?2)",
        [a.0, a1],
    )
    .unwrap();
    drop(c);
    assert_eq!(raw(&path), (vec![(a.0, a1)], vec![]));

    let s = open(&path).await;
    assert_eq!(raw(&path), (vec![], vec![rowid(a, a1)]));
    s.check_search_index().await.unwrap();
}

#[tokio::test]
async fn a_deleted_chat_leaves_nothing_queued() {
    let (_dir, path, s, _, a) = fixture().await;
    say(&s, a, MessageKind::Text, "to be forgotten").await;
    s.write(move |tx| {
        crate::privacy::delete_search_entries(tx, a.0)?;
        tx.execute("DELETE FROM chats WHERE id = ?1", [a.0]).db()?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(raw(&path), (vec![], vec![]));
    s.check_search_index().await.unwrap();
}

#[tokio::test]
async fn the_writer_indexes_a_full_batch_by_itself() {
    let (_dir, path, s, _, a) = fixture().await;
    for i in 0..BATCH {
        say(&s, a, MessageKind::Text, &format!("message {i}")).await;
    }
    // The writer indexes after a batch once BATCH wait and nothing else is queued: each
    // write below gives it a batch to finish (it is never idle for an hour).
    for _ in 0..10_000 {
        if raw(&path).0.is_empty() {
            break;
        }
        s.write(|_| Ok(())).await.unwrap();
    }
    let (queue, indexed) = raw(&path);
    assert_eq!(queue, vec![]);
    assert_eq!(indexed.len(), BATCH);
}

#[tokio::test]
async fn a_backlog_short_of_a_batch_waits_for_the_writer_to_be_idle() {
    let (_dir, path, s, _, a) = fixture().await;
    for i in 0..BATCH - 1 {
        say(&s, a, MessageKind::Text, &format!("message {i}")).await;
    }
    for _ in 0..50 {
        s.write(|_| Ok(())).await.unwrap();
    }
    assert_eq!(raw(&path).1.len(), 0, "one short of a batch: not indexed");
    drop(s);

    // Idle for 10 ms: the writer indexes by itself.
    let s = open_idle(&path, Duration::from_millis(10)).await;
    let one = say(&s, a, MessageKind::Text, "one more").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !raw(&path).0.is_empty() {
        assert!(std::time::Instant::now() < deadline, "never indexed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(raw(&path).1.last(), Some(&rowid(a, one)));
}

/// The flush walks the queue and each queued chat's messages by primary key from its seq,
/// which is rowid order already: no sort, no scan of `messages`.
#[tokio::test]
async fn the_flush_reads_only_queued_messages_already_in_rowid_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(open(&path).await);
    let c = Connection::open(&path).unwrap();
    let plan: Vec<String> = c
        .prepare(&format!("EXPLAIN QUERY PLAN {FLUSH}"))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join(" | ");
    assert!(plan.contains("SCAN q"), "{plan}");
    assert!(
        plan.contains("SEARCH m USING PRIMARY KEY (chat_id=? AND seq>? AND seq<?)"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

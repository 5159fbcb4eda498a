//! Messages batched in the group commit: each batch is run by the writer's own batch code
//! (`writer::run_one_batch`) on a connection of the test's, with the writes in a known order.

#![allow(clippy::unwrap_used)]

use super::{PendingAppend, Reply, What};
use crate::writer::{TestWrite, run_one_batch};
use crate::{SqliteOptions, SqliteStore};
use frontdesk_core::model::{Author, MessageKind, NewChat, NewMessage, NewSite};
use frontdesk_core::store::{
    Appended, ChatStore, Posted, SiteStore, StoreError, StoreResult, VisitorMessage,
};
use frontdesk_core::{ChatId, SiteId, SiteKey, Timestamp, VisitorId};
use rusqlite::Connection;
use std::cell::Cell;
use tokio::sync::oneshot;

thread_local! {
    /// Groups that failed and ran again message by message, on this thread (the tests run
    /// their batches on their own thread): the answers are the same either way, so this is
    /// what tells that a group took the batched path.
    pub(super) static FALLBACKS: Cell<usize> = const { Cell::new(0) };
}

fn fallbacks() -> usize {
    FALLBACKS.with(Cell::get)
}

/// A store with one site and two open chats (visitors "v1" and "v2").
async fn fixture(dir: &tempfile::TempDir) -> (SqliteStore, SiteId, ChatId, ChatId) {
    let store = SqliteStore::open(&dir.path().join("t.db"), SqliteOptions::default())
        .await
        .unwrap();
    let site = store
        .create_site(
            NewSite {
                key: SiteKey("shop".into()),
                name: "Shop".into(),
                base_url: "https://shop.example".into(),
                timezone: "Europe/Berlin".into(),
                allowed_origins: vec![],
                email: None,
            },
            Timestamp(1),
        )
        .await
        .unwrap()
        .id;
    let mut chats = Vec::new();
    for visitor in ["v1", "v2"] {
        let chat = store
            .create_chat(NewChat {
                site_id: site,
                visitor_id: VisitorId(visitor.into()),
                visit_id: None,
                visitor_name: Some(format!("Visitor {visitor}")),
                visitor_email: None,
                page_url: None,
                department_id: None,
                created_at: Timestamp(2),
            })
            .await
            .unwrap();
        chats.push(chat.id);
    }
    (store, site, chats[0], chats[1])
}

fn connect(store: &SqliteStore) -> Connection {
    let conn = Connection::open(store.path()).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    conn
}

fn message(chat: ChatId, body: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        chat_id: chat,
        author: Author::Visitor,
        author_name: None,
        kind: MessageKind::Text,
        body: body.into(),
        client_id: client_id.map(String::from),
        created_at: Timestamp(10),
        file: None,
    }
}

fn visitor_message(site: SiteId, visitor: &str, body: &str) -> VisitorMessage {
    VisitorMessage {
        site,
        visitor: VisitorId(visitor.into()),
        kind: MessageKind::Text,
        body: body.into(),
        client_id: None,
        created_at: Timestamp(10),
        file: None,
    }
}

/// An `append_message` for a batch, and its answer.
fn append(
    store: &SqliteStore,
    m: NewMessage,
) -> (TestWrite, oneshot::Receiver<StoreResult<Appended>>) {
    let (reply, answer) = oneshot::channel();
    let pending = PendingAppend::new(
        What::Chat(m),
        true,
        store.subscriptions(),
        Reply::Chat(reply),
    );
    (TestWrite::Append(Box::new(pending)), answer)
}

/// An `append_visitor_message` for a batch, and its answer.
fn post(
    store: &SqliteStore,
    m: VisitorMessage,
) -> (TestWrite, oneshot::Receiver<StoreResult<Option<Posted>>>) {
    let (reply, answer) = oneshot::channel();
    let what = What::Visitor(m);
    let pending = PendingAppend::new(what, true, store.subscriptions(), Reply::Visitor(reply));
    (TestWrite::Append(Box::new(pending)), answer)
}

/// Runs the appends of `messages` as one batch; their answers as (seq, duplicate), in order.
async fn batch(
    conn: &mut Connection,
    store: &SqliteStore,
    messages: Vec<NewMessage>,
) -> Vec<StoreResult<(i64, bool)>> {
    let (writes, answers): (Vec<_>, Vec<_>) =
        messages.into_iter().map(|m| append(store, m)).unzip();
    run_one_batch(conn, writes);
    let mut out = Vec::new();
    for answer in answers {
        out.push(
            answer
                .await
                .unwrap()
                .map(|a| (a.message.seq.0, a.duplicate)),
        );
    }
    out
}

fn stored(conn: &Connection, chat: ChatId) -> (i64, Vec<(i64, String)>) {
    let last: i64 = conn
        .query_row("SELECT last_seq FROM chats WHERE id = ?1", [chat.0], |r| {
            r.get(0)
        })
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT seq, body FROM messages WHERE chat_id = ?1 ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([chat.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (last, rows)
}

#[tokio::test]
async fn messages_of_one_chat_in_one_batch_get_consecutive_seqs() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, a, b) = fixture(&dir).await;
    let mut conn = connect(&store);
    // 75 messages (statements of 64, 8 and 1 rows), the two chats interleaved.
    let messages = (0..75)
        .map(|i| message(if i % 3 == 1 { b } else { a }, &format!("m{i}"), None))
        .collect();
    let answers = batch(&mut conn, &store, messages).await;
    let (mut next_a, mut next_b) = (0, 0);
    for (i, answer) in answers.iter().enumerate() {
        let next = if i % 3 == 1 { &mut next_b } else { &mut next_a };
        *next += 1;
        assert_eq!(*answer, Ok((*next, false)), "message {i}");
    }
    assert_eq!(fallbacks(), 0, "one group, no message alone");
    let (last_a, rows_a) = stored(&conn, a);
    let (last_b, rows_b) = stored(&conn, b);
    assert_eq!((last_a, last_b), (50, 25));
    assert_eq!(rows_a.len(), 50);
    assert_eq!(rows_b.len(), 25);
    assert_eq!(rows_a[1], (2, "m2".to_string()));
    assert_eq!(rows_b[0], (1, "m1".to_string()));
    // The next batch goes on from there; and so does a single write through the store.
    let answers = batch(&mut conn, &store, vec![message(a, "next", None)]).await;
    assert_eq!(answers, vec![Ok((51, false))]);
    let single = store
        .append_message(message(b, "alone", None))
        .await
        .unwrap();
    assert_eq!(single.message.seq.0, 26);
    // The search index has every message of the group.
    let found: i64 = conn
        .query_row(
            "SELECT count(*) FROM search WHERE search MATCH 'm2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1);
}

#[tokio::test]
async fn a_resent_client_id_answers_the_stored_message_in_and_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, a, b) = fixture(&dir).await;
    let mut conn = connect(&store);
    let answers = batch(
        &mut conn,
        &store,
        vec![
            message(a, "hello", Some("c1")),
            message(a, "hello (resent)", Some("c1")),
            // The same client id in another chat is another message.
            message(b, "hello b", Some("c1")),
            message(a, "second", Some("c2")),
        ],
    )
    .await;
    assert_eq!(
        answers,
        vec![
            Ok((1, false)),
            Ok((1, true)),
            Ok((1, false)),
            Ok((2, false))
        ]
    );
    assert_eq!(
        stored(&conn, a),
        (2, vec![(1, "hello".into()), (2, "second".into())])
    );
    // Resent in a later batch: the stored message, nothing written.
    let answers = batch(
        &mut conn,
        &store,
        vec![
            message(a, "again", Some("c1")),
            message(a, "third", Some("c3")),
        ],
    )
    .await;
    assert_eq!(answers, vec![Ok((1, true)), Ok((3, false))]);
    assert_eq!(fallbacks(), 0);
    assert_eq!(stored(&conn, a).0, 3);
}

#[tokio::test]
async fn a_chat_ended_between_two_messages_of_a_batch_takes_only_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (store, site, a, _) = fixture(&dir).await;
    let mut conn = connect(&store);
    let (first, first_answer) = post(&store, visitor_message(site, "v1", "before"));
    let (again, again_answer) = post(&store, visitor_message(site, "v1", "before, again"));
    let end = TestWrite::Job(Box::new(move |tx| {
        tx.execute(
            "UPDATE chats SET state = 'ended', ended_at = 5, end_reason = 'visitor', \
             ended_by = NULL WHERE id = ?1",
            [a.0],
        )
        .unwrap();
        Ok(())
    }));
    let (second, second_answer) = post(&store, visitor_message(site, "v1", "after"));
    let (other, other_answer) = post(&store, visitor_message(site, "v2", "other chat"));
    run_one_batch(&mut conn, vec![first, again, end, second, other]);
    let first = first_answer.await.unwrap().unwrap().unwrap();
    assert_eq!((first.chat.id, first.appended.message.seq.0), (a, 1));
    assert_eq!(
        first.appended.message.author_name.as_deref(),
        Some("Visitor v1")
    );
    let again = again_answer.await.unwrap().unwrap().unwrap();
    assert_eq!(again.appended.message.seq.0, 2);
    // The chat as read for the second message: after the first one.
    assert_eq!(again.chat.last_seq.0, 1);
    assert_eq!(second_answer.await.unwrap(), Ok(None), "the chat had ended");
    let other = other_answer.await.unwrap().unwrap().unwrap();
    assert_eq!(other.appended.message.seq.0, 1);
    assert_eq!(
        stored(&conn, a),
        (2, vec![(1, "before".into()), (2, "before, again".into())])
    );
    assert_eq!(fallbacks(), 0);
}

#[tokio::test]
async fn one_failing_message_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, a, _) = fixture(&dir).await;
    let mut conn = connect(&store);
    // A visitor's note breaks a CHECK of the messages table: the group's insert fails, and
    // every message runs again on its own.
    let mut note = message(a, "not allowed", None);
    note.kind = MessageKind::Note;
    let answers = batch(
        &mut conn,
        &store,
        vec![
            message(a, "one", None),
            message(ChatId(999), "no such chat", None),
            note,
            message(a, "two", Some("c2")),
        ],
    )
    .await;
    assert_eq!(answers[0], Ok((1, false)));
    assert_eq!(answers[1], Err(StoreError::NotFound));
    assert!(
        matches!(answers[2], Err(StoreError::Unavailable(_))),
        "{:?}",
        answers[2]
    );
    assert_eq!(answers[3], Ok((2, false)));
    assert_eq!(fallbacks(), 1, "the group failed once, then each ran alone");
    assert_eq!(
        stored(&conn, a),
        (2, vec![(1, "one".into()), (2, "two".into())])
    );
}

//! Fault 5: disk full or a read-only database. The store's write connection is made to fail
//! with SQLite's own `SQLITE_FULL` / `SQLITE_READONLY` (see `frontdesk_store_sqlite::WriteFault`):
//! the sender gets a typed `unavailable` error and no acknowledgement, the agent never sees the
//! message, the socket stays usable, and once the fault is gone the same `client_id` resend is
//! stored exactly once, with the next sequence number (no gap where the failure was).

use crate::helpers::*;
use frontdesk_core::{ChatId, Seq};
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore, WriteFault};
use serde_json::Value;
use std::sync::Arc;

async fn breakable() -> (TestApp, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("frontdesk.db"), SqliteOptions::default())
        .await
        .expect("store");
    let app = TestApp::on_store(dir, Arc::new(store.clone())).await;
    (app, store)
}

fn is_message(f: &Value, body: &str) -> bool {
    f["type"] == "message" && f["body"] == body
}

async fn survives(fault: WriteFault) {
    let (app, store) = breakable().await;
    let site = app.site().await;
    let (_, mut agent) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(Some("Ann")).await;
    accept(&mut agent, chat).await;
    visitor.ws.expect("chat.accepted").await;
    let mut last_seq = visitor.say("before the fault").await;

    store.inject_write_fault(Some(fault)).await.expect("fault");
    // A full disk refuses the first write that needs a new page: send large messages until
    // one is refused (those that still fit are stored and acknowledged, as they should be).
    let mut refused = None;
    for i in 0..15 {
        let cid = format!("fault-{i}");
        let body = format!("{i} {}", "x".repeat(3000));
        let answer = visitor.message(&cid, &body).await;
        match answer["type"].as_str() {
            Some("ack") => {
                let seq = answer["seq"].as_i64().expect("seq");
                assert_eq!(seq, last_seq + 1, "acknowledged in order: {answer}");
                last_seq = seq;
            }
            _ => {
                assert_eq!(answer["type"], "error", "{answer}");
                assert_eq!(answer["code"], "unavailable", "{answer}");
                refused = Some((cid, body));
                break;
            }
        }
    }
    let (cid, body) = refused.expect("the fault refused a write");
    // An agent's message (as large: it needs a page just the same) is refused too.
    let agent_body = format!("agent during the fault {}", "y".repeat(3000));
    let answer = agent_say(&mut agent, chat, &agent_body).await;
    assert_eq!(answer["code"], "unavailable", "{answer}");

    store.inject_write_fault(None).await.expect("heal");
    // The same socket is still usable. The same client id, resent twice: stored once, with the next sequence number.
    for _ in 0..2 {
        let answer = visitor.message(&cid, &body).await;
        assert_eq!(answer["type"], "ack", "stored after recovery: {answer}");
        assert_eq!(answer["seq"], last_seq + 1, "no gap where the write failed");
    }
    let after = visitor.say("after recovery").await;
    assert_eq!(after, last_seq + 2);

    // The agent saw the refused message only once, after recovery, in sequence.
    let marker = agent
        .wait_for("after recovery", |f| is_message(f, "after recovery"))
        .await;
    assert_eq!(marker["seq"], after);
    let seen: Vec<Value> = std::mem::take(&mut agent.backlog).into_iter().collect();
    let copies: Vec<&Value> = seen.iter().filter(|f| is_message(f, &body)).collect();
    assert_eq!(copies.len(), 1, "delivered once: {copies:?}");
    assert_eq!(copies[0]["seq"], last_seq + 1);
    assert!(
        !seen.iter().any(|f| is_message(f, &agent_body)),
        "a refused agent message was delivered"
    );

    let stored = app
        .store()
        .messages_after(ChatId(chat), Seq(0), 100)
        .await
        .expect("messages");
    assert_eq!(stored.iter().filter(|m| m.body == body).count(), 1);
    assert!(!stored.iter().any(|m| m.body == agent_body));
    let seqs: Vec<i64> = stored.iter().map(|m| m.seq.0).collect();
    let expected: Vec<i64> = (1..=after).collect();
    assert_eq!(seqs, expected, "sequences without gaps");
}

#[tokio::test]
async fn a_full_disk_refuses_without_acknowledging_and_recovers() {
    survives(WriteFault::DiskFull).await;
}

#[tokio::test]
async fn a_read_only_database_refuses_without_acknowledging_and_recovers() {
    survives(WriteFault::ReadOnly).await;
}

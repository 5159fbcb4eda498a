//! A chat changing hands (rules 5 and 6 of the server-core issue): a transfer the visitor
//! cannot see, a close that puts it back in the queue, and an agent who vanished for longer
//! than the grace period (the injectable clock).

use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

/// Rule 5: transfer hands the chat to another On-Line agent, who sees the whole conversation;
/// no frame the visitor receives reveals it.
#[tokio::test]
async fn transfer_is_invisible_to_the_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a) = app.online_agent("Alice").await;
    let (bob, mut b) = app.online_agent("Bob").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    accept(&mut a, chat).await;
    visitor.ws.expect("chat.accepted").await;
    visitor.say("my order is late").await;
    agent_say(&mut a, chat, "let me check").await;
    visitor
        .ws
        .wait_for("agent msg", |f| {
            f["type"] == "message" && f["from"] == "agent"
        })
        .await;
    let before = visitor.ws.drain().await;

    let ack = a
        .request(json!({"type":"transfer","chat_id": chat, "to": bob.id.0}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let t = b.expect("chat.transferred").await;
    assert_eq!(t["chat"]["chat_id"], chat);
    assert_eq!(t["from_agent_name"], "Alice");
    a.wait_for("released", |f| {
        f["type"] == "chat.released" && f["chat_id"] == chat
    })
    .await;
    let history = b
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    assert_eq!(history["type"], "chat.history");
    let bodies: Vec<&str> = history["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, vec!["my order is late", "let me check"]);

    // The old owner can no longer write; the new one can.
    let refused = agent_say(&mut a, chat, "still me?").await;
    assert_eq!(refused["code"], "not_your_chat");
    agent_say(&mut b, chat, "it ships today").await;
    let m = visitor
        .ws
        .wait_for("msg", |f| {
            f["type"] == "message" && f["body"] == "it ships today"
        })
        .await;
    // Visitor frames never name the agent.
    let all: Vec<serde_json::Value> = before
        .into_iter()
        .chain(visitor.ws.drain().await)
        .chain([m])
        .collect();
    for f in &all {
        let text = f.to_string();
        assert!(
            !text.contains("Bob") && !text.contains("transfer"),
            "visitor saw {text}"
        );
        assert!(
            f.get("agent_id").is_none(),
            "visitor saw an agent id: {text}"
        );
    }
    let _ = alice;
}

/// Rule 6a: closing without ending returns the chat to the queue, announced again.
#[tokio::test]
async fn close_requeues_and_announces_again() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let (_, mut b) = app.online_agent("Bob").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    accept(&mut a, chat).await;
    visitor.say("hello?").await;
    b.wait_for("taken", |f| f["type"] == "chat.taken").await;
    b.backlog.clear();
    let ack = a.request(json!({"type":"close","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack");
    let again = b.requested(chat).await;
    assert_eq!(again["chat"]["state"], "pending");
    visitor
        .ws
        .wait_for("queued", |f| f["type"] == "chat.queued")
        .await;
    visitor.ws.assert_none("chat.ended").await;
    // Bob takes it and sees the messages so far.
    assert_eq!(accept(&mut b, chat).await["type"], "ack");
    let h = b.request(json!({"type":"sync","chat_id": chat})).await;
    assert_eq!(h["messages"][0]["body"], "hello?");
}

/// Rule 6b: when all of an agent's connections are gone for the grace period (injectable
/// clock), the chat returns to the queue; coming back in time keeps it.
#[tokio::test]
async fn vanished_agent_chats_requeue_after_grace_period() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, a) = app.online_agent("Alice").await;
    let (_, mut b) = app.online_agent("Bob").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    let mut a = a;
    accept(&mut a, chat).await;
    b.wait_for("taken", |f| {
        f["type"] == "chat.taken" && f["chat_id"] == chat
    })
    .await;
    b.backlog.clear();

    // Alice drops, but comes back before the grace period ends: nothing happens.
    a.close().await;
    b.presence(alice.id.0, false).await;
    app.clock.advance(Duration::from_secs(10));
    let mut a2 = alice.connect(&app).await;
    b.presence(alice.id.0, true).await;
    app.clock.advance(Duration::from_secs(60));
    b.assert_none("chat.requested").await;
    assert_eq!(agent_say(&mut a2, chat, "still here").await["type"], "ack");

    // Now she vanishes for good: after 30 s the chat is requeued and announced.
    a2.close().await;
    b.presence(alice.id.0, false).await;
    app.requeues_after_grace(&mut b, &mut visitor, chat).await;
}

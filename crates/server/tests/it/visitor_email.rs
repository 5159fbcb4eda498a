//! The visitor's email reaches the agent with the chat: `ChatSummary.visitor_email` carries the
//! address given with `chat_request`, or earlier (an offline message), and is left out when the
//! visitor gave none.

use crate::helpers::*;
use serde_json::{Value, json};

/// Asks for a chat (with `email`, if given); returns the `chat.requested` summary `ws` gets.
async fn requested(ws: &mut Ws, v: &mut VisitorClient, email: Option<&str>) -> Value {
    let mut frame = json!({"type": "chat_request", "name": "Ann"});
    if let Some(e) = email {
        frame["email"] = json!(e);
    }
    let ack = v.ws.request(frame).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let chat = ack["chat_id"].clone();
    ws.wait_for("chat.requested", move |f| {
        f["type"] == "chat.requested" && f["chat"]["chat_id"] == chat
    })
    .await["chat"]
        .clone()
}

#[tokio::test]
async fn the_chat_summary_carries_the_email_the_visitor_gave() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;

    let mut ann = app.visitor(&site).await;
    let chat = requested(&mut ws, &mut ann, Some("ann@example.com")).await;
    assert_eq!(chat["visitor_email"], "ann@example.com", "{chat}");
    let id = chat["chat_id"].as_i64().expect("chat id");
    // Also in the snapshot and over REST.
    let mut again = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&alice.cookie),
    )
    .await
    .expect("agent socket opens");
    let snapshot = again.expect("snapshot").await;
    let listed = snapshot["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["chat_id"] == id)
        .cloned()
        .expect("listed");
    assert_eq!(listed["visitor_email"], "ann@example.com");
    assert_eq!(accept(&mut ws, id).await["type"], "ack");
    let rest = alice.get(&format!("/api/chats/{id}")).await;
    let body: Value = rest.json().await.expect("JSON");
    assert_eq!(body["chat"]["visitor_email"], "ann@example.com", "{body}");

    // No email given: the field is left out.
    let mut bob = app.visitor(&site).await;
    let chat = requested(&mut ws, &mut bob, None).await;
    assert!(chat.get("visitor_email").is_none(), "{chat}");
}

#[tokio::test]
async fn an_email_left_with_an_offline_message_comes_with_a_later_chat() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let mut carl = app.visitor(&site).await;
    let left = carl
        .ws
        .request(json!({"type": "offline_message", "name": "Carl",
            "email": "carl@example.com", "body": "Call me back"}))
        .await;
    assert_eq!(left["type"], "ack", "{left}");

    let (_, mut ws) = app.online_agent("Alice").await;
    let chat = requested(&mut ws, &mut carl, None).await;
    assert_eq!(chat["visitor_email"], "carl@example.com", "{chat}");
}

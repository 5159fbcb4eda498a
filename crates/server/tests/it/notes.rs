//! Internal notes (issue 13): a note reaches the chat's agents (every tab of the owner) and
//! never the visitor, by any path: live, replay, resync (`notes/replay.rs`), transcripts, the
//! email to the visitor, `mailto:` and every REST call a visitor could try
//! (`notes/transcripts.rs`). "Show all agents' names" on the visitor's `message`
//! (`notes/names.rs`). Across the nodes of a cluster: `notes/cluster.rs`.

mod cluster;
mod names;
mod replay;
mod transcripts;

use crate::helpers::*;
use serde_json::{Value, json};

/// A body no other text contains: finding it anywhere in a visitor's frames is a leak.
pub(crate) fn secret() -> String {
    unique("NOTESECRET")
}

/// Writes a note in `chat` on the agent socket `ws`; returns the answer (ack or error).
pub(crate) async fn note(ws: &mut Ws, chat: i64, body: &str) -> Value {
    ws.request(json!({"type":"note","chat_id": chat,"client_id": unique("n"),"body": body}))
        .await
}

/// Asserts that no frame mentions `secret` and none is a note.
pub(crate) fn no_note_in(frames: &[Value], secret: &str) {
    for f in frames {
        let text = f.to_string();
        assert!(!text.contains(secret), "a note reached the visitor: {f}");
        assert!(
            !text.contains("\"note\""),
            "a note kind reached the visitor: {f}"
        );
    }
}

/// Waits for the `message` frame with `body` on `ws`.
pub(crate) async fn message_with(ws: &mut Ws, body: &str) -> Value {
    let b = body.to_string();
    ws.wait_for("message", move |f| f["type"] == "message" && f["body"] == b)
        .await
}

#[tokio::test]
async fn a_note_reaches_every_tab_of_the_owner_and_never_the_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    let mut a2 = alice.connect(&app).await;
    visitor.say("my order is late").await;
    let secret = secret();

    let client_id = unique("n");
    let frame = json!({"type":"note","chat_id": chat,"client_id": client_id,"body": secret});
    let ack = a.request(frame.clone()).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["chat_id"], chat);
    let seq = ack["seq"]
        .as_i64()
        .expect("a note is numbered like a message");
    for ws in [&mut a, &mut a2] {
        let m = message_with(ws, &secret).await;
        assert_eq!(
            (&m["kind"], &m["from"], &m["author_name"], &m["seq"]),
            (
                &json!("note"),
                &json!("agent"),
                &json!("Alice"),
                &json!(seq)
            ),
            "{m}"
        );
        assert_eq!(m["agent_id"], alice.id.0);
    }
    // A resend (same client_id) is the same note, stored once.
    let again = a.request(frame).await;
    assert_eq!(
        (again["type"].as_str(), again["seq"].as_i64()),
        (Some("ack"), Some(seq))
    );

    // The reply after it reaches the visitor, numbered after the note; the note never did.
    agent_say(&mut a, chat, "it ships today").await;
    let reply = message_with(&mut visitor.ws, "it ships today").await;
    assert_eq!(reply["seq"], seq + 1);
    let frames: Vec<Value> = visitor
        .ws
        .drain()
        .await
        .into_iter()
        .chain([reply])
        .collect();
    no_note_in(&frames, &secret);

    // The agents' REST view has it, as a note.
    let body: Value = alice
        .get(&format!("/api/chats/{chat}"))
        .await
        .json()
        .await
        .expect("chat JSON");
    let kinds: Vec<(&str, &str)> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| Some((m["kind"].as_str()?, m["body"].as_str()?)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("text", "my order is late"),
            ("note", secret.as_str()),
            ("text", "it ships today")
        ]
    );
}

#[tokio::test]
async fn a_note_has_a_messages_limits() {
    let app = TestApp::spawn_with(|s| s.message_max_chars = 20).await;
    let site = app.site().await;
    let (_alice, mut a, _visitor, chat) = app.accepted_chat(&site).await;
    assert_eq!(
        note(&mut a, chat, &"x".repeat(21)).await["code"],
        "too_long"
    );
    assert_eq!(note(&mut a, chat, "   ").await["code"], "empty");
    assert_eq!(note(&mut a, chat, &"x".repeat(20)).await["type"], "ack");
}

#[tokio::test]
async fn only_an_agent_in_the_open_chat_writes_a_note() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let other_site = app.site().await;
    let (_alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    // Another agent of the site (not in the chat): refused as not theirs.
    let (_bob, mut b) = app.online_agent("Bob").await;
    let refused = note(&mut b, chat, "psst").await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("not_your_chat")),
        "{refused}"
    );
    // An agent of another site: the chat does not exist for them.
    let carol = app
        .agent_with("Carol", false, Some(vec![other_site.id]))
        .await;
    let mut c = carol.connect(&app).await;
    assert_eq!(note(&mut c, chat, "psst").await["code"], "not_found");
    assert_eq!(note(&mut c, 999_999, "psst").await["code"], "not_found");
    // The visitor's socket knows no `note` frame.
    visitor
        .ws
        .send(json!({"type":"note","chat_id": chat,"client_id":"v-n","body":"psst"}))
        .await;
    let e = visitor.ws.expect("error").await;
    assert_eq!(e["code"], "unknown_type", "{e}");
    // An ended chat is read-only.
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    assert_eq!(
        note(&mut a, chat, "after the end").await["code"],
        "chat_ended"
    );
    // None of the refused notes was stored.
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    assert!(
        h["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .all(|m| m["kind"] != "note"),
        "{h}"
    );
}

//! A visitor who comes back never gets a note: not in the replay of what it missed (its
//! `last_seq` before the note), not in the `chat.resync` of a gap beyond the replay window,
//! not in the replay of a whole chat (`last_seq` 0); the agent's `sync` has every note.

use super::{message_with, no_note_in, note, secret};
use crate::helpers::*;
use frontdesk_core::model::Site;
use serde_json::{Value, json};

/// A visitor coming back with its token, holding `last_seq` of `chat`.
async fn hello(app: &TestApp, site: &Site, token: &str, last_seq: i64, chat: i64) -> VisitorClient {
    VisitorClient::come_back(app, site, token, last_seq, Some(chat)).await
}

fn frames_of_type<'a>(frames: &'a [Value], kind: &str) -> Vec<&'a Value> {
    frames.iter().filter(|f| f["type"] == kind).collect()
}

fn message_seqs(frames: &[Value]) -> Vec<i64> {
    frames_of_type(frames, "message")
        .iter()
        .filter_map(|f| f["seq"].as_i64())
        .collect()
}

#[tokio::test]
async fn replay_and_resync_never_carry_a_note() {
    // A gap of more than 4 messages is a resync.
    let app = TestApp::spawn_with(|s| s.limits.replay_max_messages = 4).await;
    let site = app.site().await;
    let (_alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    visitor.say("hello").await; // 1
    let token = visitor.token.clone();
    visitor.ws.close().await;
    let secret = secret();
    assert_eq!(note(&mut a, chat, &secret).await["seq"], 2);
    assert_eq!(agent_say(&mut a, chat, "reply one").await["seq"], 3);

    // Back with seq 1: the replay is the reply alone (the note is skipped, no gap waits).
    let mut back = hello(&app, &site, &token, 1, chat).await;
    assert_eq!(back.welcome["chat"]["chat_id"], chat);
    let frames = back.ws.drain().await;
    assert_eq!(message_seqs(&frames), vec![3], "{frames:?}");
    assert!(frames_of_type(&frames, "chat.resync").is_empty());
    no_note_in(&frames, &secret);
    // Live after the replay: the next note does not come, the next reply does.
    assert_eq!(note(&mut a, chat, &secret).await["seq"], 4);
    agent_say(&mut a, chat, "reply two").await; // 5
    let live = message_with(&mut back.ws, "reply two").await;
    assert_eq!(live["seq"], 5);
    let frames: Vec<Value> = back.ws.drain().await.into_iter().chain([live]).collect();
    no_note_in(&frames, &secret);
    back.ws.close().await;

    // A whole chat from the start (another tab with nothing; 5 missing is beyond the window,
    // so a complete resync): every message but the notes.
    let mut fresh = hello(&app, &site, &token, 0, chat).await;
    let frames = fresh.ws.drain().await;
    let r = frames_of_type(&frames, "chat.resync");
    assert_eq!(r.len(), 1, "{frames:?}");
    assert_eq!(r[0]["complete"], true);
    assert_eq!(seqs_of(&r[0]["messages"]), vec![1, 3, 5], "{frames:?}");
    no_note_in(&frames, &secret);
    fresh.ws.close().await;

    // A gap beyond the window (seq 1 held, 5 more written): `chat.resync` without the notes.
    for _ in 0..3 {
        note(&mut a, chat, &secret).await;
    }
    agent_say(&mut a, chat, "reply three").await; // 9
    let mut resynced = hello(&app, &site, &token, 1, chat).await;
    let frames = resynced.ws.drain().await;
    let r = frames_of_type(&frames, "chat.resync");
    assert_eq!(r.len(), 1, "{frames:?}");
    assert_eq!(r[0]["last_seq"], 9, "the chat's last seq, notes counted");
    assert_eq!(seqs_of(&r[0]["messages"]), vec![1, 3, 5, 9]);
    assert!(message_seqs(&frames).is_empty());
    no_note_in(&frames, &secret);

    // The agent's sync has every note.
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    let kinds: Vec<&str> = h["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "text", "note", "text", "note", "text", "note", "note", "note", "text"
        ]
    );
}

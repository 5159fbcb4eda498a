//! Issue 6, "faults the suite survives" item 2: a client that comes back after 1 s, 1 min or
//! 1 h offline gets exactly the messages it missed, or, when the gap is beyond the replay
//! window (`limits.replay_max_messages`, `limits.replay_max_age_secs`), an explicit
//! `chat.resync` with the latest messages; never a silent gap. A restart is noticed by every
//! client, which then catches up. Time moves only by the ManualClock.

use crate::helpers::*;
use frontdesk_core::model::{Author, MessageKind, NewMessage, Site};
use frontdesk_core::{AgentId, ChatId};
use serde_json::{Value, json};
use std::time::Duration;

const OFFLINE: [(&str, Duration); 3] = [
    ("1 s", Duration::from_secs(1)),
    ("1 min", Duration::from_secs(60)),
    ("1 h", Duration::from_secs(3600)),
];

/// A site, an On-Line agent holding a chat with a fresh visitor.
async fn chatting(app: &TestApp) -> (Site, AgentClient, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (alice, a, visitor, chat) = app.accepted_chat(&site).await;
    (site, alice, a, visitor, chat)
}

/// The visitor says "hello", sees the agent's "seen" (seq 2) and leaves: its token.
async fn seen_and_gone(a: &mut Ws, mut v: VisitorClient, chat: i64) -> String {
    v.say("hello").await;
    agent_say(a, chat, "seen").await;
    v.ws.wait_for("seen", |f| f["seq"] == 2).await;
    v.ws.close().await;
    v.token
}

/// A visitor coming back: `hello` with its token and what it holds (`last_seq` of `chat_id`).
async fn hello(
    app: &TestApp,
    site: &Site,
    token: &str,
    last_seq: i64,
    chat_id: Option<i64>,
) -> VisitorClient {
    VisitorClient::come_back(app, site, token, last_seq, chat_id).await
}

fn message_seqs(frames: &[Value]) -> Vec<i64> {
    frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["seq"].as_i64())
        .collect()
}

fn resyncs(frames: &[Value]) -> Vec<&Value> {
    frames
        .iter()
        .filter(|f| f["type"] == "chat.resync")
        .collect()
}

/// Stores `n` agent messages directly (a long chat, quickly).
async fn append(app: &TestApp, chat: i64, agent: AgentId, n: usize) {
    for i in 0..n {
        app.store()
            .append_message(NewMessage {
                chat_id: ChatId(chat),
                author: Author::Agent { agent },
                author_name: Some("Alice".into()),
                kind: MessageKind::Text,
                body: format!("bulk {i}"),
                client_id: None,
                created_at: app.now(),
                file: None,
            })
            .await
            .expect("append");
    }
}

#[tokio::test]
async fn visitor_resumes_after_1s_1min_1h_with_exactly_the_missing_messages() {
    for (label, offline) in OFFLINE {
        let app = TestApp::spawn().await;
        let (site, _alice, mut a, v, chat) = chatting(&app).await;
        let token = seen_and_gone(&mut a, v, chat).await;
        agent_say(&mut a, chat, "as you left").await;
        app.clock.advance(offline);
        agent_say(&mut a, chat, "while away").await;
        agent_say(&mut a, chat, "just now").await;

        let mut back = hello(&app, &site, &token, 2, Some(chat)).await;
        assert_eq!(back.welcome["chat"]["chat_id"], chat, "{label}");
        assert_eq!(back.welcome["chat"]["last_seq"], 5, "{label}");
        let frames = back.ws.drain().await;
        assert_eq!(
            message_seqs(&frames),
            vec![3, 4, 5],
            "{label}: exactly once"
        );
        let bodies: Vec<&str> = frames
            .iter()
            .filter(|f| f["type"] == "message")
            .filter_map(|f| f["body"].as_str())
            .collect();
        assert_eq!(bodies, ["as you left", "while away", "just now"], "{label}");
        assert!(resyncs(&frames).is_empty(), "{label}: within the window");
        // And live delivery goes on where the replay ended.
        agent_say(&mut a, chat, "welcome back").await;
        let live = back.ws.wait_for("live", |f| f["type"] == "message").await;
        assert_eq!(live["seq"], 6, "{label}");
        back.ws.assert_none("message").await;
    }
}

#[tokio::test]
async fn agent_resumes_after_1s_1min_1h_with_exactly_the_missing_messages() {
    for (label, offline) in OFFLINE {
        let app = TestApp::spawn().await;
        let (_site, alice, mut a, mut v, chat) = chatting(&app).await;
        v.say("1").await;
        a.wait_for("1", |f| f["type"] == "message" && f["seq"] == 1)
            .await;
        a.close().await;
        v.say("2").await;
        app.clock.advance(offline);
        v.say("3").await;
        v.say("4").await;
        let mut back = alice.connect(&app).await;
        let h = back
            .request(json!({"type":"sync","chat_id": chat,"after": 1}))
            .await;
        assert_eq!(h["type"], "chat.history", "{label}: {h}");
        assert_eq!(seqs_of(&h["messages"]), vec![2, 3, 4], "{label}");
        assert_eq!(h["more"], false, "{label}");
    }
}

/// The age limit concerns the oldest missing message: one written before the window gets a
/// resync; a gap of younger messages is still replayed exactly.
#[tokio::test]
async fn a_gap_older_than_the_window_is_an_explicit_resync() {
    let app = TestApp::spawn_with(|s| s.limits.replay_max_age_secs = 1800).await;
    let (site, _alice, mut a, v, chat) = chatting(&app).await;
    let token = seen_and_gone(&mut a, v, chat).await;
    agent_say(&mut a, chat, "old").await;
    app.clock.advance(Duration::from_secs(3600));
    agent_say(&mut a, chat, "new").await;

    let mut back = hello(&app, &site, &token, 2, Some(chat)).await;
    let frames = back.ws.drain().await;
    assert!(message_seqs(&frames).is_empty(), "no replay: {frames:?}");
    let r = resyncs(&frames);
    assert_eq!(r.len(), 1, "one explicit resync: {frames:?}");
    assert_eq!(r[0]["chat_id"], chat);
    assert_eq!(r[0]["last_seq"], 4);
    assert_eq!(r[0]["complete"], true, "the whole (short) chat is in it");
    assert_eq!(seqs_of(&r[0]["messages"]), vec![1, 2, 3, 4]);
    assert_eq!(r[0]["messages"][2]["body"], "old");
    // After the resync, live messages follow on.
    agent_say(&mut a, chat, "live").await;
    assert_eq!(back.ws.expect("message").await["seq"], 5);

    // Only the young message missing: replayed as usual.
    let mut tab = hello(&app, &site, &token, 3, Some(chat)).await;
    let frames = tab.ws.drain().await;
    assert_eq!(message_seqs(&frames), vec![4, 5]);
    assert!(resyncs(&frames).is_empty());

    // The agent's sync follows the same window and answers with its ref.
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 2}))
        .await;
    assert_eq!(h["type"], "chat.resync", "{h}");
    assert_eq!(h["chat"]["chat_id"], chat);
    assert_eq!(h["complete"], true);
    assert_eq!(seqs_of(&h["messages"]), vec![1, 2, 3, 4, 5]);
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 3}))
        .await;
    assert_eq!(h["type"], "chat.history");
    assert_eq!(seqs_of(&h["messages"]), vec![4, 5]);
    // A client that holds nothing of the chat (opening it from Chat History) has no gap: it
    // gets the whole chat as history however old it is (the count limit still applies).
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    assert_eq!(h["type"], "chat.history", "{h}");
    assert_eq!(seqs_of(&h["messages"]), vec![1, 2, 3, 4, 5]);
}

/// More missing messages than the window holds: the latest page, marked incomplete, and the
/// full transcript stays available over REST.
#[tokio::test]
async fn a_gap_bigger_than_the_window_gets_the_latest_page() {
    let app = TestApp::spawn_with(|s| s.limits.replay_max_messages = 5).await;
    let (site, alice, mut a, mut v, chat) = chatting(&app).await;
    v.say("hello").await;
    let token = v.token.clone();
    v.ws.close().await;
    append(&app, chat, alice.id, 210).await;

    let mut back = hello(&app, &site, &token, 1, Some(chat)).await;
    let frames = back.ws.drain().await;
    assert!(message_seqs(&frames).is_empty());
    let r = resyncs(&frames);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["complete"], false, "earlier messages are not in it");
    assert_eq!(r[0]["last_seq"], 211);
    assert_eq!(seqs_of(&r[0]["messages"]), (12..=211).collect::<Vec<_>>());

    // Exactly at the limit (5 missing): replayed; one more: resync.
    let mut tab = hello(&app, &site, &token, 206, Some(chat)).await;
    assert_eq!(
        message_seqs(&tab.ws.drain().await),
        (207..=211).collect::<Vec<_>>()
    );
    let mut tab = hello(&app, &site, &token, 205, Some(chat)).await;
    assert_eq!(resyncs(&tab.ws.drain().await).len(), 1);

    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    assert_eq!(h["type"], "chat.resync");
    assert_eq!(h["complete"], false);
    assert_eq!(h["messages"].as_array().map(Vec::len), Some(200));
    let full: Value = alice
        .get(&format!("/api/chats/{chat}"))
        .await
        .json()
        .await
        .expect("chat JSON");
    assert_eq!(
        seqs_of(&full["messages"]),
        (1..=211).collect::<Vec<_>>(),
        "REST has it all"
    );
}

/// `hello.last_seq` is never applied to a chat it does not belong to: a seq of an ended chat
/// (named by `chat_id`) replays the new chat from the start, and a seq beyond the open chat's
/// last one (another chat, or a reset database) is a resync.
#[tokio::test]
async fn a_seq_of_another_chat_never_hides_messages() {
    let app = TestApp::spawn().await;
    let (site, _alice, mut a, mut v, first) = chatting(&app).await;
    for body in ["1", "2", "3"] {
        v.say(body).await;
    }
    assert_eq!(
        v.ws.request(json!({"type":"chat_end"})).await["type"],
        "ack"
    );
    let second = v.request_chat(None).await;
    accept(&mut a, second).await;
    agent_say(&mut a, second, "new chat").await;
    v.say("reply").await;
    let token = v.token.clone();
    v.ws.close().await;

    let mut back = hello(&app, &site, &token, 3, Some(first)).await;
    assert_eq!(back.welcome["chat"]["chat_id"], second);
    assert_eq!(message_seqs(&back.ws.drain().await), vec![1, 2]);

    let mut old = hello(&app, &site, &token, 3, None).await;
    let frames = old.ws.drain().await;
    assert!(message_seqs(&frames).is_empty());
    let r = resyncs(&frames);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["chat_id"], second);
    assert_eq!(seqs_of(&r[0]["messages"]), vec![1, 2]);
}

/// Messages committed while the visitor reconnects come either live or in the replay: each
/// exactly once, none missing.
#[tokio::test]
async fn replay_and_live_delivery_overlap_exactly_once() {
    let app = TestApp::spawn().await;
    let (site, _alice, mut a, mut v, chat) = chatting(&app).await;
    v.say("hello").await;
    let token = v.token.clone();
    v.ws.close().await;
    for i in 0..30 {
        a.send(
            json!({"type":"message","ref": format!("o{i}"),"chat_id": chat,
            "client_id": format!("o{i}"),"body": format!("m{i}")}),
        )
        .await;
    }
    let mut back = hello(&app, &site, &token, 1, Some(chat)).await;
    let mut got = Vec::new();
    while !got.contains(&31) {
        let f = back.ws.read().await.expect("socket open");
        assert_ne!(f["type"], "chat.resync", "within the window");
        if f["type"] == "message" {
            got.push(f["seq"].as_i64().expect("seq"));
        }
    }
    got.extend(message_seqs(&back.ws.drain().await));
    let mut sorted = got.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), got.len(), "no message twice: {got:?}");
    assert_eq!(sorted, (2..=31).collect::<Vec<_>>(), "none missing");
    for i in 0..30 {
        let id = format!("o{i}");
        let ack = a.wait_for("ack", move |f| f["ref"] == json!(id)).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
}

/// A restart closes every socket (clients notice); both sides then catch up by seq.
#[tokio::test]
async fn a_restart_is_noticed_and_both_sides_catch_up() {
    let app = TestApp::spawn().await;
    let (site, alice, mut a, mut v, chat) = chatting(&app).await;
    v.say("before").await;
    agent_say(&mut a, chat, "restart soon").await;
    v.ws.wait_for("seen", |f| f["seq"] == 2).await;
    let epoch = v.welcome["epoch"].clone();
    let token = v.token.clone();
    let app = app.restart().await;
    assert!(v.ws.closed_by_server().await, "the visitor noticed");
    assert!(a.closed_by_server().await, "the agent noticed");

    let mut a2 = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&alice.cookie),
    )
    .await
    .expect("agent socket");
    let snap = a2.expect("snapshot").await;
    assert_ne!(snap["epoch"], epoch, "a new server instance");
    let listed = snap["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["chat_id"] == chat)
        .cloned()
        .expect("the chat survives");
    assert_eq!(listed["last_seq"], 2);
    agent_say(&mut a2, chat, "after 1").await;
    agent_say(&mut a2, chat, "after 2").await;

    let mut back = hello(&app, &site, &token, 2, Some(chat)).await;
    assert_ne!(back.welcome["epoch"], epoch);
    assert_eq!(message_seqs(&back.ws.drain().await), vec![3, 4]);
    back.say("caught up").await;
    let h = a2
        .request(json!({"type":"sync","chat_id": chat,"after": 2}))
        .await;
    assert_eq!(seqs_of(&h["messages"]), vec![3, 4, 5]);
}

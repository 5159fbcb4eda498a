//! Chats nobody answered (issue 12): a visitor who leaves before any agent answered makes a
//! "Missed" chat (messages kept, counted in /metrics, in a reconnecting console's snapshot);
//! a chat waiting longer than the site's "Waiting too long after" is escalated once, to every
//! agent of the site (Away ones too), and the visitor is told and keeps their place. Time
//! moves by the test's clock; the escalation sweep runs every 50 ms of real time.

use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use crate::helpers::*;
use frontdesk::config::Settings;
use frontdesk_core::ChatId;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn fast_sweep(s: &mut Settings) {
    s.waiting_sweep_ms = 50;
}

async fn ended(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.ended", move |f| {
        f["type"] == "chat.ended" && f["chat_id"] == chat
    })
    .await
}

async fn escalated(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.escalated", move |f| {
        f["type"] == "chat.escalated" && f["chat_id"] == chat
    })
    .await
}

async fn left(ws: &mut Ws, visitor: &str) {
    let v = visitor.to_string();
    ws.wait_for("visitor.left", move |f| {
        f["type"] == "visitor.left" && f["visitor_id"] == v.as_str()
    })
    .await;
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in /metrics:\n{text}"))
}

/// A console that connects now: its snapshot.
async fn snapshot_of(app: &TestApp, agent: &AgentClient) -> Value {
    let mut ws = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&agent.cookie),
    )
    .await
    .expect("agent socket opens");
    ws.expect("snapshot").await
}

/// The visitor asks, writes, closes the panel and leaves the site: once all their sockets
/// have been gone for the grace period (30 s), the chat ends "Missed", not a moment before.
#[tokio::test]
async fn visitor_leaving_before_an_answer_makes_a_missed_chat() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (alice, mut a) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(Some("Ann")).await;
    a.requested(chat).await;
    visitor.say("is anybody there?").await;
    let vid = visitor.visitor_id.clone();
    visitor.ws.close().await;
    left(&mut a, &vid).await;

    app.clock.advance(Duration::from_secs(29));
    a.assert_none("chat.ended").await;
    let still = app.store().chat(ChatId(chat)).await.expect("chat");
    assert_eq!(still.state.name(), "pending", "within the grace period");

    app.clock.advance(Duration::from_secs(2));
    let f = ended(&mut a, chat).await;
    assert_eq!(f["reason"], "visitor", "reason as today: {f}");
    assert_eq!(f["missed"], true, "{f}");

    let stored = app.store().chat(ChatId(chat)).await.expect("chat");
    assert!(stored.missed && stored.answered_at.is_none(), "{stored:?}");
    let messages = app
        .store()
        .messages_after(ChatId(chat), frontdesk_core::Seq(0), 10)
        .await
        .expect("messages");
    assert!(
        messages.iter().any(|m| m.body == "is anybody there?"),
        "the visitor's messages are kept: {messages:?}"
    );
    assert_eq!(metric(&app, "frontdesk_chats_missed_total").await, 1.0);

    // A console that connects later the same day lists it, "Missed".
    let snap = snapshot_of(&app, &alice).await;
    let listed = snap["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["chat_id"] == chat)
        .cloned()
        .unwrap_or_else(|| panic!("missed chat in the snapshot: {snap}"));
    assert_eq!(listed["missed"], true, "{listed}");
    assert_eq!(listed["state"], "ended", "{listed}");

    // The next day (UTC site), it is gone from the snapshot (signed in again: sessions last 12 h).
    app.clock.advance(Duration::from_secs(13 * 3600));
    let alice = AgentClient::sign_in(&app, alice.id, &alice.email, "Alice").await;
    let snap = snapshot_of(&app, &alice).await;
    assert!(
        !snap["chats"]
            .as_array()
            .expect("chats")
            .iter()
            .any(|c| c["chat_id"] == chat),
        "only today's missed chats: {snap}"
    );
}

/// Ending one's own chat before any answer is "Missed" too; a chat an agent answered is not,
/// whether the visitor ends it or leaves (it stays with its agent).
#[tokio::test]
async fn only_chats_nobody_answered_are_missed() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (_alice, mut a, answered, chat_answered) = app.accepted_chat(&site).await;

    let mut quitter = app.visitor(&site).await;
    let chat_quit = quitter.request_chat(None).await;
    a.requested(chat_quit).await;
    let ack = quitter.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = ended(&mut a, chat_quit).await;
    assert_eq!(
        (f["reason"].as_str(), f["missed"].as_bool()),
        (Some("visitor"), Some(true))
    );

    // Answered, then the visitor leaves the site: the chat stays with Alice, not missed.
    let vid = answered.visitor_id.clone();
    answered.ws.close().await;
    left(&mut a, &vid).await;
    app.clock.advance(Duration::from_secs(60));
    a.assert_none("chat.ended").await;
    let c = app.store().chat(ChatId(chat_answered)).await.expect("chat");
    assert_eq!(c.state.name(), "active");
    assert!(!c.missed);

    // Answered, then ended by the visitor: no `missed` field (old consoles see no change).
    let mut back = VisitorClient::connect(&app, &site, Some(&answered.token), None, "/").await;
    let ack = back.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = ended(&mut a, chat_answered).await;
    assert_eq!(f["reason"], "visitor");
    assert!(f.get("missed").is_none(), "{f}");
    assert!(
        !app.store()
            .chat(ChatId(chat_answered))
            .await
            .expect("chat")
            .missed
    );
    assert_eq!(metric(&app, "frontdesk_chats_missed_total").await, 1.0);
}

/// Moving to another page closes the socket and opens a new one: a visitor back within the
/// grace period keeps their waiting chat.
#[tokio::test]
async fn visitor_back_within_the_grace_period_keeps_waiting() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    a.requested(chat).await;
    let (token, vid) = (visitor.token.clone(), visitor.visitor_id.clone());
    visitor.ws.close().await;
    left(&mut a, &vid).await;
    app.clock.advance(Duration::from_secs(5));
    let back = VisitorClient::connect(&app, &site, Some(&token), None, "/next").await;
    assert_eq!(back.welcome["chat"]["chat_id"], chat, "{}", back.welcome);
    app.clock.advance(Duration::from_secs(60));
    a.assert_none("chat.ended").await;
    let c = app.store().chat(ChatId(chat)).await.expect("chat");
    assert_eq!(c.state.name(), "pending");
    assert!(!c.missed);
}

/// The leave of a visitor's last tab ends their waiting chat "Missed" whichever tab asked for
/// it: here the tab that stays longest opened before the chat existed (its `hello` found
/// none), and the tab that asked has gone. (A leave reads the open chat only when the visitor
/// may have one: realtime/hub/visitor_chats.rs.)
#[tokio::test]
async fn the_last_tab_to_leave_ends_a_chat_another_tab_asked_for() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let first = app.visitor(&site).await;
    let (token, vid) = (first.token.clone(), first.visitor_id.clone());
    let mut asker = VisitorClient::connect(&app, &site, Some(&token), None, "/contact").await;
    assert!(asker.welcome["chat"].is_null(), "{}", asker.welcome);
    let chat = asker.request_chat(None).await;
    a.requested(chat).await;
    asker.ws.close().await;
    // The first tab stays: nothing ends, however long.
    app.clock.advance(Duration::from_secs(60));
    a.assert_none("chat.ended").await;
    first.ws.close().await;
    left(&mut a, &vid).await;
    app.clock.advance(Duration::from_secs(31));
    let f = ended(&mut a, chat).await;
    assert_eq!(f["missed"], true, "{f}");
    assert!(app.store().chat(ChatId(chat)).await.expect("chat").missed);
}

/// Back on a new page within the grace period (its `hello` finds the waiting chat), then gone
/// for good: "Missed" after the grace period.
#[tokio::test]
async fn a_visitor_back_and_gone_again_leaves_a_missed_chat() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    a.requested(chat).await;
    let (token, vid) = (visitor.token.clone(), visitor.visitor_id.clone());
    visitor.ws.close().await;
    left(&mut a, &vid).await;
    app.clock.advance(Duration::from_secs(5));
    let back = VisitorClient::connect(&app, &site, Some(&token), None, "/next").await;
    assert_eq!(back.welcome["chat"]["chat_id"], chat, "{}", back.welcome);
    // The first leave's grace period ends while they are back: nothing ends.
    app.clock.advance(Duration::from_secs(30));
    a.assert_none("chat.ended").await;
    back.ws.close().await;
    left(&mut a, &vid).await;
    app.clock.advance(Duration::from_secs(31));
    let f = ended(&mut a, chat).await;
    assert_eq!(f["missed"], true, "{f}");
}

/// Escalation: nothing before the site's 180 s; then once, to On-Line and Away agents alike;
/// the visitor is told and keeps their place (a message left meanwhile does not end the chat).
#[tokio::test]
async fn a_chat_waiting_too_long_is_escalated_once() {
    let app = TestApp::spawn_with(fast_sweep).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let bob = app.agent("Bob").await;
    let mut b = bob.connect(&app).await;
    let ack = b.request(json!({"type":"status","status":"away"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let mut first = app.visitor(&site).await;
    let chat_first = first.request_chat(Some("First")).await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(Some("Ann")).await;
    a.requested(chat).await;
    let queued_at = app
        .store()
        .chat(ChatId(chat))
        .await
        .expect("chat")
        .queued_at;

    app.clock.advance(Duration::from_secs(170));
    a.assert_none("chat.escalated").await;
    visitor.ws.assert_none("chat.waiting_long").await;
    app.clock.advance(Duration::from_secs(20));

    for ws in [&mut a, &mut b] {
        let f = escalated(ws, chat).await;
        assert_eq!(f["chat"]["chat_id"], chat);
        assert_eq!(f["chat"]["state"], "pending");
        let at = f["chat"]["escalated_at"].as_i64().expect("escalated_at");
        assert!(
            at - queued_at.0 >= 180_000,
            "escalated {} ms after queueing, before the threshold",
            at - queued_at.0
        );
        escalated(ws, chat_first).await;
    }
    let f = visitor
        .ws
        .wait_for("chat.waiting_long", |f| f["type"] == "chat.waiting_long")
        .await;
    assert_eq!(f["chat_id"], chat);
    assert_eq!(metric(&app, "frontdesk_chats_escalated_total").await, 2.0);

    // "Leave a message instead": the chat keeps its place in the queue.
    let ack = visitor
        .ws
        .request(json!({"type":"offline_message","name":"Ann","email":"ann@example.com","body":"call me"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let c = app.store().chat(ChatId(chat)).await.expect("chat");
    assert_eq!((c.state.name(), c.queued_at), ("pending", queued_at));
    let back = VisitorClient::connect(&app, &site, Some(&visitor.token), None, "/").await;
    assert_eq!(back.welcome["chat"]["position"], 2, "{}", back.welcome);
    assert_eq!(
        back.welcome["chat"]["waiting_long"], true,
        "{}",
        back.welcome
    );

    // Once: more time, no second escalation.
    app.clock.advance(Duration::from_secs(600));
    a.assert_none("chat.escalated").await;
    b.assert_none("chat.escalated").await;
    assert_eq!(metric(&app, "frontdesk_chats_escalated_total").await, 2.0);

    // An agent can still take it.
    accept(&mut a, chat).await;
    visitor.ws.expect("chat.accepted").await;
}

/// Two nodes sweep the same queue: each chat is escalated once in all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_escalate_once() {
    if crate::backend::chosen() != crate::backend::Backend::Cluster {
        return; // needs PostgreSQL and Redis: FRONTDESK_TEST_BACKEND=cluster
    }
    let env = Arc::new(ClusterEnv::create().await);
    let (clock, n) = nodes(&env, 2, fast_sweep).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let bob = n[0].agent("Bob").await;
    let mut a = online_on(&alice, &n[0]).await;
    let mut b = online_on(&bob, &n[1]).await;
    let (mut chats, mut visitors) = (Vec::new(), Vec::new());
    for i in 0..5 {
        // Visitors on both nodes, who stay (a visitor who left would be "Missed" instead).
        let mut v = n[i % 2].visitor(&site).await;
        chats.push(v.request_chat(None).await);
        visitors.push(v);
    }
    for c in &chats {
        a.requested(*c).await;
        b.requested(*c).await;
    }
    clock.advance(Duration::from_secs(181));
    for c in &chats {
        escalated(&mut a, *c).await;
        escalated(&mut b, *c).await;
    }
    // Several more sweeps on both nodes.
    clock.advance(Duration::from_secs(5));
    let total = metric(&n[0], "frontdesk_chats_escalated_total").await
        + metric(&n[1], "frontdesk_chats_escalated_total").await;
    a.assert_none("chat.escalated").await;
    b.assert_none("chat.escalated").await;
    assert_eq!(total, 5.0, "each chat escalated by one node only");
    for v in &mut visitors {
        v.ws.expect("chat.waiting_long").await;
        v.ws.assert_none("chat.waiting_long").await;
    }
}

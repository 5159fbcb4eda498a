//! Issue 6, "faults the suite survives" item 6: the wall clock jumping backwards or forwards
//! (an NTP step, an admin setting the time) does not end blocks early, does not reopen ended
//! chats, does not reorder messages (order is the per-chat `seq` from the database), and does
//! not stretch or shorten the requeue grace period (elapsed time, not wall time).
//! `ManualClock::jump` moves the wall clock without time passing; `advance` lets time pass.

use crate::backend::{self, Backend};
use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const HOUR: i64 = 3_600_000;

async fn chat_request(v: &mut VisitorClient) -> Value {
    v.ws.request(json!({"type":"chat_request"})).await
}

/// The rule: a block lasts until the first instant of the next day in the site's time zone,
/// computed from the wall clock when the block was made, and is in force while the wall clock
/// reads earlier than that. A clock set back keeps it in force (longer in real time); a clock
/// set forward within the day keeps it too; only the wall clock reaching the next day ends it.
#[tokio::test]
async fn clock_jumps_do_not_end_a_block_early() {
    let app = TestApp::spawn().await;
    let site = app.site().await; // UTC; the clock starts at 12:00: the block ends at midnight
    let (_, mut a, mut v, chat) = app.accepted_chat(&site).await;
    assert_eq!(
        a.request(json!({"type":"block","chat_id": chat})).await["type"],
        "ack"
    );
    v.ws.expect("chat.ended").await;

    app.clock.jump(-2 * HOUR); // 10:00
    assert_eq!(chat_request(&mut v).await["code"], "blocked", "set back");
    app.clock.jump(11 * HOUR); // 21:00
    assert_eq!(chat_request(&mut v).await["code"], "blocked", "set forward");
    app.clock.advance(Duration::from_secs(2 * 3600 + 59 * 60)); // 23:59
    assert_eq!(chat_request(&mut v).await["code"], "blocked");
    let mut other_tab = app.visitor(&site).await; // same IP: blocked too
    assert_eq!(chat_request(&mut other_tab).await["code"], "blocked");
    app.clock.advance(Duration::from_secs(61)); // 00:00:01, the next day
    assert_eq!(chat_request(&mut v).await["type"], "ack", "the day is over");
}

/// Messages are numbered by the database in the order they are stored; timestamps that go
/// backwards and forwards change nothing about order, live, replayed, synced or in REST.
#[tokio::test]
async fn message_order_comes_from_the_sequence_not_the_clock() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, mut v, chat) = app.accepted_chat(&site).await;
    let mut seqs = vec![v.say("a").await];
    app.clock.jump(-2 * HOUR);
    seqs.push(
        agent_say(&mut a, chat, "b").await["seq"]
            .as_i64()
            .expect("seq"),
    );
    app.clock.jump(5 * HOUR);
    seqs.push(v.say("c").await);
    app.clock.jump(-4 * HOUR);
    seqs.push(
        agent_say(&mut a, chat, "d").await["seq"]
            .as_i64()
            .expect("seq"),
    );
    assert_eq!(seqs, vec![1, 2, 3, 4], "acknowledged in sending order");

    let bodies = |msgs: &[Value]| -> Vec<String> {
        msgs.iter()
            .filter_map(|m| m["body"].as_str().map(str::to_string))
            .collect()
    };
    let mut tab = VisitorClient::connect(&app, &site, Some(&v.token), Some(0), "/").await;
    let replay: Vec<Value> = tab
        .ws
        .drain()
        .await
        .into_iter()
        .filter(|f| f["type"] == "message")
        .collect();
    assert_eq!(bodies(&replay), ["a", "b", "c", "d"], "replayed by seq");
    let t = |i: usize| replay[i]["created_at"].as_i64().expect("time");
    assert!(
        t(1) < t(0) && t(2) > t(1) && t(3) < t(2),
        "the clock did jump"
    );

    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    assert_eq!(h["type"], "chat.history", "a clock set back is no resync");
    assert_eq!(
        bodies(h["messages"].as_array().expect("messages")),
        ["a", "b", "c", "d"]
    );
    let full: Value = alice
        .get(&format!("/api/chats/{chat}"))
        .await
        .json()
        .await
        .expect("chat JSON");
    assert_eq!(
        bodies(full["messages"].as_array().expect("messages")),
        ["a", "b", "c", "d"]
    );
    let text = alice
        .get(&format!("/api/chats/{chat}/transcript.txt"))
        .await
        .text()
        .await
        .expect("transcript");
    let at = |s: &str| text.find(&format!(": {s}\n")).expect("line in transcript");
    assert!(
        at("a") < at("b") && at("b") < at("c") && at("c") < at("d"),
        "{text}"
    );
}

/// An ended chat stays ended whatever the clock says: no message, accept or requeue reopens
/// it, and the visitor's next request makes a new chat.
#[tokio::test]
async fn an_ended_chat_never_reopens_when_the_clock_jumps() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a, mut v, chat) = app.accepted_chat(&site).await;
    v.say("bye").await;
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    v.ws.expect("chat.ended").await;
    a.close().await; // the agent is gone too: the grace timer runs over the jumps

    for jump in [-2 * HOUR, 5 * HOUR] {
        app.clock.jump(jump);
        app.clock.advance(Duration::from_secs(31));
        assert_eq!(v.message(&unique("v"), "hello?").await["code"], "not_found");
        let back = app.visitor(&site).await;
        assert!(
            back.welcome["chat"].is_null(),
            "no open chat: {}",
            back.welcome
        );
        let stored = app
            .store()
            .chat(frontdesk_core::ChatId(chat))
            .await
            .expect("chat");
        assert_eq!(stored.state.name(), "ended");
    }
    let (_, mut b) = app.online_agent("Bob").await;
    let refused = accept(&mut b, chat).await;
    assert_eq!(refused["code"], "chat_ended");
    assert_eq!(refused["chat_id"], chat, "the error names the chat");
    let next = v.request_chat(None).await;
    assert_ne!(next, chat, "a new chat");
    v.ws.assert_none("chat.accepted").await;
}

/// The requeue grace period is elapsed time: a clock set back 2 h does not keep a vanished
/// agent's chats for 2 h more, and (one node) a clock set forward does not requeue at once.
#[tokio::test]
async fn the_requeue_grace_period_ignores_clock_jumps() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, a, mut v, chat) = app.accepted_chat(&site).await;
    let (_, mut b) = app.online_agent("Bob").await;

    a.close().await;
    b.presence(alice.id.0, false).await;
    app.clock.jump(-2 * HOUR);
    app.requeues_after_grace(&mut b, &mut v, chat).await;

    // Forward: not requeued by the jump itself. (In cluster mode the sweep that covers
    // agents of dead nodes compares wall-clock times across nodes: a jump forward past the
    // grace period lets it requeue early; see docs/security.md.)
    if backend::chosen() == Backend::Sqlite {
        let mut a2 = alice.connect(&app).await;
        assert_eq!(accept(&mut a2, chat).await["type"], "ack");
        a2.close().await;
        b.presence(alice.id.0, false).await;
        b.backlog.clear();
        app.clock.jump(2 * HOUR);
        b.assert_none("chat.requested").await;
        app.clock.advance(Duration::from_secs(31));
        b.requested(chat).await;
    }
}

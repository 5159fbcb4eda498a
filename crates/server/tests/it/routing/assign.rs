//! "Assign automatically": one agent at a time, with a countdown; then the next; then everyone.

use super::*;
use frontdesk_core::site_settings::Routing;
use serde_json::json;
use std::time::Duration;

async fn metric(agent: &AgentClient, name: &str) -> i64 {
    let text = agent.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in /metrics"))
}

/// Ann (first, never assigned) gets the offer alone; Bob's accept is refused while it stands;
/// after "Seconds to answer" it moves to Bob; after Bob's, everyone gets the pop-up and anyone
/// may take it.
#[tokio::test]
async fn offer_times_out_to_the_next_agent_then_to_everyone() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    set_routing(&app, &site, Routing::Assign, 10).await;
    let (ann, mut a) = app.online_agent("Ann").await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(Some("Vera")).await;

    let offer = offered(&mut a, chat).await;
    assert_eq!(offer["seconds"], 10);
    assert_eq!(
        offer["expires_at"],
        app.now().plus_millis(10_000).0,
        "{offer}"
    );
    assert_eq!(offer["chat"]["state"], "pending");
    b.assert_none("chat.offered").await;
    b.assert_none("chat.requested").await;
    a.assert_none("chat.requested").await;

    // Bob may not take it while Ann's offer stands.
    let refused = accept(&mut b, chat).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "offered_to_other");
    assert_eq!(refused["chat_id"], chat);

    // 10 s on: Ann lets it pass; Bob is offered it.
    app.clock.advance(Duration::from_secs(10));
    offer_ended(&mut a, chat).await;
    let second = offered(&mut b, chat).await;
    assert_eq!(second["expires_at"], app.now().plus_millis(10_000).0);
    a.assert_none("chat.offered").await;
    // Now Ann, whose offer ended, is the one refused.
    let refused = accept(&mut a, chat).await;
    assert_eq!(refused["code"], "offered_to_other", "{refused}");

    // 10 s more: Bob lets it pass too; nobody is left: the pop-up for everyone.
    app.clock.advance(Duration::from_secs(10));
    offer_ended(&mut b, chat).await;
    a.requested(chat).await;
    b.requested(chat).await;
    assert_eq!(metric(&ann, "frontdesk_chat_offers_total").await, 2);
    assert_eq!(metric(&ann, "frontdesk_chat_offers_expired_total").await, 2);

    // First to answer takes it.
    let ack = accept(&mut a, chat).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    v.ws.expect("chat.accepted").await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("storage answers");
    assert_eq!(stored.passed.len(), 2, "{stored:?}");
}

/// The offered agent accepts: the others hear `chat.taken` as usual, nobody gets a pop-up.
#[tokio::test]
async fn offered_agent_accepts() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    set_routing(&app, &site, Routing::Assign, 30).await;
    let (_ann, mut a) = app.online_agent("Ann").await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    offered(&mut a, chat).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;
    b.wait_for("chat.taken", |f| f["type"] == "chat.taken")
        .await;
    b.assert_none("chat.requested").await;
    a.assert_none("chat.offer_ended").await;
    // The next chat goes to Bob (fewer chats).
    let mut w = app.visitor(&site).await;
    let next = w.request_chat(None).await;
    offered(&mut b, next).await;
    a.assert_none("chat.offered").await;
}

/// Ann goes Away: her offer ends at once and moves to Bob. Bob vanishes (socket gone for the
/// grace period): his offer ends and, with nobody left On-Line, nobody gets it.
#[tokio::test]
async fn offers_are_withdrawn_on_away_and_when_the_agent_vanishes() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    set_routing(&app, &site, Routing::Assign, 600).await;
    let (_ann, mut a) = app.online_agent("Ann").await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    let (_cid, mut c) = app.online_agent("Cid").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    offered(&mut a, chat).await;

    a.request(json!({"type":"status","status":"away"})).await;
    offer_ended(&mut a, chat).await;
    offered(&mut b, chat).await;
    c.assert_none("chat.offered").await;

    // Bob's last connection goes; within the grace period his offer stands.
    b.close().await;
    app.clock.advance(Duration::from_secs(29));
    c.assert_none("chat.offered").await;
    app.clock.advance(Duration::from_secs(2));
    offered(&mut c, chat).await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("storage answers");
    let passed: Vec<i64> = stored.passed.iter().map(|p| p.0).collect();
    assert_eq!(passed.len(), 2, "Ann and Bob let it pass: {passed:?}");
}

/// Five agents with caps 3,3,3,3,2 and 14 chats, each accepted as offered: every agent ends
/// within one chat of even while there is room (after 10 chats: two each), nobody above the
/// cap, and the 15th chat, with everyone full, is offered to nobody.
#[tokio::test]
async fn fair_assignment_across_five_capped_agents() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    set_routing(&app, &site, Routing::Assign, 600).await;
    let caps = [3, 3, 3, 3, 2];
    let mut sockets = Vec::new();
    let mut agents = Vec::new();
    for (i, cap) in caps.iter().enumerate() {
        let (agent, ws) = app.online_agent(&format!("Agent{i}")).await;
        set_cap(&app, &agent, Some(*cap)).await;
        agents.push(agent);
        sockets.push(ws);
    }
    let mut held = [0u32; 5];
    let mut visitors = Vec::new();
    for n in 0..14 {
        let mut v = app.visitor(&site).await;
        let chat = v.request_chat(None).await;
        let i = offered_among(&mut sockets, chat).await;
        let ack = accept(&mut sockets[i], chat).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        held[i] += 1;
        assert!(held[i] <= caps[i], "agent {i} above cap: {held:?}");
        if n == 9 {
            assert_eq!(held, [2, 2, 2, 2, 2], "even after 10");
        }
        // While everyone has room, the spread stays within one chat of even.
        let (min, max) = (
            held.iter().min().expect("agents"),
            held.iter().max().expect("agents"),
        );
        if n < 10 {
            assert!(max - min <= 1, "spread {held:?}");
        }
        visitors.push(v);
    }
    assert_eq!(held, [3, 3, 3, 3, 2]);
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    for ws in &mut sockets {
        ws.assert_none("chat.offered").await;
        ws.assert_none("chat.requested").await;
    }
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("storage answers");
    assert_eq!(stored.offer, None);
}

//! Rule 4 (messages, acks, idempotent resends, replay), rule 9 (Send Link), typing,
//! invitations and what agents learn of the visitor (rule 12).

use crate::helpers::*;
use serde_json::json;

async fn chatting(app: &TestApp) -> (frontdesk_core::model::Site, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (_, a, visitor, chat) = app.accepted_chat(&site).await;
    (site, a, visitor, chat)
}

/// Rule 4: live delivery both ways, acknowledged with the per-chat sequence after commit.
#[tokio::test]
async fn messages_flow_both_ways_with_sequences() {
    let app = TestApp::spawn().await;
    let (_, mut a, mut v, chat) = chatting(&app).await;
    assert_eq!(v.say("one").await, 1);
    let m = a
        .wait_for("m1", |f| f["type"] == "message" && f["seq"] == 1)
        .await;
    assert_eq!(
        (
            m["body"].as_str(),
            m["from"].as_str(),
            m["author_name"].as_str()
        ),
        (Some("one"), Some("visitor"), Some("Ann"))
    );
    let ack = agent_say(&mut a, chat, "two").await;
    assert_eq!(ack["seq"], 2);
    let m =
        v.ws.wait_for("m2", |f| f["type"] == "message" && f["seq"] == 2)
            .await;
    assert_eq!(m["from"], "agent");
    assert_eq!(m["body"], "two");
    // Stored, in order.
    let stored = app
        .store()
        .messages_after(frontdesk_core::ChatId(chat), frontdesk_core::Seq(0), 10)
        .await
        .expect("messages");
    let bodies: Vec<&str> = stored.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, vec!["one", "two"]);
}

/// Rule 4: a resend with the same client id (after a lost ack) is stored once.
#[tokio::test]
async fn resend_with_same_client_id_is_stored_once() {
    let app = TestApp::spawn().await;
    let (_, mut a, mut v, chat) = chatting(&app).await;
    for _ in 0..3 {
        v.ws.send(json!({"type":"message","client_id":"c-42","body":"only once"}))
            .await;
        let ack =
            v.ws.wait_for("ack", |f| f["type"] == "ack" && f["ref"] == "c-42")
                .await;
        assert_eq!(ack["seq"], 1);
    }
    a.wait_for("m", |f| f["type"] == "message" && f["seq"] == 1)
        .await;
    a.assert_none("message").await;
    let stored = app
        .store()
        .messages_after(frontdesk_core::ChatId(chat), frontdesk_core::Seq(0), 10)
        .await
        .expect("messages");
    assert_eq!(stored.len(), 1);
}

/// Rule 4: a visitor who reconnects with the last seq it saw receives exactly what it missed.
#[tokio::test]
async fn visitor_reconnect_replays_exactly_the_missed_messages() {
    let app = TestApp::spawn().await;
    let (site, mut a, mut v, chat) = chatting(&app).await;
    v.say("before").await;
    agent_say(&mut a, chat, "seen").await;
    v.ws.wait_for("seen", |f| f["type"] == "message" && f["seq"] == 2)
        .await;
    let token = v.token.clone();
    v.ws.close().await;
    for i in 0..5 {
        agent_say(&mut a, chat, &format!("missed {i}")).await;
    }
    let mut back = VisitorClient::connect(&app, &site, Some(&token), Some(2), "/other-page").await;
    assert_eq!(back.visitor_id, v.visitor_id, "same visitor");
    assert_eq!(back.welcome["chat"]["chat_id"], chat);
    assert_eq!(back.welcome["chat"]["state"], "active");
    assert_eq!(back.welcome["chat"]["agent_name"], "Alice");
    let frames = back.ws.drain().await;
    let seqs: Vec<i64> = frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["seq"].as_i64())
        .collect();
    assert_eq!(
        seqs,
        vec![3, 4, 5, 6, 7],
        "exactly the missed ones, once each, in order"
    );
    // A second tab without a last seq gets the whole chat.
    let mut tab = VisitorClient::connect(&app, &site, Some(&token), None, "/").await;
    let seqs: Vec<i64> = tab
        .ws
        .drain()
        .await
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["seq"].as_i64())
        .collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>());
    // Live messages reach both tabs.
    agent_say(&mut a, chat, "both").await;
    back.ws.wait_for("live", |f| f["seq"] == 8).await;
    tab.ws.wait_for("live", |f| f["seq"] == 8).await;
}

/// Rule 4: an agent catches up after a reconnect with `sync`.
#[tokio::test]
async fn agent_sync_after_reconnect() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    accept(&mut a, chat).await;
    v.say("1").await;
    a.wait_for("1", |f| f["seq"] == 1).await;
    a.close().await;
    v.say("2").await;
    v.say("3").await;
    let mut a2 = alice.connect(&app).await;
    let h = a2
        .request(json!({"type":"sync","chat_id": chat,"after": 1}))
        .await;
    let seqs = seqs_of(&h["messages"]);
    assert_eq!(seqs, vec![2, 3]);
    assert_eq!(h["more"], false);
}

/// Typing indicators go both ways and are not stored.
#[tokio::test]
async fn typing_both_ways() {
    let app = TestApp::spawn().await;
    let (_, mut a, mut v, chat) = chatting(&app).await;
    v.ws.send(json!({"type":"typing","typing":true})).await;
    let t = a.expect("typing").await;
    assert_eq!(
        (t["chat_id"].as_i64(), t["typing"].as_bool()),
        (Some(chat), Some(true))
    );
    a.send(json!({"type":"typing","chat_id": chat,"typing": true}))
        .await;
    let t = v.ws.expect("typing").await;
    assert_eq!(t["typing"], true);
    let stored = app
        .store()
        .messages_after(frontdesk_core::ChatId(chat), frontdesk_core::Seq(0), 10)
        .await
        .expect("messages");
    assert!(stored.is_empty());
}

/// Rule 9: Send Link resolves relative links against the site, sends `open_url`, keeps the link
/// in the transcript, and refuses anything but http(s).
#[tokio::test]
async fn send_link_resolves_relative_and_refuses_other_schemes() {
    let app = TestApp::spawn().await;
    let (site, mut a, mut v, chat) = chatting(&app).await;
    let ack = a
        .request(json!({"type":"link","chat_id": chat,"client_id":"l1","url":"order.htm"}))
        .await;
    assert_eq!(ack["type"], "ack");
    let expected = format!("{}/order.htm", site.base_url);
    let open = v.ws.expect("open_url").await;
    assert_eq!(open["url"], expected);
    let card =
        v.ws.wait_for("link message", |f| {
            f["type"] == "message" && f["kind"] == "link"
        })
        .await;
    assert_eq!(card["body"], expected);
    for bad in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
    ] {
        let r = a
            .request(json!({"type":"link","chat_id": chat,"client_id": unique("l"),"url": bad}))
            .await;
        assert_eq!(r["code"], "invalid_link", "{bad}");
    }
    v.ws.assert_none("open_url").await;
    let stored = app
        .store()
        .messages_after(frontdesk_core::ChatId(chat), frontdesk_core::Seq(0), 10)
        .await
        .expect("messages");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, expected);
}

/// Invitations reach the visitor; accepting is a chat request.
#[tokio::test]
async fn invitation_reaches_the_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let update = a
        .wait_for("visitor", |f| {
            f["type"] == "visitor.update" && f["visitor_id"] == v.visitor_id.as_str()
        })
        .await;
    assert_eq!(update["site_id"], site.id.0);
    let ack = a
        .request(json!({"type":"invite","site_id": site.id.0,"visitor_id": v.visitor_id,"greeting":"Need help?"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let inv = v.ws.expect("invitation").await;
    assert_eq!(
        (inv["agent_name"].as_str(), inv["greeting"].as_str()),
        (Some("Alice"), Some("Need help?"))
    );
    let chat = v.request_chat(None).await;
    a.requested(chat).await;
}

/// Rule 12: visits and page views are stored; agents see them live.
#[tokio::test]
async fn page_views_are_tracked_and_shown_live() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = VisitorClient::connect(&app, &site, None, None, "/shoes").await;
    let first = a
        .wait_for("visitor", |f| f["type"] == "visitor.update")
        .await;
    assert_eq!(first["page"]["url"], format!("{}/shoes", site.base_url));
    assert_eq!(first["location_text"], "Unknown");
    v.ws.send(json!({"type":"page_view","page":{"url": format!("{}/cart", site.base_url),"title":"Cart","referrer": null}})).await;
    // Within a second of the hello's update: coalesced, it goes out when the second is over.
    v.ws.drain().await;
    app.clock.advance(std::time::Duration::from_secs(1));
    let second = a
        .wait_for("page 2", |f| {
            f["type"] == "visitor.update" && f["page"]["title"] == "Cart"
        })
        .await;
    assert_eq!(second["visit_id"], first["visit_id"], "same visit");
    let visit = app
        .store()
        .latest_visit(site.id, &frontdesk_core::VisitorId(v.visitor_id.clone()))
        .await
        .expect("visit")
        .expect("some visit");
    assert_eq!(
        visit.referrer.as_deref(),
        Some("https://search.example/?q=shoes")
    );
    let pages = app.store().page_views(visit.id).await.expect("pages");
    let urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
    assert_eq!(
        urls,
        vec![
            format!("{}/shoes", site.base_url),
            format!("{}/cart", site.base_url)
        ]
    );
    // After 31 idle minutes, the next page view starts a new visit.
    app.clock.advance(std::time::Duration::from_secs(31 * 60));
    v.ws.send(json!({"type":"page_view","page":{"url": format!("{}/again", site.base_url),"title":"Again"}})).await;
    let third = a
        .wait_for("page 3", |f| {
            f["type"] == "visitor.update" && f["page"]["title"] == "Again"
        })
        .await;
    assert_ne!(third["visit_id"], first["visit_id"], "a new visit");
    v.ws.close().await;
    a.wait_for("left", |f| f["type"] == "visitor.left").await;
}

/// A restart loses nothing: the chat and its messages are there, and clients see a new epoch.
#[tokio::test]
async fn restart_keeps_chats_and_changes_epoch() {
    let app = TestApp::spawn().await;
    let (site, mut a, mut v, chat) = chatting(&app).await;
    v.say("persist me").await;
    agent_say(&mut a, chat, "and me").await;
    let epoch = v.welcome["epoch"].clone();
    let token = v.token.clone();
    drop(a);
    drop(v);
    let app = app.restart().await;
    let mut back = VisitorClient::connect(&app, &site, Some(&token), Some(0), "/").await;
    assert_ne!(back.welcome["epoch"], epoch);
    assert_eq!(back.welcome["chat"]["chat_id"], chat);
    let bodies: Vec<String> = back
        .ws
        .drain()
        .await
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["body"].as_str().map(str::to_string))
        .collect();
    assert_eq!(bodies, vec!["persist me", "and me"]);
}

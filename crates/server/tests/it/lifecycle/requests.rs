//! Requesting and accepting a chat (rules 1 to 3 of the server-core issue): who is told of a
//! request, the race to accept it, one agent holding several chats; and the visitor's side of
//! waiting: its place in the queue, one open chat per visitor.

use crate::helpers::*;
use serde_json::json;

/// Rule 1: On-Line agents monitoring the site get `chat.requested` on every session; Away
/// agents, agents not monitoring, and agents of other sites get nothing.
#[tokio::test]
async fn request_notifies_every_session_of_online_monitoring_agents_only() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let other_site = app.site().await;
    let (online, mut s1) = app.online_agent("Olive").await;
    let mut s2 = online.connect(&app).await; // a second tab
    let away = app.agent("Adam").await;
    let mut away_ws = away.connect(&app).await;
    away_ws
        .request(json!({"type":"status","status":"away"}))
        .await;
    let (_, mut not_monitoring) = app.online_agent("Nina").await;
    let ack = not_monitoring
        .request(json!({"type":"monitor","site_id": site.id, "monitoring": false}))
        .await;
    assert_eq!(ack["type"], "ack");
    let other = app
        .agent_with("Otto", false, Some(vec![other_site.id]))
        .await;
    let mut other_ws = other.connect(&app).await;
    other_ws
        .request(json!({"type":"status","status":"online"}))
        .await;

    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(Some("Ann")).await;

    for ws in [&mut s1, &mut s2] {
        let f = ws.expect("chat.requested").await;
        assert_eq!(f["chat"]["chat_id"], chat);
        assert_eq!(f["chat"]["visitor_name"], "Ann");
        assert_eq!(f["chat"]["site_name"], site.name);
        assert_eq!(f["chat"]["state"], "pending");
        assert!(
            f["chat"]["page_url"]
                .as_str()
                .unwrap_or("")
                .starts_with(&site.base_url)
        );
    }
    away_ws.assert_none("chat.requested").await;
    not_monitoring.assert_none("chat.requested").await;
    other_ws.assert_none("chat.requested").await;
    let queued = visitor.ws.expect("chat.queued").await;
    assert_eq!(queued["position"], 1);

    // The chat is in the Chatting Visitors list of a monitoring agent who connects now.
    let mut s3 = online.connect(&app).await;
    let _ = &mut s3;
    let snapshot_agent = app.agent("Late").await;
    let mut late = snapshot_agent.connect(&app).await;
    late.request(json!({"type":"status","status":"online"}))
        .await;
    drop(late);
}

/// The snapshot lists waiting chats for a newly connected monitoring agent.
#[tokio::test]
async fn waiting_chats_are_in_the_snapshot() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    let agent = app.agent("Sam").await;
    let mut ws = ws_with_snapshot(&app, &agent).await;
    let snapshot = ws.0;
    assert!(
        snapshot["chats"]
            .as_array()
            .expect("chats")
            .iter()
            .any(|c| c["chat_id"] == chat && c["state"] == "pending"),
        "{snapshot}"
    );
    ws.1.drain().await;
}

async fn ws_with_snapshot(app: &TestApp, agent: &AgentClient) -> (serde_json::Value, Ws) {
    let mut ws = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&agent.cookie),
    )
    .await
    .expect("open");
    let snap = ws.expect("snapshot").await;
    (snap, ws)
}

/// Rule 2: with 8 agents accepting at the same moment, exactly one wins, 100 rounds; the
/// others get `chat_taken` and everyone's list updates with `chat.taken`.
#[tokio::test]
async fn accept_race_has_exactly_one_winner_every_round() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let mut agents = Vec::new();
    for i in 0..8 {
        let (a, ws) = app.online_agent(&format!("Racer{i}")).await;
        agents.push((a, ws));
    }
    for round in 0..100 {
        let mut visitor = app.visitor(&site).await;
        let chat = visitor.request_chat(None).await;
        for (_, ws) in agents.iter_mut() {
            ws.requested(chat).await;
        }
        // Everyone sends accept before anyone reads an answer.
        for (i, (_, ws)) in agents.iter_mut().enumerate() {
            ws.send(json!({"type":"accept","chat_id": chat, "ref": format!("race{round}-{i}")}))
                .await;
        }
        let mut winners = Vec::new();
        for (i, (a, ws)) in agents.iter_mut().enumerate() {
            let r = format!("race{round}-{i}");
            let answer = ws.wait_for("answer", move |v| v["ref"] == json!(r)).await;
            match answer["type"].as_str() {
                Some("ack") => winners.push(a.id),
                Some("error") => assert_eq!(answer["code"], "chat_taken", "{answer}"),
                _ => panic!("unexpected answer {answer}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        for (_, ws) in agents.iter_mut() {
            let taken = ws
                .wait_for("taken", |v| {
                    v["type"] == "chat.taken" && v["chat_id"] == chat
                })
                .await;
            assert_eq!(taken["agent_id"], winners[0].0);
        }
        let accepted = visitor.ws.expect("chat.accepted").await;
        assert_eq!(accepted["chat_id"], chat);
        visitor.ws.request(json!({"type":"chat_end"})).await;
        for (_, ws) in agents.iter_mut() {
            ws.backlog.clear();
        }
    }
    let stored = app.store().open_chats(&[site.id]).await.expect("open");
    assert!(stored.is_empty());
}

/// Rule 3: an agent holds several chats at once; each is separate.
#[tokio::test]
async fn one_agent_holds_many_separate_chats() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut ws) = app.online_agent("Multi").await;
    let mut visitors = Vec::new();
    for _ in 0..3 {
        let mut v = app.visitor(&site).await;
        let chat = v.request_chat(None).await;
        assert_eq!(accept(&mut ws, chat).await["type"], "ack");
        visitors.push((v, chat));
    }
    for (i, (v, chat)) in visitors.iter_mut().enumerate() {
        let body = format!("hello from visitor {i}");
        v.say(&body).await;
        let m = ws
            .wait_for("message", |f| {
                f["type"] == "message" && f["chat_id"] == *chat
            })
            .await;
        assert_eq!(m["body"], body);
        assert_eq!(m["from"], "visitor");
        agent_say(&mut ws, *chat, &format!("reply {i}")).await;
    }
    for (i, (v, chat)) in visitors.iter_mut().enumerate() {
        let m =
            v.ws.wait_for("reply", |f| f["type"] == "message" && f["from"] == "agent")
                .await;
        assert_eq!(m["chat_id"], *chat);
        assert_eq!(m["body"], format!("reply {i}"));
        // Nothing of the other chats reaches this visitor.
        for f in v.ws.drain().await {
            if f["type"] == "message" {
                assert_eq!(f["chat_id"], *chat, "{f}");
            }
        }
    }
}

/// Waiting visitors learn their place in the queue, and it moves up when a chat ahead is taken.
#[tokio::test]
async fn queue_positions_move_up() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut first = app.visitor(&site).await;
    let mut second = app.visitor(&site).await;
    let c1 = first.request_chat(None).await;
    first
        .ws
        .wait_for("pos 1", |f| {
            f["type"] == "chat.queued" && f["position"] == 1
        })
        .await;
    second.request_chat(None).await;
    second
        .ws
        .wait_for("pos 2", |f| {
            f["type"] == "chat.queued" && f["position"] == 2
        })
        .await;
    accept(&mut a, c1).await;
    second
        .ws
        .wait_for("pos 1 now", |f| {
            f["type"] == "chat.queued" && f["position"] == 1
        })
        .await;
}

/// Two requests at once from one visitor (two tabs, a double click) open one chat.
#[tokio::test]
async fn one_open_chat_per_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let mut tab1 = app.visitor(&site).await;
    let mut tab2 = VisitorClient::connect(&app, &site, Some(&tab1.token.clone()), None, "/").await;
    tab1.ws
        .send(json!({"type":"chat_request","ref":"x1"}))
        .await;
    tab2.ws
        .send(json!({"type":"chat_request","ref":"x2"}))
        .await;
    let a1 = tab1.ws.wait_for("ack", |f| f["ref"] == "x1").await;
    let a2 = tab2.ws.wait_for("ack", |f| f["ref"] == "x2").await;
    assert_eq!(a1["chat_id"], a2["chat_id"]);
    let open = app.store().open_chats(&[site.id]).await.expect("open");
    assert_eq!(open.len(), 1);
}

/// What an agent may do follows every change of the chat, with no storage read in the way
/// (issue 16: the node's hot copy of the chat): the loser of an accept, the agent who closed
/// the chat, the agent who transferred it and everyone after the end are refused as before.
#[tokio::test]
async fn accepts_and_replies_follow_each_change_of_the_chat() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (a, mut a_ws) = app.online_agent("Ada").await;
    let (b, mut b_ws) = app.online_agent("Bea").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    assert_eq!(accept(&mut a_ws, chat).await["type"], "ack");
    let lost = accept(&mut b_ws, chat).await;
    assert_eq!(lost["code"], "chat_taken", "{lost}");
    assert_eq!(agent_say(&mut a_ws, chat, "one").await["type"], "ack");
    assert_eq!(
        agent_say(&mut b_ws, chat, "no").await["code"],
        "not_your_chat"
    );
    // Closed: back in the queue; Bea takes it, Ada may no longer write.
    let closed = a_ws.request(json!({"type":"close","chat_id": chat})).await;
    assert_eq!(closed["type"], "ack", "{closed}");
    assert_eq!(accept(&mut b_ws, chat).await["type"], "ack");
    assert_eq!(
        agent_say(&mut a_ws, chat, "no").await["code"],
        "not_your_chat"
    );
    assert_eq!(agent_say(&mut b_ws, chat, "two").await["type"], "ack");
    // Transferred to Ada: hers again, not Bea's.
    let moved = b_ws
        .request(json!({"type":"transfer","chat_id": chat, "to": a.id.0}))
        .await;
    assert_eq!(moved["type"], "ack", "{moved}");
    assert_eq!(
        agent_say(&mut b_ws, chat, "no").await["code"],
        "not_your_chat"
    );
    assert_eq!(accept(&mut b_ws, chat).await["code"], "chat_taken");
    assert_eq!(agent_say(&mut a_ws, chat, "three").await["type"], "ack");
    // Ended by the visitor: nobody writes or accepts.
    visitor.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(agent_say(&mut a_ws, chat, "no").await["code"], "chat_ended");
    assert_eq!(accept(&mut b_ws, chat).await["code"], "chat_ended");
    let _ = b;
    let stored = app
        .store()
        .messages_after(frontdesk_core::ChatId(chat), frontdesk_core::Seq(0), 100)
        .await
        .expect("messages");
    let bodies: Vec<&str> = stored.iter().map(|m| m.body.as_str()).collect();
    assert!(!bodies.contains(&"no"), "{bodies:?}");
    assert!(["one", "two", "three"].iter().all(|w| bodies.contains(w)));
}

/// An agent who accepts the moment they hear of a request: the visitor hears its place in the
/// queue (`chat.queued`) before the `chat.accepted`, and never a `chat.queued` after it (the
/// widget would go back to "Waiting for an agent…" in an accepted chat). The server tells the
/// visitor before it tells any agent, so this holds by construction, every round.
#[tokio::test]
async fn an_instant_accept_is_never_followed_by_a_stale_queue_place() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    for round in 0..10 {
        let mut v = app.visitor(&site).await;
        v.ws.drain().await;
        v.ws.send(json!({"type":"chat_request","ref":"go"})).await;
        let requested = a.expect("chat.requested").await;
        let chat = requested["chat"]["chat_id"].as_i64().expect("chat id");
        assert_eq!(accept(&mut a, chat).await["type"], "ack");
        let mut frames = Vec::new();
        while !frames
            .iter()
            .any(|f: &serde_json::Value| f["type"] == "chat.accepted")
        {
            frames.push(v.ws.read().await.expect("visitor stays connected"));
        }
        frames.extend(v.ws.drain().await);
        let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
        let accepted = kinds.iter().position(|k| *k == "chat.accepted");
        let last_queued = kinds.iter().rposition(|k| *k == "chat.queued");
        assert!(
            matches!((last_queued, accepted), (Some(q), Some(acc)) if q < acc),
            "round {round}: {kinds:?}"
        );
    }
}

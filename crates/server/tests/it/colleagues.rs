//! A colleague in the chat (issue 13): "Invite Agent" → "Join chat" → the colleague writes and
//! the visitor sees it under the colleague's name; typing both ways; the owner leaving hands
//! the chat over; the owner's actions stay the owner's; the cap; other sites' agents; a
//! colleague vanishing never requeues; a requeue drops the colleagues; a reload restores the
//! chat; and (cluster) an invitation made on one node answered on another.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

async fn frame(ws: &mut Ws, kind: &str, chat: i64) -> Value {
    let k = kind.to_string();
    ws.wait_for(kind, move |f| {
        f["type"] == k.as_str() && (f["chat_id"] == chat || f["chat"]["chat_id"] == chat)
    })
    .await
}

fn code(answer: &Value) -> &str {
    assert_eq!(answer["type"], "error", "{answer}");
    answer["code"].as_str().unwrap_or("")
}

async fn invite(ws: &mut Ws, chat: i64, to: i64) -> Value {
    ws.request(json!({"type":"invite_agent","chat_id": chat,"agent": to}))
        .await
}

async fn join(ws: &mut Ws, chat: i64) -> Value {
    ws.request(json!({"type":"join","chat_id": chat})).await
}

async fn leave(ws: &mut Ws, chat: i64) -> Value {
    ws.request(json!({"type":"leave","chat_id": chat})).await
}

/// Alice holds a chat with visitor Ann; Bob (On-Line) was invited and joined.
async fn with_colleague(app: &TestApp) -> (Ws, AgentClient, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (_, mut a, v, chat) = app.accepted_chat(&site).await;
    let (bob, mut b) = app.online_agent("Bob").await;
    assert_eq!(invite(&mut a, chat, bob.id.0).await["type"], "ack");
    let pop = frame(&mut b, "chat.join_invite", chat).await;
    assert_eq!(pop["from_agent_name"], "Alice");
    assert_eq!(pop["chat"]["visitor_name"], "Ann");
    assert_eq!(join(&mut b, chat).await["type"], "ack");
    let history = frame(&mut b, "chat.history", chat).await;
    assert_eq!(history["chat"]["joined"][0]["name"], "Bob");
    let updated = frame(&mut a, "chat.updated", chat).await;
    assert_eq!(
        updated["chat"]["joined"],
        json!([{"agent_id": bob.id.0, "name": "Bob"}])
    );
    (a, bob, b, v, chat)
}

#[tokio::test]
async fn a_joined_colleague_writes_and_everyone_sees_it() {
    let app = TestApp::spawn().await;
    let (mut a, bob, mut b, mut v, chat) = with_colleague(&app).await;

    // Bob writes: the visitor sees it under his name, Alice sees it too.
    let ack = agent_say(&mut b, chat, "Bob here, I know refunds").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let seen =
        v.ws.wait_for("bob's reply", |f| {
            f["type"] == "message" && f["body"] == "Bob here, I know refunds"
        })
        .await;
    assert_eq!(seen["from"], "agent");
    assert_eq!(seen["author_name"], "Bob");
    a.wait_for("owner sees it", |f| {
        f["type"] == "message" && f["body"] == "Bob here, I know refunds" && f["from"] == "agent"
    })
    .await;
    // Alice's own replies stay under the name of chat.accepted (no author_name).
    agent_say(&mut a, chat, "Thanks Bob").await;
    let own =
        v.ws.wait_for("alice's reply", |f| {
            f["type"] == "message" && f["body"] == "Thanks Bob"
        })
        .await;
    assert!(own.get("author_name").is_none(), "{own}");
    b.wait_for("bob sees alice", |f| {
        f["type"] == "message" && f["body"] == "Thanks Bob"
    })
    .await;

    // The visitor writes: both agents get it; the visitor's typing reaches both.
    v.say("Great").await;
    for ws in [&mut a, &mut b] {
        ws.wait_for("visitor msg", |f| {
            f["type"] == "message" && f["body"] == "Great"
        })
        .await;
    }
    v.ws.send(json!({"type":"typing","typing":true})).await;
    for ws in [&mut a, &mut b] {
        ws.wait_for("visitor typing", |f| {
            f["type"] == "typing" && f["chat_id"] == chat && f["typing"] == true
        })
        .await;
    }
    // The colleague's typing reaches the visitor.
    b.send(json!({"type":"typing","chat_id": chat,"typing": true}))
        .await;
    v.ws.wait_for("bob typing", |f| {
        f["type"] == "typing" && f["typing"] == true
    })
    .await;

    // A reload restores the chat for Bob, with him in `joined`, even when he does not monitor
    // its site.
    let site_id = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat")
        .site_id;
    let off = b
        .request(json!({"type":"monitor","site_id": site_id.0,"monitoring": false}))
        .await;
    assert_eq!(off["type"], "ack", "{off}");
    let mut b2 = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&bob.cookie),
    )
    .await
    .expect("agent socket opens");
    let snap = b2.expect("snapshot").await;
    let listed = snap["chats"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["chat_id"] == chat).cloned())
        .expect("joined chat in the snapshot");
    assert_eq!(listed["joined"][0]["name"], "Bob");

    // The end reaches the colleague; the stored chat keeps him for history.
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    frame(&mut b, "chat.ended", chat).await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(stored.joined, vec![bob.id]);
    // Ended: nobody writes any more.
    assert_eq!(code(&agent_say(&mut b, chat, "late").await), "chat_ended");
}

#[tokio::test]
async fn the_owner_leaving_hands_the_chat_to_the_first_colleague() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, mut v, chat) = app.accepted_chat(&site).await;
    // Alone, the owner cannot leave.
    assert_eq!(code(&leave(&mut a, chat).await), "invalid_target");
    let (bob, mut b) = app.online_agent("Bob").await;
    let (carol, mut c) = app.online_agent("Carol").await;
    for (who, ws) in [(bob.id.0, &mut b), (carol.id.0, &mut c)] {
        assert_eq!(invite(&mut a, chat, who).await["type"], "ack");
        frame(ws, "chat.join_invite", chat).await;
        assert_eq!(join(ws, chat).await["type"], "ack");
    }
    assert_eq!(leave(&mut a, chat).await["type"], "ack");
    frame(&mut a, "chat.released", chat).await;
    let accepted =
        v.ws.wait_for("new owner", |f| f["type"] == "chat.accepted")
            .await;
    assert_eq!(accepted["agent_name"], "Bob");
    let updated = b
        .wait_for("bob owns it", |f| {
            f["type"] == "chat.updated" && f["chat"]["agent_id"] == bob.id.0
        })
        .await;
    assert_eq!(updated["chat"]["joined"][0]["name"], "Carol");
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(stored.state.owner(), Some(bob.id));
    assert_eq!(stored.joined, vec![carol.id]);
    // Alice is out: she writes no more; Bob, the owner now, ends the chat.
    assert_eq!(code(&agent_say(&mut a, chat, "hi").await), "not_your_chat");
    assert_ne!(alice.id, bob.id);
    assert_eq!(
        b.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    frame(&mut c, "chat.ended", chat).await;
}

#[tokio::test]
async fn the_owners_actions_stay_the_owners() {
    let app = TestApp::spawn().await;
    let (mut a, bob, mut b, _v, chat) = with_colleague(&app).await;
    let (carol, _c) = app.online_agent("Carol").await;
    for f in [
        json!({"type":"end","chat_id": chat}),
        json!({"type":"close","chat_id": chat}),
        json!({"type":"block","chat_id": chat}),
        json!({"type":"transfer","chat_id": chat,"to": carol.id.0}),
        json!({"type":"invite_agent","chat_id": chat,"agent": carol.id.0}),
    ] {
        let answer = b.request(f.clone()).await;
        assert_eq!(code(&answer), "not_your_chat", "{f}");
    }
    // Inviting someone already in, or oneself: invalid_target; joining twice changes nothing.
    assert_eq!(
        code(&invite(&mut a, chat, bob.id.0).await),
        "invalid_target"
    );
    assert_eq!(join(&mut b, chat).await["type"], "ack");
    // The colleague leaves: released, and out of `joined` for everyone.
    assert_eq!(leave(&mut b, chat).await["type"], "ack");
    frame(&mut b, "chat.released", chat).await;
    let updated = a
        .wait_for("bob left", |f| {
            f["type"] == "chat.updated" && f["chat"].get("joined").is_none()
        })
        .await;
    assert_eq!(updated["chat"]["agent_name"], "Alice");
    assert_eq!(code(&agent_say(&mut b, chat, "hi").await), "not_your_chat");
    assert_eq!(code(&leave(&mut b, chat).await), "not_your_chat");
    // Without a new invitation (the old one was used) Bob cannot come back.
    assert_eq!(code(&join(&mut b, chat).await), "forbidden");
}

#[tokio::test]
async fn joins_stop_at_the_cap_and_supervisors_need_no_invitation() {
    let app = TestApp::spawn_with(|s| s.limits.colleagues_per_chat = 2).await;
    let site = app.site().await;
    let (_, mut a, _v, chat) = app.accepted_chat(&site).await;
    let (bob, mut b) = app.online_agent("Bob").await;
    let (carol, mut c) = app.online_agent("Carol").await;
    let boss = app.agent_with("Boss", true, None).await;
    let mut s = boss.connect(&app).await;
    // Not invited: refused; an admin of the site (a supervisor) joins without one.
    assert_eq!(code(&join(&mut b, chat).await), "forbidden");
    assert_eq!(join(&mut s, chat).await["type"], "ack");
    assert_eq!(invite(&mut a, chat, bob.id.0).await["type"], "ack");
    frame(&mut b, "chat.join_invite", chat).await;
    // Invited before the chat filled up, Carol finds it full.
    assert_eq!(invite(&mut a, chat, carol.id.0).await["type"], "ack");
    assert_eq!(join(&mut b, chat).await["type"], "ack");
    assert_eq!(code(&join(&mut c, chat).await), "at_capacity");
    assert_eq!(code(&invite(&mut a, chat, carol.id.0).await), "at_capacity");
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(stored.joined, vec![boss.id, bob.id]);
}

#[tokio::test]
async fn other_sites_agents_get_not_found_and_offline_agents_are_no_target() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let other = app.site().await;
    let (_, mut a, _v, chat) = app.accepted_chat(&site).await;
    let stranger = app
        .agent_with("Stranger", false, Some(vec![other.id]))
        .await;
    let mut x = stranger.connect(&app).await;
    x.request(json!({"type":"status","status":"online"})).await;
    let boss = app
        .agent_with("OtherBoss", true, Some(vec![other.id]))
        .await;
    let mut y = boss.connect(&app).await;
    assert_eq!(code(&join(&mut x, chat).await), "not_found");
    assert_eq!(
        code(&join(&mut y, chat).await),
        "not_found",
        "admin of another site"
    );
    assert_eq!(code(&leave(&mut x, chat).await), "not_found");
    assert_eq!(
        code(&invite(&mut x, chat, stranger.id.0).await),
        "not_found"
    );
    // Inviting an agent of another site, or one who is Away: invalid_target.
    assert_eq!(
        code(&invite(&mut a, chat, stranger.id.0).await),
        "invalid_target"
    );
    let (away, mut w) = app.online_agent("Away").await;
    w.request(json!({"type":"status","status":"away"})).await;
    assert_eq!(
        code(&invite(&mut a, chat, away.id.0).await),
        "invalid_target"
    );
    w.assert_none("chat.join_invite").await;
    x.assert_none("chat.join_invite").await;
}

#[tokio::test]
async fn a_colleague_vanishing_never_requeues_the_chat() {
    let app = TestApp::spawn().await;
    let (mut a, bob, mut b, mut v, chat) = with_colleague(&app).await;
    // Bob also holds a chat of his own, which does go back to the queue once he vanishes:
    // seeing it requeued proves his grace period ran out and the requeue ran.
    let site = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat")
        .site_id;
    let site = app.store().site(site).await.expect("site");
    let mut v2 = app.visitor(&site).await;
    let own = v2.request_chat(Some("Otto")).await;
    accept(&mut b, own).await;
    v.ws.drain().await; // what the visitor was told before (queued, accepted)
    v.ws.backlog.clear();
    b.close().await;
    a.presence(bob.id.0, false).await;
    app.clock.advance(Duration::from_secs(31));
    a.wait_for("bob's own chat requeued", |f| {
        f["type"] == "chat.requested" && f["chat"]["chat_id"] == own
    })
    .await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(stored.state.name(), "active", "the shared chat stays");
    assert_eq!(stored.joined, vec![bob.id]);
    v.ws.assert_none("chat.queued").await;
    assert_eq!(agent_say(&mut a, chat, "still mine").await["type"], "ack");
}

#[tokio::test]
async fn a_requeued_chat_drops_its_colleagues() {
    let app = TestApp::spawn().await;
    let (mut a, _bob, mut b, _v, chat) = with_colleague(&app).await;
    assert_eq!(
        a.request(json!({"type":"close","chat_id": chat})).await["type"],
        "ack"
    );
    frame(&mut b, "chat.released", chat).await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert!(stored.joined.is_empty());
    assert_eq!(
        code(&agent_say(&mut b, chat, "hello?").await),
        "not_your_chat"
    );
}

/// Cluster: the visitor on node 1, Alice on node 2, Bob on node 3: Bob answers an invitation
/// made on another node, writes, and the visitor sees it under his name; Alice hands over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_made_on_one_node_is_answered_on_another() {
    use crate::backend::ClusterEnv;
    use crate::cluster::{nodes, online_on};
    let env = std::sync::Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 3, |_| {}).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let bob = n[0].agent("Bob").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut b = online_on(&bob, &n[2]).await;
    let mut v = n[0].visitor(&site).await;
    let chat = v.request_chat(Some("Ann")).await;
    frame(&mut a, "chat.requested", chat).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;
    assert_eq!(invite(&mut a, chat, bob.id.0).await["type"], "ack");
    frame(&mut b, "chat.join_invite", chat).await;
    assert_eq!(join(&mut b, chat).await["type"], "ack");
    frame(&mut a, "chat.updated", chat).await;
    assert_eq!(agent_say(&mut b, chat, "from node 3").await["type"], "ack");
    let seen =
        v.ws.wait_for("bob's reply", |f| {
            f["type"] == "message" && f["body"] == "from node 3"
        })
        .await;
    assert_eq!(seen["author_name"], "Bob");
    assert_eq!(leave(&mut a, chat).await["type"], "ack");
    let accepted =
        v.ws.wait_for("new owner", |f| f["type"] == "chat.accepted")
            .await;
    assert_eq!(accepted["agent_name"], "Bob");
    assert_eq!(
        b.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
}

#[tokio::test]
async fn a_transfer_keeps_the_colleagues_and_tells_them() {
    let app = TestApp::spawn().await;
    let (mut a, bob, mut b, _v, chat) = with_colleague(&app).await;
    let (carol, mut c) = app.online_agent("Carol").await;
    let t = a
        .request(json!({"type":"transfer","chat_id": chat,"to": carol.id.0}))
        .await;
    assert_eq!(t["type"], "ack", "{t}");
    frame(&mut c, "chat.transferred", chat).await;
    let updated = b
        .wait_for("new owner", |f| {
            f["type"] == "chat.updated" && f["chat"]["agent_id"] == carol.id.0
        })
        .await;
    assert_eq!(updated["chat"]["joined"][0]["agent_id"], bob.id.0);
    assert_eq!(
        agent_say(&mut b, chat, "still helping").await["type"],
        "ack"
    );
    // Handed to the colleague himself: he holds it and is no colleague any more.
    let t = c
        .request(json!({"type":"transfer","chat_id": chat,"to": bob.id.0}))
        .await;
    assert_eq!(t["type"], "ack", "{t}");
    frame(&mut b, "chat.transferred", chat).await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(stored.state.owner(), Some(bob.id));
    assert!(stored.joined.is_empty());
}

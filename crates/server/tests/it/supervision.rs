//! Supervisors (issue 13): the per-site "Supervisor" role set over REST, "All Chats", "Watch"
//! (read-only and live; the visitor is told nothing), "Take over"; refusals read like every
//! chat action's (another site's chat is `not_found`, a member who does not supervise is
//! `forbidden`). A watcher on another node of a cluster: `cluster.rs`-style test at the end.

use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use crate::helpers::*;
use frontdesk_core::model::Site;
use frontdesk_core::{ChatId, ChatState, SiteId};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

async fn put(a: &AgentClient, path: &str, body: Value) -> reqwest::Response {
    a.http
        .request(Method::PUT, format!("{}{path}", a.base))
        .header("Origin", &a.base)
        .json(&body)
        .send()
        .await
        .expect("PUT")
}

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

/// An agent of `sites` with the "Supervisor" role on `supervises` (set in storage).
async fn supervisor(
    app: &TestApp,
    name: &str,
    sites: &[SiteId],
    supervises: &[SiteId],
) -> AgentClient {
    let a = app.agent_with(name, false, Some(sites.to_vec())).await;
    for s in supervises {
        app.store()
            .set_supervisor(a.id, *s, true)
            .await
            .expect("role");
    }
    a
}

fn is_error(f: &Value, code: &str) -> bool {
    f["type"] == "error" && f["code"] == code
}

async fn watch(ws: &mut Ws, chat: i64, watching: bool) -> Value {
    ws.request(json!({"type":"watch","chat_id": chat,"watching": watching}))
        .await
}

#[tokio::test]
async fn the_role_is_set_over_rest_and_told_to_the_console() {
    let app = TestApp::spawn().await;
    let (s1, s2) = (app.site().await, app.site().await);
    let ada = app.agent_with("Ada", true, None).await;
    let sam = app.agent_with("Sam", false, Some(vec![s1.id])).await;
    let path = format!("/api/admin/agents/{}", sam.id.0);
    // Only a site of theirs; an unknown site; nothing changed by a refusal.
    let r = put(&ada, &path, json!({"supervises": [s2.id.0]})).await;
    assert_eq!(json_of(r, 400).await["code"], "bad_request");
    let r = put(&ada, &path, json!({"supervises": [999]})).await;
    assert_eq!(r.status(), 400);
    let r = put(
        &ada,
        &path,
        json!({"name": "Sammy", "supervises": [s2.id.0]}),
    )
    .await;
    assert_eq!(r.status(), 400);
    // Not an admin: refused.
    let r = put(&sam, &path, json!({"supervises": [s1.id.0]})).await;
    assert_eq!(r.status(), 403);
    // Given with the sites in one change.
    let r = put(
        &ada,
        &path,
        json!({"sites": [s1.id.0, s2.id.0], "supervises": [s2.id.0]}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let list = json_of(ada.get("/api/admin/agents").await, 200).await;
    let row = list
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["agent_id"] == sam.id.0)
        .expect("Sam listed")
        .clone();
    assert_eq!(row["name"], "Sam", "the refused change changed nothing");
    assert_eq!(row["supervises"], json!([s2.id.0]));
    // Sam signs in again (the sites changed) and the console is told per site.
    let sam = AgentClient::sign_in(&app, sam.id, &sam.email, "Sam").await;
    let mut ws = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&sam.cookie),
    )
    .await
    .expect("socket");
    let snap = ws.expect("snapshot").await;
    let flag = |snap: &Value, site: &Site| {
        snap["sites"]
            .as_array()
            .expect("sites")
            .iter()
            .find(|s| s["site_id"] == site.id.0)
            .map(|s| s["supervisor"] == true)
    };
    assert_eq!(flag(&snap, &s1), Some(false));
    assert_eq!(flag(&snap, &s2), Some(true));
    let me = json_of(sam.get("/api/me").await, 200).await;
    assert_eq!(flag(&me, &s2), Some(true));
    // Admins supervise every site they belong to.
    let me = json_of(ada.get("/api/me").await, 200).await;
    assert_eq!((flag(&me, &s1), flag(&me, &s2)), (Some(true), Some(true)));
    // Taking the role away ends Sam's sessions (a watch ends with its socket).
    let r = put(&ada, &path, json!({"supervises": []})).await;
    assert_eq!(r.status(), 204);
    assert!(ws.closed_by_server().await, "Sam's socket closed");
    // Given at creation too, and only for a site of theirs.
    let new_agent = |email: &str, supervises: Vec<i64>| {
        json!({"email": email, "name": "Nia", "password": "long enough password",
            "sites": [s1.id.0], "supervises": supervises})
    };
    let r = ada
        .post(
            "/api/admin/agents",
            new_agent("nia@agents.example", vec![s2.id.0]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let nia = json_of(
        ada.post(
            "/api/admin/agents",
            new_agent("nia@agents.example", vec![s1.id.0]),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(nia["supervises"], json!([s1.id.0]));
    let list = json_of(ada.get("/api/admin/agents").await, 200).await;
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|a| a["agent_id"] == sam.id.0 && a["supervises"] == json!([]))
    );
}

#[tokio::test]
async fn all_chats_lists_the_live_chats_of_the_supervised_sites() {
    let app = TestApp::spawn().await;
    let (s1, s2) = (app.site().await, app.site().await);
    let (_alice, mut a, mut v1, active) = app.accepted_chat(&s1).await;
    v1.say("Where is my parcel?").await;
    agent_say(&mut a, active, "Let me look.").await;
    let mut v2 = app.visitor(&s1).await;
    let waiting = v2.request_chat(Some("Ben")).await;
    let mut v3 = app.visitor(&s2).await;
    let elsewhere = v3.request_chat(Some("Cleo")).await;
    // An ended chat is not live.
    let mut v4 = app.visitor(&s1).await;
    let ended = v4.request_chat(None).await;
    v4.ws.request(json!({"type":"chat_end"})).await;

    let sam = supervisor(&app, "Sam", &[s1.id, s2.id], &[s1.id]).await;
    let list = json_of(sam.get("/api/supervision/chats").await, 200).await;
    let rows = list.as_array().expect("list");
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r["chat"]["chat_id"].as_i64())
        .collect();
    assert_eq!(
        ids,
        vec![active, waiting],
        "only site 1's live chats, oldest first"
    );
    assert!(!ids.contains(&elsewhere) && !ids.contains(&ended));
    let row = &rows[0];
    assert_eq!(row["chat"]["state"], "active");
    assert_eq!(row["chat"]["agent_name"], "Alice");
    assert_eq!(row["last_message"]["body"], "Let me look.");
    assert_eq!(row["last_message"]["from"], "agent");
    assert!(row["waiting_ms"].as_i64().is_some());
    let row = &rows[1];
    assert_eq!(row["chat"]["state"], "pending");
    assert_eq!(row["chat"]["agent_id"], Value::Null);
    assert_eq!(row["last_message"], Value::Null);

    // An admin of every site sees both sites.
    let ada = app.agent_with("Ada", true, None).await;
    let list = json_of(ada.get("/api/supervision/chats").await, 200).await;
    let ids: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["chat"]["chat_id"].as_i64())
        .collect();
    assert_eq!(ids, vec![active, waiting, elsewhere]);

    // A member who supervises nothing is refused.
    let bob = app.agent_with("Bob", false, Some(vec![s1.id])).await;
    let r = bob.get("/api/supervision/chats").await;
    assert_eq!(json_of(r, 403).await["code"], "forbidden");
}

#[tokio::test]
async fn watching_is_read_only_live_and_the_visitor_is_not_told() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, mut a, mut v, chat) = app.accepted_chat(&site).await;
    v.say("before the watch").await;
    let sam = supervisor(&app, "Sam", &[site.id], &[site.id]).await;
    let mut s = sam.connect(&app).await;
    v.ws.drain().await;

    // The chat so far, then live.
    let history = watch(&mut s, chat, true).await;
    assert_eq!(history["type"], "chat.history", "{history}");
    assert_eq!(history["chat"]["chat_id"], chat);
    assert_eq!(history["messages"][0]["body"], "before the watch");
    assert!(
        v.ws.drain().await.is_empty(),
        "the visitor hears nothing of the watch"
    );

    v.say("visitor live").await;
    let m = s
        .wait_for("visitor message", |f| {
            f["type"] == "message" && f["body"] == "visitor live"
        })
        .await;
    assert_eq!(m["chat_id"], chat);
    agent_say(&mut a, chat, "agent live").await;
    s.wait_for("agent message", |f| {
        f["type"] == "message" && f["body"] == "agent live"
    })
    .await;
    v.ws.send(json!({"type":"typing","typing":true})).await;
    s.wait_for("typing", |f| f["type"] == "typing" && f["chat_id"] == chat)
        .await;
    a.wait_for("typing", |f| f["type"] == "typing" && f["chat_id"] == chat)
        .await;

    // Read-only: a watcher does not write in the chat.
    let r = agent_say(&mut s, chat, "I am here").await;
    assert!(is_error(&r, "not_your_chat"), "{r}");
    assert!(
        v.ws.drain().await.iter().all(|f| f["body"] != "I am here"),
        "nothing reached the visitor"
    );

    // Stopping: no more messages.
    let ack = watch(&mut s, chat, false).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    v.say("after the watch").await;
    a.wait_for("m", |f| f["body"] == "after the watch").await;
    s.assert_none("message").await;

    // Watching again, the end reaches the watcher, who does not monitor the site (so does
    // not hear it as one of the site's agents).
    let ack = s
        .request(json!({"type":"monitor","site_id": site.id.0,"monitoring": false}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    v.ws.drain().await;
    watch(&mut s, chat, true).await;
    assert!(v.ws.drain().await.is_empty(), "nor of the second one");
    a.request(json!({"type":"end","chat_id": chat})).await;
    s.wait_for("end", |f| f["type"] == "chat.ended" && f["chat_id"] == chat)
        .await;
    v.ws.expect("chat.ended").await;
}

#[tokio::test]
async fn watch_and_take_over_are_refused_like_every_chat_action() {
    let app = TestApp::spawn().await;
    let (site, other) = (app.site().await, app.site().await);
    let (_alice, _a, _v, chat) = app.accepted_chat(&site).await;
    // A member of the chat's site who does not supervise it: forbidden.
    let bob = app.agent_with("Bob", false, Some(vec![site.id])).await;
    let mut b = bob.connect(&app).await;
    assert!(is_error(&watch(&mut b, chat, true).await, "forbidden"));
    let r = b.request(json!({"type":"take_over","chat_id": chat})).await;
    assert!(is_error(&r, "forbidden"), "{r}");
    b.assert_none("message").await;
    // A supervisor of another site: the chat does not exist for them.
    let carl = supervisor(&app, "Carl", &[other.id], &[other.id]).await;
    let mut c = carl.connect(&app).await;
    let r = watch(&mut c, chat, true).await;
    assert!(is_error(&r, "not_found"), "{r}");
    let r = c.request(json!({"type":"take_over","chat_id": chat})).await;
    assert!(is_error(&r, "not_found"), "{r}");
    let r = c
        .request(json!({"type":"watch","chat_id": 987_654,"watching": true}))
        .await;
    assert!(
        is_error(&r, "not_found"),
        "an unknown chat reads the same: {r}"
    );
    let owner = app
        .store()
        .chat(ChatId(chat))
        .await
        .expect("chat")
        .state
        .owner();
    assert_eq!(owner, Some(_alice.id), "nothing moved");
}

#[tokio::test]
async fn take_over_moves_the_chat_and_tells_the_old_owner() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, mut a, mut v, chat) = app.accepted_chat(&site).await;
    let sam = supervisor(&app, "Sam", &[site.id], &[site.id]).await;
    let mut s = sam.connect(&app).await;
    watch(&mut s, chat, true).await;
    // Another supervisor watches too: told when the chat changes hands.
    let ada = app.agent_with("Ada", true, None).await;
    let mut w = ada.connect(&app).await;
    watch(&mut w, chat, true).await;
    v.ws.drain().await;

    let ack = s.request(json!({"type":"take_over","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let u = w
        .wait_for("updated", |f| {
            f["type"] == "chat.updated" && f["chat"]["chat_id"] == chat
        })
        .await;
    assert_eq!(u["chat"]["agent_id"], sam.id.0);
    assert!(
        v.ws.drain().await.is_empty(),
        "the visitor is not told of the take-over"
    );
    a.wait_for("released", |f| {
        f["type"] == "chat.released" && f["chat_id"] == chat
    })
    .await;
    let t = s
        .wait_for("transferred", |f| {
            f["type"] == "chat.transferred" && f["chat"]["chat_id"] == chat
        })
        .await;
    assert_eq!(t["chat"]["agent_id"], sam.id.0);
    let stored = app.store().chat(ChatId(chat)).await.expect("chat");
    assert_eq!(stored.state, ChatState::Active { agent: sam.id });
    // Now Sam's: Sam writes, Alice no longer may.
    agent_say(&mut s, chat, "Sam here").await;
    v.ws.wait_for("Sam's message", |f| {
        f["type"] == "message" && f["body"] == "Sam here"
    })
    .await;
    let r = agent_say(&mut a, chat, "still mine?").await;
    assert!(is_error(&r, "not_your_chat"), "{r}");
    // Twice is once.
    let ack = s.request(json!({"type":"take_over","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack", "{ack}");

    // A waiting chat: taken over is accepted, the visitor told as for any accept.
    let mut w = app.visitor(&site).await;
    let waiting = w.request_chat(Some("Wes")).await;
    let ack = s
        .request(json!({"type":"take_over","chat_id": waiting}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let accepted = w.ws.expect("chat.accepted").await;
    assert_eq!(accepted["agent_name"], "Sam");

    // Capacity as for a transfer: Sam holds two; with room for two, no more.
    let r = put(
        &ada,
        &format!("/api/admin/agents/{}", sam.id.0),
        json!({"max_chats": 2}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let (_bob, mut b) = app.online_agent("Bob").await;
    let mut vb = app.visitor(&site).await;
    let third = vb.request_chat(None).await;
    accept(&mut b, third).await;
    let r = s
        .request(json!({"type":"take_over","chat_id": third}))
        .await;
    assert!(is_error(&r, "at_capacity"), "{r}");
}

/// Cluster: the watcher is on another node than the visitor and the agent; messages posted
/// there reach it (the chat's audience goes over the bus, each node adds its own watchers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_on_another_node_sees_the_chat_live() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 2, |_| {}).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let mut a = online_on(&alice, &n[0]).await;
    let mut v = n[0].visitor(&site).await;
    let chat = v.request_chat(Some("Ann")).await;
    accept(&mut a, chat).await;
    v.ws.expect("chat.accepted").await;
    let ada = n[0].agent_with("Ada", true, None).await;
    let mut s = ada.connect(&n[1]).await;
    v.ws.drain().await;
    let history = watch(&mut s, chat, true).await;
    assert_eq!(history["type"], "chat.history", "{history}");
    assert!(
        v.ws.drain().await.is_empty(),
        "the visitor hears nothing of the watch"
    );
    v.say("from node 0").await;
    s.wait_for("visitor's", |f| {
        f["type"] == "message" && f["body"] == "from node 0"
    })
    .await;
    agent_say(&mut a, chat, "Alice on node 0").await;
    s.wait_for("Alice's", |f| {
        f["type"] == "message" && f["body"] == "Alice on node 0"
    })
    .await;
    v.ws.send(json!({"type":"typing","typing":true})).await;
    s.wait_for("typing", |f| f["type"] == "typing" && f["chat_id"] == chat)
        .await;
    let frames = v.ws.drain().await;
    assert!(
        frames
            .iter()
            .all(|f| f["type"] == "message" && f["seq"].as_i64().is_some()),
        "the visitor heard nothing of the watch: {frames:?}"
    );
    a.request(json!({"type":"end","chat_id": chat})).await;
    s.wait_for("end", |f| f["type"] == "chat.ended" && f["chat_id"] == chat)
        .await;
}

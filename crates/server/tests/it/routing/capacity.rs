//! "Most chats at once": the cap governs pushing (pop-ups, offers, transfers), not pulling.

use super::*;
use frontdesk_core::site_settings::Routing;
use serde_json::json;

/// Broadcast mode: Ann (cap 1) takes a chat and is at capacity: her console and Bob's hear
/// `agent.presence` with `at_capacity`; the next chat pops up for Bob only; Ann may still
/// accept it on purpose. Ending a chat takes her off the cap again.
#[tokio::test]
async fn capped_agent_gets_no_pop_ups_but_may_accept_on_purpose() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (ann, mut a) = app.online_agent("Ann").await;
    set_cap(&app, &ann, Some(1)).await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    let mut v1 = app.visitor(&site).await;
    let first = v1.request_chat(None).await;
    a.requested(first).await;
    assert_eq!(accept(&mut a, first).await["type"], "ack");
    let full = |f: &Value| {
        f["type"] == "agent.presence" && f["agent_id"] == ann.id.0 && f["at_capacity"] == true
    };
    let seen = b.wait_for("Ann at capacity", full).await;
    assert_eq!(
        (seen["active_chats"].clone(), seen["max_chats"].clone()),
        (json!(1), json!(1))
    );
    a.wait_for("own at capacity", full).await;

    let mut v2 = app.visitor(&site).await;
    let second = v2.request_chat(None).await;
    b.requested(second).await;
    a.assert_none("chat.requested").await;
    // Pulling on purpose is allowed.
    let ack = accept(&mut a, second).await;
    assert_eq!(ack["type"], "ack", "{ack}");

    // Going On-Line again does not pop up waiting chats for a capped agent.
    let mut v3 = app.visitor(&site).await;
    let third = v3.request_chat(None).await;
    b.requested(third).await;
    a.request(json!({"type":"status","status":"online"})).await;
    a.assert_none("chat.requested").await;

    // Ending both chats: off the cap.
    a.request(json!({"type":"end","chat_id": first})).await;
    a.request(json!({"type":"end","chat_id": second})).await;
    b.wait_for("Ann has room", |f| {
        f["type"] == "agent.presence" && f["agent_id"] == ann.id.0 && f["at_capacity"] == false
    })
    .await;
}

/// Assign mode: Ann (cap 1, one chat) has fewer chats than Bob (two, unlimited) but is full,
/// so the offer goes to Bob.
#[tokio::test]
async fn capped_agent_gets_no_offers() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (ann, mut a) = app.online_agent("Ann").await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    set_cap(&app, &ann, Some(1)).await;
    let mut keep = Vec::new();
    for to_ann in [true, false, false] {
        let mut v = app.visitor(&site).await;
        let chat = v.request_chat(None).await;
        let ws = if to_ann { &mut a } else { &mut b };
        assert_eq!(accept(ws, chat).await["type"], "ack");
        keep.push(v);
    }
    set_routing(&app, &site, Routing::Assign, 30).await;
    a.drain().await; // the pop-ups of the set-up, in the default mode
    b.drain().await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    offered(&mut b, chat).await;
    a.assert_none("chat.offered").await;
    a.assert_none("chat.requested").await;
}

/// A transfer to an agent at capacity is refused with their name and cap.
#[tokio::test]
async fn transfer_to_a_capped_agent_is_refused() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (anna, mut a) = app.online_agent("Anna").await;
    set_cap(&app, &anna, Some(1)).await;
    let (bob, mut b) = app.online_agent("Bob").await;
    let mut v1 = app.visitor(&site).await;
    let first = v1.request_chat(None).await;
    assert_eq!(accept(&mut a, first).await["type"], "ack");
    let mut v2 = app.visitor(&site).await;
    let second = v2.request_chat(None).await;
    assert_eq!(accept(&mut b, second).await["type"], "ack");
    let refused = b
        .request(json!({"type":"transfer","chat_id": second,"to": anna.id.0}))
        .await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "at_capacity");
    assert_eq!(refused["message"], "Anna is at capacity (1 chat).");
    // With room again, the transfer works.
    a.request(json!({"type":"end","chat_id": first})).await;
    let ok = b
        .request(json!({"type":"transfer","chat_id": second,"to": anna.id.0}))
        .await;
    assert_eq!(ok["type"], "ack", "{ok}");
    let _ = bob;
}

/// Admin REST: `max_chats` is created, shown, changed, cleared; 0 and negative are refused.
#[tokio::test]
async fn admin_sets_most_chats_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.agent_with("Root", true, None).await;
    let created = admin
        .post(
            "/api/admin/agents",
            json!({"email":"cap@agents.example","name":"Cap","password":"long enough pw","max_chats":3}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let view: Value = created.json().await.expect("JSON body");
    assert_eq!(view["max_chats"], 3);
    let id = view["agent_id"].as_i64().expect("agent id");
    for bad in [json!(0), json!(-2)] {
        let r = admin
            .http
            .put(format!("{}/api/admin/agents/{id}", admin.base))
            .header("Origin", &admin.base)
            .json(&json!({"max_chats": bad}))
            .send()
            .await
            .expect("PUT");
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.expect("JSON body");
        assert_eq!(body["code"], "bad_request");
        assert_eq!(
            body["message"],
            "\"Most chats at once\" must be at least 1 (leave it empty for unlimited)"
        );
    }
    let bad_new = admin
        .post(
            "/api/admin/agents",
            json!({"email":"zero@agents.example","name":"Zero","password":"long enough pw","max_chats":0}),
        )
        .await;
    assert_eq!(bad_new.status(), 400);
    let put = |body: Value| {
        let admin = &admin;
        async move {
            admin
                .http
                .put(format!("{}/api/admin/agents/{id}", admin.base))
                .header("Origin", &admin.base)
                .json(&body)
                .send()
                .await
                .expect("PUT")
                .status()
        }
    };
    assert_eq!(put(json!({"max_chats": 5})).await, 204);
    let cap_of = || async {
        let list: Value = admin
            .get("/api/admin/agents")
            .await
            .json()
            .await
            .expect("JSON body");
        list.as_array()
            .expect("a list")
            .iter()
            .find(|a| a["agent_id"] == id)
            .expect("the agent is listed")["max_chats"]
            .clone()
    };
    assert_eq!(cap_of().await, 5);
    assert_eq!(put(json!({"name": "Cap B"})).await, 204);
    assert_eq!(cap_of().await, 5, "absent leaves it");
    assert_eq!(put(json!({"max_chats": null})).await, 204);
    assert_eq!(cap_of().await, Value::Null);
}

//! Bad input gets a typed error, nothing half-written, and the connection stays open.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn malformed_and_unknown_frames_get_typed_errors_and_the_socket_lives_on() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    for (raw, code) in [
        ("{not json", "bad_request"),
        (r#"{"type":"self_destruct"}"#, "unknown_type"),
        (r#"{"type":"message"}"#, "bad_request"),
        (r#"[1,2,3]"#, "bad_request"),
        (r#"{"no_type":1}"#, "bad_request"),
    ] {
        v.ws.send_raw(raw).await;
        let e = v.ws.expect("error").await;
        assert_eq!(e["code"], code, "{raw}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
        a.send_raw(raw).await;
        assert_eq!(a.expect("error").await["code"], code, "agent {raw}");
    }
    // Still open on both sides.
    v.ws.drain().await;
    a.drain().await;
}

#[tokio::test]
async fn oversize_messages_are_refused_with_the_configured_limit() {
    let app = TestApp::spawn_with(|s| s.message_max_chars = 50).await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    accept(&mut a, chat).await;
    let long = "x".repeat(51);
    let e = v.message("big", &long).await;
    assert_eq!(e["code"], "too_long");
    let e = agent_say(&mut a, chat, &"y".repeat(51)).await;
    assert_eq!(e["code"], "too_long");
    let e = v.message("blank", "   ").await;
    assert_eq!(e["code"], "empty");
    assert_eq!(
        v.say(&"z".repeat(50)).await,
        1,
        "nothing half-written before"
    );
}

#[tokio::test]
async fn frames_over_the_byte_limit_close_the_socket() {
    let app = TestApp::spawn_with(|s| s.max_frame_bytes = 1024).await;
    let site = app.site().await;
    let mut v = app.visitor(&site).await;
    v.ws.send_raw(&format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "p".repeat(4096)
    ))
    .await;
    assert!(v.ws.closed_by_server().await);
}

#[tokio::test]
async fn foreign_and_unheld_chats_are_refused() {
    let app = TestApp::spawn().await;
    let site_a = app.site().await;
    let site_b = app.site().await;
    let (_, mut alice) = app.online_agent("Alice").await;
    let bea = app.agent_with("Bea", false, Some(vec![site_b.id])).await;
    let mut b = bea.connect(&app).await;
    b.request(json!({"type":"status","status":"online"})).await;
    let mut v = app.visitor(&site_a).await;
    let chat = v.request_chat(None).await;
    // Bea (site B only) cannot see or take site A's chat: it looks missing.
    for frame in [
        json!({"type":"accept","chat_id": chat}),
        json!({"type":"sync","chat_id": chat}),
        json!({"type":"message","chat_id": chat,"client_id":"x","body":"hi"}),
        json!({"type":"end","chat_id": chat}),
        json!({"type":"accept","chat_id": 999_999}),
    ] {
        assert_eq!(
            b.request(frame.clone()).await["code"],
            "not_found",
            "{frame}"
        );
    }
    // Alice may see it, but cannot act on a chat she does not hold.
    assert_eq!(
        agent_say(&mut alice, chat, "hi").await["code"],
        "not_your_chat"
    );
    assert_eq!(
        alice.request(json!({"type":"close","chat_id": chat})).await["code"],
        "not_your_chat"
    );
    assert_eq!(
        alice.request(json!({"type":"block","chat_id": chat})).await["code"],
        "not_your_chat"
    );
    // A visitor message without an open chat.
    let mut w = app.visitor(&site_a).await;
    assert_eq!(w.message("q", "hi").await["code"], "not_found");
}

#[tokio::test]
async fn too_many_requests_are_rate_limited_and_the_socket_stays() {
    let app = TestApp::spawn_with(|s| {
        s.limits.visitor_messages = frontdesk::config::Rate {
            per_minute: 1,
            burst: 3,
        };
    })
    .await;
    let site = app.site().await;
    let mut v = app.visitor(&site).await;
    v.request_chat(None).await;
    for i in 0..3 {
        v.say(&format!("m{i}")).await;
    }
    let e = v.message("m4", "m4").await;
    assert_eq!(e["code"], "rate_limited");
    v.ws.drain().await;
}

#[tokio::test]
async fn visitor_sockets_only_from_the_sites_origins() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    for origin in [
        "https://evil.example",
        "null",
        "",
        &format!("{}.evil.test", site.base_url),
    ] {
        let r = Ws::open(
            &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
            origin,
            None,
        )
        .await;
        assert!(r.is_err(), "origin {origin:?} must be refused");
    }
    let r = Ws::open(
        &format!("ws://{}/ws/visitor?site=nosuchkey", app.addr),
        &site.base_url,
        None,
    )
    .await;
    assert!(r.is_err());
}

#[tokio::test]
async fn forged_visitor_tokens_get_a_new_identity() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let v = app.visitor(&site).await;
    let forged = format!("{}x", v.token);
    let w = VisitorClient::connect(&app, &site, Some(&forged), None, "/").await;
    assert_ne!(w.visitor_id, v.visitor_id);
    let other_site = app.site().await;
    let x = VisitorClient::connect(&app, &other_site, Some(&v.token), None, "/").await;
    assert_ne!(x.visitor_id, v.visitor_id, "a token is bound to its site");
}

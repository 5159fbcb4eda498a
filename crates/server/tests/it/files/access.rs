//! Who may upload and fetch: the chat's visitor by their token (until a day after the end),
//! agents of the chat's site; everyone else `not_found`. The page's origin, rate limits,
//! blocks, and "Delete chat".

use super::*;
use frontdesk_core::ChatId;
use frontdesk_core::files::FileId;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_wrong_visitor_or_another_sites_agent_gets_not_found() {
    let app = TestApp::spawn().await;
    let (site, _alice, _a, v, _chat) = chatting(&app).await;
    let id = file_id(&visitor_upload(&app, &v, "a.txt", b"mine").await);
    let other_visitor = app.visitor(&site).await;
    let other_site = app.site().await;
    let stranger = app.visitor(&other_site).await;
    let bob = app
        .agent_with("Bob", false, Some(vec![other_site.id]))
        .await;
    for token in [
        other_visitor.token.as_str(),
        stranger.token.as_str(),
        "x.y",
        "",
    ] {
        let d = visitor_get(&app, &id, false, token).await;
        assert_eq!(d.status, 404, "token {token:?}");
        assert_eq!(visitor_get(&app, &id, true, token).await.status, 404);
    }
    for path in [format!("/api/files/{id}"), format!("/api/files/{id}/thumb")] {
        assert_eq!(agent_get(&bob, &path).await.status, 404);
    }
    // A made-up id, a malformed one: the same answer.
    let alice_like = app.agent("Carol").await;
    for bad in ["AAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", "1"] {
        assert_eq!(
            agent_get(&alice_like, &format!("/api/files/{bad}"))
                .await
                .status,
            404
        );
    }
    // No token at all, or not a multipart body: the error shape of every REST failure.
    let no_token = reqwest::get(format!("{}/files/{id}", app.base))
        .await
        .expect("GET");
    assert_eq!(no_token.status().as_u16(), 404);
    let not_multipart = reqwest::Client::new()
        .post(format!("{}/api/visitor/files", app.base))
        .header("Origin", v.origin.clone())
        .json(&serde_json::json!({"file": "x"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(not_multipart.status().as_u16(), 400);
    let body: serde_json::Value = not_multipart.json().await.expect("json error body");
    assert_eq!(body["code"], "bad_request");
    // No session: 401.
    let anon = reqwest::get(format!("{}/api/files/{id}", app.base))
        .await
        .expect("GET");
    assert_eq!(anon.status().as_u16(), 401);
}

#[tokio::test]
async fn a_visitor_link_closes_a_day_after_the_chat_ended() {
    let app = TestApp::spawn().await;
    let (_, _alice, mut a, v, chat) = chatting(&app).await;
    let id = file_id(&visitor_upload(&app, &v, "a.txt", b"receipt").await);
    a.request(json!({"type":"end","chat_id": chat})).await;
    app.clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(visitor_get(&app, &id, false, &v.token).await.status, 200);
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(visitor_get(&app, &id, false, &v.token).await.status, 404);
    // Agents of the site keep it (a fresh session: a day has passed).
    let zed = app.agent("Zed").await;
    assert_eq!(
        agent_get(&zed, &format!("/api/files/{id}")).await.status,
        200
    );
}

#[tokio::test]
async fn the_upload_must_come_from_the_sites_page_with_a_genuine_token() {
    let app = TestApp::spawn().await;
    let (site, _alice, _a, v, _chat) = chatting(&app).await;
    let up = visitor_upload_from(&app, &v, "https://evil.example", "a.txt", b"x", None).await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (403, Some("origin_refused"))
    );
    assert!(up.headers.get("access-control-allow-origin").is_none());
    let forged = VisitorClient {
        token: format!("{}x", v.token),
        ..app.visitor(&site).await
    };
    let up = visitor_upload(&app, &forged, "a.txt", b"x").await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (404, Some("not_found"))
    );
    // No open chat: not_found, nothing stored.
    let idle = app.visitor(&site).await;
    let up = visitor_upload(&app, &idle, "a.txt", b"x").await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (404, Some("not_found"))
    );
    // The preflight names the origin back; the POST decides.
    let pre = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/visitor/files", app.base),
        )
        .header("Origin", v.origin.clone())
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(pre.status().as_u16(), 204);
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        v.origin.as_str()
    );
}

#[tokio::test]
async fn uploads_are_rate_limited() {
    let app = TestApp::spawn_with(|s| {
        s.limits.file_uploads = frontdesk::config::Rate {
            per_minute: 1,
            burst: 2,
        }
    })
    .await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    for _ in 0..2 {
        file_id(&visitor_upload(&app, &v, "a.txt", b"x").await);
        file_id(&agent_upload(&alice, chat, "b.txt", b"y", None).await);
    }
    let up = visitor_upload(&app, &v, "a.txt", b"x").await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (429, Some("rate_limited"))
    );
    let up = agent_upload(&alice, chat, "b.txt", b"y", None).await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (429, Some("rate_limited"))
    );
}

#[tokio::test]
async fn a_blocked_visitor_is_refused() {
    let app = TestApp::spawn().await;
    let (_, _alice, mut a, v, chat) = chatting(&app).await;
    a.request(json!({"type":"block","chat_id": chat})).await;
    let up = visitor_upload(&app, &v, "a.txt", b"x").await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (403, Some("blocked"))
    );
    assert_eq!(
        app.store()
            .files_in_chat(ChatId(chat))
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn only_a_colleague_or_the_owner_uploads() {
    let app = TestApp::spawn().await;
    let (site, _alice, _a, _v, chat) = chatting(&app).await;
    let dave = app.agent_with("Dave", false, Some(vec![site.id])).await;
    let up = agent_upload(&dave, chat, "a.txt", b"x", None).await;
    assert_eq!(
        (up.status, up.body["code"].as_str()),
        (409, Some("not_your_chat"))
    );
    let other_site = app.site().await;
    let erin = app
        .agent_with("Erin", false, Some(vec![other_site.id]))
        .await;
    assert_eq!(
        agent_upload(&erin, chat, "a.txt", b"x", None).await.status,
        404
    );
}

#[tokio::test]
async fn an_admin_deletes_an_ended_chat_with_its_files() {
    let app = TestApp::spawn().await;
    let (site, alice, mut a, v, chat) = chatting(&app).await;
    let id = file_id(&visitor_upload(&app, &v, "a.txt", b"x").await);
    let admin = app.agent_with("Root", true, Some(vec![site.id])).await;
    let del = |who: &AgentClient| {
        who.http
            .delete(format!("{}/api/chats/{chat}", who.base))
            .header("Origin", who.base.clone())
            .send()
    };
    assert_eq!(
        del(&admin).await.expect("DELETE").status().as_u16(),
        409,
        "open: end it first"
    );
    a.request(json!({"type":"end","chat_id": chat})).await;
    assert_eq!(
        del(&alice).await.expect("DELETE").status().as_u16(),
        403,
        "admins only"
    );
    // Ended on this node: the node keeps it as recently ended (no storage read for a late
    // accept or message) ...
    assert_eq!(accept(&mut a, chat).await["code"], "chat_ended");
    assert_eq!(del(&admin).await.expect("DELETE").status().as_u16(), 204);
    // ... and forgets it once deleted: what storage says, not what the node kept.
    assert_eq!(accept(&mut a, chat).await["code"], "not_found");
    assert_eq!(agent_say(&mut a, chat, "late").await["code"], "not_found");
    assert!(app.store().file(&FileId(id.clone())).await.is_err());
    assert_eq!(
        agent_get(&admin, &format!("/api/files/{id}")).await.status,
        404
    );
    assert_eq!(
        admin
            .get(&format!("/api/chats/{chat}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(del(&admin).await.expect("DELETE").status().as_u16(), 404);
}

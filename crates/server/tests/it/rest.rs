//! The REST API: every resource's happy path, refusals that read like missing objects,
//! admin-only calls, the Origin check on state-changing calls, and the transcript renderings.
//! Shared helpers here; the tests by resource in `rest/`.

mod access;
mod admin;
mod canned;
mod canned_shortcuts;
pub(crate) mod chats;
mod history;
mod offline;

use crate::helpers::*;
use reqwest::Method;
use serde_json::Value;

/// A call as `a`, with an `Origin` header when given.
pub(super) async fn call(
    a: &AgentClient,
    method: Method,
    path: &str,
    body: Option<Value>,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut req = a.http.request(method, format!("{}{path}", a.base));
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

pub(super) async fn put(a: &AgentClient, path: &str, body: Value) -> reqwest::Response {
    call(a, Method::PUT, path, Some(body), Some(&a.base.clone())).await
}

pub(super) async fn delete(a: &AgentClient, path: &str) -> reqwest::Response {
    call(a, Method::DELETE, path, None, Some(&a.base.clone())).await
}

pub(super) async fn ok_json(resp: reqwest::Response, status: u16) -> Value {
    let s = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    assert_eq!(s, status, "{text}");
    serde_json::from_str(&text).expect("JSON body")
}

pub(super) async fn assert_error(resp: reqwest::Response, status: u16, code: &str) {
    let s = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON error body, got {s} {text:?}"));
    assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A chat on `site`, accepted by the on-line agent on `ws`, with one message each way.
pub(super) async fn chat_with_messages(
    app: &TestApp,
    site: &frontdesk_core::model::Site,
    ws: &mut Ws,
    visitor_name: &str,
    said: &str,
) -> (VisitorClient, i64) {
    let mut v = app.visitor(site).await;
    let chat = v.request_chat(Some(visitor_name)).await;
    assert_eq!(accept(ws, chat).await["type"], "ack");
    v.say(said).await;
    assert_eq!(
        agent_say(ws, chat, "Hello, how can I help?").await["type"],
        "ack"
    );
    (v, chat)
}

/// A sign-in with a given password; the session cookie if it worked.
pub(super) async fn sign_in(app: &TestApp, email: &str, password: &str) -> Option<reqwest::Client> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = login(&http, app, email, password).await;
    (resp.status() == 200).then_some(http)
}

pub(super) async fn me_status(app: &TestApp, http: &reqwest::Client) -> u16 {
    http.get(format!("{}/api/me", app.base))
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let app = TestApp::spawn().await;
    let resp = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .expect("GET");
    let doc = ok_json(resp, 200).await;
    assert_eq!(doc["servers"][0]["url"], app.base);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/chats/{chat_id}/transcript.eml",
        "/api/admin/sites",
        "/api/me/password",
        "/healthz",
        "/ws/visitor",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    // API tokens: the bearer scheme, on what a token reaches and not on what it does not.
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (bearer["type"].as_str(), bearer["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    let schemes = |path: &str, method: &str| doc["paths"][path][method]["security"].to_string();
    assert!(schemes("/api/chats/{chat_id}", "get").contains("bearer"));
    assert!(schemes("/api/admin/audit", "get").contains("bearer"));
    assert!(!schemes("/api/admin/tokens", "post").contains("bearer"));
    assert!(!schemes("/api/auth/logout", "post").contains("bearer"));
}

//! API tokens (issue 18): `Authorization: Bearer fd_...` on the REST API. Scopes, no cookie
//! and no Origin needed (the Origin check still holds for cookies), revocation and expiry at
//! the next request, sites like an agent's (the IDOR probes of `rest/access.rs`), the rate
//! limit per token, and the token stored as its SHA-256 only.

use crate::helpers::*;
use crate::rest::{assert_error, ok_json};
use frontdesk::config::Rate;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Creates a token as `admin` (cookie + Origin): the answer's body.
pub(crate) async fn create(admin: &AgentClient, body: Value) -> Value {
    ok_json(admin.post("/api/admin/tokens", body).await, 201).await
}

fn secret(created: &Value) -> String {
    created["token"].as_str().expect("token").to_string()
}

/// A request with only the bearer token: no cookie, no Origin.
async fn with_token(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    with_token(app, token, reqwest::Method::GET, path, None).await
}

#[tokio::test]
async fn scopes_decide_what_a_token_reaches_without_cookie_or_origin() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let read = create(&admin, json!({"name": "Reports", "scopes": ["read"]})).await;
    let rw = create(&admin, json!({"name": "CRM", "scopes": ["read", "write"]})).await;
    let adm = create(&admin, json!({"name": "Ops", "scopes": ["admin"]})).await;
    let (read, rw, adm) = (secret(&read), secret(&rw), secret(&adm));
    assert!(read.starts_with("fd_") && read.len() > 40, "{read}");

    // Stored as its SHA-256 only; never listed.
    let hash = hex::encode(Sha256::digest(read.as_bytes()));
    let stored = app.store().token_by_hash(&hash).await.expect("by hash");
    assert_eq!(stored.name, "Reports");
    let list = ok_json(admin.get("/api/admin/tokens").await, 200).await;
    assert_eq!(list.as_array().map(Vec::len), Some(3));
    assert!(!list.to_string().contains(&read[3..]), "{list}");

    let canned = format!("/api/sites/{}/canned", site.id);
    let new_canned = json!({"title": "Hi", "body": "Hello!", "scope": "site"});
    // read: GETs of non-admin resources.
    assert_eq!(get(&app, &read, &canned).await.status(), 200);
    let me = ok_json(get(&app, &read, "/api/me").await, 200).await;
    assert_eq!(me["email"], admin.email.as_str());
    let post = |t: String| {
        let (app, canned, body) = (&app, canned.clone(), new_canned.clone());
        async move { with_token(app, &t, reqwest::Method::POST, &canned, Some(body)).await }
    };
    assert_error(post(read.clone()).await, 403, "forbidden").await;
    assert_error(
        get(&app, &read, "/api/admin/agents").await,
        403,
        "forbidden",
    )
    .await;
    // write: the other methods, with no Origin header and no cookie.
    ok_json(post(rw.clone()).await, 201).await;
    assert_error(get(&app, &rw, "/api/admin/agents").await, 403, "forbidden").await;
    // admin: /api/admin, but not tokens, and no signing out or password change.
    assert_eq!(get(&app, &adm, "/api/admin/agents").await.status(), 200);
    assert_error(get(&app, &adm, "/api/admin/tokens").await, 403, "forbidden").await;
    let logout = with_token(&app, &adm, reqwest::Method::POST, "/api/auth/logout", None).await;
    assert_error(logout, 403, "forbidden").await;
    assert_error(get(&app, &adm, &canned).await, 403, "forbidden").await;

    // Unknown tokens are 401; the cookie still needs its Origin (CSRF check unchanged).
    assert_error(get(&app, "fd_nope", &canned).await, 401, "unauthorized").await;
    let no_origin = admin
        .http
        .post(format!("{}{canned}", app.base))
        .json(&new_canned)
        .send()
        .await
        .expect("post");
    assert_error(no_origin, 403, "origin_refused").await;
    // A bearer header decides alone: a bad token with a good cookie is still 401.
    let both = admin
        .http
        .get(format!("{}{canned}", app.base))
        .bearer_auth("fd_nope")
        .send()
        .await
        .expect("get");
    assert_error(both, 401, "unauthorized").await;
    // Creating tokens is for admins, with valid input.
    let agent = app.agent("Bob").await;
    let refused = agent
        .post(
            "/api/admin/tokens",
            json!({"name": "x", "scopes": ["read"]}),
        )
        .await;
    assert_error(refused, 403, "forbidden").await;
    for bad in [
        json!({"name": " ", "scopes": ["read"]}),
        json!({"name": "x", "scopes": []}),
        json!({"name": "x", "scopes": ["root"]}),
        json!({"name": "x", "scopes": ["read"], "expires_at": app.now().0}),
        json!({"name": "x", "scopes": ["admin"], "sites": [site.id]}),
    ] {
        assert_error(
            admin.post("/api/admin/tokens", bad).await,
            400,
            "bad_request",
        )
        .await;
    }
}

#[tokio::test]
async fn revoked_and_expired_tokens_fail_at_the_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.agent_with("Ada", true, None).await;
    let hour = app.now().0 + 3_600_000;
    let expiring = create(
        &admin,
        json!({"name": "Temp", "scopes": ["read"], "expires_at": hour}),
    )
    .await;
    let kept = create(&admin, json!({"name": "Kept", "scopes": ["read"]})).await;
    let (t_exp, t_kept) = (secret(&expiring), secret(&kept));
    assert_eq!(get(&app, &t_exp, "/api/me").await.status(), 200);
    assert_eq!(get(&app, &t_kept, "/api/me").await.status(), 200);

    // The last use is recorded (at most once a minute: not a write per request).
    let list = ok_json(admin.get("/api/admin/tokens").await, 200).await;
    let kept_row = |list: &Value| {
        list.as_array()
            .and_then(|l| l.iter().find(|t| t["name"] == "Kept").cloned())
            .expect("listed")
    };
    assert_eq!(kept_row(&list)["last_used_at"], json!(app.now().0));
    app.clock.advance(Duration::from_secs(30));
    assert_eq!(get(&app, &t_kept, "/api/me").await.status(), 200);
    let list = ok_json(admin.get("/api/admin/tokens").await, 200).await;
    assert_eq!(kept_row(&list)["last_used_at"], json!(app.now().0 - 30_000));

    // Revoked: the next request fails; revoking again is a conflict.
    let id = kept["id"].as_i64().expect("id");
    let resp = crate::rest::delete(&admin, &format!("/api/admin/tokens/{id}")).await;
    assert_eq!(resp.status(), 204);
    assert_error(get(&app, &t_kept, "/api/me").await, 401, "unauthorized").await;
    let again = crate::rest::delete(&admin, &format!("/api/admin/tokens/{id}")).await;
    assert_error(again, 409, "conflict").await;
    let list = ok_json(admin.get("/api/admin/tokens").await, 200).await;
    assert_eq!(kept_row(&list)["revoked_at"], json!(app.now().0));

    // Expired: works until its time, not after.
    app.clock.set(frontdesk_core::Timestamp(hour - 1));
    assert_eq!(get(&app, &t_exp, "/api/me").await.status(), 200);
    app.clock.set(frontdesk_core::Timestamp(hour));
    assert_error(get(&app, &t_exp, "/api/me").await, 401, "unauthorized").await;

    // A token stops with its creator.
    let other = app.agent_with("Eve", true, None).await;
    let t = secret(&create(&other, json!({"name": "Eve's", "scopes": ["read"]})).await);
    assert_eq!(get(&app, &t, "/api/me").await.status(), 200);
    let path = format!("/api/admin/agents/{}", other.id);
    assert_eq!(crate::rest::delete(&admin, &path).await.status(), 204);
    assert_error(get(&app, &t, "/api/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_site_bound_token_never_reaches_another_sites_data() {
    let app = TestApp::spawn().await;
    let (mine, theirs) = (app.site().await, app.site().await);
    let admin = app.agent_with("Ada", true, None).await;
    let (_a, _ws, _v, chat_mine) = app.accepted_chat(&mine).await;
    let (_b, _ws2, _v2, chat_theirs) = app.accepted_chat(&theirs).await;
    let body = json!({"name": "Shop A", "scopes": ["read", "write"], "sites": [mine.id]});
    let created = create(&admin, body).await;
    assert_eq!(created["sites"], json!([mine.id]));
    let t = secret(&created);

    assert_eq!(
        get(&app, &t, &format!("/api/chats/{chat_mine}"))
            .await
            .status(),
        200
    );
    for path in [
        format!("/api/chats/{chat_theirs}"),
        format!("/api/chats/{chat_theirs}/transcript.txt"),
        format!("/api/sites/{}/canned", theirs.id),
        format!("/api/sites/{}/visitors", theirs.id),
        format!("/api/sites/{}/tags", theirs.id),
        format!("/api/sites/{}/offline-messages", theirs.id),
    ] {
        assert_error(get(&app, &t, &path).await, 404, "not_found").await;
    }
    let post = with_token(
        &app,
        &t,
        reqwest::Method::POST,
        &format!("/api/sites/{}/canned", theirs.id),
        Some(json!({"title": "x", "body": "y", "scope": "site"})),
    )
    .await;
    assert_error(post, 404, "not_found").await;
    // Its "me" lists only its site; the admin's own session still sees both.
    let me = ok_json(get(&app, &t, "/api/me").await, 200).await;
    assert_eq!(me["sites"].as_array().map(Vec::len), Some(1), "{me}");
    assert_eq!(me["sites"][0]["site_id"], json!(mine.id));
    let chat = admin.get(&format!("/api/chats/{chat_theirs}")).await;
    assert_eq!(chat.status(), 200);
}

#[tokio::test]
async fn each_token_is_rate_limited_on_its_own() {
    let app = TestApp::spawn_with(|s| {
        s.limits.api_token_requests = Rate {
            per_minute: 1,
            burst: 3,
        }
    })
    .await;
    let admin = app.agent_with("Ada", true, None).await;
    let one = secret(&create(&admin, json!({"name": "One", "scopes": ["read"]})).await);
    let two = secret(&create(&admin, json!({"name": "Two", "scopes": ["read"]})).await);
    for _ in 0..3 {
        assert_eq!(get(&app, &one, "/api/me").await.status(), 200);
    }
    assert_error(get(&app, &one, "/api/me").await, 429, "rate_limited").await;
    assert_eq!(get(&app, &two, "/api/me").await.status(), 200);
    // The cookie session of the same admin is not counted.
    assert_eq!(admin.get("/api/me").await.status(), 200);
}

#[tokio::test]
async fn a_flood_of_unknown_tokens_is_refused_per_address_before_any_lookup() {
    let app = TestApp::spawn_with(|s| {
        s.limits.api_token_misses_per_ip = Rate {
            per_minute: 1,
            burst: 3,
        }
    })
    .await;
    // Three misses spend the burst; the fourth, looked up too, finds the bucket empty.
    for i in 0..4 {
        let forged = format!("fd_{i:0>40}");
        assert_error(get(&app, &forged, "/api/me").await, 401, "unauthorized").await;
    }
    // The address is out of misses: refused before the token is looked up.
    assert_error(get(&app, "fd_random", "/api/me").await, 429, "rate_limited").await;
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(
        metrics.contains("limit=\"api_token_misses\""),
        "counted in /metrics"
    );
}

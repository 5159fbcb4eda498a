//! Hostile clients: cross-site socket hijacking, CSRF, sign-in abuse, sessions, headers,
//! socket caps, half-open and slow connections.

use crate::helpers::*;
use serde_json::json;

/// An agent socket with a valid session cookie from a foreign Origin, `null`, a suffix trick,
/// or no Origin at all is refused.
#[tokio::test]
async fn agent_sockets_refuse_foreign_origins() {
    let app = TestApp::spawn().await;
    let agent = app.agent("Alice").await;
    let url = format!("ws://{}/ws/agent", app.addr);
    for origin in [
        "https://evil.example".to_string(),
        "null".to_string(),
        format!("{}.evil.test", app.base),
        format!("http://localhost.evil.test:{}", app.addr.port()),
        String::new(),
    ] {
        let r = Ws::open(&url, &origin, Some(&agent.cookie)).await;
        assert!(r.is_err(), "origin {origin:?} must be refused");
    }
    // Same origin, no cookie: refused too.
    assert!(Ws::open(&url, &app.base, None).await.is_err());
    // Same origin with the cookie works.
    assert!(Ws::open(&url, &app.base, Some(&agent.cookie)).await.is_ok());
}

/// State-changing REST calls need this server's Origin (CSRF), even with a valid cookie.
#[tokio::test]
async fn state_changing_calls_need_our_origin() {
    let app = TestApp::spawn().await;
    let agent = app.agent_with("Admin", true, None).await;
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let mut req = agent.http.post(format!("{}/api/auth/logout", app.base));
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let r = req.send().await.expect("send");
        assert_eq!(r.status(), 403, "origin {origin:?}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["code"], "origin_refused");
    }
    // The session still works: the refused logout did nothing.
    assert_eq!(agent.get("/api/me").await.status(), 200);
}

/// Sign-in: one message for a wrong password and an unknown email; a new session id each time;
/// the cookie is HttpOnly and SameSite=Strict.
#[tokio::test]
async fn sign_in_does_not_tell_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    let agent = app.agent("Alice").await;
    let client = reqwest::Client::new();
    let mut messages = Vec::new();
    for (email, password) in [
        (agent.email.as_str(), "wrong password"),
        ("nobody@example.com", PASSWORD),
    ] {
        let r = login(&client, &app, email, password).await;
        assert_eq!(r.status(), 401);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["code"], "bad_credentials");
        messages.push(body["message"].clone());
    }
    assert_eq!(messages[0], messages[1]);
    let again = AgentClient::sign_in(&app, agent.id, &agent.email, "Alice").await;
    assert_ne!(
        again.cookie, agent.cookie,
        "a new session id at every sign-in"
    );
    let r = client
        .post(format!("{}/api/auth/login", app.base))
        .header("Origin", &app.base)
        .json(&json!({"email": agent.email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let set_cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
}

/// Sign-in attempts are throttled per account (and per IP).
#[tokio::test]
async fn sign_in_is_throttled() {
    let app = TestApp::spawn_with(|s| {
        s.limits.login_per_account = frontdesk::config::Rate {
            per_minute: 1,
            burst: 3,
        };
    })
    .await;
    let agent = app.agent("Alice").await; // uses one attempt
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    for _ in 0..4 {
        let r = client
            .post(format!("{}/api/auth/login", app.base))
            .header("Origin", &app.base)
            .json(&json!({"email": agent.email, "password": "guess"}))
            .send()
            .await
            .expect("login");
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes, vec![401, 401, 429, 429]);
}

/// Signing out ends that session's sockets at once; the other sessions live on.
#[tokio::test]
async fn sign_out_closes_that_sessions_sockets() {
    let app = TestApp::spawn().await;
    let a1 = app.agent("Alice").await;
    let a2 = AgentClient::sign_in(&app, a1.id, &a1.email, "Alice").await;
    let mut s1 = a1.connect(&app).await;
    let mut s2 = a2.connect(&app).await;
    let r = a1.post("/api/auth/logout", json!({})).await;
    assert_eq!(r.status(), 204);
    s1.expect("session.ended").await;
    assert!(s1.closed_by_server().await);
    s2.drain().await; // still open
    assert_eq!(a1.get("/api/me").await.status(), 401);
    assert_eq!(a2.get("/api/me").await.status(), 200);
}

/// Changing the password ends the other sessions and their sockets.
#[tokio::test]
async fn password_change_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let a1 = app.agent("Alice").await;
    let a2 = AgentClient::sign_in(&app, a1.id, &a1.email, "Alice").await;
    let mut s2 = a2.connect(&app).await;
    let r = a1
        .post(
            "/api/me/password",
            json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    s2.expect("session.ended").await;
    assert!(s2.closed_by_server().await);
    assert_eq!(a2.get("/api/me").await.status(), 401);
    assert_eq!(a1.get("/api/me").await.status(), 200);
}

/// The console is served with a strict CSP and cannot be framed; every response says nosniff.
#[tokio::test]
async fn security_headers() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(format!("{}/console", app.base))
        .await
        .expect("console");
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(
        h.get("x-frame-options").and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    assert_eq!(
        h.get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert!(h.get("referrer-policy").is_some());
    let r = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .expect("openapi");
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
}

/// Visitor sockets per IP are capped.
#[tokio::test]
async fn visitor_sockets_per_ip_are_capped() {
    let app = TestApp::spawn_with(|s| s.limits.visitor_sockets_per_ip = 3).await;
    let site = app.site().await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(app.visitor(&site).await);
    }
    let url = format!("ws://{}/ws/visitor?site={}", app.addr, site.key);
    assert!(
        Ws::open(&url, &site.base_url, None).await.is_err(),
        "the fourth is refused"
    );
    let first = open.remove(0);
    first.ws.close().await;
    // Its place is given back once the server has seen the close.
    let mut ok = false;
    for _ in 0..50 {
        if Ws::open(&url, &site.base_url, None).await.is_ok() {
            ok = true;
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ok, "a freed place can be used again");
}

/// A half-open agent connection (no pongs) is dropped after two heartbeats, and presence shows it.
#[tokio::test]
async fn half_open_connections_are_detected() {
    let app = TestApp::spawn_with(|s| s.heartbeat_secs = 1).await;
    let _site = app.site().await; // presence goes to co-agents of a site
    let (alice, silent) = app.online_agent("Alice").await;
    let (_, mut bob) = app.online_agent("Bob").await;
    // Alice's client stops reading (so it never answers pings) but keeps the TCP connection.
    let _keep = silent;
    bob.presence(alice.id.0, false).await;
}

/// A client that stops reading is cut off when its queue fills; others do not notice.
#[tokio::test]
async fn slow_readers_are_cut_off_and_others_carry_on() {
    let app = TestApp::spawn_with(|s| {
        s.outbound_queue = 64;
        s.limits.page_views = frontdesk::config::Rate {
            per_minute: 1_000_000,
            burst: 1_000_000,
        };
    })
    .await;
    let site = app.site().await;
    let (_, slow) = app.online_agent("Slow").await;
    let (_, mut fast) = app.online_agent("Fast").await;
    let _stalled = slow; // never read again
    // `visitor.update` goes out at most once per second per visitor: 16 visitors, and the
    // clock a second on before each round of page views (the server has handled the round
    // before), so every page view goes out at once.
    let mut visitors = Vec::new();
    for _ in 0..16 {
        visitors.push(app.visitor(&site).await);
    }
    let visitor_id = visitors[0].visitor_id.clone();
    // Fast keeps reading while the flood goes on.
    let reader = tokio::spawn(async move {
        let mut updates = 0usize;
        loop {
            let f = fast.read().await.expect("fast agent stays connected");
            if f["type"] == "visitor.update" {
                updates += 1;
            }
            if f["type"] == "chat.requested" && f["chat"]["visitor_id"] == visitor_id.as_str() {
                return updates;
            }
        }
    });
    // ~2 KB per event, to both agents: far more than the kernel buffers hold for a non-reader.
    let url = format!("{}/{}", site.base_url, "p".repeat(2000));
    for round in 0..250 {
        app.clock.advance(std::time::Duration::from_secs(1));
        for v in visitors.iter_mut() {
            v.ws.send(
                json!({"type":"page_view","page":{"url": url, "title": format!("page {round}")}}),
            )
            .await;
        }
        for v in visitors.iter_mut() {
            v.ws.drain().await;
        }
    }
    // The chat request is answered after the page views before it: on a loaded machine in
    // cluster mode that can take longer than one frame's wait limit, while the visitor's socket
    // is silent. So wait on the fast agent, who hears every page view meanwhile, then take the ack.
    visitors[0]
        .ws
        .send(json!({"type":"chat_request","name":"Last","ref":"last"}))
        .await;
    let updates = reader.await.expect("reader");
    let ack = visitors[0].ws.wait_for("ack", |f| f["ref"] == "last").await;
    assert_eq!(ack["type"], "ack", "chat request answered: {ack}");
    assert!(updates >= 4000, "fast agent saw every update ({updates})");
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let cut: f64 = metrics
        .lines()
        .find(|l| l.starts_with("frontdesk_slow_consumers_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    assert!(cut >= 1.0, "the slow reader was cut off:\n{metrics}");
}

/// The widget is served gzipped to browsers that accept it (it loads on every customer page),
/// with CORS for the lazily imported panel.
#[tokio::test]
async fn widget_assets_are_compressed_and_shareable() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for path in ["/widget.js", "/widget/panel.js"] {
        let r = client
            .get(format!("{}{path}", app.base))
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip"),
            "{path}"
        );
        assert_eq!(
            r.headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some("*")
        );
    }
}

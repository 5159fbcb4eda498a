//! Visitor rate limits that outlive a connection: per visitor (reconnecting gives no fresh
//! allowance), per client IP (`per_ip_factor` visitors' worth), and new sockets per IP.
//! The rates are 1 per minute, so nothing refills while a test runs (governor's own clock).

use crate::helpers::*;
use frontdesk::config::{Rate, Settings};
use frontdesk_core::model::Site;
use serde_json::{Value, json};

/// Tests send `X-Forwarded-For` through a trusted 127.0.0.1 to come from several addresses.
fn behind_proxy(s: &mut Settings) {
    s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
}

fn per_minute_1(burst: u32) -> Rate {
    Rate {
        per_minute: 1,
        burst,
    }
}

/// A visitor socket from `ip` (via the trusted proxy), after `hello`.
async fn visitor_from(
    app: &TestApp,
    site: &Site,
    ip: &str,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
    let url = format!("ws://{}/ws/visitor?site={}", app.addr, site.key);
    let mut ws = Ws::open_with(&url, &origin, None, &[("x-forwarded-for", ip)]).await?;
    ws.send(json!({"type":"hello","token": null,
        "page": {"url": format!("{}/", site.base_url), "title": "Home"}}))
        .await;
    ws.expect("welcome").await;
    Ok(ws)
}

/// Sends a message frame; returns the answer (ack or error).
async fn message(ws: &mut Ws, client_id: &str) -> Value {
    ws.send(json!({"type":"message","client_id": client_id,"body": client_id}))
        .await;
    let cid = client_id.to_string();
    ws.wait_for("message answer", move |v| v["ref"] == json!(cid))
        .await
}

async fn chat_request(ws: &mut Ws) {
    let ack = ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(ack["type"], "ack", "chat requested: {ack}");
}

/// A visitor that used up its messages is still refused after reconnecting with its token
/// (a fresh connection brings no fresh allowance); the socket stays open; others are not hit.
#[tokio::test]
async fn reconnecting_does_not_refill_a_visitors_allowance() {
    let app = TestApp::spawn_with(|s| s.limits.visitor_messages = per_minute_1(3)).await;
    let site = app.site().await;
    let mut v = app.visitor(&site).await;
    v.request_chat(None).await;
    for i in 0..3 {
        v.say(&format!("m{i}")).await;
    }
    assert_eq!(v.message("m3", "m3").await["code"], "rate_limited");
    let token = v.token.clone();
    v.ws.close().await;

    for round in 0..3 {
        let mut back = VisitorClient::connect(&app, &site, Some(&token), None, "/").await;
        assert_eq!(back.visitor_id, v.visitor_id, "the same visitor");
        let e = back.message(&format!("again{round}"), "again").await;
        assert_eq!(e["code"], "rate_limited", "round {round}: {e}");
        // The connection goes on.
        back.ws.send(json!({"type":"ping"})).await;
        back.ws.expect("pong").await;
        back.ws.close().await;
    }

    // Another visitor (same address, default factor) still talks.
    let mut other = app.visitor(&site).await;
    other.request_chat(None).await;
    other.say("hello").await;
}

/// Two visitors of one address share its bucket (`per_ip_factor` × one visitor's); a third
/// visitor there is refused though its own bucket is full; another address is unaffected.
#[tokio::test]
async fn visitors_of_one_ip_share_its_allowance() {
    let app = TestApp::spawn_with(|s| {
        behind_proxy(s);
        s.limits.visitor_messages = per_minute_1(2);
        s.limits.per_ip_factor = 2;
    })
    .await;
    let site = app.site().await;
    let office = "198.51.100.7";
    let mut a = visitor_from(&app, &site, office).await.expect("a");
    let mut b = visitor_from(&app, &site, office).await.expect("b");
    let mut c = visitor_from(&app, &site, office).await.expect("c");
    for ws in [&mut a, &mut b, &mut c] {
        chat_request(ws).await;
    }
    for (name, ws) in [("a", &mut a), ("b", &mut b)] {
        for i in 0..2 {
            let ack = message(ws, &format!("{name}{i}")).await;
            assert_eq!(ack["type"], "ack", "{name}{i}: {ack}");
        }
    }
    assert_eq!(message(&mut c, "c0").await["code"], "rate_limited");
    assert_eq!(message(&mut a, "a2").await["code"], "rate_limited");

    let mut home = visitor_from(&app, &site, "203.0.113.50")
        .await
        .expect("home");
    chat_request(&mut home).await;
    let ack = message(&mut home, "h0").await;
    assert_eq!(ack["type"], "ack", "another address: {ack}");
}

/// Opening visitor sockets too often from one address is refused with HTTP 429, even when
/// each socket is closed again; another address still connects.
#[tokio::test]
async fn reconnecting_too_often_from_one_ip_is_refused() {
    let app = TestApp::spawn_with(|s| {
        behind_proxy(s);
        s.limits.visitor_connects_per_ip = per_minute_1(3);
    })
    .await;
    let site = app.site().await;
    let ip = "198.51.100.9";
    for _ in 0..3 {
        let ws = visitor_from(&app, &site, ip)
            .await
            .expect("within the limit");
        ws.close().await;
    }
    match visitor_from(&app, &site, ip).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 429, "too many connects");
        }
        Err(e) => panic!("refused with HTTP 429, not {e}"),
        Ok(_) => panic!("the fourth socket within a minute must be refused"),
    }
    visitor_from(&app, &site, "203.0.113.60")
        .await
        .expect("another address connects");
}

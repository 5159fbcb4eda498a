//! Page views by beacon (issue 17): `POST /visitor/page-views?site=KEY` records the page of a
//! visitor who left it before the widget's socket said hello. A browser without a token names
//! itself with a random `browser_key`, so its beacons and its first `hello` are one visitor; a
//! browser with a token is that token's visitor. Hostile or foreign beacons are refused with a
//! typed error and record nothing.

use crate::helpers::*;
use crate::rest::ok_json;
use frontdesk_core::model::Site;
use serde_json::{Value, json};

fn origin(site: &Site) -> String {
    frontdesk_core::link::origin_of(&site.base_url).expect("origin")
}

/// Sends a beacon as a browser does (plain-text JSON, the page's Origin).
async fn beacon(app: &TestApp, site_key: &str, origin: &str, body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "http://{}/visitor/page-views?site={site_key}",
            app.addr
        ))
        .header("origin", origin)
        .header("content-type", "text/plain;charset=UTF-8")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        )
        .body(body)
        .send()
        .await
        .expect("beacon sent")
}

fn page(site: &Site, path: &str, title: &str) -> Value {
    json!({"url": format!("{}{path}", site.base_url), "title": title})
}

/// A visitor socket whose hello carries `extra` (token or browser_key).
async fn hello(app: &TestApp, site: &Site, path: &str, extra: Value) -> VisitorClient {
    let origin = origin(site);
    let mut ws = Ws::open(
        &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
        &origin,
        None,
    )
    .await
    .expect("visitor socket opens");
    let mut frame = json!({"type": "hello", "page": page(site, path, "Three")});
    for (k, v) in extra.as_object().expect("object") {
        frame[k] = v.clone();
    }
    ws.send(frame).await;
    VisitorClient::after_hello(ws, site, origin).await
}

async fn pages(agent: &AgentClient, site: &Site, visitor: &str) -> Vec<String> {
    let path = format!("/api/sites/{}/visitors/{visitor}", site.id.0);
    let detail = ok_json(agent.get(&path).await, 200).await;
    detail["current_visit"]["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| p["url"].as_str().expect("url").to_string())
        .collect()
}

#[tokio::test]
async fn beacons_before_the_first_hello_and_after_it_are_one_visitors_pages() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;
    let key = "0f3c9a7d2b1e4c5a8f6d0e2b4a6c8e1f";
    for (path, title) in [("/one", "One"), ("/two", "Two")] {
        let body = json!({"browser_key": key, "page": page(&site, path, title), "lang": "de"});
        let r = beacon(&app, &site.key.0, &origin(&site), body.to_string()).await;
        assert_eq!(r.status(), 204);
    }
    // The first socket that says hello, with the same key: the same visitor, the same visit.
    let v = hello(&app, &site, "/three", json!({"browser_key": key})).await;
    let url = |p: &str| format!("{}{p}", site.base_url);
    assert_eq!(
        pages(&alice, &site, &v.visitor_id).await,
        vec![url("/one"), url("/two"), url("/three")]
    );
    // With its token now: a beacon is that visitor's page, whatever key it names.
    let body = json!({"token": v.token, "browser_key": "another-key-of-this-browser", "page": page(&site, "/four", "Four")});
    let r = beacon(&app, &site.key.0, &origin(&site), body.to_string()).await;
    assert_eq!(r.status(), 204);
    assert_eq!(pages(&alice, &site, &v.visitor_id).await.len(), 4);

    // Another browser's key is another visitor; a key on another site names nobody here.
    let w = hello(
        &app,
        &site,
        "/three",
        json!({"browser_key": "a-different-browser-key"}),
    )
    .await;
    assert_ne!(w.visitor_id, v.visitor_id);
    assert_eq!(
        pages(&alice, &site, &w.visitor_id).await,
        vec![url("/three")]
    );
    // A malformed key is ignored: a new visitor, as without one.
    let x = hello(&app, &site, "/three", json!({"browser_key": "<short>"})).await;
    assert_ne!(x.visitor_id, v.visitor_id);
}

#[tokio::test]
async fn foreign_malformed_and_oversized_beacons_are_refused_with_typed_errors() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;
    let good = json!({"browser_key": "0123456789abcdef0123", "page": page(&site, "/", "Home")});

    let r = beacon(&app, &site.key.0, "https://evil.example", good.to_string()).await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "origin_refused"
    );
    let r = beacon(&app, "no-such-site", &origin(&site), good.to_string()).await;
    assert_eq!(r.status(), 404);
    for bad in ["", "not json", "{\"page\": 3}", "[]"] {
        let r = beacon(&app, &site.key.0, &origin(&site), bad.to_string()).await;
        assert_eq!(r.status(), 400, "{bad:?}");
        assert_eq!(
            r.json::<Value>().await.expect("json")["code"],
            "bad_request"
        );
    }
    let huge = json!({"page": {"url": format!("{}/{}", site.base_url, "a".repeat(20_000))}});
    let r = beacon(&app, &site.key.0, &origin(&site), huge.to_string()).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "too_long");

    // None of them recorded anything: the visitor of the good key has no pages yet, and its
    // first hello is its first page.
    let v = hello(
        &app,
        &site,
        "/three",
        json!({"browser_key": "0123456789abcdef0123"}),
    )
    .await;
    assert_eq!(pages(&alice, &site, &v.visitor_id).await.len(), 1);
}

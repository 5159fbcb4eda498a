//! Webhooks (issue 18): signed deliveries of every chat event, in order per chat; nothing
//! queued for a site without subscribers; the REST API, the test event and audit entries.
//! Retries with the injectable clock: `webhooks/retries.rs`; SSRF and hostile receivers:
//! `webhooks/hostile.rs`; kill -9 and three nodes: `webhooks/durable.rs`.

mod durable;
mod hostile;
pub(crate) mod receiver;
mod retries;

use crate::helpers::*;
use crate::rest::{assert_error, ok_json};
use frontdesk::config::Settings;
use frontdesk_core::webhooks::{Delivery, DeliveryStatus, verify};
use frontdesk_core::{SiteId, WebhookId};
use receiver::{Mode, Receiver};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Deliveries to loopback allowed (the receiver), polled often.
pub(crate) fn loopback(s: &mut Settings) {
    s.webhooks.allow_private_addresses = true;
    s.webhooks.poll_ms = 50;
}

/// Creates a webhook of `site` for `events` as `admin`: the answer (with the secret).
pub(crate) async fn create(admin: &AgentClient, site: SiteId, url: &str, events: &[&str]) -> Value {
    ok_json(
        admin
            .post(
                &format!("/api/admin/sites/{}/webhooks", site.0),
                json!({ "url": url, "events": events }),
            )
            .await,
        201,
    )
    .await
}

async fn put(admin: &AgentClient, path: &str, body: Value) -> reqwest::Response {
    admin
        .http
        .put(format!("{}{path}", admin.base))
        .header("Origin", &admin.base)
        .json(&body)
        .send()
        .await
        .expect("PUT")
}

async fn delete(admin: &AgentClient, path: &str) -> reqwest::Response {
    admin
        .http
        .delete(format!("{}{path}", admin.base))
        .header("Origin", &admin.base)
        .send()
        .await
        .expect("DELETE")
}

/// Waits (up to 10 s) until `pred` holds of the webhook's deliveries (newest first); them.
pub(crate) async fn rows_until(
    app: &TestApp,
    id: WebhookId,
    what: &str,
    pred: impl Fn(&[Delivery]) -> bool,
) -> Vec<Delivery> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = app.store().deliveries(id, None, 200).await.expect("rows");
        if pred(&rows) {
            return rows;
        }
        assert!(Instant::now() < deadline, "{what}: {rows:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Total attempts recorded for the webhook.
pub(crate) fn attempts(rows: &[Delivery]) -> u32 {
    rows.iter().map(|r| r.attempts).sum()
}

pub(crate) fn events_of(got: &[receiver::Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.json["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn every_chat_event_arrives_signed_and_in_order() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Ok).await;
    let hook = create(
        &admin,
        site.id,
        &rx.url,
        &[
            "chat.started",
            "chat.accepted",
            "chat.transferred",
            "chat.ended",
            "message.created",
        ],
    )
    .await;
    let secret = hook["secret"]
        .as_str()
        .expect("secret shown once")
        .to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    // Shown once: the list never has it.
    let list = ok_json(
        admin
            .get(&format!("/api/admin/sites/{}/webhooks", site.id.0))
            .await,
        200,
    )
    .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert!(!list.to_string().contains(&secret[6..]), "{list}");

    let (alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    visitor.say("Hello there").await;
    agent_say(&mut a, chat, "Hi, how can I help?").await;
    let bob = app.agent("Bob").await;
    let mut b = bob.connect(&app).await;
    b.request(json!({"type":"status","status":"online"})).await;
    let t = a
        .request(json!({"type":"transfer","chat_id":chat,"to":bob.id.0}))
        .await;
    assert_eq!(t["type"], "ack", "{t}");
    let end = b.request(json!({"type":"end","chat_id":chat})).await;
    assert_eq!(end["type"], "ack", "{end}");
    let _ = alice;

    let got = rx
        .until("the chat's events", |g| {
            events_of(g).last().is_some_and(|e| e == "chat.ended")
        })
        .await;
    let events = events_of(&got);
    assert_eq!(
        events,
        [
            "chat.started",
            "chat.accepted",
            "message.created",
            "message.created",
            "chat.transferred",
            "chat.ended"
        ],
        "{got:?}"
    );
    let now_secs = app.now().0 / 1000;
    for r in &got {
        assert!(
            verify(&secret, &r.signature, &r.body, now_secs, 300),
            "signature of {}: {}",
            r.event,
            r.signature
        );
        assert!(!verify("whsec_wrong", &r.signature, &r.body, now_secs, 300));
        assert_eq!(r.event, r.json["event"].as_str().unwrap_or_default());
        assert!(
            r.json["id"].as_str().is_some_and(|i| !i.is_empty()),
            "{}",
            r.body
        );
        assert!(r.json["timestamp"].as_i64().is_some(), "{}", r.body);
    }
    assert_eq!(got[0].json["data"]["chat"]["id"], chat);
    assert_eq!(got[2].json["data"]["message"]["body"], "Hello there");
    assert_eq!(
        got[3].json["data"]["message"]["body"],
        "Hi, how can I help?"
    );
    assert_eq!(got[5].json["data"]["chat"]["state"], "ended");

    // The deliveries log: each delivered, one attempt, a response code and a latency.
    let hook_id = WebhookId(hook["id"].as_i64().expect("id"));
    rows_until(&app, hook_id, "all delivered", |r| {
        r.iter().all(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    let log = ok_json(
        admin
            .get(&format!(
                "/api/admin/webhooks/{}/deliveries",
                hook["id"].as_i64().unwrap_or_default()
            ))
            .await,
        200,
    )
    .await;
    let rows = log.as_array().expect("rows");
    assert_eq!(rows.len(), 6, "{log}");
    for row in rows {
        assert_eq!(row["status"], "delivered", "{row}");
        assert_eq!(row["attempts"], 1, "{row}");
        assert_eq!(row["response_code"], 200, "{row}");
        assert!(row["latency_ms"].as_i64().is_some(), "{row}");
        assert!(row.get("payload").is_none(), "{row}");
    }
}

#[tokio::test]
async fn nothing_is_queued_where_no_webhook_wants_the_event() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let other = app.site_at("Other", "https://other.example", "UTC").await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Ok).await;
    // Another site's webhook, this site's webhook for ratings only, and a disabled one.
    let elsewhere = create(&admin, other.id, &rx.url, &["message.created"]).await;
    let ratings = create(&admin, site.id, &rx.url, &["chat.rated"]).await;
    let off = create(&admin, site.id, &rx.url, &["message.created"]).await;
    let r = put(
        &admin,
        &format!("/api/admin/webhooks/{}", off["id"]),
        json!({"enabled": false}),
    )
    .await;
    assert_eq!(r.status(), 200);

    let (_alice, _a, mut visitor, _chat) = app.accepted_chat(&site).await;
    visitor.say("Nobody listens").await;
    for hook in [&elsewhere, &ratings, &off] {
        let id = WebhookId(hook["id"].as_i64().expect("id"));
        let rows = app.store().deliveries(id, None, 10).await.expect("rows");
        assert!(rows.is_empty(), "{rows:?}");
    }
    assert!(rx.got().is_empty());
}

#[tokio::test]
async fn webhook_admin_rest_test_event_and_audit() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let agent = app.agent("Bea").await;
    let rx = Receiver::start(Mode::Ok).await;
    let path = format!("/api/admin/sites/{}/webhooks", site.id.0);
    // Not an admin; bad URLs; no events; unknown event.
    assert_error(agent.get(&path).await, 403, "forbidden").await;
    for body in [
        json!({"url": "ftp://x.example/", "events": ["chat.ended"]}),
        json!({"url": "https://u:p@x.example/", "events": ["chat.ended"]}),
        json!({"url": "https://x.example/", "events": []}),
    ] {
        assert_error(admin.post(&path, body).await, 400, "bad_request").await;
    }
    let r = admin
        .post(
            &path,
            json!({"url": "https://x.example/", "events": ["chat.deleted"]}),
        )
        .await;
    assert_eq!(r.status(), 400);

    let hook = create(&admin, site.id, &rx.url, &["chat.ended"]).await;
    let id = hook["id"].as_i64().expect("id");
    let queued = ok_json(
        admin
            .post(&format!("/api/admin/webhooks/{id}/test"), json!({}))
            .await,
        202,
    )
    .await;
    let got = rx.until("the test event", |g| !g.is_empty()).await;
    assert_eq!(got[0].json["event"], "webhook.test");
    assert!(verify(
        hook["secret"].as_str().unwrap_or_default(),
        &got[0].signature,
        &got[0].body,
        app.now().0 / 1000,
        300
    ));
    let log = ok_json(
        admin
            .get(&format!("/api/admin/webhooks/{id}/deliveries"))
            .await,
        200,
    )
    .await;
    assert_eq!(log[0]["id"], queued["delivery_id"]);

    // Rotate the secret: shown once more; the old one no longer verifies.
    let rotated = ok_json(
        put(
            &admin,
            &format!("/api/admin/webhooks/{id}"),
            json!({"rotate_secret": true, "events": ["chat.ended", "chat.rated"]}),
        )
        .await,
        200,
    )
    .await;
    let new_secret = rotated["secret"].as_str().expect("new secret");
    assert_ne!(new_secret, hook["secret"].as_str().unwrap_or_default());
    assert_eq!(rotated["events"], json!(["chat.ended", "chat.rated"]));
    let unchanged = ok_json(
        put(
            &admin,
            &format!("/api/admin/webhooks/{id}"),
            json!({"enabled": true}),
        )
        .await,
        200,
    )
    .await;
    assert!(unchanged.get("secret").is_none(), "{unchanged}");

    let r = delete(&admin, &format!("/api/admin/webhooks/{id}")).await;
    assert_eq!(r.status(), 204);
    assert_error(
        admin
            .get(&format!("/api/admin/webhooks/{id}/deliveries"))
            .await,
        404,
        "not_found",
    )
    .await;

    let audit = ok_json(admin.get("/api/admin/audit?limit=200").await, 200).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("webhook_"))
        .collect();
    // Newest first; the no-op change is not recorded.
    assert_eq!(
        actions,
        ["webhook_deleted", "webhook_updated", "webhook_created"]
    );
    let entries = audit["entries"].as_array().expect("entries");
    let updated = entries
        .iter()
        .find(|e| e["action"] == "webhook_updated")
        .expect("updated");
    assert_eq!(updated["site_id"], site.id.0);
    assert_eq!(updated["detail"]["changed"], json!(["events", "secret"]));
    assert!(
        !audit.to_string().contains(new_secret),
        "no secret in the audit log"
    );
}

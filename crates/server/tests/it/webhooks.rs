//! Webhooks (issue 18): signed deliveries of every chat event, in order per chat; nothing
//! queued for a site without subscribers; retries with the injectable clock (a receiver down
//! for an hour gets everything after), across a restart; the SSRF refusal; hostile receivers
//! (hanging, redirecting, answering 10 MB) not slowing a chat; audit entries; the REST API.
//! Kill -9 and three nodes: `webhooks/durable.rs`.

mod durable;
mod receiver;

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
fn attempts(rows: &[Delivery]) -> u32 {
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
async fn a_receiver_down_for_an_hour_gets_everything_after_in_order() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Fail).await;
    let hook = create(
        &admin,
        site.id,
        &rx.url,
        &["chat.started", "message.created"],
    )
    .await;
    let id = WebhookId(hook["id"].as_i64().expect("id"));

    let mut visitor = app.visitor(&site).await;
    visitor.request_chat(Some("Ann")).await;
    for i in 1..=3 {
        visitor.say(&format!("message {i}")).await;
    }
    // The first event is tried and refused; the rest wait behind it (order per chat).
    let rows = rows_until(&app, id, "the first attempt", |r| attempts(r) == 1).await;
    assert_eq!(rows.len(), 4);
    let first = rows.last().expect("first");
    assert_eq!(first.status, DeliveryStatus::Pending);
    assert_eq!(first.response_code, Some(500));
    assert!(
        first
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("500"))
    );
    assert!(rows[..3].iter().all(|r| r.attempts == 0), "{rows:?}");

    // An hour of failures, ten minutes at a time (each retry is due within the hour).
    for n in 2..=7 {
        app.clock.advance(Duration::from_secs(600));
        rows_until(&app, id, "a retry", |r| attempts(r) == n).await;
    }
    assert!(rx.accepted().is_empty());
    rx.set(Mode::Ok);
    app.clock.advance(Duration::from_secs(3600));
    let got = rx.until("all four", |g| g.len() >= 4).await;
    rows_until(&app, id, "all delivered", |r| {
        r.iter().all(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    assert_eq!(
        events_of(&got),
        [
            "chat.started",
            "message.created",
            "message.created",
            "message.created"
        ]
    );
    let bodies: Vec<&str> = got[1..]
        .iter()
        .map(|r| {
            r.json["data"]["message"]["body"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(bodies, ["message 1", "message 2", "message 3"]);
    let rows = app.store().deliveries(id, None, 10).await.expect("rows");
    assert_eq!(rows.last().map(|r| r.attempts), Some(8), "{rows:?}");
    assert!(rows[..3].iter().all(|r| r.attempts == 1), "{rows:?}");
}

#[tokio::test]
async fn retries_give_up_after_a_day_and_are_marked_failed() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Fail).await;
    let hook = create(&admin, site.id, &rx.url, &["chat.started"]).await;
    let id = WebhookId(hook["id"].as_i64().expect("id"));
    let mut visitor = app.visitor(&site).await;
    visitor.request_chat(Some("Ann")).await;
    let mut n = 1;
    let rows = loop {
        let rows = rows_until(&app, id, "an attempt", |r| attempts(r) == n).await;
        if rows[0].status != DeliveryStatus::Pending {
            break rows;
        }
        assert!(n < 40, "still retrying after {n} attempts: {rows:?}");
        app.clock.advance(Duration::from_secs(3600));
        n += 1;
    };
    // About a day of hourly retries, then failed for good.
    assert_eq!(rows[0].status, DeliveryStatus::Failed);
    assert_eq!(rows[0].next_attempt_at, None);
    assert!((24..=26).contains(&n), "{n} attempts");
    assert_eq!(rx.got().len(), n as usize);
    let tried = rx.got().len();
    app.clock.advance(Duration::from_secs(3600 * 5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rx.got().len(),
        tried,
        "a failed delivery is not tried again"
    );
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart() {
    let app = TestApp::spawn_with(loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Fail).await;
    create(
        &admin,
        site.id,
        &rx.url,
        &["chat.started", "message.created"],
    )
    .await;
    let mut visitor = app.visitor(&site).await;
    visitor.request_chat(Some("Ann")).await;
    visitor.say("before the restart").await;
    rx.until_tried(1).await;
    drop(visitor);
    let app = app.restart().await;
    rx.set(Mode::Ok);
    app.clock.advance(Duration::from_secs(3600));
    let got = rx.until("both", |g| g.len() >= 2).await;
    assert_eq!(events_of(&got), ["chat.started", "message.created"]);
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let app = TestApp::spawn_with(|s| s.webhooks.poll_ms = 50).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Ok).await;
    let by_name = rx.url.replace("127.0.0.1", "localhost");
    let mapped = rx.url.replace("127.0.0.1", "[::ffff:127.0.0.1]");
    let mut ids = Vec::new();
    for url in [&rx.url, &by_name, &mapped] {
        let hook = create(&admin, site.id, url, &["chat.started"]).await;
        ids.push(WebhookId(hook["id"].as_i64().expect("id")));
    }
    let mut visitor = app.visitor(&site).await;
    visitor.request_chat(Some("Ann")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    for id in ids {
        loop {
            let rows = app.store().deliveries(id, None, 1).await.expect("rows");
            if let Some(err) = rows.first().and_then(|r| r.last_error.clone()) {
                assert!(err.contains("refused"), "{err}");
                assert!(err.contains("loopback"), "{err}");
                assert_eq!(rows[0].status, DeliveryStatus::Pending);
                assert_eq!(rows[0].response_code, None);
                break;
            }
            assert!(Instant::now() < deadline, "{rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert!(rx.got().is_empty(), "nothing reached the loopback receiver");
}

#[tokio::test]
async fn hostile_receivers_never_slow_a_chat() {
    let app = TestApp::spawn_with(|s| {
        loopback(s);
        s.webhooks.concurrency = 3;
        s.webhooks.timeout_ms = 2_000;
    })
    .await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let hang = Receiver::start(Mode::Hang).await;
    let redirect = Receiver::start(Mode::Redirect).await;
    let huge = Receiver::start(Mode::Huge).await;
    let mut hooks = Vec::new();
    for rx in [&hang, &redirect, &huge] {
        let h = create(&admin, site.id, &rx.url, &["message.created"]).await;
        hooks.push(WebhookId(h["id"].as_i64().expect("id")));
    }
    let (_alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    // Round trips of a visitor's message to the agent while the receivers misbehave.
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let started = Instant::now();
        let seq = visitor.say(&format!("m{i}")).await;
        a.wait_for("the message", |f| {
            f["type"] == "message" && f["chat_id"] == chat && f["seq"] == seq
        })
        .await;
        slowest = slowest.max(started.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(500),
        "slowest round trip {slowest:?}"
    );
    hang.until_tried(1).await;
    redirect.until_tried(1).await;
    huge.until("the first", |g| !g.is_empty()).await;
    // The redirect is not followed; the 10 MB answer was not read whole (delivered in time).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app
            .store()
            .deliveries(hooks[1], None, 100)
            .await
            .expect("rows");
        let h = app
            .store()
            .deliveries(hooks[2], None, 100)
            .await
            .expect("rows");
        let redirected = r.iter().any(|d| d.response_code == Some(302));
        let delivered = h.iter().find(|d| d.status == DeliveryStatus::Delivered);
        if redirected && let Some(d) = delivered {
            assert!(d.latency_ms.is_some_and(|l| l < 2_000), "{d:?}");
            assert!(r.iter().all(|d| d.status == DeliveryStatus::Pending));
            break;
        }
        assert!(Instant::now() < deadline, "{r:?} {h:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        redirect.got().iter().all(|r| r.event != "redirected"),
        "the redirect was followed"
    );
    // The hanging receiver's attempt is cut at the total timeout.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = app
            .store()
            .deliveries(hooks[0], None, 100)
            .await
            .expect("rows");
        if let Some(d) = rows.iter().find(|d| d.last_error.is_some()) {
            assert!(
                d.last_error
                    .as_deref()
                    .is_some_and(|e| e.contains("no answer within")),
                "{d:?}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "{rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

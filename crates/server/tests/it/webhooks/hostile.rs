//! Hostile receivers and addresses: the SSRF refusal of loopback (by address, by name, as a
//! v4-mapped IPv6 address), and receivers that hang, redirect or answer 10 MB not slowing a
//! chat.

use super::receiver::{Mode, Receiver};
use super::{create, loopback};
use crate::helpers::*;
use frontdesk_core::WebhookId;
use frontdesk_core::webhooks::DeliveryStatus;
use std::time::{Duration, Instant};

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

//! Retries with the injectable clock: a receiver down for an hour gets everything after, in
//! order; a day of retries then "failed"; pending deliveries across a restart; retention of
//! the deliveries log.

use super::receiver::{Mode, Receiver};
use super::{attempts, create, events_of, loopback, rows_until};
use crate::helpers::*;
use frontdesk_core::WebhookId;
use frontdesk_core::webhooks::DeliveryStatus;
use std::time::Duration;

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
async fn the_deliveries_log_keeps_its_days_and_no_more() {
    let app = TestApp::spawn_with(|s| {
        loopback(s);
        s.webhooks.keep_deliveries_days = 7;
    })
    .await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Ok).await;
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
    rows_until(&app, id, "delivered", |r| {
        r.len() == 1 && r[0].status == DeliveryStatus::Delivered
    })
    .await;
    // One that fails: six days on (past the day of retries) it is marked failed.
    rx.set(Mode::Fail);
    visitor.say("never delivered").await;
    rows_until(&app, id, "tried", |r| r.len() == 2 && attempts(r) == 2).await;
    app.clock.advance(Duration::from_secs(6 * 86_400));
    rows_until(&app, id, "failed", |r| {
        r[0].status == DeliveryStatus::Failed
    })
    .await;
    let removed = frontdesk::services::webhooks::prune(app.app())
        .await
        .expect("prune");
    assert_eq!(removed, 0, "six days: kept");
    app.clock.advance(Duration::from_secs(2 * 86_400));
    let removed = frontdesk::services::webhooks::prune(app.app())
        .await
        .expect("prune");
    assert_eq!(
        removed, 2,
        "eight days: the delivered and the failed one go"
    );
    assert!(
        app.store()
            .deliveries(id, None, 10)
            .await
            .expect("rows")
            .is_empty()
    );
}

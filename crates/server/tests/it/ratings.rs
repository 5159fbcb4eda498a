//! The visitor's rating after the chat (issue 14): given after the end (either side), changed
//! within 10 minutes, refused after (`rating_closed`) and while the chat is open
//! (`chat_open`); another visitor's or a missing chat is `not_found`; the scale is the site's
//! setting; agents get `chat.updated` with it and read it in the chat, Visit Detail and the
//! per-day REST figures (days in the site's time zone); `/metrics` counts each chat once.

use crate::helpers::*;
use crate::rest::{assert_error, ok_json};
use frontdesk_core::model::Site;
use frontdesk_core::rating::RatingScale;
use serde_json::{Value, json};
use std::time::Duration;

async fn metric(app: &TestApp, line: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{line} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{line} in /metrics:\n{text}"))
}

async fn rate(v: &mut VisitorClient, chat: i64, score: u8, comment: Option<&str>) -> Value {
    v.ws.request(json!({"type":"rate","chat_id": chat,"score": score,"comment": comment}))
        .await
}

fn assert_refused(answer: &Value, code: &str) {
    assert_eq!(
        (answer["type"].as_str(), answer["code"].as_str()),
        (Some("error"), Some(code)),
        "{answer}"
    );
}

async fn updated(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.updated", move |f| {
        f["type"] == "chat.updated" && f["chat"]["chat_id"] == chat
    })
    .await
}

async fn with_scale(app: &TestApp, site: &Site, scale: RatingScale) -> Site {
    let mut s = site.clone();
    s.settings.rating = scale;
    app.store().update_site(&s).await.expect("settings");
    s
}

#[tokio::test]
async fn a_rating_after_the_end_may_change_for_ten_minutes_and_is_counted_once() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    assert_eq!(
        app.visitor(&site).await.welcome["features"]["rating"],
        "thumbs",
        "Good/Bad by default"
    );
    let (alice, mut a, mut v, chat) = app.accepted_chat(&site).await;

    // While the chat is open: refused, nothing stored.
    assert_refused(&rate(&mut v, chat, 5, None).await, "chat_open");
    assert!(
        app.store()
            .chat(frontdesk_core::ChatId(chat))
            .await
            .expect("chat")
            .rating
            .is_none()
    );

    // The agent ends it ("End Chat"); the visitor rates it.
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    v.ws.expect("chat.ended").await;
    let rated_at = app.now().0;
    let ack = rate(&mut v, chat, 5, Some("  Quick\u{0} and kind  ")).await;
    assert_eq!(
        (ack["type"].as_str(), ack["chat_id"].as_i64()),
        (Some("ack"), Some(chat)),
        "{ack}"
    );
    let f = updated(&mut a, chat).await;
    assert_eq!(
        f["chat"]["rating"],
        json!({"score": 5, "comment": "Quick and kind", "rated_at": rated_at})
    );
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["rating"]["score"], 5);
    let detail = ok_json(
        alice
            .get(&format!(
                "/api/sites/{}/visitors/{}",
                site.id.0, v.visitor_id
            ))
            .await,
        200,
    )
    .await;
    assert_eq!(detail["chats"][0]["chat_id"], chat);
    assert_eq!(
        detail["chats"][0]["rating"]["score"], 5,
        "Visit Detail's chats"
    );

    // 9:59 later: changed (score and comment), rated_at kept.
    app.clock.advance(Duration::from_millis(10 * 60 * 1000 - 1));
    assert_eq!(rate(&mut v, chat, 1, None).await["type"], "ack");
    let f = updated(&mut a, chat).await;
    assert_eq!(
        f["chat"]["rating"],
        json!({"score": 1, "rated_at": rated_at})
    );

    // At 10:00: closed; the rating stands.
    app.clock.advance(Duration::from_millis(1));
    assert_refused(&rate(&mut v, chat, 5, Some("late")).await, "rating_closed");
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(
        read["chat"]["rating"],
        json!({"score": 1, "rated_at": rated_at})
    );

    // Counted once, as first given ("good"); the change apart.
    assert_eq!(
        metric(&app, "frontdesk_ratings_total{rating=\"good\"}").await,
        1.0
    );
    assert_eq!(
        metric(&app, "frontdesk_ratings_total{rating=\"bad\"}").await,
        0.0
    );
    assert_eq!(metric(&app, "frontdesk_rating_changes_total").await, 1.0);
}

#[tokio::test]
async fn only_the_chats_own_visitor_rates_it() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, _a, mut v, chat) = app.accepted_chat(&site).await;
    assert_eq!(
        v.ws.request(json!({"type":"chat_end"})).await["type"],
        "ack"
    );

    let mut other = app.visitor(&site).await;
    assert_refused(&rate(&mut other, chat, 5, None).await, "not_found");
    assert_refused(&rate(&mut v, chat + 1000, 5, None).await, "not_found");
    // The same visitor id on another site is another visitor.
    let elsewhere = app.site().await;
    let mut stranger = VisitorClient::connect(&app, &elsewhere, Some(&v.token), None, "/").await;
    assert_refused(&rate(&mut stranger, chat, 5, None).await, "not_found");
    assert!(
        app.store()
            .chat(frontdesk_core::ChatId(chat))
            .await
            .expect("chat")
            .rating
            .is_none()
    );
    // The visitor who ended it may.
    assert_eq!(rate(&mut v, chat, 1, None).await["type"], "ack");
}

#[tokio::test]
async fn the_scale_is_the_sites_setting() {
    // More refusals than the default burst of `rate` frames.
    let app = TestApp::spawn_with(|s| {
        s.limits.ratings = frontdesk::config::Rate {
            per_minute: 1000,
            burst: 1000,
        }
    })
    .await;
    let site = app.site().await;
    let (_alice, mut a, mut v, chat) = app.accepted_chat(&site).await;
    assert_eq!(
        v.ws.request(json!({"type":"chat_end"})).await["type"],
        "ack"
    );
    // "Good" / "Bad": only 1 and 5.
    for score in [0, 2, 3, 4, 6] {
        assert_refused(&rate(&mut v, chat, score, None).await, "bad_request");
    }
    // "1–5 stars": 3 is fine (reconnect so the widget would hear the new scale).
    let stars = with_scale(&app, &site, RatingScale::Stars).await;
    let mut again = VisitorClient::connect(&app, &stars, Some(&v.token), None, "/").await;
    assert_eq!(again.welcome["features"]["rating"], "stars");
    let ack = rate(&mut again, chat, 3, None).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(updated(&mut a, chat).await["chat"]["rating"]["score"], 3);
    assert_refused(&rate(&mut again, chat, 6, None).await, "bad_request");
    // Off: nothing is asked, and nothing taken.
    let off = with_scale(&app, &site, RatingScale::Off).await;
    let mut third = VisitorClient::connect(&app, &off, Some(&v.token), None, "/").await;
    assert_eq!(third.welcome["features"]["rating"], "off");
    assert_refused(&rate(&mut third, chat, 5, None).await, "bad_request");
    assert_eq!(
        metric(&app, "frontdesk_ratings_total{rating=\"bad\"}").await,
        1.0,
        "3 is bad"
    );
}

/// Ends a new chat of a new visitor on `site` (accepted by `a`), rated `score` at `at`.
async fn rated_chat(
    app: &TestApp,
    site: &Site,
    a: &mut Ws,
    at: i64,
    score: u8,
    comment: &str,
) -> i64 {
    app.clock.set(frontdesk_core::Timestamp(at));
    let mut v = app.visitor(site).await;
    let chat = v.request_chat(Some("Ann")).await;
    accept(a, chat).await;
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    assert_eq!(
        rate(&mut v, chat, score, Some(comment)).await["type"],
        "ack"
    );
    chat
}

#[tokio::test]
async fn ratings_per_day_in_the_sites_time_zone() {
    let app = TestApp::spawn().await;
    // Berlin is UTC+1 in November: its 26 Nov starts at 25 Nov 23:00 UTC.
    let site = app
        .site_at("Berlin shop", "https://berlin.example", "Europe/Berlin")
        .await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let hour = 3_600_000;
    // START is 25 Nov 12:00 UTC.
    let c1 = rated_chat(&app, &site, &mut a, START.0 + 10 * hour, 5, "Great").await; // 23:00 local, 25th
    let c2 = rated_chat(
        &app,
        &site,
        &mut a,
        START.0 + 10 * hour + hour / 2,
        1,
        "Slow",
    )
    .await; // 23:30, 25th
    let c3 = rated_chat(
        &app,
        &site,
        &mut a,
        START.0 + 11 * hour + hour / 2,
        5,
        "Nice",
    )
    .await; // 00:30, 26th

    let rita = app.agent_with("Rita", false, Some(vec![site.id])).await;
    let path = |q: &str| format!("/api/sites/{}/ratings?{q}", site.id.0);
    let body = ok_json(rita.get(&path("from=2026-11-25&to=2026-11-26")).await, 200).await;
    assert_eq!(
        body,
        json!({"days": [
            {"day": "2026-11-25", "good": 1, "bad": 1, "count": 2, "average": 3.0},
            {"day": "2026-11-26", "good": 1, "bad": 0, "count": 1, "average": 5.0},
        ]})
    );
    let one = ok_json(
        rita.get(&path("from=2026-11-26&to=2026-11-26&detail=true"))
            .await,
        200,
    )
    .await;
    assert_eq!(
        one["days"],
        json!([{"day": "2026-11-26", "good": 1, "bad": 0, "count": 1, "average": 5.0}])
    );
    let list = one["ratings"].as_array().expect("ratings");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["chat_id"], c3);
    assert_eq!(list[0]["comment"], "Nice");
    assert_eq!(list[0]["good"], true);
    assert_eq!(list[0]["day"], "2026-11-26");
    let both = ok_json(
        rita.get(&path("from=2026-11-25&to=2026-11-25&detail=true"))
            .await,
        200,
    )
    .await;
    let ids: Vec<i64> = both["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .filter_map(|r| r["chat_id"].as_i64())
        .collect();
    assert_eq!(ids, vec![c1, c2], "oldest first");

    // Refusals: bad dates, reversed, too long; another site's agent reads nothing.
    for q in [
        "from=2026-11-25",
        "from=25.11.2026&to=2026-11-26",
        "from=2026-11-27&to=2026-11-26",
        "from=2025-01-01&to=2026-11-26",
    ] {
        assert_error(rita.get(&path(q)).await, 400, "bad_request").await;
    }
    let other = app.site().await;
    let outsider = app.agent_with("Otto", false, Some(vec![other.id])).await;
    assert_error(
        outsider.get(&path("from=2026-11-25&to=2026-11-26")).await,
        404,
        "not_found",
    )
    .await;
}

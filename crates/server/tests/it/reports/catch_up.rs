//! The rollups catch up after changes the task never saw: made with the task idle, across a
//! restart, then recomputed by the task itself; a report is exact all along.

use super::{at, report};
use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn changes_made_before_a_restart_are_rolled_up_after_it() {
    // The task's first tick runs at start (nothing to do), the next one an hour later.
    let app = TestApp::spawn_with(|s| s.reports_rollup_ms = 3_600_000).await;
    at(&app, "2026-06-01T18:20:00Z");
    // Kolkata is UTC+5:30: 18:20 UTC is 23:50, 18:40 UTC is 00:10 the next day.
    let site = app
        .site_at("Kolkata shop", "https://kolkata.example", "Asia/Kolkata")
        .await;
    let ada = app.agent_with("Ada", true, None).await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let first = v.request_chat(Some("Ann")).await;
    at(&app, "2026-06-01T18:20:15Z");
    assert_eq!(accept(&mut a, first).await["type"], "ack");
    at(&app, "2026-06-01T18:25:00Z");
    assert_eq!(
        a.request(json!({"type":"end","chat_id": first})).await["type"],
        "ack"
    );
    at(&app, "2026-06-01T18:40:00Z");
    let mut v2 = app.visitor(&site).await;
    let second = v2.request_chat(Some("Ben")).await;
    at(&app, "2026-06-01T18:40:45Z");
    assert_eq!(accept(&mut a, second).await["type"], "ack");
    at(&app, "2026-06-01T18:41:00Z");
    assert_eq!(
        a.request(json!({"type":"end","chat_id": second})).await["type"],
        "ack"
    );
    at(&app, "2026-06-01T18:42:00Z");
    assert_eq!(
        a.request(json!({"type":"status","status":"away"})).await["type"],
        "ack"
    );
    drop((a, v, v2));
    let q = format!(
        "site={}&from=2026-06-01&to=2026-06-02&granularity=day",
        site.id.0
    );
    let before = report(&ada, &q).await;
    let days: Vec<(u64, u64)> = before["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|b| {
            (
                b["chats"].as_u64().unwrap_or(99),
                b["wait_median_secs"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        days,
        [(1, 15), (1, 45)],
        "a Kolkata day boundary inside a UTC hour"
    );
    assert_eq!(before["agents"][0]["online_secs"], 22 * 60);
    let marks = app
        .store()
        .dirty_hours(None, i64::MIN, i64::MAX, 100)
        .await
        .expect("marks");
    assert_eq!(
        marks.len(),
        1,
        "one UTC hour changed, not yet rolled up: {marks:?}"
    );

    // A restart with the task every 50 ms: it catches up on its own.
    let mut app = app;
    app.settings.reports_rollup_ms = 50;
    let app = app.restart().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = app
            .store()
            .dirty_hours(None, i64::MIN, i64::MAX, 100)
            .await
            .expect("marks");
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the task never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rows = app
        .store()
        .rollups(&[site.id], 0, i64::MAX)
        .await
        .expect("rollups");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2.chats, 2);
    let ada = AgentClient::sign_in(&app, ada.id, &ada.email, "Ada").await;
    let after = report(&ada, &q).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_mark_made_meanwhile_survives_the_recompute() {
    use frontdesk_core::reports::rollup::Acc;
    let app = TestApp::spawn_with(|s| s.reports_rollup_ms = 3_600_000).await;
    let site = app.site().await;
    let mut v = app.visitor(&site).await;
    v.request_chat(Some("Ann")).await;
    let store = app.store();
    let marks = store
        .dirty_hours(None, i64::MIN, i64::MAX, 100)
        .await
        .expect("marks");
    assert_eq!(marks.len(), 1);
    // The chat ends after the mark was read: the mark moves on.
    assert_eq!(
        v.ws.request(json!({"type":"chat_end"})).await["type"],
        "ack"
    );
    let written = store
        .save_rollups(vec![(marks[0], Acc::default(), true)])
        .await
        .expect("save");
    assert_eq!(written, 0, "a stale recompute writes nothing");
    let left = store
        .dirty_hours(None, i64::MIN, i64::MAX, 100)
        .await
        .expect("marks");
    assert_eq!(left.len(), 1);
    assert!(left[0].mark > marks[0].mark);
    let (_, written) = frontdesk::services::reports::catch_up(store, 100)
        .await
        .expect("catch up");
    assert_eq!(written, 1);
    assert_eq!(
        frontdesk::services::reports::rebuild(store)
            .await
            .expect("rebuild"),
        1
    );
    let rows = store
        .rollups(&[site.id], 0, i64::MAX)
        .await
        .expect("rollups");
    assert_eq!((rows.len(), rows[0].2.chats, rows[0].2.missed), (1, 1, 1));
}

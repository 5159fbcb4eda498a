//! A measurement, run by hand (ignored): the 30-day report of one site on SQLite over
//! `FRONTDESK_REPORT_CHATS` chats (default 200 000) spread over 30 days, with clean rollups
//! and with every hour dirty (computed live), and the time of `reports rebuild`.
//!
//! `cargo test -p frontdesk --test it reports::speed -- --ignored --nocapture`

use frontdesk::services::reports::{ReportQuery, build, rebuild};
use frontdesk_core::model::{NewAgent, NewSite};
use frontdesk_core::reports::Granularity;
use frontdesk_core::store::{AgentStore, ReportStore, SiteStore, Store};
use frontdesk_core::{SiteKey, Timestamp};
use frontdesk_store_sqlite::{BulkHistory, SqliteOptions, SqliteStore};
use std::time::Instant;

const DAY: i64 = 86_400_000;

async fn timings(store: &dyn Store, q: &ReportQuery, site: frontdesk_core::SiteId) -> String {
    let mut us: Vec<u128> = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let r = build(store, &[site], q).await.expect("report");
        us.push(t.elapsed().as_micros());
        assert!(r.totals.chats > 0);
    }
    us.sort_unstable();
    format!(
        "p50 {:.1} ms, p99 {:.1} ms",
        us[us.len() / 2] as f64 / 1000.0,
        us[us.len() * 99 / 100] as f64 / 1000.0
    )
}

#[tokio::test]
#[ignore = "a measurement: run it by hand (see the module doc)"]
async fn thirty_day_report_speed() {
    let chats: u64 = std::env::var("FRONTDESK_REPORT_CHATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("frontdesk.db"), SqliteOptions::default())
        .await
        .expect("open");
    let site = store
        .create_site(
            NewSite {
                key: SiteKey("speed".into()),
                name: "Speed".into(),
                base_url: "https://speed.example".into(),
                timezone: "Europe/Berlin".into(),
                allowed_origins: vec![],
                email: None,
            },
            Timestamp(0),
        )
        .await
        .expect("site");
    let agent = store
        .create_agent(
            NewAgent {
                email: "a@speed.example".into(),
                name: "A".into(),
                is_admin: true,
                password_hash: "x".into(),
                sites: None,
            },
            Timestamp(0),
        )
        .await
        .expect("agent");
    let start = Timestamp(1_780_000_000_000 / DAY * DAY);
    let per_day = chats / 30;
    let t = Instant::now();
    // One call: the generator numbers chats 1..=chats in an empty store, spread evenly over
    // the 30 days.
    store
        .bulk_insert_history(BulkHistory {
            sites: vec![site.id],
            agents: vec![agent.id],
            chats: per_day * 30,
            messages_per_chat: 6,
            start,
            span_ms: 30 * DAY,
            visitors: per_day * 10,
        })
        .await
        .expect("bulk");
    println!("generated {} chats in {:?}", per_day * 30, t.elapsed());
    let q = ReportQuery {
        site: Some(site.id),
        from: start,
        to: Timestamp(start.0 + 30 * DAY),
        granularity: Granularity::Day,
        tz: "UTC".into(),
    };
    println!(
        "all hours dirty (live): {}",
        timings(&store, &q, site.id).await
    );
    let t = Instant::now();
    let hours = rebuild(&store).await.expect("rebuild");
    println!("rebuild: {hours} hours in {:?}", t.elapsed());
    println!("clean rollups: {}", timings(&store, &q, site.id).await);
    let t = Instant::now();
    let rows = store
        .rollups(&[site.id], i64::MIN, i64::MAX)
        .await
        .expect("rows");
    println!("  rollups read: {} rows in {:?}", rows.len(), t.elapsed());
    let t = Instant::now();
    let d = store
        .dirty_hours(Some(&[site.id]), i64::MIN, i64::MAX, u32::MAX)
        .await
        .expect("d");
    println!("  dirty read: {} in {:?}", d.len(), t.elapsed());
    let berlin = ReportQuery {
        tz: "Europe/Berlin".into(),
        ..q.clone()
    };
    println!(
        "clean rollups, Berlin days: {}",
        timings(&store, &berlin, site.id).await
    );
    let kolkata = ReportQuery {
        tz: "Asia/Kolkata".into(),
        granularity: Granularity::Hour,
        to: Timestamp(start.0 + 7 * DAY),
        ..q.clone()
    };
    println!(
        "clean rollups, 7 days by the hour in Kolkata (all live): {}",
        timings(&store, &kolkata, site.id).await
    );
}

//! Every figure of a report from a fixed set of chats in Europe/Berlin around the night the
//! clocks go back (Sun 25 Oct 2026, 03:00 CEST → 02:00 CET):
//!
//! | chat | created (UTC)  | local            | story                                          |
//! |------|----------------|------------------|------------------------------------------------|
//! | A    | 24 Oct 21:30:00| Sat 23:30 CEST   | Alice takes it at +20 s, replies at +30 s, the visitor writes once, Alice ends it at +300 s; rated Good |
//! | B    | 24 Oct 22:00:30| Sun 00:00:30 CEST| nobody answers, the visitor writes once and leaves at +60 s: missed |
//! | C    | 25 Oct 00:30:00| Sun 02:30 CEST   | Alice takes it at +40 s and closes it (requeued), Bob takes it at +100 s, replies at +110 s, ends it at +3700 s (across the change); rated Bad |
//! | D    | 25 Oct 02:00:00| Sun 03:00 CET    | Bob takes it at +30 s, replies at +35 s, transfers it to Alice at +60 s, she ends it at +200 s |
//!
//! plus an offline message at 25 Oct 03:00 UTC. Alice and Bob are On-Line from 24 Oct
//! 21:29 to 25 Oct 03:30 UTC (21 660 s).

use super::{at, csv, report};
use crate::helpers::*;
use frontdesk_core::store::Store;
use serde_json::{Value, json};

struct Story {
    app: TestApp,
    ada: AgentClient,
    site_q: String,
}

async fn say_as(ws: &mut Ws, chat: i64, body: &str) {
    assert_eq!(agent_say(ws, chat, body).await["type"], "ack");
}

async fn ok(ws: &mut Ws, frame: Value) {
    let a = ws.request(frame).await;
    assert_eq!(a["type"], "ack", "{a}");
}

async fn story() -> Story {
    let app = TestApp::spawn_with(|s| s.reports_rollup_ms = 3_600_000).await;
    at(&app, "2026-10-24T21:29:00Z");
    let site = app
        .site_at("Berlin shop", "https://berlin.example", "Europe/Berlin")
        .await;
    let ada = app.agent_with("Ada", true, None).await;
    let (alice, mut a) = app.online_agent("Alice").await;
    let (bob, mut b) = app.online_agent("Bob").await;

    // A
    at(&app, "2026-10-24T21:30:00Z");
    let mut v = app.visitor(&site).await;
    let ca = v.request_chat(Some("Ann")).await;
    at(&app, "2026-10-24T21:30:20Z");
    assert_eq!(accept(&mut a, ca).await["type"], "ack");
    at(&app, "2026-10-24T21:30:30Z");
    say_as(&mut a, ca, "Hello, how can I help?").await;
    at(&app, "2026-10-24T21:30:40Z");
    v.say("Where is my parcel?").await;
    at(&app, "2026-10-24T21:35:00Z");
    ok(&mut a, json!({"type":"end","chat_id": ca})).await;
    let r =
        v.ws.request(json!({"type":"rate","chat_id": ca,"score": 5}))
            .await;
    assert_eq!(r["type"], "ack", "{r}");

    // B
    at(&app, "2026-10-24T22:00:30Z");
    let mut v = app.visitor(&site).await;
    v.request_chat(Some("Ben")).await;
    v.say("Anyone there?").await;
    at(&app, "2026-10-24T22:01:30Z");
    assert_eq!(
        v.ws.request(json!({"type":"chat_end"})).await["type"],
        "ack"
    );

    // C
    at(&app, "2026-10-25T00:30:00Z");
    let mut v = app.visitor(&site).await;
    let cc = v.request_chat(Some("Cleo")).await;
    at(&app, "2026-10-25T00:30:40Z");
    assert_eq!(accept(&mut a, cc).await["type"], "ack");
    at(&app, "2026-10-25T00:30:50Z");
    ok(&mut a, json!({"type":"close","chat_id": cc})).await;
    at(&app, "2026-10-25T00:31:40Z");
    assert_eq!(accept(&mut b, cc).await["type"], "ack");
    at(&app, "2026-10-25T00:31:50Z");
    say_as(&mut b, cc, "Sorry for the wait").await;
    at(&app, "2026-10-25T01:31:40Z");
    ok(&mut b, json!({"type":"end","chat_id": cc})).await;
    let r =
        v.ws.request(json!({"type":"rate","chat_id": cc,"score": 1}))
            .await;
    assert_eq!(r["type"], "ack", "{r}");

    // D
    at(&app, "2026-10-25T02:00:00Z");
    let mut v = app.visitor(&site).await;
    let cd = v.request_chat(Some("Dan")).await;
    at(&app, "2026-10-25T02:00:30Z");
    assert_eq!(accept(&mut b, cd).await["type"], "ack");
    at(&app, "2026-10-25T02:00:35Z");
    say_as(&mut b, cd, "Let me find someone").await;
    at(&app, "2026-10-25T02:01:00Z");
    ok(
        &mut b,
        json!({"type":"transfer","chat_id": cd,"to": alice.id.0}),
    )
    .await;
    at(&app, "2026-10-25T02:03:20Z");
    ok(&mut a, json!({"type":"end","chat_id": cd})).await;

    // The offline message, then both agents go Away.
    at(&app, "2026-10-25T03:00:00Z");
    let mut v = app.visitor(&site).await;
    let r = v
        .ws
        .request(json!({"type":"offline_message","name":"Eve","email":"eve@example.com","body":"call me"}))
        .await;
    assert_eq!(r["type"], "ack", "{r}");
    at(&app, "2026-10-25T03:30:00Z");
    ok(&mut a, json!({"type":"status","status":"away"})).await;
    ok(&mut b, json!({"type":"status","status":"away"})).await;
    let _ = bob;
    Story {
        site_q: format!("site={}", site.id.0),
        app,
        ada,
    }
}

fn figures(v: &Value, keys: &[&str]) -> Vec<Value> {
    keys.iter().map(|k| v[*k].clone()).collect()
}

const KEYS: [&str; 11] = [
    "chats",
    "missed",
    "offline_messages",
    "wait_median_secs",
    "wait_p90_secs",
    "first_response_median_secs",
    "duration_median_secs",
    "messages_per_chat",
    "ratings",
    "ratings_good",
    "good_share",
];

fn assert_days(r: &Value) {
    assert_eq!(r["time_zone"], "Europe/Berlin");
    assert_eq!(r["from"], super::ts("2026-10-23T22:00:00Z").0);
    assert_eq!(r["to"], super::ts("2026-10-25T23:00:00Z").0);
    let s = r["series"].as_array().expect("series");
    assert_eq!(s.len(), 2, "{r}");
    assert_eq!(
        (s[0]["label"].as_str(), s[1]["label"].as_str()),
        (Some("2026-10-24"), Some("2026-10-25"))
    );
    assert_eq!(
        figures(&s[0], &KEYS),
        [
            json!(1),
            json!(0),
            json!(0),
            json!(20),
            json!(20),
            json!(10),
            json!(300),
            json!(2.0),
            json!(1),
            json!(1),
            json!(1.0)
        ]
    );
    assert_eq!(
        figures(&s[1], &KEYS),
        [
            json!(3),
            json!(1),
            json!(1),
            json!(30),
            json!(40),
            json!(5),
            json!(200),
            json!(1.0),
            json!(1),
            json!(0),
            json!(0.0)
        ]
    );
    assert_eq!(
        figures(&r["totals"], &KEYS),
        [
            json!(4),
            json!(1),
            json!(1),
            json!(30),
            json!(40),
            json!(10),
            json!(200),
            json!(1.25),
            json!(2),
            json!(1),
            json!(0.5)
        ]
    );
    let agents: Vec<Value> = r["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| {
            json!([
                a["name"],
                a["chats"],
                a["first_response_median_secs"],
                a["ratings"],
                a["ratings_good"],
                a["online_secs"]
            ])
        })
        .collect();
    assert_eq!(
        agents,
        [
            json!(["Alice", 3, 10, 1, 1, 21_660]),
            json!(["Bob", 2, 5, 1, 0, 21_660])
        ]
    );
    let heat = r["heat_map"].as_array().expect("heat map");
    assert_eq!(heat.len(), 7);
    let cells: Vec<(usize, usize, u64)> = heat
        .iter()
        .enumerate()
        .flat_map(|(d, row)| {
            row.as_array()
                .expect("row")
                .iter()
                .enumerate()
                .filter_map(move |(h, n)| n.as_u64().filter(|n| *n > 0).map(|n| (d, h, n)))
        })
        .collect();
    assert_eq!(cells, [(5, 23, 1), (6, 0, 1), (6, 2, 1), (6, 3, 1)]);
}

#[tokio::test]
async fn every_figure_of_a_fixed_set_of_chats_before_and_after_the_rollups() {
    let s = story().await;
    let q = format!("{}&from=2026-10-24&to=2026-10-25&granularity=day", s.site_q);
    // Nothing rolled up yet: every hour is dirty and computed live.
    let live = report(&s.ada, &q).await;
    assert_days(&live);

    let (seen, written) = frontdesk::services::reports::catch_up(s.app.store(), 1_000)
        .await
        .expect("catch up");
    assert!(seen >= 4 && written >= 4, "{seen} {written}");
    let store: &dyn Store = s.app.store();
    let left = store
        .dirty_hours(None, i64::MIN, i64::MAX, 100)
        .await
        .expect("marks");
    assert!(left.is_empty(), "every chat ended: no mark left {left:?}");
    let rows = store
        .rollups(
            &[frontdesk_core::SiteId(
                live["site_id"].as_i64().expect("site"),
            )],
            0,
            i64::MAX,
        )
        .await
        .expect("rollups");
    assert_eq!(rows.iter().map(|r| r.2.chats).sum::<u64>(), 4);
    let rolled = report(&s.ada, &q).await;
    assert_eq!(rolled, live, "the rollups change nothing");

    // The same figures in weeks (Mon 19 Oct .. both days), in the "all sites" report.
    let w = report(&s.ada, "from=2026-10-24&to=2026-10-25&granularity=week").await;
    assert!(w.get("site_id").is_none());
    assert_eq!(w["series"].as_array().map(Vec::len), Some(1));
    assert_eq!(w["series"][0]["label"], "2026-10-19");
    assert_eq!(w["totals"], live["totals"]);
}

#[tokio::test]
async fn hours_across_the_dst_change_and_csv_equal_to_json() {
    let s = story().await;
    let q = format!(
        "{}&from=2026-10-25&to=2026-10-25&granularity=hour",
        s.site_q
    );
    let r = report(&s.ada, &q).await;
    let series = r["series"].as_array().expect("series");
    assert_eq!(series.len(), 25, "the day has 25 hours");
    let labels: Vec<&str> = series.iter().filter_map(|b| b["label"].as_str()).collect();
    assert_eq!(
        &labels[..5],
        [
            "2026-10-25 00:00",
            "2026-10-25 01:00",
            "2026-10-25 02:00",
            "2026-10-25 02:00",
            "2026-10-25 03:00"
        ]
    );
    let chats: Vec<u64> = series.iter().filter_map(|b| b["chats"].as_u64()).collect();
    assert_eq!(&chats[..6], [1, 0, 1, 0, 1, 0]);
    assert_eq!(series[5]["offline_messages"], 1);
    // "today" is that day (the clock stands at 04:30 CET on 25 Oct), by the hour.
    let today = report(&s.ada, &format!("{}&period=today", s.site_q)).await;
    assert_eq!(today, r);

    // Each chart's CSV carries exactly the JSON's numbers.
    let cell = |v: &Value| match v {
        Value::Null => String::new(),
        v => v.to_string(),
    };
    for (chart, cols) in [
        ("volume", vec!["chats", "missed", "offline_messages"]),
        ("wait", vec!["wait_median_secs", "wait_p90_secs"]),
        ("first_response", vec!["first_response_median_secs"]),
        ("duration", vec!["duration_median_secs"]),
        ("messages", vec!["messages_per_chat"]),
        ("ratings", vec!["ratings", "ratings_good", "good_share"]),
    ] {
        let text = csv(&s.ada, &format!("{q}&chart={chart}")).await;
        let mut expected = format!("bucket,{}\r\n", cols.join(","));
        for b in series {
            let mut cells = vec![b["label"].as_str().unwrap_or("").to_string()];
            cells.extend(cols.iter().map(|c| cell(&b[*c])));
            expected.push_str(&format!("{}\r\n", cells.join(",")));
        }
        assert_eq!(text, expected, "{chart}");
    }
    let agents = csv(&s.ada, &format!("{q}&chart=agents")).await;
    let lines: Vec<&str> = agents.lines().collect();
    assert_eq!(
        lines[0],
        "agent_id,name,chats,first_response_median_secs,ratings,ratings_good,online_secs"
    );
    // On 25 Oct (local) Alice took C and D; Bob C and D; On-Line from 22:00 UTC to 03:30.
    let a = &r["agents"][0];
    assert_eq!(
        lines[1],
        format!(
            "{},Alice,2,{},0,0,19800",
            a["agent_id"],
            cell(&a["first_response_median_secs"])
        )
    );
    let heat = csv(&s.ada, &format!("{q}&chart=heat_map")).await;
    let sunday = heat.lines().nth(7).expect("Sunday");
    assert!(sunday.starts_with("Sunday,1,0,1,1,0,"), "{sunday}");
}

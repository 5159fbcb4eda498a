//! Opening hours (issue 12): outside them the site is unavailable to visitors even with an
//! agent On-Line, `welcome`/`availability` say when it opens next, a chat request is refused
//! with `closed` (an offline message is taken), and availability flips at the opening and
//! closing instants without a reconnect, across a DST change, a holiday and midnight. Time
//! moves only by the test's clock. Also: the settings PUT refuses bad values with a typed 400.

use crate::helpers::*;
use frontdesk_core::Timestamp;
use frontdesk_core::model::Site;
use serde_json::{Value, json};
use std::time::Duration;

/// Berlin office hours: Monday to Friday 09:00–17:00.
fn office_hours() -> Value {
    let day = json!([{"from":"09:00","to":"17:00"}]);
    json!({"timezone":"Europe/Berlin","weekly":{
        "mon":day,"tue":day,"wed":day,"thu":day,"fri":day}})
}

/// An admin saves `settings` for `site`: the response.
async fn put_settings(admin: &AgentClient, site: &Site, settings: Value) -> reqwest::Response {
    admin
        .http
        .put(format!(
            "{}/api/admin/sites/{}/settings",
            admin.base, site.id
        ))
        .header("Origin", &admin.base)
        .json(&settings)
        .send()
        .await
        .expect("request")
}

/// A Berlin site with `hours`, an admin, and an agent On-Line for it.
async fn site_with_hours(app: &TestApp, hours: Value) -> (Site, AgentClient, Ws) {
    let site = app
        .site_at("Berlin shop", "https://berlin.example", "Europe/Berlin")
        .await;
    let admin = app.agent_with("Ada", true, None).await;
    let resp = put_settings(&admin, &site, json!({"opening_hours": hours})).await;
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let (_alice, ws) = app.online_agent("Alice").await;
    (site, admin, ws)
}

/// Waits until the visitor has been told the site is available (in `welcome` or after it:
/// in cluster mode the agents' presence may reach this node after the visitor).
async fn until_available(v: &mut VisitorClient) {
    if v.welcome["online"] == true {
        return;
    }
    v.ws.wait_for("available", |f| {
        f["type"] == "availability" && f["online"] == true && f.get("opens_at").is_none()
    })
    .await;
}

/// Waits for `availability` saying closed until `opens_at`.
async fn until_closed(v: &mut VisitorClient, opens_at: i64) {
    let f =
        v.ws.wait_for("closed", |f| {
            f["type"] == "availability" && f["online"] == false
        })
        .await;
    assert_eq!(f["opens_at"], opens_at, "{f}");
}

fn at(ms: i64) -> Timestamp {
    Timestamp(ms)
}

/// Wed 2026-11-25 17:00 Berlin (CET): closing time.
const WED_17: i64 = 1_795_622_400_000;
/// Thu 2026-11-26 09:00 Berlin.
const THU_09: i64 = 1_795_680_000_000;

#[tokio::test]
async fn outside_hours_a_chat_request_is_closed_and_an_offline_message_taken() {
    let app = TestApp::spawn().await;
    app.clock.set(at(WED_17 + 3_600_000)); // 18:00
    let (site, admin, _agent) = site_with_hours(&app, office_hours()).await;
    let mut v = app.visitor(&site).await;
    assert_eq!(v.welcome["online"], false, "{}", v.welcome);
    assert_eq!(v.welcome["opens_at"], THU_09, "{}", v.welcome);

    let refused =
        v.ws.request(json!({"type":"chat_request","name":"Ann"}))
            .await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "closed", "{refused}");
    let left =
        v.ws.request(json!({"type":"offline_message","name":"Ann",
            "email":"ann@example.com","body":"Call me tomorrow"}))
            .await;
    assert_eq!(left["type"], "ack", "{left}");

    // "Chat outside opening hours" on: available at once, and the chat goes through.
    let resp = put_settings(
        &admin,
        &site,
        json!({"opening_hours": office_hours(), "chat_outside_hours": true}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    v.ws.wait_for("available", |f| {
        f["type"] == "availability" && f["online"] == true && f.get("opens_at").is_none()
    })
    .await;
    v.request_chat(Some("Ann")).await;
}

#[tokio::test]
async fn availability_flips_at_closing_and_opening_without_a_reconnect() {
    let app = TestApp::spawn().await;
    app.clock.set(at(WED_17 - 60_000)); // 16:59
    let (site, _admin, _agent) = site_with_hours(&app, office_hours()).await;
    let mut v = app.visitor(&site).await;
    until_available(&mut v).await;
    assert!(v.welcome.get("opens_at").is_none(), "{}", v.welcome);

    app.clock.advance(Duration::from_secs(59));
    v.ws.assert_none("availability").await;
    app.clock.advance(Duration::from_secs(1));
    until_closed(&mut v, THU_09).await;
    // Closed, the request is refused: the pop-up never reaches the agent.
    let refused = v.ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(refused["code"], "closed", "{refused}");

    app.clock.set(at(THU_09));
    until_available(&mut v).await;
    v.request_chat(Some("Ann")).await;
}

#[tokio::test]
async fn the_spring_forward_night_opens_at_the_new_offset() {
    // Weekend hours; Berlin springs forward on Sunday 2027-03-28 at 02:00 (CET → CEST).
    let day = json!([{"from":"09:00","to":"17:00"}]);
    let hours = json!({"timezone":"Europe/Berlin","weekly":{"sat":day,"sun":day}});
    let sat_17: i64 = 1_806_163_200_000; // Sat 17:00 CET = 16:00 UTC
    let sun_09: i64 = 1_806_217_200_000; // Sun 09:00 CEST = 07:00 UTC (15 real hours later)
    let app = TestApp::spawn().await;
    app.clock.set(at(sat_17 - 1_000));
    let (site, _admin, _agent) = site_with_hours(&app, hours).await;
    let mut v = app.visitor(&site).await;
    until_available(&mut v).await;

    app.clock.advance(Duration::from_secs(1));
    until_closed(&mut v, sun_09).await;
    // 08:59 CEST: still closed (09:00 CET would be an hour later still).
    app.clock.set(at(sun_09 - 60_000));
    v.ws.assert_none("availability").await;
    app.clock.set(at(sun_09));
    until_available(&mut v).await;
}

#[tokio::test]
async fn a_closed_on_holiday_is_skipped_to_the_next_opening() {
    let mut hours = office_hours();
    hours["closed_on"] = json!(["2026-12-25"]);
    let thu_24_17: i64 = 1_798_128_000_000; // Christmas Eve, Thursday 17:00
    let mon_28_09: i64 = 1_798_444_800_000; // after Christmas Day (Fri) and the weekend
    let app = TestApp::spawn().await;
    app.clock.set(at(thu_24_17 - 1_000));
    let (site, _admin, _agent) = site_with_hours(&app, hours).await;
    let mut v = app.visitor(&site).await;
    until_available(&mut v).await;
    app.clock.advance(Duration::from_secs(1));
    until_closed(&mut v, mon_28_09).await;

    // Friday 10:00, a weekday's opening hours, but the holiday: a new visitor is told so too.
    app.clock.set(at(thu_24_17 + 17 * 3_600_000));
    let mut fresh = app.visitor(&site).await;
    assert_eq!(fresh.welcome["online"], false, "{}", fresh.welcome);
    assert_eq!(fresh.welcome["opens_at"], mon_28_09);
    let refused = fresh.ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(refused["code"], "closed", "{refused}");
    v.ws.assert_none("availability").await;
    app.clock.set(at(mon_28_09));
    until_available(&mut v).await;
}

#[tokio::test]
async fn a_range_crossing_midnight_stays_open_until_it_ends() {
    // Friday night 22:00–02:00 only.
    let hours =
        json!({"timezone":"Europe/Berlin","weekly":{"fri":[{"from":"22:00","to":"02:00"}]}});
    let sat_01: i64 = 1_795_824_000_000; // Sat 2026-11-28 01:00 Berlin
    let sat_02: i64 = 1_795_827_600_000;
    let next_fri_22: i64 = 1_795_813_200_000 + 7 * 86_400_000;
    let app = TestApp::spawn().await;
    app.clock.set(at(sat_01));
    let (site, _admin, _agent) = site_with_hours(&app, hours).await;
    let mut v = app.visitor(&site).await;
    until_available(&mut v).await;
    app.clock.set(at(sat_02));
    until_closed(&mut v, next_fri_22).await;
}

#[tokio::test]
async fn settings_out_of_range_or_with_bad_hours_are_a_typed_400() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let bad = [
        json!({"offer_seconds": 4}),
        json!({"offer_seconds": 601}),
        json!({"waiting_too_long_seconds": 9}),
        json!({"routing": "random"}),
        json!({"opening_hours": {"timezone":"Nowhere/Else","weekly":{}}}),
        json!({"opening_hours": {"timezone":"UTC","weekly":{"mon":[{"from":"25:00","to":"26:00"}]}}}),
        json!({"opening_hours": {"timezone":"UTC","weekly":{"mon":[{"from":"09:00","to":"09:00"}]}}}),
        json!({"opening_hours": {"timezone":"UTC","weekly":{"mon":[
            {"from":"09:00","to":"12:00"},{"from":"11:00","to":"13:00"}]}}}),
        json!({"opening_hours": {"timezone":"UTC","closed_on":["2026-02-30"]}}),
    ];
    for body in bad {
        let resp = put_settings(&admin, &site, body.clone()).await;
        let status = resp.status().as_u16();
        let err: Value = resp.json().await.expect("JSON error body");
        assert_eq!(
            (status, err["code"].as_str()),
            (400, Some("bad_request")),
            "{body}: {err}"
        );
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{err}"
        );
    }
    // Nothing was saved: the site still has the defaults.
    let sites: Value = admin
        .get("/api/admin/sites")
        .await
        .json()
        .await
        .expect("sites");
    let listed = sites
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == site.id.0))
        .expect("site listed");
    assert_eq!(listed["settings"]["offer_seconds"], 30, "{listed}");
    assert!(listed["settings"]["opening_hours"].is_null(), "{listed}");
}

/// Settings saved on one node of a cluster reach the visitors of another node at that node's
/// recheck (a minute), without a reconnect. Needs PostgreSQL and Redis (as `cluster.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hours_saved_on_another_node_reach_its_visitors_within_a_minute() {
    let env = std::sync::Arc::new(crate::backend::ClusterEnv::create().await);
    let (clock, n) = crate::cluster::nodes(&env, 2, |_| {}).await;
    clock.set(at(WED_17 + 3_600_000)); // Wednesday 18:00 Berlin
    let site = n[0]
        .site_at("Berlin shop", "https://berlin.example", "Europe/Berlin")
        .await;
    let admin = n[0].agent_with("Ada", true, None).await;
    let alice = n[0].agent("Alice").await;
    let _alice = crate::cluster::online_on(&alice, &n[1]).await;
    let mut v = n[1].visitor(&site).await;
    until_available(&mut v).await;

    let resp = put_settings(&admin, &site, json!({"opening_hours": office_hours()})).await;
    assert_eq!(resp.status(), 200);
    v.ws.assert_none("availability").await;
    clock.advance(frontdesk::services::hours::RECHECK);
    until_closed(&mut v, THU_09).await;
}

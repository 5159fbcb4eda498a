//! "Visitors on Site" paged (issue 16): the snapshot lists the newest visitors of the
//! monitored sites, at most `limits.visitors_page`, says how many there are in all and gives
//! a cursor; `visitors.more` answers `visitors.page` with the next page. Every visitor once,
//! none missed, the cursor unmoved by visitors arriving or leaving between pages.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

const PAGE: usize = 2;

async fn paged_app() -> TestApp {
    TestApp::spawn_with(|s| s.limits.visitors_page = PAGE).await
}

/// The agent's socket and its snapshot.
async fn console(app: &TestApp, agent: &AgentClient) -> (Ws, Value) {
    let mut ws = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&agent.cookie),
    )
    .await
    .expect("agent socket opens");
    let snapshot = ws.expect("snapshot").await;
    (ws, snapshot)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v["visitor_id"].as_str().expect("id").to_string())
        .collect()
}

/// `n` visitors on `site`, one second apart (the last is the newest), ids oldest first.
async fn visitors(
    app: &TestApp,
    site: &frontdesk_core::model::Site,
    n: usize,
) -> Vec<VisitorClient> {
    let mut out = Vec::new();
    for _ in 0..n {
        app.clock.advance(Duration::from_secs(1));
        out.push(app.visitor(site).await);
    }
    out
}

async fn more(ws: &mut Ws, before: &Value) -> Value {
    ws.request(json!({"type":"visitors.more","before": before}))
        .await
}

#[tokio::test]
async fn the_snapshot_counts_every_visitor_and_pages_cover_each_once() {
    let app = paged_app().await;
    let site = app.site().await;
    let mut vs = visitors(&app, &site, 5).await;
    let newest_first: Vec<String> = vs.iter().rev().map(|v| v.visitor_id.clone()).collect();
    let alice = app.agent("Alice").await;
    let (mut a, snap) = console(&app, &alice).await;
    assert_eq!(snap["visitors_total"], 5, "{snap}");
    assert_eq!(ids(&snap["visitors"]), newest_first[..2], "newest first");
    let next = snap["visitors_next"].clone();
    assert!(next.is_string(), "{snap}");

    // Between two pages a visitor arrives and one already listed leaves: the next page is
    // still the one after the cursor.
    app.clock.advance(Duration::from_secs(1));
    let late = app.visitor(&site).await;
    a.wait_for("the newcomer", |f| {
        f["type"] == "visitor.update" && f["visitor_id"] == late.visitor_id.as_str()
    })
    .await;
    let gone = vs.remove(4); // the newest, on the first page
    let gone_id = gone.visitor_id.clone();
    gone.ws.close().await;
    a.wait_for("the leaver", |f| {
        f["type"] == "visitor.left" && f["visitor_id"] == gone_id.as_str()
    })
    .await;

    let p2 = more(&mut a, &next).await;
    assert_eq!(p2["type"], "visitors.page", "{p2}");
    assert_eq!(ids(&p2["visitors"]), newest_first[2..4], "{p2}");
    assert_eq!(p2["total"], 5, "one came, one left");
    assert_eq!(p2["more"], true);
    let p3 = more(&mut a, &p2["next"]).await;
    assert_eq!(ids(&p3["visitors"]), newest_first[4..], "{p3}");
    assert_eq!(p3["more"], false);
    assert!(p3.get("next").is_none(), "{p3}");

    let mut seen = HashSet::new();
    for id in ids(&snap["visitors"])
        .into_iter()
        .chain(ids(&p2["visitors"]))
        .chain(ids(&p3["visitors"]))
    {
        assert!(seen.insert(id.clone()), "{id} listed twice");
    }
    assert_eq!(seen, newest_first.into_iter().collect(), "none missed");
}

#[tokio::test]
async fn a_site_with_fewer_visitors_than_a_page_gets_them_all_and_no_cursor() {
    let app = paged_app().await;
    let site = app.site().await;
    let vs = visitors(&app, &site, PAGE).await;
    let alice = app.agent("Alice").await;
    let (_a, snap) = console(&app, &alice).await;
    assert_eq!(snap["visitors_total"], PAGE, "{snap}");
    let listed: HashSet<String> = ids(&snap["visitors"]).into_iter().collect();
    let all: HashSet<String> = vs.iter().map(|v| v.visitor_id.clone()).collect();
    assert_eq!(listed, all);
    assert!(snap.get("visitors_next").is_none(), "{snap}");
}

#[tokio::test]
async fn a_bad_cursor_is_refused_and_the_socket_goes_on() {
    let app = paged_app().await;
    let site = app.site().await;
    let _vs = visitors(&app, &site, 3).await;
    let alice = app.agent("Alice").await;
    let (mut a, snap) = console(&app, &alice).await;
    for bad in [json!("nonsense"), json!("12.x.v"), json!("")] {
        let e = more(&mut a, &bad).await;
        assert_eq!(e["type"], "error", "{bad}: {e}");
        assert_eq!(e["code"], "bad_request", "{bad}: {e}");
    }
    // Not a string: the frame is not of the expected shape (answered without its `ref`).
    a.send(json!({"type":"visitors.more","before": 12})).await;
    assert_eq!(a.expect("error").await["code"], "bad_request", "a number");
    // The socket is still there and pages as before.
    let p = more(&mut a, &snap["visitors_next"]).await;
    assert_eq!(p["type"], "visitors.page", "{p}");
    assert_eq!(p["visitors"].as_array().map(Vec::len), Some(1));
}

/// Cluster mode: the visitors of every node are paged together, and a visitor with tabs on
/// two nodes is counted and listed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_pages_every_nodes_visitors_once() {
    let env = std::sync::Arc::new(crate::backend::ClusterEnv::create().await);
    let (clock, n) = crate::cluster::nodes(&env, 2, |s| s.limits.visitors_page = PAGE).await;
    let site = n[0].site().await;
    let watcher = n[0].agent("Walt").await;
    let mut w = crate::cluster::online_on(&watcher, &n[1]).await;
    let mut ids = Vec::new();
    let mut held = Vec::new();
    for i in 0..5 {
        clock.advance(Duration::from_secs(1));
        let v = n[i % 2].visitor(&site).await;
        w.wait_for("the visitor", |f| {
            f["type"] == "visitor.update" && f["visitor_id"] == v.visitor_id.as_str()
        })
        .await;
        ids.push(v.visitor_id.clone());
        held.push(v);
    }
    // The first visitor opens a second tab on the other node.
    let tab = VisitorClient::come_back(&n[1], &site, &held[0].token, 0, None).await;
    assert_eq!(tab.visitor_id, ids[0]);
    w.wait_for("the second tab", |f| {
        f["type"] == "visitor.update" && f["visitor_id"] == ids[0].as_str()
    })
    .await;

    let alice = n[0].agent("Alice").await;
    let (mut a, snap) = console(&n[0], &alice).await;
    assert_eq!(snap["visitors_total"], 5, "{snap}");
    let mut listed = ids_of_pages(&mut a, &snap).await;
    listed.sort();
    let mut all = ids.clone();
    all.sort();
    assert_eq!(listed, all, "every visitor once");
}

/// Every visitor id of the snapshot's page and of the pages after it, in order.
async fn ids_of_pages(ws: &mut Ws, snap: &Value) -> Vec<String> {
    let mut out = ids(&snap["visitors"]);
    let mut next = snap["visitors_next"].clone();
    while next.is_string() {
        let p = more(ws, &next).await;
        assert_eq!(p["type"], "visitors.page", "{p}");
        out.extend(ids(&p["visitors"]));
        next = p["next"].clone();
    }
    out
}

//! `visitor.update` coalescing (issue 16): a visitor's page views reach the agents at most
//! once per second per visitor; the first at once, the latest state when the second is over,
//! and never a state lost. Driven by the test clock: nothing here sleeps.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

const SECOND: Duration = Duration::from_secs(1);

fn page(site: &frontdesk_core::model::Site, path: &str) -> Value {
    json!({"type":"page_view","page":{"url": format!("{}/{path}", site.base_url),"title": path}})
}

fn update_of<'a>(frames: &'a [Value], visitor: &str) -> Vec<&'a Value> {
    frames
        .iter()
        .filter(|f| f["type"] == "visitor.update" && f["visitor_id"] == visitor)
        .collect()
}

/// Several page views within a second: the agent gets the first at once, then exactly one
/// more update, with the latest page, when the second is over (and none of the pages between).
#[tokio::test]
async fn page_views_within_a_second_are_coalesced_and_the_latest_wins() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let id = v.visitor_id.clone();
    a.wait_for("hello's update", |f| {
        f["type"] == "visitor.update" && f["visitor_id"] == id.as_str()
    })
    .await;
    // The hello's second is over: the next page view goes out at once.
    app.clock.advance(SECOND);
    v.ws.send(page(&site, "one")).await;
    let first = a
        .wait_for("page one, at once", |f| {
            f["type"] == "visitor.update" && f["page"]["title"] == "one"
        })
        .await;
    assert_eq!(first["visitor_id"], id.as_str());
    for p in ["two", "three", "four"] {
        v.ws.send(page(&site, p)).await;
    }
    v.ws.drain().await; // the server has handled all three
    let held = a.drain().await;
    assert!(update_of(&held, &id).is_empty(), "held back: {held:?}");
    a.backlog.extend(held);
    // Not yet: 999 ms after the first.
    app.clock.advance(Duration::from_millis(999));
    v.ws.drain().await;
    let held = a.drain().await;
    assert!(update_of(&held, &id).is_empty(), "still held: {held:?}");
    a.backlog.extend(held);
    app.clock.advance(Duration::from_millis(1));
    let latest = a
        .wait_for("the latest page", |f| {
            f["type"] == "visitor.update" && f["visitor_id"] == id.as_str()
        })
        .await;
    assert_eq!(latest["page"]["title"], "four", "{latest}");
    assert_eq!(latest["visit_id"], first["visit_id"]);
    // Exactly one: nothing more comes, however long we wait.
    app.clock.advance(10 * SECOND);
    v.ws.drain().await;
    let after = a.drain().await;
    assert!(update_of(&after, &id).is_empty(), "one update: {after:?}");
    // Every page view was recorded, coalesced or not.
    let visit = app
        .store()
        .latest_visit(site.id, &frontdesk_core::VisitorId(id.clone()))
        .await
        .expect("visit")
        .expect("some visit");
    let titles: Vec<String> = app
        .store()
        .page_views(visit.id)
        .await
        .expect("pages")
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert_eq!(
        titles,
        ["Page /", "one", "two", "three", "four"],
        "{titles:?}"
    );
}

/// A change that is not a page view (a chat request) goes out at once even within the
/// second, with the latest page; the page view held back is then not sent again.
#[tokio::test]
async fn a_chat_request_is_not_held_back() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let id = v.visitor_id.clone();
    a.wait_for("hello's update", |f| {
        f["type"] == "visitor.update" && f["visitor_id"] == id.as_str()
    })
    .await;
    v.ws.send(page(&site, "pricing")).await;
    let chat = v.request_chat(Some("Ann")).await;
    let update = a
        .wait_for("the chat's update", |f| {
            f["type"] == "visitor.update" && f["chat_id"] == chat
        })
        .await;
    assert_eq!(update["page"]["title"], "pricing", "{update}");
    app.clock.advance(2 * SECOND);
    v.ws.drain().await;
    let after = a.drain().await;
    assert!(update_of(&after, &id).is_empty(), "sent once: {after:?}");
}

/// A tab that closes with an update held back: the state goes out at once when another tab
/// stays; when it was the last tab, the agents hear `visitor.left` and no update after it.
#[tokio::test]
async fn a_closing_tab_loses_no_state_and_sends_none_after_leaving() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let v1 = app.visitor(&site).await;
    let id = v1.visitor_id.clone();
    let mut v2 = VisitorClient::connect(&app, &site, Some(&v1.token), None, "/second").await;
    assert_eq!(v2.visitor_id, id);
    v2.ws.send(page(&site, "held")).await;
    v2.ws.drain().await;
    let held = a.drain().await;
    assert!(
        !update_of(&held, &id)
            .iter()
            .any(|f| f["page"]["title"] == "held"),
        "held back: {held:?}"
    );
    a.backlog.extend(held);
    v2.ws.close().await;
    let flushed = a
        .wait_for("the closed tab's page", |f| {
            f["type"] == "visitor.update" && f["page"]["title"] == "held"
        })
        .await;
    assert_eq!(flushed["visitor_id"], id.as_str());
    // The last tab: a page view held back, then the tab closes.
    let mut v1 = v1;
    v1.ws.send(page(&site, "last")).await;
    v1.ws.drain().await;
    v1.ws.close().await;
    a.wait_for("left", |f| {
        f["type"] == "visitor.left" && f["visitor_id"] == id.as_str()
    })
    .await;
    a.backlog.clear(); // frames from before `visitor.left`
    app.clock.advance(2 * SECOND);
    let after = a.drain().await;
    assert!(
        update_of(&after, &id).is_empty(),
        "nothing after left: {after:?}"
    );
}

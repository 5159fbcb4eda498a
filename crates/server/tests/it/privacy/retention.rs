//! The retention task, by the injectable clock: chats that ended longer ago than "Keep chats
//! for" go whole (messages, files, search entries), visits last seen longer ago than "Keep
//! visits and page views for" go with their page views and the visitors left with nothing;
//! newer data stays, and so do the reports' rollups. "Anonymise IP addresses" stores the
//! network of the visitor's address.

use super::{Raw, audited, set_privacy};
use crate::files::{file_id, visitor_upload};
use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(86_400);

/// A chat on `site` by a new visitor saying `word`, with a file, ended by the agent; the
/// visitor, who leaves.
async fn ended_chat(
    app: &TestApp,
    site: &frontdesk_core::model::Site,
    ws: &mut Ws,
    word: &str,
) -> (String, i64) {
    let mut v = app.visitor(site).await;
    let chat = v.request_chat(Some("Ann")).await;
    accept(ws, chat).await;
    v.say(&format!("about {word}")).await;
    file_id(&visitor_upload(app, &v, "note.txt", format!("bytes-{word}").as_bytes()).await);
    assert_eq!(
        ws.request(json!({"type": "end", "chat_id": chat})).await["type"],
        "ack"
    );
    let id = v.visitor_id.clone();
    v.ws.close().await;
    (id, chat)
}

/// Runs the retention task (again each time when `rerun`) until `done` holds (within
/// `WAIT`). The task also runs by itself, woken by the clock's advance: that run may hold the
/// rows when this one comes (PostgreSQL skips rows another run has locked) and commits them a
/// moment later.
async fn retained_until<F, Fut>(app: &TestApp, what: &str, rerun: bool, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut first = true;
    loop {
        if first || rerun {
            frontdesk::services::retention::run(app.app())
                .await
                .expect("run");
        }
        first = false;
        if done().await {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "retention: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn rollup_chats(raw: &Raw) -> i64 {
    raw.count("SELECT CAST(COALESCE(SUM(chats), 0) AS BIGINT) FROM report_hours")
        .await
}

#[tokio::test]
async fn old_chats_files_search_entries_and_visits_go_by_the_clock() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let saved = set_privacy(
        &admin,
        site.id.0,
        json!({"keep_chats_days": 30, "keep_visits_days": 10}),
    )
    .await;
    assert_eq!(saved["settings"]["privacy"]["keep_chats_days"], 30);
    let (_alice, mut ws) = app.online_agent("Alice").await;
    let (old_visitor, old_chat) = ended_chat(&app, &site, &mut ws, "oldkumquat").await;
    app.clock.advance(25 * DAY);
    let (new_visitor, new_chat) = ended_chat(&app, &site, &mut ws, "newlychee").await;
    let raw = Raw::open(&app).await;
    // Messages reach SQLite's index after their commit; the check indexes what is queued.
    app.store()
        .check_search_index()
        .await
        .expect("index matches the text");
    if matches!(raw, Raw::Sqlite(_)) {
        assert_eq!(raw.search_entries("oldkumquat").await, 1);
    }
    frontdesk::services::reports::catch_up(app.store(), 1000)
        .await
        .expect("rollups");
    let rolled = rollup_chats(&raw).await;
    assert_eq!(rolled, 2);

    // 29 days after the old chat: nothing of it goes yet; its visit (older than 10 days) does.
    app.clock.advance(4 * DAY);
    let old_visits = format!("SELECT count(*) FROM visits WHERE visitor_id = '{old_visitor}'");
    retained_until(&app, "the old visit", true, || async {
        raw.count(&old_visits).await == 0
    })
    .await;
    assert_eq!(
        raw.count(&format!("SELECT count(*) FROM chats WHERE id = {old_chat}"))
            .await,
        1
    );
    // The visitor's row stays while they have a chat.
    assert!(!raw.mentions(&old_visitor).await.is_empty());

    // Ended here, the node keeps the old chat as ended (a late accept reads no storage).
    assert_eq!(accept(&mut ws, old_chat).await["code"], "chat_ended");
    // 31 days after: the old chat goes whole, with its file and search entries.
    app.clock.advance(2 * DAY);
    retained_until(&app, "the old chat and visitor", true, || async {
        raw.mentions(&old_visitor).await.is_empty()
    })
    .await;
    // ... and forgets it once deleted; the newer one is still ended.
    assert_eq!(accept(&mut ws, old_chat).await["code"], "not_found");
    assert_eq!(accept(&mut ws, new_chat).await["code"], "chat_ended");
    assert_eq!(raw.mentions(&old_visitor).await, vec![]);
    assert_eq!(raw.mentions("oldkumquat").await, vec![]);
    assert_eq!(raw.search_entries("oldkumquat").await, 0);
    // The newer chat and its visit (6 days old) stay, searchable.
    assert_eq!(
        raw.count(&format!("SELECT count(*) FROM chats WHERE id = {new_chat}"))
            .await,
        1
    );
    assert_eq!(
        raw.count(&format!(
            "SELECT count(*) FROM visits WHERE visitor_id = '{new_visitor}'"
        ))
        .await,
        1
    );
    assert!(!raw.mentions("newlychee").await.is_empty());
    if matches!(raw, Raw::Sqlite(_)) {
        assert_eq!(raw.search_entries("newlychee").await, 1);
    }
    app.store()
        .check_search_index()
        .await
        .expect("index matches the text");
    // The reports' rollups are aggregates: they stay as they were.
    frontdesk::services::reports::catch_up(app.store(), 1000)
        .await
        .expect("rollups");
    assert_eq!(rollup_chats(&raw).await, rolled);
    assert!(audited(&app).await.contains(&"retention_run"));
}

#[tokio::test]
async fn by_default_visits_go_after_ninety_days_and_chats_stay() {
    let app = TestApp::spawn_with(|s| s.retention_batch = 1).await;
    let site = app.site().await;
    let (_alice, mut ws) = app.online_agent("Alice").await;
    let (first, chat) = ended_chat(&app, &site, &mut ws, "firstfig").await;
    let (second, _) = ended_chat(&app, &site, &mut ws, "secondsloe").await;
    let raw = Raw::open(&app).await;
    app.clock.advance(89 * DAY);
    frontdesk::services::retention::run(app.app())
        .await
        .expect("run");
    assert_eq!(raw.count("SELECT count(*) FROM visits").await, 2);
    app.clock.advance(2 * DAY);
    // Batches of one row: one run goes on until nothing is left (not run again here).
    retained_until(&app, "every visit", false, || async {
        raw.count("SELECT count(*) FROM visits").await == 0
    })
    .await;
    assert_eq!(raw.count("SELECT count(*) FROM page_views").await, 0);
    assert_eq!(
        raw.count(&format!("SELECT count(*) FROM chats WHERE id = {chat}"))
            .await,
        1
    );
    for v in [first, second] {
        assert_eq!(
            raw.count(&format!(
                "SELECT count(*) FROM visitors WHERE visitor_id = '{v}'"
            ))
            .await,
            1
        );
    }
}

#[tokio::test]
async fn anonymised_addresses_are_stored_as_their_network() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let whole = app.visitor(&site).await;
    set_privacy(&admin, site.id.0, json!({"anonymise_ip": true})).await;
    let cut = app.visitor(&site).await;
    let raw = Raw::open(&app).await;
    let ip_of = |v: &str| format!("SELECT count(*) FROM visits WHERE visitor_id = '{v}' AND ip = ");
    assert_eq!(
        raw.count(&format!("{}'127.0.0.1'", ip_of(&whole.visitor_id)))
            .await,
        1
    );
    assert_eq!(
        raw.count(&format!("{}'127.0.0.0'", ip_of(&cut.visitor_id)))
            .await,
        1
    );
}

/// Every node runs the task: two runs at once (as two nodes would) delete each chat once
/// between them, without an error or a wait on each other's rows.
#[tokio::test]
async fn two_runs_at_once_share_the_work() {
    let app = TestApp::spawn_with(|s| s.retention_batch = 1).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    set_privacy(&admin, site.id.0, json!({"keep_chats_days": 1})).await;
    let (_alice, mut ws) = app.online_agent("Alice").await;
    for word in ["onefig", "twofig", "threefig", "fourfig"] {
        ended_chat(&app, &site, &mut ws, word).await;
    }
    app.clock.advance(2 * DAY);
    let (a, b) = tokio::join!(
        frontdesk::services::retention::run(app.app()),
        frontdesk::services::retention::run(app.app())
    );
    let (a, b) = (a.expect("first run"), b.expect("second run"));
    // The background task may have taken some too; none is left, none deleted twice.
    assert!(a.chats + b.chats <= 4, "{a:?} {b:?}");
    let raw = Raw::open(&app).await;
    assert_eq!(raw.count("SELECT count(*) FROM chats").await, 0);
    assert_eq!(raw.count("SELECT count(*) FROM file_data").await, 0);
    app.store()
        .check_search_index()
        .await
        .expect("index matches the text");
}

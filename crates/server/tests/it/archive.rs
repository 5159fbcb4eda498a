//! The "Archive" over REST (issue 15): `GET /api/archive` and `/api/archive/count`. Another
//! site's chats never come back, whatever is probed (a `site` filter, a search, a cursor made
//! from their ids, the count), and a foreign `site` reads like a missing one; bad filters are
//! typed 400s; searches are rate-limited per agent. Filters and paging in `archive/filters.rs`,
//! search results (notes, snippets) in `archive/search.rs`. Both backends.

mod filters;
mod search;

use crate::helpers::*;
use crate::rest::{assert_error, chat_with_messages, ok_json};
use serde_json::{Value, json};

/// `GET /api/archive?{query}` as `a`, answered 200: the page.
pub(crate) async fn page(a: &AgentClient, query: &str) -> Value {
    ok_json(a.get(&format!("/api/archive?{query}")).await, 200).await
}

/// The chat ids of `GET /api/archive?{query}`, in order.
pub(crate) async fn ids(a: &AgentClient, query: &str) -> Vec<i64> {
    let p = page(a, query).await;
    p["chats"]
        .as_array()
        .unwrap_or_else(|| panic!("chats in {p}"))
        .iter()
        .map(|c| c["chat_id"].as_i64().expect("chat_id"))
        .collect()
}

/// `GET /api/archive/count?{query}` as `a`: (count, more).
pub(crate) async fn count(a: &AgentClient, query: &str) -> (u64, bool) {
    let c = ok_json(a.get(&format!("/api/archive/count?{query}")).await, 200).await;
    (
        c["count"].as_u64().expect("count"),
        c["more"].as_bool().expect("more"),
    )
}

/// "End Chat" by the agent on `ws`.
pub(crate) async fn end(ws: &mut Ws, chat: i64) {
    assert_eq!(
        ws.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
}

#[tokio::test]
async fn another_sites_chats_never_come_back() {
    let app = TestApp::spawn().await;
    let (site_a, site_b) = (app.site().await, app.site().await);
    let (olive, mut ws) = app.online_agent("Olive").await;
    let (_va, chat_a) = chat_with_messages(&app, &site_a, &mut ws, "Ann", "refund please").await;
    let (_vb, chat_b) =
        chat_with_messages(&app, &site_b, &mut ws, "Bob", "refund secret bravo").await;
    let bea = app.agent_with("Bea", false, Some(vec![site_a.id])).await;
    let ada = app.agent_with("Ada", true, Some(vec![site_a.id])).await;
    let (a, b) = (site_a.id.0, site_b.id.0);

    // Olive belongs to both: the probes below could see B's chat if the rule were broken.
    assert_eq!(ids(&olive, "").await, vec![chat_b, chat_a]);
    assert_eq!(ids(&olive, &format!("site={b}")).await, vec![chat_b]);

    for agent in [&bea, &ada] {
        assert_eq!(ids(agent, "").await, vec![chat_a], "{}", agent.name);
        assert_eq!(ids(agent, &format!("site={a}")).await, vec![chat_a]);
        assert_eq!(count(agent, "").await, (1, false));
        // The agent filter naming Olive, who holds both: still only A's.
        let olive_id = olive.id.0;
        assert_eq!(ids(agent, &format!("agent={olive_id}")).await, vec![chat_a]);
        // A cursor crafted from B's chat ids pages only through A's chats.
        for cursor in [chat_b + 1, chat_b, chat_b.max(chat_a) + 1000] {
            let got = ids(agent, &format!("cursor={cursor}")).await;
            assert!(!got.contains(&chat_b), "cursor {cursor}: {got:?}");
        }
        assert_eq!(
            ids(agent, &format!("cursor={}.1", chat_b + 1)).await,
            vec![chat_a]
        );
        // B's site by filter: exactly like a missing site, on both routes.
        for site in [
            b.to_string(),
            (b + 100).to_string(),
            "x".into(),
            "-1".into(),
            "0".into(),
        ] {
            for route in ["/api/archive", "/api/archive/count"] {
                assert_error(
                    agent.get(&format!("{route}?site={site}")).await,
                    404,
                    "not_found",
                )
                .await;
            }
        }
    }
    // Not signed in: nothing.
    for route in ["/api/archive", "/api/archive/count"] {
        let resp = reqwest::get(format!("{}{route}", app.base))
            .await
            .expect("GET");
        assert_error(resp, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn an_agent_of_no_site_finds_nothing() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut ws) = app.online_agent("Olive").await;
    chat_with_messages(&app, &site, &mut ws, "Ann", "hello").await;
    let nobody = app.agent_with("Nia", false, Some(vec![])).await;
    let p = page(&nobody, "").await;
    assert_eq!(p, json!({"chats": []}));
    assert_eq!(count(&nobody, "").await, (0, false));
    assert_error(
        nobody
            .get(&format!("/api/archive?site={}", site.id.0))
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_filters_are_typed_bad_requests() {
    let app = TestApp::spawn().await;
    let olive = app.agent("Olive").await;
    for query in [
        "rating=9",
        "rating=0",
        "rating=good",
        "from=yesterday",
        "to=2026-02-30",
        "state=closed",
        "agent=x",
        "cursor=abc",
        "cursor=0",
        "cursor=5.x",
        "limit=0",
        "limit=101",
        "limit=many",
        "q=-spam",
        "q=%22%22",
    ] {
        assert_error(
            olive.get(&format!("/api/archive?{query}")).await,
            400,
            "bad_request",
        )
        .await;
        // The count checks the same filters (it ignores cursor and limit only once valid).
        assert_error(
            olive.get(&format!("/api/archive/count?{query}")).await,
            400,
            "bad_request",
        )
        .await;
    }
    let long = "a".repeat(201);
    assert_error(
        olive.get(&format!("/api/archive?q={long}")).await,
        400,
        "bad_request",
    )
    .await;
    // Blank filters are no filters (what an HTML form sends).
    page(
        &olive,
        "site=&agent=&from=&to=&state=&tag=&rating=&q=&cursor=&limit=",
    )
    .await;
}

#[tokio::test]
async fn searches_are_rate_limited_per_agent() {
    let app = TestApp::spawn_with(|s| {
        s.limits.archive_searches = frontdesk::config::Rate {
            per_minute: 1,
            burst: 2,
        };
    })
    .await;
    let site = app.site().await;
    let (olive, mut ws) = app.online_agent("Olive").await;
    chat_with_messages(&app, &site, &mut ws, "Ann", "hello").await;
    let bea = app.agent("Bea").await;
    page(&olive, "q=hello").await;
    count(&olive, "q=hello").await;
    assert_error(olive.get("/api/archive?q=hello").await, 429, "rate_limited").await;
    assert_error(
        olive.get("/api/archive/count?q=hello").await,
        429,
        "rate_limited",
    )
    .await;
    // Lists without a search are not searches; another agent has their own allowance.
    assert_eq!(ids(&olive, "").await.len(), 1);
    page(&bea, "q=hello").await;
}

#[tokio::test]
async fn with_the_index_off_a_search_is_search_off_and_filters_still_work() {
    let app = TestApp::spawn_with(|s| s.search.index = false).await;
    let site = app.site().await;
    let (olive, mut ws) = app.online_agent("Olive").await;
    let (_v, chat) = chat_with_messages(&app, &site, &mut ws, "Ann", "hello").await;
    for route in ["/api/archive", "/api/archive/count"] {
        assert_error(
            olive.get(&format!("{route}?q=hello")).await,
            409,
            "search_off",
        )
        .await;
    }
    assert_eq!(ids(&olive, "state=open").await, vec![chat]);
}

#[tokio::test]
async fn the_openapi_document_has_the_archive() {
    let app = TestApp::spawn().await;
    let doc = app.openapi_document().await;
    for path in ["/api/archive", "/api/archive/count"] {
        let params = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} parameters"));
        let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
        for n in ["site", "agent", "from", "to", "state", "tag", "rating", "q"] {
            assert!(names.contains(&n), "{path}: {n} in {names:?}");
        }
    }
    for schema in ["ArchivePage", "ArchiveHit", "ArchiveCount", "Snippet"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

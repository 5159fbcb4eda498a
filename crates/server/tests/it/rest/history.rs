//! Visit Detail's `has_chat_history`: true exactly when the visitor has a chat other than the one
//! in the agent's window (`?chat_id=`), so "Chat History" never opens an empty list, whether that
//! chat is open or has ended. Without `chat_id`: a chat other than the open one.

use super::*;
use crate::helpers::*;
use serde_json::{Value, json};

/// Visit Detail of `visitor` as seen from the window of `shown` (or with no window).
async fn detail(agent: &AgentClient, site: i64, visitor: &str, shown: Option<i64>) -> Value {
    let query = shown.map(|c| format!("?chat_id={c}")).unwrap_or_default();
    ok_json(
        agent
            .get(&format!("/api/sites/{site}/visitors/{visitor}{query}"))
            .await,
        200,
    )
    .await
}

/// `has_chat_history` from the window of `shown`, checked against the list it opens.
async fn history_from(agent: &AgentClient, site: i64, visitor: &str, shown: i64) -> bool {
    let d = detail(agent, site, visitor, Some(shown)).await;
    let others = d["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter(|c| c["chat_id"] != json!(shown))
        .count();
    let has = d["has_chat_history"].as_bool().expect("has_chat_history");
    assert_eq!(has, others > 0, "button and list agree: {d}");
    has
}

async fn end(ws: &mut Ws, v: &mut VisitorClient, chat: i64) {
    assert_eq!(
        ws.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    v.ws.expect("chat.ended").await;
}

#[tokio::test]
async fn chat_history_means_a_chat_other_than_the_one_in_the_window() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let (s, vid) = (site.id.0, v.visitor_id.clone());

    // The first chat, open: nothing earlier.
    let first = v.request_chat(Some("Ann")).await;
    assert_eq!(accept(&mut ws, first).await["type"], "ack");
    assert!(!history_from(&alice, s, &vid, first).await);
    // Ended, it is still the one in the window: still nothing earlier.
    end(&mut ws, &mut v, first).await;
    assert!(!history_from(&alice, s, &vid, first).await);

    // A second chat: from its window the first is history, open or ended.
    let second = v.request_chat(None).await;
    assert!(history_from(&alice, s, &vid, second).await);
    assert_eq!(accept(&mut ws, second).await["type"], "ack");
    end(&mut ws, &mut v, second).await;
    assert!(history_from(&alice, s, &vid, second).await);
    // The first chat's window lists the second.
    assert!(history_from(&alice, s, &vid, first).await);
}

#[tokio::test]
async fn without_a_window_chat_history_means_a_chat_other_than_the_open_one() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let (s, vid) = (site.id.0, v.visitor_id.clone());
    let first = v.request_chat(None).await;
    assert_eq!(
        detail(&alice, s, &vid, None).await["has_chat_history"],
        false
    );
    assert_eq!(accept(&mut ws, first).await["type"], "ack");
    end(&mut ws, &mut v, first).await;
    assert_eq!(
        detail(&alice, s, &vid, None).await["has_chat_history"],
        true
    );
    assert_error(
        alice
            .get(&format!("/api/sites/{s}/visitors/{vid}?chat_id=first"))
            .await,
        400,
        "bad_request",
    )
    .await;
    // The parameter is in the OpenAPI document.
    let doc = app.openapi_document().await;
    let params = &doc["paths"]["/api/sites/{site_id}/visitors/{visitor_id}"]["get"]["parameters"];
    assert!(
        params.as_array().is_some_and(|ps| ps
            .iter()
            .any(|p| p["name"] == "chat_id" && p["in"] == "query")),
        "{params}"
    );
}

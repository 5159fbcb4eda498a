//! Requeued chats keep their place and tell the visitor; the default routing shows no new
//! frames to old clients.

use super::*;
use serde_json::json;
use std::time::Duration;

/// Vera's chat is taken, then Walt asks; Ann closes Vera's chat: it is back at the head of the
/// queue (its original queue time), and Vera is told `requeued: true`, Walt never is.
#[tokio::test]
async fn requeued_chat_keeps_its_place_and_the_visitor_is_told() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_ann, mut a) = app.online_agent("Ann").await;
    let mut vera = app.visitor(&site).await;
    let first = vera.request_chat(Some("Vera")).await;
    let queued = vera.ws.expect("chat.queued").await;
    assert!(
        queued.get("requeued").is_none(),
        "omitted when false: {queued}"
    );
    assert_eq!(accept(&mut a, first).await["type"], "ack");
    vera.ws.expect("chat.accepted").await;

    app.clock.advance(Duration::from_secs(5));
    let mut walt = app.visitor(&site).await;
    let second = walt.request_chat(Some("Walt")).await;
    let w = walt.ws.expect("chat.queued").await;
    assert_eq!(w["position"], 1);

    app.clock.advance(Duration::from_secs(5));
    a.request(json!({"type":"close","chat_id": first})).await;
    let back = vera
        .ws
        .wait_for("requeued", |f| {
            f["type"] == "chat.queued" && f["requeued"] == true
        })
        .await;
    assert_eq!(back["position"], 1, "ahead of Walt: {back}");
    let again = a.requested(first).await;
    let original = app
        .store()
        .chat(frontdesk_core::ChatId(first))
        .await
        .expect("storage answers");
    assert_eq!(again["chat"]["queued_at"], original.created_at.0);
    let waiting = app.store().waiting_chats(site.id).await.expect("answers");
    let order: Vec<i64> = waiting.iter().map(|c| c.id.0).collect();
    assert_eq!(order, vec![first, second]);
    // Walt (never answered before) is never told `requeued`.
    assert_eq!(accept(&mut a, second).await["type"], "ack");
    for f in walt.ws.drain().await {
        assert!(f.get("requeued").is_none(), "{f}");
    }
}

/// "Everyone (first to answer)" with no caps: a request, an accept, a close and an end show
/// none of the new frames, and `chat.queued` has no `requeued` for a new chat.
#[tokio::test]
async fn default_routing_shows_no_new_frames() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_ann, mut a) = app.online_agent("Ann").await;
    let (_bob, mut b) = app.online_agent("Bob").await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    a.requested(chat).await;
    b.requested(chat).await;
    assert_eq!(accept(&mut b, chat).await["type"], "ack");
    b.request(json!({"type":"end","chat_id": chat})).await;
    v.ws.expect("chat.ended").await;
    for ws in [&mut a, &mut b] {
        for f in ws.drain().await {
            let kind = f["type"].as_str().unwrap_or_default().to_string();
            assert!(
                kind != "chat.offered" && kind != "chat.offer_ended",
                "new frame in the default mode: {f}"
            );
        }
    }
    for f in v.ws.drain().await {
        assert!(f.get("requeued").is_none(), "{f}");
    }
}

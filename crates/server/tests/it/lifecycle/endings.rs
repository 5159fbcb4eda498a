//! A chat ending (rules 7 and 8 of the server-core issue): either side ends it for good, and
//! a block ends it at once and bars the visitor until the end of the site's day.

use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

/// Rule 7: either side ends; both are told; the chat is read-only.
#[tokio::test]
async fn end_by_either_side_is_final() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    accept(&mut a, chat).await;
    let ack = visitor.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(ack["type"], "ack");
    let ended = a
        .wait_for("ended", |f| {
            f["type"] == "chat.ended" && f["chat_id"] == chat
        })
        .await;
    assert_eq!(ended["reason"], "visitor");
    visitor.ws.expect("chat.ended").await;
    assert_eq!(
        agent_say(&mut a, chat, "hello?").await["code"],
        "chat_ended"
    );
    let again = accept(&mut a, chat).await;
    assert_eq!(again["code"], "chat_ended");

    // Agent ends the next one.
    let chat2 = visitor.request_chat(None).await;
    assert_ne!(chat2, chat);
    accept(&mut a, chat2).await;
    assert_eq!(
        a.request(json!({"type":"end","chat_id": chat2})).await["type"],
        "ack"
    );
    visitor
        .ws
        .wait_for("ended", |f| {
            f["type"] == "chat.ended" && f["chat_id"] == chat2
        })
        .await;
    let refused = visitor.message("x1", "hi").await;
    assert_eq!(refused["code"], "not_found");
}

/// Rule 8: block ends the chat at once and bars the visitor (by id and by IP) until the end
/// of the site's day in its time zone.
#[tokio::test]
async fn block_lasts_until_end_of_the_sites_day() {
    let app = TestApp::spawn().await;
    // 12:00 UTC is 21:00 in Tokyo: the block ends at 15:00 UTC.
    let site = app
        .site_at("Tokyo shop", "https://tokyo.example", "Asia/Tokyo")
        .await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut visitor = app.visitor(&site).await;
    let chat = visitor.request_chat(None).await;
    accept(&mut a, chat).await;
    assert_eq!(
        a.request(json!({"type":"block","chat_id": chat})).await["type"],
        "ack"
    );
    visitor
        .ws
        .wait_for("ended", |f| {
            f["type"] == "chat.ended" && f["chat_id"] == chat
        })
        .await;
    let ended = a
        .wait_for("ended", |f| {
            f["type"] == "chat.ended" && f["chat_id"] == chat
        })
        .await;
    assert_eq!(ended["reason"], "blocked");

    let refused = visitor.ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "blocked");
    assert_eq!(refused["message"], "Chat is unavailable today.");
    // Same IP, new visitor id: still blocked.
    let mut fresh = app.visitor(&site).await;
    assert_ne!(fresh.visitor_id, visitor.visitor_id);
    assert_eq!(
        fresh.ws.request(json!({"type":"chat_request"})).await["code"],
        "blocked"
    );
    // 2h59m later (23:59 in Tokyo) still blocked; past midnight Tokyo time, free again.
    app.clock.advance(Duration::from_secs(2 * 3600 + 59 * 60));
    assert_eq!(
        visitor.ws.request(json!({"type":"chat_request"})).await["code"],
        "blocked"
    );
    app.clock.advance(Duration::from_secs(61));
    assert_eq!(
        visitor.ws.request(json!({"type":"chat_request"})).await["type"],
        "ack"
    );
}

//! "Tags" and the "Wrap-up note" (issue 13): set and read over REST, the site's tags as
//! suggestions, typed refusals of bad tags, the wrap-up note stored with "End Chat" (refused
//! before ending when too long), `chat.updated` to the chat's agents, who may (another site's
//! chat reads as missing), and both in the agents' transcripts but never to the visitor.

use crate::helpers::*;
use crate::rest::{assert_error, ok_json, put};
use serde_json::{Value, json};

/// Waits for `chat.updated` of `chat` on an agent socket.
async fn updated(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.updated", move |f| {
        f["type"] == "chat.updated" && f["chat"]["chat_id"] == chat
    })
    .await
}

fn tags_path(chat: i64) -> String {
    format!("/api/chats/{chat}/tags")
}

#[tokio::test]
async fn tags_are_stored_told_and_suggested() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, _visitor, chat) = app.accepted_chat(&site).await;

    let body = ok_json(
        put(
            &alice,
            &tags_path(chat),
            json!({"tags": [" VIP ", "refund", "vip"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["chat_id"], chat);
    assert_eq!(body["tags"], json!(["VIP", "refund"]));
    let f = updated(&mut a, chat).await;
    assert_eq!(f["chat"]["tags"], json!(["VIP", "refund"]));
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["tags"], json!(["VIP", "refund"]));

    // A second chat of the site, then the suggestions: most used first, one per spelling
    // ignoring case.
    let mut v2 = app.visitor(&site).await;
    let chat2 = v2.request_chat(Some("Bo")).await;
    accept(&mut a, chat2).await;
    ok_json(
        put(
            &alice,
            &tags_path(chat2),
            json!({"tags": ["Refund", "bug"]}),
        )
        .await,
        200,
    )
    .await;
    let suggested = ok_json(
        alice.get(&format!("/api/sites/{}/tags", site.id.0)).await,
        200,
    )
    .await;
    assert_eq!(
        suggested,
        json!([
            {"tag": "Refund", "chats": 2},
            {"tag": "bug", "chats": 1},
            {"tag": "VIP", "chats": 1},
        ])
    );
    // `[]` removes them (a summary leaves out tags when there are none).
    let cleared = ok_json(
        put(&alice, &tags_path(chat2), json!({"tags": []})).await,
        200,
    )
    .await;
    assert!(cleared["tags"].is_null(), "{cleared}");
    let read = ok_json(alice.get(&format!("/api/chats/{chat2}")).await, 200).await;
    assert!(read["chat"]["tags"].is_null(), "{read}");
}

#[tokio::test]
async fn bad_tags_are_refused_with_typed_errors_and_nothing_changes() {
    let app = TestApp::spawn_with(|s| {
        s.limits.tag_max_chars = 5;
        s.limits.tags_per_chat = 2;
    })
    .await;
    let site = app.site().await;
    let (alice, _a, _visitor, chat) = app.accepted_chat(&site).await;
    ok_json(
        put(&alice, &tags_path(chat), json!({"tags": ["keep"]})).await,
        200,
    )
    .await;

    let cases = [
        (json!({"tags": ["ok", "  "]}), "empty"),
        (json!({"tags": ["ééééé", "toolong"]}), "too_long"),
        (json!({"tags": ["a", "b", "c"]}), "too_long"),
        (json!({"tags": ["a\nb"]}), "bad_request"),
        (json!({"tags": ["tab\there"]}), "bad_request"),
        (json!({"tags": "vip"}), "bad_request"),
        (json!({"tags": [1]}), "bad_request"),
        (json!({}), "bad_request"),
    ];
    for (body, code) in cases {
        assert_error(put(&alice, &tags_path(chat), body.clone()).await, 400, code).await;
    }
    // Duplicates do not count against the limit.
    ok_json(
        put(&alice, &tags_path(chat), json!({"tags": ["a", "A", "b"]})).await,
        200,
    )
    .await;
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["tags"], json!(["a", "b"]));
}

#[tokio::test]
async fn only_agents_in_the_chat_or_supervisors_may_tag_and_another_site_is_not_found() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let other = app.site().await;
    let (_alice, _a, _visitor, chat) = app.accepted_chat(&site).await;
    let tags = json!({"tags": ["vip"]});

    let outsider = app.agent_with("Olga", false, Some(vec![other.id])).await;
    // Whatever the body: bad tags or a too-long note on another site's chat are not_found too.
    let mut olga = outsider.connect(&app).await;
    let answer = olga
        .request(json!({"type": "end", "chat_id": chat, "wrap_up": "x".repeat(5000)}))
        .await;
    assert_eq!(answer["code"], "not_found", "{answer}");
    assert_error(
        put(&outsider, &tags_path(chat), json!({"tags": [""]})).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(&outsider, &tags_path(chat), tags.clone()).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(
            &outsider,
            &format!("/api/chats/{chat}/wrap-up"),
            json!({"wrap_up": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        outsider
            .get(&format!("/api/sites/{}/tags", site.id.0))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(&outsider, &tags_path(999_999), tags.clone()).await,
        404,
        "not_found",
    )
    .await;

    // An agent of the site who is not in the chat.
    let carol = app.agent_with("Carol", false, Some(vec![site.id])).await;
    assert_error(
        put(&carol, &tags_path(chat), tags.clone()).await,
        409,
        "not_your_chat",
    )
    .await;

    // An admin of the site supervises it.
    let boss = app.agent_with("Boss", true, Some(vec![site.id])).await;
    let body = ok_json(put(&boss, &tags_path(chat), tags).await, 200).await;
    assert_eq!(body["tags"], json!(["vip"]));
    let read = ok_json(carol.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["tags"], json!(["vip"]));
}

#[tokio::test]
async fn the_wrap_up_note_is_stored_with_the_end_and_shown_to_agents_only() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    ok_json(
        put(
            &alice,
            &tags_path(chat),
            json!({"tags": ["VIP", "<b>x</b>"]}),
        )
        .await,
        200,
    )
    .await;
    updated(&mut a, chat).await;

    let note = "Refund sent <i>today</i>.\nFollow up Monday.";
    let ack = a
        .request(json!({"type": "end", "chat_id": chat, "wrap_up": format!("  {note} ")}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = updated(&mut a, chat).await;
    assert_eq!(f["chat"]["wrap_up"], note);
    assert_eq!(f["chat"]["state"], "ended");

    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["state"], "ended");
    assert_eq!(read["chat"]["wrap_up"], note);

    // The agents' transcripts carry both; the HTML escapes them.
    let txt = alice
        .get(&format!("/api/chats/{chat}/transcript.txt"))
        .await
        .text()
        .await
        .expect("text");
    assert!(txt.contains("Tags: VIP, <b>x</b>\n"), "{txt}");
    assert!(txt.contains(&format!("Wrap-up note: {note}\n")), "{txt}");
    let html = alice
        .get(&format!("/api/chats/{chat}/transcript.html"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Tags: VIP, &lt;b&gt;x&lt;/b&gt;"), "{html}");
    assert!(
        html.contains("Wrap-up note: Refund sent &lt;i&gt;today&lt;/i&gt;."),
        "{html}"
    );
    assert!(!html.contains("<i>today"), "{html}");
    let eml = alice
        .get(&format!("/api/chats/{chat}/transcript.eml"))
        .await
        .text()
        .await
        .expect("eml");
    assert!(eml.contains("Follow up Monday."), "{eml}");

    // The visitor hears the end, never the note nor the tags.
    visitor.ws.expect("chat.ended").await;
    for f in visitor.ws.drain().await {
        let text = f.to_string();
        assert!(
            !text.contains("Refund sent") && !text.contains("VIP"),
            "{text}"
        );
    }

    // After the end, tags (Chat History) and the note may still change.
    let later = ok_json(
        put(&alice, &tags_path(chat), json!({"tags": ["done"]})).await,
        200,
    )
    .await;
    assert_eq!(later["tags"], json!(["done"]));
    assert_eq!(updated(&mut a, chat).await["chat"]["tags"], json!(["done"]));
    let fixed = ok_json(
        put(
            &alice,
            &format!("/api/chats/{chat}/wrap-up"),
            json!({"wrap_up": "Refunded."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(fixed["wrap_up"], "Refunded.");
}

#[tokio::test]
async fn a_too_long_wrap_up_is_refused_before_the_chat_ends() {
    let app = TestApp::spawn_with(|s| s.message_max_chars = 10).await;
    let site = app.site().await;
    let (alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;

    let answer = a
        .request(json!({"type": "end", "chat_id": chat, "wrap_up": "é".repeat(11)}))
        .await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(answer["code"], "too_long");
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["state"], "active");
    assert!(read["chat"]["wrap_up"].is_null());
    visitor.ws.assert_none("chat.ended").await;

    // A blank note is no note: the chat ends without one.
    let ack = a
        .request(json!({"type": "end", "chat_id": chat, "wrap_up": "  "}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    visitor.ws.expect("chat.ended").await;
    let read = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(read["chat"]["state"], "ended");
    assert!(read["chat"]["wrap_up"].is_null());
    assert_error(
        put(
            &alice,
            &format!("/api/chats/{chat}/wrap-up"),
            json!({"wrap_up": "x".repeat(11)}),
        )
        .await,
        400,
        "too_long",
    )
    .await;
}

#[tokio::test]
async fn an_agent_who_answered_may_tag_the_chat_after_the_visitor_ended_it() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    let (bob, mut b) = app.online_agent("Bob").await;
    agent_say(&mut a, chat, "Hello!").await;
    // Ended by the visitor: the chat keeps no owner, Alice's own words put her in it.
    let ack = visitor.ws.request(json!({"type": "chat_end"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    a.wait_for("chat.ended", move |f| {
        f["type"] == "chat.ended" && f["chat_id"] == chat
    })
    .await;
    let body = ok_json(
        put(&alice, &tags_path(chat), json!({"tags": ["gone"]})).await,
        200,
    )
    .await;
    assert_eq!(body["tags"], json!(["gone"]));
    assert_eq!(updated(&mut a, chat).await["chat"]["tags"], json!(["gone"]));
    // Bob never was in it: refused, and not told.
    assert_error(
        put(&bob, &tags_path(chat), json!({"tags": ["x"]})).await,
        409,
        "not_your_chat",
    )
    .await;
    for f in b.drain().await {
        assert_ne!(f["type"], "chat.updated", "{f}");
    }
}

//! Each filter of the Archive through REST, and paging with the cursor while new chats arrive.

use super::{count, end, ids, page};
use crate::helpers::*;
use crate::rest::{chat_with_messages, put};
use serde_json::json;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

/// The visitor's rating of an ended chat.
async fn rate(v: &mut VisitorClient, chat: i64, score: u8) {
    let ack =
        v.ws.request(json!({"type":"rate","chat_id": chat,"score": score}))
            .await;
    assert_eq!(ack["type"], "ack", "{ack}");
}

/// One chat in each state, by two agents, tagged and rated: c1 (Alice, ended, tag "Refund",
/// Good) at START; then an hour later c2 (Alice, blocked), c3 (missed), c4 (Bob, ended, Bad),
/// c5 (open, waiting), and c6 on another site.
#[tokio::test]
async fn each_filter_through_rest() {
    let app = TestApp::spawn_with(|s| s.waiting_sweep_ms = 50).await;
    let site = app.site().await;
    let other = app.site().await;
    let (alice, mut a) = app.online_agent("Alice").await;

    let (mut v1, c1) = chat_with_messages(&app, &site, &mut a, "Ann", "where is it").await;
    end(&mut a, c1).await;
    v1.ws.expect("chat.ended").await;
    let tagged = put(
        &alice,
        &format!("/api/chats/{c1}/tags"),
        json!({"tags": ["Refund"]}),
    )
    .await;
    assert_eq!(tagged.status(), 200);
    rate(&mut v1, c1, 5).await;

    app.clock.advance(HOUR);
    let (_v2, c2) = chat_with_messages(&app, &site, &mut a, "Bea", "spam spam").await;

    let mut v3 = app.visitor(&site).await;
    let c3 = v3.request_chat(Some("Cid")).await;
    a.requested(c3).await;
    v3.ws.close().await;
    app.clock.advance(Duration::from_secs(31));
    a.wait_for("missed", |f| {
        f["type"] == "chat.ended" && f["chat_id"] == c3
    })
    .await;

    let (bob, mut b) = app.online_agent("Bob").await;
    let (mut v4, c4) = chat_with_messages(&app, &site, &mut b, "Dee", "thanks").await;
    end(&mut b, c4).await;
    v4.ws.expect("chat.ended").await;
    rate(&mut v4, c4, 1).await;

    let mut v5 = app.visitor(&site).await;
    let c5 = v5.request_chat(Some("Eve")).await;
    // Another site's chat, to see that "Site" narrows.
    let (_vo, c6) = chat_with_messages(&app, &other, &mut a, "Fay", "elsewhere").await;
    // Last: a block keeps this (test) address from asking for chats on the site.
    assert_eq!(
        a.request(json!({"type":"block","chat_id": c2})).await["type"],
        "ack"
    );

    let all = ids(&alice, "").await;
    assert_eq!(all, vec![c6, c5, c4, c3, c2, c1], "newest first");
    let s = site.id.0;
    assert_eq!(
        ids(&alice, &format!("site={s}")).await,
        vec![c5, c4, c3, c2, c1]
    );
    let cases: Vec<(String, Vec<i64>)> = vec![
        (format!("site={s}&state=ended"), vec![c4, c1]),
        (format!("site={s}&state=missed"), vec![c3]),
        (format!("site={s}&state=blocked"), vec![c2]),
        (format!("site={s}&state=open"), vec![c5]),
        (format!("agent={}", bob.id.0), vec![c4]),
        (format!("site={s}&agent={}", alice.id.0), vec![c2, c1]),
        ("tag=refund".into(), vec![c1]),
        ("tag=REFUND".into(), vec![c1]),
        ("tag=refunds".into(), vec![]),
        ("rating=5".into(), vec![c1]),
        ("rating=1".into(), vec![c4]),
        ("rating=3".into(), vec![]),
        // From/To: [from, to) on the creation time, in ms or RFC 3339.
        (
            format!("site={s}&from={}", START.0 + 1),
            vec![c5, c4, c3, c2],
        ),
        (format!("to={}", START.0 + 1), vec![c1]),
        (format!("to={}", START.0), vec![]),
        ("to=2026-11-25T12:30:00Z".into(), vec![c1]),
        (
            "from=2026-11-25T12:30:00Z&to=2026-11-25T15:00:00Z&state=ended".into(),
            vec![c4],
        ),
        (format!("state=ended&agent={}&rating=1", bob.id.0), vec![c4]),
    ];
    for (query, want) in &cases {
        assert_eq!(&ids(&alice, query).await, want, "{query}");
        assert_eq!(
            count(&alice, query).await,
            (want.len() as u64, false),
            "count {query}"
        );
    }

    // What a hit carries: the summary as lists give it, its state, its end.
    let p = page(&alice, &format!("site={s}&state=blocked")).await;
    let hit = &p["chats"][0];
    assert_eq!(
        (hit["archive_state"].as_str(), hit["state"].as_str()),
        (Some("blocked"), Some("ended"))
    );
    assert_eq!(hit["visitor_name"], "Bea");
    assert_eq!(hit["agent_name"], "Alice");
    assert_eq!(hit["site_name"], site.name.as_str());
    assert!(hit["ended_at"].is_i64(), "{hit}");
    assert!(
        hit.get("snippet").is_none(),
        "no snippet without a search: {hit}"
    );
    let p = page(&alice, "rating=5").await;
    assert_eq!(p["chats"][0]["tags"], json!(["Refund"]));
    assert_eq!(p["chats"][0]["rating"]["score"], 5);
    let p = page(&alice, "state=open").await;
    assert_eq!(p["chats"][0]["archive_state"], "open");
    assert!(p["chats"][0].get("ended_at").is_none());
    drop(v5);
}

/// Pages of 2 with the cursor; chats that arrive between requests never shift a later page,
/// and the count sees them.
#[tokio::test]
async fn paging_is_stable_while_new_chats_arrive() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (olive, _ws) = app.online_agent("Olive").await;
    let mut visitors = Vec::new();
    let mut chats = Vec::new();
    for i in 0..5 {
        let mut v = app.visitor(&site).await;
        chats.push(v.request_chat(Some(&format!("V{i}"))).await);
        visitors.push(v);
    }
    chats.reverse(); // newest first
    let first = page(&olive, "limit=2").await;
    let got: Vec<i64> = first["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["chat_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(got, chats[..2]);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("next_cursor")
        .to_string();

    // Two new chats arrive while the agent reads page 1.
    let mut newer = Vec::new();
    for i in 0..2 {
        let mut v = app.visitor(&site).await;
        newer.push(v.request_chat(Some(&format!("N{i}"))).await);
        visitors.push(v);
    }
    let second = page(&olive, &format!("limit=2&cursor={cursor}")).await;
    let got: Vec<i64> = second["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["chat_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(got, chats[2..4], "page 2 goes on where page 1 stopped");
    let cursor = second["next_cursor"].as_str().expect("next_cursor");
    let third = page(&olive, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(third["chats"].as_array().map(Vec::len), Some(1));
    assert_eq!(third["chats"][0]["chat_id"], chats[4]);
    assert!(third.get("next_cursor").is_none(), "last page: {third}");

    // Starting again shows the new ones first; the count has them all.
    newer.reverse();
    assert_eq!(ids(&olive, "limit=2").await, newer);
    assert_eq!(count(&olive, "").await, (7, false));
    assert_eq!(
        count(&olive, "limit=1&cursor=1").await,
        (7, false),
        "count ignores paging"
    );
}

//! "Search chats" through REST: a word, a phrase, notes found by agents, and snippets that stay
//! text: a visitor's `<b>` comes back as the characters `<b>`, and the highlight ranges (UTF-16)
//! mark exactly the matched word. The search semantics themselves are the stores' conformance
//! suite's; here only what the REST layer adds.

use super::{count, ids, page};
use crate::helpers::*;
use crate::rest::chat_with_messages;
use serde_json::{Value, json};

/// The text a highlight range marks (UTF-16 offsets).
fn marked(snippet: &Value, i: usize) -> String {
    let text: Vec<u16> = snippet["text"]
        .as_str()
        .expect("text")
        .encode_utf16()
        .collect();
    let r = &snippet["highlights"][i];
    let (start, end) = (
        r[0].as_u64().expect("start") as usize,
        r[1].as_u64().expect("end") as usize,
    );
    String::from_utf16(&text[start..end]).expect("utf-16")
}

#[tokio::test]
async fn searches_find_words_phrases_and_notes_and_snippets_stay_text() {
    let app = TestApp::spawn().await;
    let (site_a, site_b) = (app.site().await, app.site().await);
    let (olive, mut ws) = app.online_agent("Olive").await;
    let hostile = "Ünïcode 😀 <b>refund</b> & <script>alert(1)</script> order number 42";
    let (_v1, c1) = chat_with_messages(&app, &site_a, &mut ws, "Ann", hostile).await;
    let (_v2, c2) = chat_with_messages(&app, &site_a, &mut ws, "Bob", "number of the order").await;
    let note = ws
        .request(json!({"type":"note","chat_id": c2,"client_id": unique("n"),
            "body": "Zebra account, call back"}))
        .await;
    assert_eq!(note["type"], "ack", "{note}");
    let (_v3, c3) =
        chat_with_messages(&app, &site_b, &mut ws, "Cy", "refund zebra on site B").await;
    let bea = app.agent_with("Bea", false, Some(vec![site_a.id])).await;

    // A word; a phrase (words in order) against the same words out of order.
    assert_eq!(ids(&olive, "q=refund").await, vec![c3, c1]);
    assert_eq!(ids(&bea, "q=refund").await, vec![c1], "never site B");
    assert_eq!(count(&bea, "q=refund").await, (1, false));
    assert_eq!(ids(&bea, "q=%22order%20number%22").await, vec![c1]);
    assert_eq!(ids(&bea, "q=order%20number").await, vec![c2, c1]);
    // Notes are agents' text: found, and the snippet says where.
    assert_eq!(ids(&bea, "q=zebra").await, vec![c2]);
    let p = page(&bea, "q=zebra").await;
    let snippet = &p["chats"][0]["snippet"];
    assert_eq!(snippet["matched_in"], "note", "{snippet}");
    assert_eq!(marked(snippet, 0).to_lowercase(), "zebra");

    // The hostile message: its snippet is the stored text, `<b>` and all, as JSON text.
    let resp = bea.get("/api/archive?q=refund").await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json")),
        "JSON"
    );
    let raw = resp.text().await.expect("body");
    assert!(raw.contains("<b>refund</b>"), "stored text as is: {raw}");
    let p: Value = serde_json::from_str(&raw).expect("JSON");
    let snippet = &p["chats"][0]["snippet"];
    assert_eq!(snippet["matched_in"], "message", "{snippet}");
    let text = snippet["text"].as_str().expect("text");
    assert!(
        text.contains("<b>refund</b>") && text.contains("😀"),
        "{text}"
    );
    assert!(
        hostile.contains(text.trim_matches('…')),
        "only stored text: {text:?}"
    );
    assert_eq!(marked(snippet, 0), "refund");
}

//! Structured logs (`FRONTDESK_LOG_FORMAT=json`) of the real binary: a request's lines carry
//! its `req_id` inside its connection's `conn_id`, a WebSocket's lines keep the `conn_id` of
//! the connection it upgraded, and a chat's state change carries its `chat_id`.

use crate::helpers::process::add_site;
use crate::sighup::{next_json, spawn, wait_log};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// The JSON line whose message contains `needle`, parsed.
fn line_with(seen: &[String], needle: &str) -> Value {
    let line = seen
        .iter()
        .rev()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// A field of any span the line was logged in (`spans` lists them, outermost first).
fn span_field<'a>(line: &'a Value, field: &str) -> Option<&'a Value> {
    line["spans"].as_array()?.iter().find_map(|s| s.get(field))
}

#[tokio::test]
async fn json_logs_carry_request_connection_and_chat_ids() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("frontdesk.toml"), "").expect("config");
    let site = add_site(dir.path(), "Shop", "https://shop.example");
    let env = [("FRONTDESK_LOG_FORMAT", "json"), ("FRONTDESK_LOG", "debug")];
    let (mut child, addr, mut logs) = spawn(dir.path(), &env, "http").await;
    let mut seen = Vec::new();

    let body = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("healthz")
        .text()
        .await
        .expect("body");
    assert_eq!(body, "ok");
    wait_log(&mut logs, &mut seen, "request done").await;
    let done = line_with(&seen, "request done");
    assert!(span_field(&done, "req_id").is_some(), "no req_id: {done}");
    assert!(span_field(&done, "conn_id").is_some(), "no conn_id: {done}");
    assert_eq!(
        span_field(&done, "path"),
        Some(&json!("/healthz")),
        "{done}"
    );

    let mut req = format!("ws://{addr}/ws/visitor?site={site}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", HeaderValue::from_static("https://shop.example"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
    let hello = json!({"type":"hello","page":{"url":"https://shop.example/","title":"Home"}});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .expect("hello");
    assert_eq!(next_json(&mut ws).await["type"], "welcome");
    wait_log(&mut logs, &mut seen, "WebSocket open").await;
    let open = line_with(&seen, "WebSocket open");
    let conn = span_field(&open, "conn_id")
        .expect("conn_id on the socket")
        .clone();
    assert!(span_field(&open, "req_id").is_some(), "{open}");

    ws.send(Message::Text(
        json!({"type":"chat_request","name":"Vera"})
            .to_string()
            .into(),
    ))
    .await
    .expect("chat request");
    let ack = loop {
        let v = next_json(&mut ws).await;
        if v["type"] == "ack" || v["type"] == "error" {
            break v;
        }
    };
    let chat_id = ack["chat_id"].clone();
    assert!(chat_id.is_i64(), "{ack}");
    ws.send(Message::Text(json!({"type":"chat_end"}).to_string().into()))
        .await
        .expect("chat end");
    wait_log(&mut logs, &mut seen, "chat state changed").await;
    let changed = line_with(&seen, "chat state changed");
    assert_eq!(
        span_field(&changed, "chat_id").map(|v| v.to_string().trim_matches('"').to_string()),
        Some(chat_id.to_string()),
        "{changed}"
    );
    assert_eq!(span_field(&changed, "conn_id"), Some(&conn), "{changed}");
    child.kill().await.expect("kill");
}

//! Webhooks that outlive a process killed with SIGKILL, and three nodes delivering each event
//! exactly once.

use super::receiver::{Mode, Receiver};
use crate::backend::ClusterEnv;
use crate::cluster::nodes;
use crate::helpers::process::{add_site, serve};
use crate::helpers::*;
use frontdesk_core::store::{SiteStore, WebhookStore};
use frontdesk_core::webhooks::{EventKind, NewWebhook};
use frontdesk_core::{SiteKey, Timestamp};
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SHOP: &str = "https://hooks-shop.example";
const CONFIG: &str = "[limits]\nvisitor_messages = { per_minute = 100000, burst = 10000 }\n\
                      [webhooks]\nallow_private_addresses = true\npoll_ms = 50\n\
                      connect_timeout_ms = 500\ntimeout_ms = 1000\n";

/// A visitor on `addr` asks for a chat and sends `n` messages; each acknowledged. The server
/// is killed with SIGKILL right after the last acknowledgement.
async fn chat_then_kill(addr: &str, key: &str, n: usize, child: &mut tokio::process::Child) {
    let mut req = format!("ws://{addr}/ws/visitor?site={key}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", SHOP.parse().expect("origin"));
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let (mut tx, mut rx) = ws.split();
    let mut send = async |v: Value| {
        tx.send(Message::Text(v.to_string().into()))
            .await
            .expect("send")
    };
    send(json!({"type":"hello","page":{"url": format!("{SHOP}/"),"title":"t"}})).await;
    send(json!({"type":"chat_request","ref":"c","name":"Ann"})).await;
    for i in 0..n {
        send(json!({"type":"message","client_id": format!("m{i}"),"body": format!("body {i}")}))
            .await;
    }
    let mut acked = HashSet::new();
    while acked.len() < n {
        let f = match tokio::time::timeout(WAIT, rx.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Text(t))) => serde_json::from_str::<Value>(t.as_str()).expect("json"),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        };
        assert_ne!(f["type"], "error", "{f}");
        if f["type"] == "ack" && f["seq"].is_i64() {
            acked.insert(f["seq"].as_i64().unwrap_or_default());
        }
    }
    child.start_kill().expect("kill -9");
    let _ = child.wait().await;
}

#[tokio::test]
async fn events_outlive_kill_9_and_arrive_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let key = add_site(dir.path(), "Hooks", SHOP);
    let rx = Receiver::start(Mode::Fail).await;
    {
        let store = SqliteStore::open(&dir.path().join("frontdesk.db"), SqliteOptions::default())
            .await
            .expect("store");
        let site = store
            .site_by_key(&SiteKey(key.clone()))
            .await
            .expect("site");
        store
            .create_webhook(NewWebhook {
                site_id: site.id,
                url: rx.url.clone(),
                events: vec![EventKind::ChatStarted, EventKind::MessageCreated],
                enabled: true,
                secret: "whsec_test".into(),
                created_at: Timestamp(0),
            })
            .await
            .expect("webhook");
    }
    let (mut child, addr) = serve(dir.path(), CONFIG, &[]).await;
    let n = 30;
    chat_then_kill(&addr, &key, n, &mut child).await;
    // Every attempt before the kill was refused; the receiver now works.
    rx.set(Mode::Ok);
    let (_child, _addr) = serve(dir.path(), CONFIG, &[]).await;
    let got = rx.until("every event", |g| g.len() > n).await;
    let mut seen: Vec<String> = Vec::new();
    for r in &got {
        let id = r.json["id"].as_str().unwrap_or_default().to_string();
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    let mut want = vec!["chat.started:1:v1".to_string()];
    want.extend((1..=n).map(|s| format!("message.created:1:{s}")));
    assert_eq!(seen, want, "each event, in order (at least once)");
}

/// Three nodes on one database: each event is delivered once, by one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_deliver_each_event_exactly_once() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 3, super::loopback).await;
    let site = n[0].site().await;
    let admin = n[0].agent_with("Ada", true, None).await;
    let rx = Receiver::start(Mode::Ok).await;
    super::create(
        &admin,
        site.id,
        &rx.url,
        &["chat.started", "message.created"],
    )
    .await;
    // The other nodes learn of the webhook through the bus: wait until each writes events.
    let mut chats = Vec::new();
    for node in &n {
        let mut v = node.visitor(&site).await;
        let chat = v.request_chat(Some("Ann")).await;
        chats.push((v, chat));
    }
    rx.until("a start from each node", |g| {
        super::events_of(g)
            .iter()
            .filter(|e| *e == "chat.started")
            .count()
            >= 3
    })
    .await;
    for round in 0..10 {
        for (v, _) in &mut chats {
            v.say(&format!("round {round}")).await;
        }
    }
    let total = 3 + 30;
    rx.until("every event", |g| g.len() >= total).await;
    // Give a double delivery time to show up before counting.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = rx.accepted();
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *count
            .entry(r.json["id"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    assert_eq!(count.len(), total, "{count:?}");
    assert!(count.values().all(|c| *c == 1), "{count:?}");
    // In order per chat.
    for (_, chat) in &chats {
        let seqs: Vec<i64> = got
            .iter()
            .filter(|r| r.json["data"]["chat_id"] == *chat)
            .filter_map(|r| r.json["data"]["message"]["seq"].as_i64())
            .collect();
        assert_eq!(seqs, (1..=10).collect::<Vec<_>>(), "chat {chat}");
    }
}

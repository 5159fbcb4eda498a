//! Webhooks that outlive a process killed with SIGKILL, and three nodes delivering each event
//! exactly once.

use super::receiver::{Mode, Receiver};
use crate::backend::ClusterEnv;
use crate::cluster::nodes;
use crate::cluster_kill::Node;
use crate::helpers::process::{add_site, serve};
use crate::helpers::*;
use frontdesk_core::model::NewSite;
use frontdesk_core::store::{SiteStore, WebhookStore};
use frontdesk_core::webhooks::{EventKind, NewWebhook};
use frontdesk_core::{SiteKey, Timestamp};
use frontdesk_store_postgres::{PgOptions, PgStore};
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

/// A visitor on `addr` asks for a chat and sends `n` messages; returns once each is
/// acknowledged (the caller kills the server with SIGKILL right then).
async fn chat(addr: &str, key: &str, n: usize) {
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
}

/// The webhook the kill tests use: chat starts and messages, to `url`.
fn hook(site: frontdesk_core::SiteId, url: &str) -> NewWebhook {
    NewWebhook {
        site_id: site,
        url: url.to_string(),
        events: vec![EventKind::ChatStarted, EventKind::MessageCreated],
        enabled: true,
        secret: "whsec_test".into(),
        created_at: Timestamp(0),
    }
}

/// Each event of the chat (`chat.started`, then `n` messages) at least once, in order.
async fn everything_arrives(rx: &Receiver, chat: i64, n: usize) {
    let got = rx.until("every event", |g| g.len() > n).await;
    let mut seen: Vec<String> = Vec::new();
    for r in &got {
        let id = r.json["id"].as_str().unwrap_or_default().to_string();
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    let mut want = vec![format!("chat.started:{chat}:v1")];
    want.extend((1..=n).map(|s| format!("message.created:{chat}:{s}")));
    assert_eq!(seen, want, "each event, in order (at least once)");
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
            .create_webhook(hook(site.id, &rx.url))
            .await
            .expect("webhook");
    }
    let (mut child, addr) = serve(dir.path(), CONFIG, &[]).await;
    let n = 30;
    chat(&addr, &key, n).await;
    child.start_kill().expect("kill -9");
    let _ = child.wait().await;
    // Every attempt before the kill was refused; the receiver now works.
    rx.set(Mode::Ok);
    let (_child, _addr) = serve(dir.path(), CONFIG, &[]).await;
    everything_arrives(&rx, 1, n).await;
}

/// The same with cluster nodes on PostgreSQL: the node the chat ran on is killed; another
/// node, started after, delivers everything.
#[tokio::test]
async fn events_outlive_kill_9_of_a_cluster_node() {
    let env = ClusterEnv::create().await;
    let rx = Receiver::start(Mode::Fail).await;
    let key = unique("key");
    {
        let store = PgStore::connect(env.db.url(), PgOptions::default())
            .await
            .expect("database");
        let site = store
            .create_site(
                NewSite {
                    key: SiteKey(key.clone()),
                    name: "Hooks".into(),
                    base_url: SHOP.into(),
                    timezone: "UTC".into(),
                    allowed_origins: vec![],
                    email: None,
                },
                Timestamp(1),
            )
            .await
            .expect("site");
        store
            .create_webhook(hook(site.id, &rx.url))
            .await
            .expect("webhook");
    }
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let node = Node::spawn(&env, &config).await;
    let n = 30;
    chat(&node.addr.to_string(), &key, n).await;
    node.kill9().await;
    rx.set(Mode::Ok);
    let _other = Node::spawn(&env, &config).await;
    everything_arrives(&rx, 1, n).await;
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

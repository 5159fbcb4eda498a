//! `kill -9` in the middle of a message storm, several times in a row: after each restart every
//! acknowledged message is there exactly once, per-chat sequences have no gaps, and resends with
//! the same client id are not doubled. Run once with durability broken on purpose to show that
//! the check catches loss.

use crate::helpers::WAIT;
use crate::helpers::process::{add_site, serve};
use frontdesk_core::store::{ChatStore, SiteStore};
use frontdesk_core::{ChatId, Seq, SiteKey};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SHOP: &str = "https://crash-shop.example";

const STORM: &str = "[limits]\nvisitor_messages = { per_minute = 10000000, burst = 1000000 }\n";

/// The server on `dir`, durable or (`unsafe_mode`) acknowledging before the commit.
async fn start(dir: &Path, unsafe_mode: bool) -> (tokio::process::Child, String) {
    let extra: &[&str] = if unsafe_mode {
        &["--unsafe-ack-before-commit"]
    } else {
        &[]
    };
    serve(dir, STORM, extra).await
}

fn site_key(dir: &Path) -> String {
    add_site(dir, "Crash", SHOP)
}

/// One storm: connect as the visitor, send `total` messages without waiting, kill -9 the server
/// after `kill_after` acks. Returns (token, acked client id → seq).
#[allow(clippy::too_many_arguments)]
async fn storm(
    addr: &str,
    key: &str,
    token: Option<String>,
    round: usize,
    total: usize,
    kill_after: usize,
    resend: &[(String, i64)],
    child: &mut tokio::process::Child,
) -> (String, HashMap<String, i64>) {
    let mut req = format!("ws://{addr}/ws/visitor?site={key}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", SHOP.parse().expect("origin"));
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let (mut tx, mut rx) = ws.split();
    macro_rules! send {
        ($v:expr) => {
            tx.send(Message::Text($v.to_string().into()))
                .await
                .expect("send")
        };
    }
    macro_rules! next {
        () => {
            loop {
                match tokio::time::timeout(WAIT, rx.next())
                    .await
                    .expect("frame in time")
                {
                    Some(Ok(Message::Text(t))) => {
                        break serde_json::from_str::<Value>(t.as_str()).expect("json");
                    }
                    Some(Ok(_)) => continue,
                    other => panic!("socket ended: {other:?}"),
                }
            }
        };
    }
    send!(json!({"type":"hello","token": token,"page":{"url": format!("{SHOP}/"),"title":"t"}}));
    let welcome = loop {
        let f = next!();
        if f["type"] == "welcome" {
            break f;
        }
    };
    let token = welcome["token"].as_str().expect("token").to_string();
    if welcome["chat"].is_null() {
        send!(json!({"type":"chat_request","ref":"c"}));
    }
    // Resends of messages acknowledged before the last crash: same seq, nothing new.
    for (cid, _) in resend {
        send!(json!({"type":"message","client_id": cid,"body": format!("body {cid}")}));
    }
    let mut acked: HashMap<String, i64> = HashMap::new();
    let mut resent: HashMap<String, i64> = HashMap::new();
    let expected_resends: HashMap<&str, i64> =
        resend.iter().map(|(c, s)| (c.as_str(), *s)).collect();
    let mut sent = 0;
    loop {
        // Keep up to 64 messages in flight.
        while sent < total && sent < acked.len() + 64 {
            let cid = format!("r{round}-{sent}");
            send!(json!({"type":"message","client_id": cid,"body": format!("body {cid}")}));
            sent += 1;
        }
        let f = next!();
        if f["type"] == "ack" && f["seq"].is_i64() {
            let cid = f["ref"].as_str().expect("ref").to_string();
            let seq = f["seq"].as_i64().expect("seq");
            if let Some(&want) = expected_resends.get(cid.as_str()) {
                assert_eq!(seq, want, "a resend keeps its seq");
                resent.insert(cid, seq);
            } else {
                acked.insert(cid, seq);
            }
            if acked.len() >= kill_after {
                child.start_kill().expect("kill -9");
                let _ = child.wait().await;
                assert_eq!(resent.len(), resend.len(), "every resend was answered");
                return (token, acked);
            }
        } else if f["type"] == "error" {
            panic!("unexpected error {f}");
        }
    }
}

/// Every acknowledged message present exactly once (same seq), seqs 1..=n without gaps.
/// Returns the number of acknowledged messages that are missing.
async fn check(dir: &Path, key: &str, all_acked: &HashMap<String, i64>) -> usize {
    let store = frontdesk_store_sqlite::SqliteStore::open(
        &dir.join("frontdesk.db"),
        frontdesk_store_sqlite::SqliteOptions::default(),
    )
    .await
    .expect("open");
    let site = store
        .site_by_key(&SiteKey(key.to_string()))
        .await
        .expect("site");
    let chats = store.open_chats(&[site.id]).await.expect("chats");
    let chat: ChatId = chats.first().expect("the chat").id;
    let messages = store
        .messages_after(chat, Seq(0), 1_000_000)
        .await
        .expect("messages");
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.seq.0, i as i64 + 1, "no gaps, no reordering");
    }
    let mut by_cid: HashMap<&str, Vec<i64>> = HashMap::new();
    for m in &messages {
        by_cid
            .entry(m.client_id.as_deref().unwrap_or(""))
            .or_default()
            .push(m.seq.0);
    }
    assert!(
        by_cid.values().all(|v| v.len() == 1),
        "no message stored twice"
    );
    let mut missing = 0;
    for (cid, seq) in all_acked {
        match by_cid.get(cid.as_str()) {
            Some(v) => assert_eq!(v[0], *seq, "{cid} kept its acknowledged seq"),
            None => missing += 1,
        }
    }
    missing
}

#[tokio::test]
async fn kill_9_mid_storm_loses_no_acknowledged_message() {
    let dir = tempfile::tempdir().expect("dir");
    let key = site_key(dir.path());
    let mut token = None;
    let mut all: HashMap<String, i64> = HashMap::new();
    let mut last_round: Vec<(String, i64)> = Vec::new();
    for round in 0..5 {
        let (mut child, addr) = start(dir.path(), false).await;
        let (t, acked) = storm(
            &addr,
            &key,
            token.clone(),
            round,
            5_000,
            300 + round * 97,
            &last_round,
            &mut child,
        )
        .await;
        token = Some(t);
        let mut sorted: Vec<(String, i64)> = acked.iter().map(|(c, s)| (c.clone(), *s)).collect();
        sorted.sort_by_key(|(_, s)| *s);
        last_round = sorted.iter().rev().take(20).cloned().collect();
        all.extend(acked);
        assert_eq!(
            check(dir.path(), &key, &all).await,
            0,
            "round {round}: acknowledged messages lost"
        );
    }
    assert!(all.len() >= 1_500);
}

/// The same check, against a server that acknowledges before committing: it must see the loss.
#[tokio::test]
async fn the_crash_check_catches_acknowledged_loss() {
    let dir = tempfile::tempdir().expect("dir");
    let key = site_key(dir.path());
    // A first clean round makes the chat durable.
    let (mut child, addr) = start(dir.path(), false).await;
    let (token, mut all) = storm(&addr, &key, None, 0, 50, 10, &[], &mut child).await;
    let (mut child, addr) = start(dir.path(), true).await;
    let (_, acked) = storm(&addr, &key, Some(token), 1, 2_000, 200, &[], &mut child).await;
    all.extend(acked);
    let missing = check(dir.path(), &key, &all).await;
    assert!(
        missing > 0,
        "the check must notice acknowledged messages that were never committed"
    );
}

//! kill -9 during uploads (SQLite, a real server process): every acknowledged file is there
//! with its bytes and its message; no file row or bytes without their message.

use super::sha256;
use crate::helpers::WAIT;
use crate::helpers::process::{add_site, serve};
use frontdesk_core::files::FileId;
use frontdesk_core::store::{ChatStore, SiteStore};
use frontdesk_core::{Seq, SiteKey};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SHOP: &str = "https://upload-crash.example";

async fn start(dir: &Path) -> (tokio::process::Child, String) {
    serve(
        dir,
        "[limits]\nfile_uploads = { per_minute = 1000000, burst = 100000 }\n",
        &[],
    )
    .await
}

fn site_key(dir: &Path) -> String {
    add_site(dir, "Uploads", SHOP)
}

/// A visitor with an open chat on the site `key` (whose base URL is `shop`): their token (the
/// socket is kept open by the caller).
async fn visitor_with_chat(
    addr: &str,
    key: &str,
    shop: &str,
) -> (
    String,
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) {
    let mut req = format!("ws://{addr}/ws/visitor?site={key}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", shop.parse().expect("origin"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let mut send = async |v: Value| {
        ws.send(Message::Text(v.to_string().into()))
            .await
            .expect("send")
    };
    send(json!({"type":"hello","page":{"url": format!("{shop}/"),"title":"t"}})).await;
    send(json!({"type":"chat_request","ref":"c"})).await;
    let mut token = None;
    loop {
        let f = match tokio::time::timeout(WAIT, ws.next()).await.expect("frame") {
            Some(Ok(Message::Text(t))) => serde_json::from_str::<Value>(t.as_str()).expect("json"),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        };
        if f["type"] == "welcome" {
            token = f["token"].as_str().map(str::to_string);
        }
        if f["type"] == "ack" && f["chat_id"].is_i64() {
            return (token.expect("welcome before the ack"), ws);
        }
    }
}

fn content(i: usize) -> Vec<u8> {
    format!("upload {i}\n").repeat(2_000 + i * 97).into_bytes()
}

/// 60 uploads at once into the visitor's open chat on `addr`; once ten are acknowledged the
/// server is killed (`kill`, which returns once the process is gone). Returns every upload
/// acknowledged, by number (answers already on their way when it died count too).
pub(super) async fn uploads_killed_midway<F: std::future::Future<Output = ()>>(
    addr: &str,
    key: &str,
    shop: &str,
    kill: F,
) -> HashMap<usize, Value> {
    let (token, ws) = visitor_with_chat(addr, key, shop).await;
    let (acks, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Value)>();
    let http = reqwest::Client::new();
    for i in 0..60 {
        let (http, acks, addr, key, token, shop) = (
            http.clone(),
            acks.clone(),
            addr.to_string(),
            key.to_string(),
            token.clone(),
            shop.to_string(),
        );
        tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .text("site", key)
                .text("token", token)
                .text("client_id", format!("u{i}"))
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(content(i)).file_name(format!("{i}.txt")),
                );
            let sent = http
                .post(format!("http://{addr}/api/visitor/files"))
                .header("Origin", shop)
                .multipart(form)
                .send()
                .await;
            if let Ok(resp) = sent
                && resp.status().as_u16() == 201
                && let Ok(body) = resp.json::<Value>().await
            {
                let _ = acks.send((i, body));
            }
        });
    }
    drop(acks);
    let mut acked = HashMap::new();
    while let Some((i, body)) = tokio::time::timeout(WAIT, acked_rx.recv())
        .await
        .expect("acks in time")
    {
        acked.insert(i, body);
        if acked.len() == 10 {
            break;
        }
    }
    kill.await;
    drop(ws);
    assert!(
        acked.len() >= 10,
        "ten uploads acknowledged before the kill"
    );
    while let Ok(Some((i, body))) =
        tokio::time::timeout(std::time::Duration::from_millis(200), acked_rx.recv()).await
    {
        acked.insert(i, body);
    }
    acked
}

/// Every upload in `acked` is in `store`'s chat `chat`, at its seq, with its bytes; the chat
/// holds as many file rows as file messages.
pub(super) async fn every_acknowledged_file_is_there(
    store: &dyn frontdesk_core::store::Store,
    chat: frontdesk_core::ChatId,
    acked: &HashMap<usize, Value>,
) {
    let messages = store
        .messages_after(chat, Seq(0), 1_000)
        .await
        .expect("messages");
    for (i, body) in acked {
        let id = FileId(body["file"]["id"].as_str().expect("id").to_string());
        let m = messages
            .iter()
            .find(|m| m.file.as_ref().map(|f| &f.id) == Some(&id))
            .unwrap_or_else(|| panic!("acknowledged upload {i} lost"));
        assert_eq!(m.seq.0, body["seq"].as_i64().expect("seq"));
        let data = store.file_data(&id, false).await.expect("bytes");
        assert_eq!(sha256(&data), sha256(&content(*i)));
    }
    let file_messages = messages.iter().filter(|m| m.file.is_some()).count();
    let rows = store.files_in_chat(chat).await.expect("count");
    assert_eq!(
        rows as usize, file_messages,
        "a file row without its message"
    );
}

#[tokio::test]
async fn kill_9_during_uploads_loses_no_acknowledged_file_and_leaves_no_orphan() {
    let dir = tempfile::tempdir().expect("dir");
    let key = site_key(dir.path());
    let (mut child, addr) = start(dir.path()).await;
    let acked = uploads_killed_midway(&addr, &key, SHOP, async {
        child.start_kill().expect("kill -9");
        let _ = child.wait().await;
    })
    .await;

    let db = dir.path().join("frontdesk.db");
    let store = frontdesk_store_sqlite::SqliteStore::open(
        &db,
        frontdesk_store_sqlite::SqliteOptions::default(),
    )
    .await
    .expect("open");
    let site = store.site_by_key(&SiteKey(key)).await.expect("site");
    let chat = store.open_chats(&[site.id]).await.expect("chats")[0].id;
    every_acknowledged_file_is_there(&store, chat, &acked).await;
    drop(store);
    let conn = rusqlite::Connection::open(&db).expect("raw");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let orphans = count(
        "SELECT count(*) FROM files f LEFT JOIN messages m \
         ON m.chat_id = f.chat_id AND m.seq = f.seq WHERE m.seq IS NULL",
    );
    let bytes_alone = count(
        "SELECT count(*) FROM file_data d LEFT JOIN files f ON f.id = d.id WHERE f.id IS NULL",
    );
    let rows_alone = count(
        "SELECT count(*) FROM files f LEFT JOIN file_data d ON d.id = f.id WHERE d.id IS NULL",
    );
    let messages_alone = count(
        "SELECT count(*) FROM messages m LEFT JOIN files f \
         ON f.chat_id = m.chat_id AND f.seq = m.seq WHERE m.kind = 'file' AND f.id IS NULL",
    );
    assert_eq!(
        (orphans, bytes_alone, rows_alone, messages_alone),
        (0, 0, 0, 0)
    );
}

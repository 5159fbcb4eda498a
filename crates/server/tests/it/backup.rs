//! `frontdesk backup` and `frontdesk restore`, run as real processes: a backup taken while a
//! real server takes a stream of visitor messages holds every message acknowledged before it
//! started; the restored directory is served; damaged, newer and misplaced restores are
//! refused with a clear message.

use crate::helpers::WAIT;
use crate::helpers::process;
use frontdesk_core::store::{ChatStore, SiteStore};
use frontdesk_core::{Seq, SiteKey};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const SHOP: &str = "https://backup-shop.example";

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn serve(dir: &Path) -> (tokio::process::Child, String) {
    process::serve(
        dir,
        "[limits]\nvisitor_messages = { per_minute = 10000000, burst = 1000000 }\n",
        &[],
    )
    .await
}

/// Runs `frontdesk ARGS` to its end.
async fn frontdesk(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("frontdesk runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

async fn next(rx: &mut SplitStream<Ws>) -> Value {
    loop {
        match tokio::time::timeout(WAIT, rx.next())
            .await
            .expect("frame in time")
        {
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str()).expect("json");
            }
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

async fn send(tx: &mut SplitSink<Ws, Message>, v: Value) {
    tx.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

/// A visitor with an open chat: (sender, receiver, token, chat id).
async fn visitor(
    addr: &str,
    key: &str,
    token: Option<&str>,
) -> (SplitSink<Ws, Message>, SplitStream<Ws>, String, i64) {
    let mut req = format!("ws://{addr}/ws/visitor?site={key}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", SHOP.parse().expect("origin"));
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let (mut tx, mut rx) = ws.split();
    send(
        &mut tx,
        json!({"type":"hello","token": token,"page":{"url": format!("{SHOP}/"),"title":"t"}}),
    )
    .await;
    let welcome = loop {
        let f = next(&mut rx).await;
        if f["type"] == "welcome" {
            break f;
        }
    };
    let token = welcome["token"].as_str().expect("token").to_string();
    let chat = if welcome["chat"].is_null() {
        send(&mut tx, json!({"type":"chat_request","ref":"c"})).await;
        loop {
            let f = next(&mut rx).await;
            if f["type"] == "ack" && f["ref"] == "c" {
                break f["chat_id"].as_i64().expect("chat id");
            }
        }
    } else {
        welcome["chat"]["chat_id"].as_i64().expect("chat id")
    };
    (tx, rx, token, chat)
}

/// Acknowledged messages: client id → (chat, seq).
type Acked = Arc<Mutex<HashMap<String, (i64, i64)>>>;

/// Sends messages (up to 16 in flight) until `stop`, recording every ack.
/// Returns the visitor's token and chat.
async fn stream(
    addr: String,
    key: String,
    name: &'static str,
    acked: Acked,
    stop: Arc<AtomicBool>,
) -> (String, i64) {
    let (mut tx, mut rx, token, chat) = visitor(&addr, &key, None).await;
    let mut sent = 0usize;
    let mut answered = 0usize;
    loop {
        while !stop.load(Ordering::SeqCst) && sent < answered + 16 {
            let cid = format!("{name}-{sent}");
            send(
                &mut tx,
                json!({"type":"message","client_id": cid,"body": cid}),
            )
            .await;
            sent += 1;
        }
        if answered == sent {
            return (token, chat);
        }
        let f = next(&mut rx).await;
        if f["type"] == "ack" && f["seq"].is_i64() {
            let cid = f["ref"].as_str().expect("ref").to_string();
            let seq = f["seq"].as_i64().expect("seq");
            acked.lock().expect("acks").insert(cid, (chat, seq));
            answered += 1;
        } else if f["type"] == "error" {
            panic!("unexpected error {f}");
        }
    }
}

async fn wait_for_acks(acked: &Acked, at_least: usize) {
    tokio::time::timeout(WAIT, async {
        while acked.lock().expect("acks").len() < at_least {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the stream goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_mid_stream_restores_every_acknowledged_message_and_serves() {
    let root = tempfile::tempdir().expect("dir");
    let live = root.path().join("live");
    let out = frontdesk(&[
        "--data-dir",
        live.to_str().expect("path"),
        "site",
        "add",
        "--name",
        "Shop",
        "--url",
        SHOP,
        "--json",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = serde_json::from_slice::<Value>(&out.stdout).expect("json")["key"]
        .as_str()
        .expect("key")
        .to_string();
    let (mut server, addr) = serve(&live).await;

    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let streams: Vec<_> = ["ann", "bob"]
        .into_iter()
        .map(|name| {
            tokio::spawn(stream(
                addr.clone(),
                key.clone(),
                name,
                acked.clone(),
                stop.clone(),
            ))
        })
        .collect();
    wait_for_acks(&acked, 200).await;

    // Everything acknowledged before the backup starts must be in it.
    let before: HashMap<String, (i64, i64)> = acked.lock().expect("acks").clone();
    let file = root.path().join("frontdesk.backup");
    let out = frontdesk(&[
        "--data-dir",
        live.to_str().expect("path"),
        "backup",
        "--to",
        file.to_str().expect("path"),
        "--json",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    // The writer was not held up: the stream goes on after the backup.
    let after_backup = acked.lock().expect("acks").len();
    wait_for_acks(&acked, after_backup + 100).await;
    stop.store(true, Ordering::SeqCst);
    let mut visitors = Vec::new();
    for s in streams {
        visitors.push(s.await.expect("stream"));
    }
    let _ = server.start_kill();
    let _ = server.wait().await;

    assert_eq!(report["manifest"]["tables"]["sites"], 1);
    let in_manifest = report["manifest"]["tables"]["messages"]
        .as_i64()
        .expect("message count");
    assert!(
        in_manifest >= before.len() as i64,
        "{in_manifest} messages in the backup, {} acknowledged before it",
        before.len()
    );
    let meta = std::fs::metadata(&file).expect("backup file");
    assert_eq!(report["bytes"].as_u64(), Some(meta.len()));
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            meta.permissions().mode() & 0o777,
            0o600,
            "the backup is private"
        );
    }

    let restored = root.path().join("restored");
    let out = frontdesk(&[
        "--data-dir",
        restored.to_str().expect("path"),
        "restore",
        "--from",
        file.to_str().expect("path"),
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(restored.join("frontdesk.db"))
            .expect("restored database")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the restored database is private");
        let dir_mode = std::fs::metadata(&restored)
            .expect("restored dir")
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700, "a new data directory is private");
    }
    assert!(
        text(&out.stdout).starts_with("Restored into "),
        "{}",
        text(&out.stdout)
    );

    // Every message acknowledged before the backup started, at its seq.
    let store = frontdesk_store_sqlite::SqliteStore::open(
        &restored.join("frontdesk.db"),
        frontdesk_store_sqlite::SqliteOptions::default(),
    )
    .await
    .expect("the restored database opens");
    let site = store
        .site_by_key(&SiteKey(key.clone()))
        .await
        .expect("site");
    let chats = store.open_chats(&[site.id]).await.expect("chats");
    assert_eq!(chats.len(), 2);
    let mut stored: HashMap<String, (i64, i64)> = HashMap::new();
    for c in &chats {
        for m in store
            .messages_after(c.id, Seq(0), 1_000_000)
            .await
            .expect("messages")
        {
            if let Some(cid) = m.client_id {
                stored.insert(cid, (c.id.0, m.seq.0));
            }
        }
    }
    drop(store);
    for (cid, at) in &before {
        assert_eq!(
            stored.get(cid),
            Some(at),
            "{cid} acknowledged before the backup"
        );
    }
    assert_eq!(stored.len() as i64, in_manifest);

    // The restored directory is served: a visitor comes back to their chat and goes on after
    // the last message the backup holds.
    let (token, chat) = visitors[0].clone();
    let last = stored
        .values()
        .filter(|(c, _)| *c == chat)
        .map(|(_, seq)| *seq)
        .max()
        .expect("messages in the chat");
    let (mut server, addr) = serve(&restored).await;
    let (mut tx, mut rx, _, back_in) = visitor(&addr, &key, Some(&token)).await;
    assert_eq!(back_in, chat, "the visitor is back in their chat");
    send(
        &mut tx,
        json!({"type":"message","client_id":"new-1","body":"after the restore"}),
    )
    .await;
    loop {
        let f = next(&mut rx).await;
        if f["type"] == "ack" && f["ref"] == "new-1" {
            assert_eq!(f["seq"], last + 1);
            break;
        }
    }
    let _ = server.start_kill();
    let _ = server.wait().await;
}

#[tokio::test]
async fn restore_refuses_damaged_newer_and_non_empty_targets() {
    let root = tempfile::tempdir().expect("dir");
    let live = root.path().join("live");
    let live_s = live.to_str().expect("path");
    let out = frontdesk(&[
        "--data-dir",
        live_s,
        "site",
        "add",
        "--name",
        "S",
        "--url",
        SHOP,
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = root.path().join("good.backup");
    let file_s = file.to_str().expect("path");
    let out = frontdesk(&["--data-dir", live_s, "backup", "--to", file_s]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Rows: sites 1"),
        "{}",
        text(&out.stdout)
    );
    let good = std::fs::read(&file).expect("backup");

    let restore = |from: String, dir: String| async move {
        frontdesk(&["--data-dir", &dir, "restore", "--from", &from]).await
    };
    let target = |n: &str| root.path().join(n).to_str().expect("path").to_string();
    let variant = |name: &str, bytes: &[u8]| {
        let p = root.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_str().expect("path").to_string()
    };

    // A byte flipped in the compressed database.
    let mut flipped = good.clone();
    let at = good.len() - 40;
    flipped[at] ^= 0xff;
    let out = restore(variant("flipped.backup", &flipped), target("t1")).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is damaged"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !root.path().join("t1/frontdesk.db").exists(),
        "nothing restored"
    );

    // Cut short.
    let out = restore(
        variant("short.backup", &good[..good.len() / 2]),
        target("t2"),
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is damaged"),
        "{}",
        text(&out.stderr)
    );

    // Not a backup at all.
    let out = restore(variant("other.backup", b"hello\n"), target("t3")).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not a Frontdesk backup"),
        "{}",
        text(&out.stderr)
    );

    // Written by a newer schema.
    let header_end = good
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .expect("header")
        .0;
    let text_head = text(&good[..header_end]);
    let newer_head = text_head.replacen(
        &format!(
            "\"schema\":{},",
            frontdesk_store_sqlite::backup::latest_version()
        ),
        "\"schema\":99,",
        1,
    );
    assert_ne!(newer_head, text_head);
    let mut newer_file = newer_head.into_bytes();
    newer_file.extend_from_slice(&good[header_end..]);
    let out = restore(variant("newer.backup", &newer_file), target("t4")).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("written by a newer Frontdesk (schema version 99"),
        "{}",
        text(&out.stderr)
    );

    // A data directory that is in use.
    let out = restore(file_s.to_string(), live_s.to_string()).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );

    // The good file still restores.
    let out = restore(file_s.to_string(), target("t5")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = frontdesk(&["--data-dir", &target("t5"), "site", "list"]).await;
    assert!(text(&out.stdout).contains(SHOP), "{}", text(&out.stdout));
}

//! The upgrade path from one SQLite node to a PostgreSQL cluster, through the command line:
//! `frontdesk export` on the SQLite data directory, `frontdesk migrate` and
//! `frontdesk import` on PostgreSQL; then a cluster node serves the same chats, visitors and
//! agents. Exporting the imported database gives back the very same file.

use crate::backend::ClusterEnv;
use crate::helpers::*;
use frontdesk::clock::{Clock, ManualClock};
use frontdesk_core::VisitorId;
use frontdesk_core::model::NewBlock;
use serde_json::{Value, json};
use std::process::Command;
use std::sync::Arc;

fn frontdesk(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .output()
        .expect("frontdesk runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_node_moves_to_postgres_with_export_and_import() {
    // A single SQLite node with some history (whatever backend the suite runs on).
    let app = TestApp::spawn_with(|s| {
        s.database_url = None;
        s.redis_url = None;
    })
    .await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;
    let mut a = alice.connect(&app).await;
    a.request(json!({"type":"status","status":"online"})).await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(Some("Vera")).await;
    accept(&mut a, chat).await;
    v.say("hello from before the move").await;
    agent_say(&mut a, chat, "welcome").await;
    // A file travels with its chat (bytes as hex in the dump).
    let file_id = crate::files::file_id(
        &crate::files::visitor_upload(&app, &v, "shot.png", crate::files::PNG).await,
    );
    let store = app.store();
    store
        .create_canned(site.id, None, "Hi", "Hello!", None)
        .await
        .expect("canned");
    store
        .create_block(NewBlock {
            site_id: site.id,
            visitor_id: VisitorId("someone-else".into()),
            ip: Some("198.51.100.7".into()),
            chat_id: None,
            blocked_by: alice.id,
            created_at: app.now(),
            until: app.now().plus_millis(3_600_000),
        })
        .await
        .expect("block");
    let token = v.token.clone();
    drop(a);
    drop(v);
    let mut app = app;
    let data_dir = app.dir.path().display().to_string();
    let clock = app.clock.clone();
    app.running.take().expect("running").stop().await;

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("export.jsonl");
    let file = file.to_str().expect("path");
    let (ok, _, err) = frontdesk(&["--data-dir", &data_dir, "export", "--out", file]);
    assert!(ok, "{err}");
    let exported = std::fs::read_to_string(file).expect("export");
    let first: Value =
        serde_json::from_str(exported.lines().next().expect("header")).expect("json");
    assert_eq!(first["frontdesk_export"], 1);
    for table in [
        "sites",
        "agents",
        "chats",
        "messages",
        "visits",
        "page_views",
        "settings",
        "files",
        "file_data",
    ] {
        assert!(
            exported.contains(&format!("\"table\":\"{table}\"")),
            "{table} exported"
        );
    }

    // The cluster's database: migrated, then loaded.
    let env = Arc::new(ClusterEnv::create().await);
    let url = env.db.url();
    let (ok, out, err) = frontdesk(&["--database-url", url, "migrate"]);
    assert!(ok && out.contains("Applied migrations 1"), "{out}{err}");
    let (ok, out, _) = frontdesk(&["--database-url", url, "migrate"]);
    assert!(ok && out.contains("up to date"), "{out}");
    let (ok, _, err) = frontdesk(&["--database-url", url, "import", "--in", file]);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("Imported {} rows", exported.lines().count() - 1)),
        "{err}"
    );
    // Importing twice is refused: the database is no longer empty.
    let (ok, _, err) = frontdesk(&["--database-url", url, "import", "--in", file]);
    assert!(!ok && err.contains("empty"), "{err}");
    // Exporting PostgreSQL gives the same file.
    let again = dir.path().join("again.jsonl");
    let again = again.to_str().expect("path");
    let (ok, _, err) = frontdesk(&["--database-url", url, "export", "--out", again]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read_to_string(again).expect("export"), exported);

    // A cluster node serves it all: the visitor's token, the chat and its messages, the
    // agent's password; new rows get new ids.
    let node = TestApp::node(&env, &ManualClock::new(clock.now()), |_| {}).await;
    let mut back = VisitorClient::connect(&node, &site, Some(&token), Some(0), "/").await;
    assert_eq!(back.welcome["chat"]["chat_id"], chat);
    let bodies: Vec<Value> = back
        .ws
        .drain()
        .await
        .into_iter()
        .filter(|f| f["type"] == "message")
        .map(|f| f["body"].clone())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!("hello from before the move"),
            json!("welcome"),
            json!("shot.png")
        ]
    );
    let served = crate::files::visitor_get(&node, &file_id, false, &token).await;
    assert_eq!(
        (served.status, served.bytes.as_slice()),
        (200, crate::files::PNG)
    );
    assert_eq!(back.say("and after").await, 4);
    let again = AgentClient::sign_in(&node, alice.id, &alice.email, "Alice").await;
    let mut a = again.connect(&node).await;
    assert_eq!(agent_say(&mut a, chat, "still here").await["seq"], 5);
    let newer = node.site().await;
    assert!(newer.id > site.id, "ids continue after the imported ones");
    assert!(
        node.store()
            .active_block(
                site.id,
                &VisitorId("x".into()),
                Some("198.51.100.7"),
                node.now()
            )
            .await
            .expect("blocks")
            .is_some()
    );
}

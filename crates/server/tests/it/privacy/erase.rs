//! "Export visitor data" and "Erase visitor" (admins, REST): the export holds the visitor's
//! visits, page views, chats with every message and file, blocks; the erasure deletes all of
//! it, the chat whole with the agent's messages too, and no row or file bytes mention the
//! visitor afterwards (the database read directly). A visitor on the site is disconnected.

use super::{Raw, audited};
use crate::files::{agent_upload, file_id, visitor_upload};
use crate::helpers::*;
use crate::rest::{assert_error, delete, ok_json};
use serde_json::json;

#[tokio::test]
async fn export_holds_everything_and_erase_leaves_no_row_or_file() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let (alice, mut ws, mut v, chat) = app.accepted_chat(&site).await;
    // A webhook of the site: its deliveries (sent or not) hold the chat's messages.
    crate::webhooks::create(
        &admin,
        site.id,
        "https://hooks.example.com/frontdesk",
        &["message.created"],
    )
    .await;
    v.say("my parcel zebrafinch never came").await;
    let visitor_file = file_id(&visitor_upload(&app, &v, "receipt.txt", b"bytes-quokkafile").await);
    agent_say(&mut ws, chat, "Sorry about the zebrafinch parcel").await;
    let agent_file =
        file_id(&agent_upload(&alice, chat, "label.txt", b"bytes-wombatfile", None).await);
    // "Block visitor" ends the chat and stores a block with the visitor's address.
    assert_eq!(
        ws.request(json!({"type": "block", "chat_id": chat})).await["type"],
        "ack"
    );

    let base = format!("/api/admin/sites/{}/visitors/{}", site.id, v.visitor_id);
    let export = ok_json(admin.get(&format!("{base}/export")).await, 200).await;
    assert_eq!(export["visitor_id"], v.visitor_id.as_str());
    assert_eq!(export["visitor"]["name"], "Ann");
    let visits = export["visits"].as_array().expect("visits");
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["ip"], "127.0.0.1");
    assert_eq!(
        visits[0]["page_views"][0]["url"],
        format!("{}/", site.base_url)
    );
    let chats = export["chats"].as_array().expect("chats");
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0]["id"], chat);
    let bodies: Vec<&str> = chats[0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&"my parcel zebrafinch never came"),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&"Sorry about the zebrafinch parcel"),
        "{bodies:?}"
    );
    let files: Vec<&str> = chats[0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["file"]["id"].as_str())
        .collect();
    assert_eq!(files, [visitor_file.as_str(), agent_file.as_str()]);
    assert_eq!(export["blocks"].as_array().map(Vec::len), Some(1));
    assert_eq!(export["offline_messages"], json!([]));

    // Before: the database holds the visitor, the words and the files' bytes.
    let raw = Raw::open(&app).await;
    assert!(!raw.mentions(&v.visitor_id).await.is_empty());
    assert!(!raw.mentions("quokkafile").await.is_empty());
    assert!(
        raw.mentions("zebrafinch")
            .await
            .iter()
            .any(|(table, _)| table == "webhook_deliveries"),
        "the webhook deliveries hold the messages: {:?}",
        raw.mentions("zebrafinch").await
    );
    // Messages reach SQLite's index after their commit; the check indexes what is queued.
    app.store()
        .check_search_index()
        .await
        .expect("index matches the text");
    if matches!(raw, Raw::Sqlite(_)) {
        assert_eq!(raw.search_entries("zebrafinch").await, 2);
    }

    let erased = ok_json(delete(&admin, &base).await, 200).await;
    assert_eq!(erased["chats"], 1);
    // The visitor, still on the site, is disconnected.
    assert!(v.ws.closed_by_server().await);

    for needle in [
        v.visitor_id.as_str(),
        "zebrafinch",
        "quokkafile",
        "wombatfile",
        "receipt.txt",
        "Ann",
    ] {
        assert_eq!(raw.mentions(needle).await, vec![], "{needle}");
    }
    assert_eq!(raw.search_entries("zebrafinch").await, 0);
    assert_eq!(
        raw.count(&format!("SELECT count(*) FROM chats WHERE id = {chat}"))
            .await,
        0
    );
    assert_eq!(raw.count("SELECT count(*) FROM file_data").await, 0);
    app.store()
        .check_search_index()
        .await
        .expect("index matches the text");
    // The chat and its files are gone for the agent too.
    assert_eq!(alice.get(&format!("/api/chats/{chat}")).await.status(), 404);
    assert_eq!(
        alice
            .get(&format!("/api/files/{agent_file}"))
            .await
            .status(),
        404
    );
    // Nothing left to export; both actions audited.
    assert_error(admin.get(&format!("{base}/export")).await, 404, "not_found").await;
    let actions = audited(&app).await;
    assert!(
        actions.starts_with(&["visitor_erased", "visitor_exported"]),
        "{actions:?}"
    );
}

#[tokio::test]
async fn erase_is_refused_while_the_chat_is_open_and_for_non_admins() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let (alice, mut ws, v, chat) = app.accepted_chat(&site).await;
    let base = format!("/api/admin/sites/{}/visitors/{}", site.id, v.visitor_id);
    assert_error(delete(&alice, &base).await, 403, "forbidden").await;
    assert_error(alice.get(&format!("{base}/export")).await, 403, "forbidden").await;
    assert_error(delete(&admin, &base).await, 409, "chat_open").await;
    assert_eq!(
        ws.request(json!({"type": "end", "chat_id": chat})).await["type"],
        "ack"
    );
    let erased = ok_json(delete(&admin, &base).await, 200).await;
    assert_eq!(erased["chats"], 1);
    // The node kept the chat as recently ended; erased, it is gone for the agent too.
    assert_eq!(accept(&mut ws, chat).await["code"], "not_found");
    let unknown = format!("/api/admin/sites/{}/visitors/nobody", site.id);
    assert_error(delete(&admin, &unknown).await, 404, "not_found").await;
}

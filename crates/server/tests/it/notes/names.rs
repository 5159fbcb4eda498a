//! "Show all agents' names" (`show_agent_names`, default on): the visitor's `message` of a
//! colleague's reply carries `author_name` when on, none when off; the owner's reply never
//! does (a transfer stays invisible). The setting is this node's copy: saved here, it applies
//! at once; written elsewhere (another node of a cluster), within a minute.
//!
//! Colleagues join through the colleagues work (issue 13); here a colleague's reply is stored
//! and delivered the way a message is (`services::messages::deliver`), which is the path the
//! setting is wired into.

use super::message_with;
use crate::helpers::*;
use frontdesk_core::ChatId;
use frontdesk_core::model::{Author, MessageKind, NewMessage, Site};
use frontdesk_core::site_settings::SiteSettings;
use serde_json::Value;
use std::time::Duration;

/// Bob's reply in Alice's chat, stored and delivered like any message.
pub(super) async fn colleague_reply(app: &TestApp, chat: i64, bob: &AgentClient, body: &str) {
    let chat = app.store().chat(ChatId(chat)).await.expect("chat");
    let appended = app
        .store()
        .append_message(NewMessage {
            chat_id: chat.id,
            author: Author::Agent { agent: bob.id },
            author_name: Some(bob.name.clone()),
            kind: MessageKind::Text,
            body: body.to_string(),
            client_id: None,
            created_at: app.now(),
            file: None,
        })
        .await
        .expect("stored");
    frontdesk::services::messages::deliver(app.app(), &chat, &appended.message).await;
}

/// Saves the site's team settings with "Show all agents' names" `on`, as an admin.
pub(super) async fn save_names(admin: &AgentClient, site: &Site, on: bool) {
    let settings = SiteSettings {
        show_agent_names: on,
        ..SiteSettings::default()
    };
    let resp = admin
        .http
        .put(format!(
            "{}/api/admin/sites/{}/settings",
            admin.base, site.id
        ))
        .header("Origin", &admin.base)
        .json(&settings)
        .send()
        .await
        .expect("PUT");
    assert_eq!(resp.status(), 200);
    let saved: Value = resp.json().await.expect("JSON");
    assert_eq!(saved["settings"]["show_agent_names"], on, "{saved}");
}

#[tokio::test]
async fn a_colleagues_reply_is_named_only_when_the_site_shows_names() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, mut a, mut visitor, chat) = app.accepted_chat(&site).await;
    let bob = app.agent("Bob").await;
    let admin = app.agent_with("Root", true, None).await;
    assert!(site.settings.show_agent_names, "on by default");

    colleague_reply(&app, chat, &bob, "bob one").await;
    let m = message_with(&mut visitor.ws, "bob one").await;
    assert_eq!(m["author_name"], "Bob", "{m}");
    assert!(m.get("agent_id").is_none(), "never an id: {m}");
    agent_say(&mut a, chat, "alice one").await;
    let m = message_with(&mut visitor.ws, "alice one").await;
    assert!(
        m.get("author_name").is_none(),
        "the owner's reply is never named: {m}"
    );

    // Off, saved on this node: at once.
    save_names(&admin, &site, false).await;
    colleague_reply(&app, chat, &bob, "bob two").await;
    let m = message_with(&mut visitor.ws, "bob two").await;
    assert!(m.get("author_name").is_none(), "{m}");
    // The replay of the whole chat follows the setting too.
    let mut tab = VisitorClient::connect(&app, &site, Some(&visitor.token), Some(0), "/").await;
    let frames = tab.ws.drain().await;
    let named: Vec<&Value> = frames
        .iter()
        .filter(|f| f["type"] == "message" && f.get("author_name").is_some())
        .collect();
    assert!(named.is_empty(), "{named:?}");
    assert_eq!(
        frames.iter().filter(|f| f["type"] == "message").count(),
        3,
        "{frames:?}"
    );

    // Written by another node (straight to storage): this node follows within a minute.
    let mut stored = app.store().site(site.id).await.expect("site");
    stored.settings.show_agent_names = true;
    app.store().update_site(&stored).await.expect("saved");
    colleague_reply(&app, chat, &bob, "bob three").await;
    let m = message_with(&mut visitor.ws, "bob three").await;
    assert!(
        m.get("author_name").is_none(),
        "this node's copy is young: {m}"
    );
    app.clock.advance(Duration::from_secs(60));
    colleague_reply(&app, chat, &bob, "bob four").await;
    let m = message_with(&mut visitor.ws, "bob four").await;
    assert_eq!(m["author_name"], "Bob", "a minute on, read again: {m}");
    // And the replay names the colleague's replies again, never the owner's.
    let mut tab = VisitorClient::connect(&app, &site, Some(&visitor.token), Some(0), "/").await;
    let frames = tab.ws.drain().await;
    let names: Vec<(&str, Option<&str>)> = frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| Some((f["body"].as_str()?, f["author_name"].as_str())))
        .collect();
    assert_eq!(
        names,
        vec![
            ("bob one", Some("Bob")),
            ("alice one", None),
            ("bob two", Some("Bob")),
            ("bob three", Some("Bob")),
            ("bob four", Some("Bob")),
        ]
    );
}

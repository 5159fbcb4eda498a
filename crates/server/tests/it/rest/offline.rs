//! Offline messages ("Leave a message") from the visitor socket: stored, listed to agents and
//! emailed to the site through the fake SMTP sink; a blocked visitor (by id or by IP) is refused
//! with `blocked`, and nothing is stored or emailed.

use super::chats::{fake_smtp, smtp_on};
use super::*;
use crate::helpers::*;
use frontdesk_core::model::{NewBlock, Site};
use frontdesk_core::{AgentId, VisitorId};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A site whose offline messages are emailed to `owner@<site>`.
async fn site_with_email(app: &TestApp) -> Site {
    let mut site = app.site().await;
    site.email = Some(format!("owner@{}", site.key.0));
    app.store().update_site(&site).await.expect("site email");
    site
}

/// Blocks `visitor` (and `ip`, when given) on `site` for an hour.
async fn block(app: &TestApp, site: &Site, visitor: &VisitorClient, ip: Option<&str>) {
    app.store()
        .create_block(NewBlock {
            site_id: site.id,
            visitor_id: VisitorId(visitor.visitor_id.clone()),
            ip: ip.map(str::to_string),
            chat_id: None,
            blocked_by: AgentId(1),
            created_at: app.now(),
            until: app.now().plus_millis(3_600_000),
        })
        .await
        .expect("block");
}

async fn leave_message(v: &mut VisitorClient, body: &str) -> Value {
    v.ws.request(json!({
        "type": "offline_message",
        "name": "Ann",
        "email": "ann@example.com",
        "body": body,
    }))
    .await
}

async fn bodies_listed(agent: &AgentClient, site: &Site) -> Vec<String> {
    let list = ok_json(
        agent
            .get(&format!("/api/sites/{}/offline-messages", site.id))
            .await,
        200,
    )
    .await;
    list.as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_string))
        .collect()
}

/// The next mail the sink receives.
async fn next_mail(mails: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail")
}

#[tokio::test]
async fn a_blocked_visitor_cannot_leave_an_offline_message() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| s.smtp = Some(smtp_on(port))).await;
    let site = site_with_email(&app).await;
    let (alice, mut agent_ws) = app.online_agent("Alice").await;

    let mut blocked = app.visitor(&site).await;
    block(&app, &site, &blocked, None).await;
    let refused = leave_message(&mut blocked, "blocked words").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "blocked", "{refused}");
    assert_eq!(refused["message"], "Chat is unavailable today.");

    // Another visitor of the same site still reaches it.
    let mut other = app.visitor(&site).await;
    let ack = leave_message(&mut other, "Call me back").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    agent_ws
        .wait_for("offline message", |f| {
            f["type"] == "offline_message" && f["body"] == "Call me back"
        })
        .await;
    // The one mail is the message that was let through.
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("Call me back"), "{mail}");
    assert!(!mail.contains("blocked words"), "{mail}");
    assert!(mails.try_recv().is_err(), "no other mail");
    assert_eq!(bodies_listed(&alice, &site).await, vec!["Call me back"]);
    let frames = agent_ws.drain().await;
    assert!(
        !frames.iter().any(|f| f["body"] == "blocked words"),
        "{frames:?}"
    );
}

#[tokio::test]
async fn a_blocked_address_cannot_leave_an_offline_message() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| s.smtp = Some(smtp_on(port))).await;
    let (site, elsewhere) = (site_with_email(&app).await, site_with_email(&app).await);
    let alice = app.agent("Alice").await;
    let first = app.visitor(&site).await;
    block(&app, &site, &first, Some("127.0.0.1")).await;

    // A new visitor id from the blocked address: still refused.
    let mut fresh = app.visitor(&site).await;
    assert_ne!(fresh.visitor_id, first.visitor_id);
    assert_eq!(leave_message(&mut fresh, "new id").await["code"], "blocked");
    // The block is the site's: the same address may write to another site.
    let mut there = app.visitor(&elsewhere).await;
    assert_eq!(
        leave_message(&mut there, "hello there").await["type"],
        "ack"
    );
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("hello there"), "{mail}");
    assert!(mails.try_recv().is_err(), "no other mail");
    assert!(bodies_listed(&alice, &site).await.is_empty());
}

//! "Email me this transcript" (issue 14): the visitor's own chat, open or ended, sent through
//! a real SMTP conversation as the widget showed it (the visitor's words and the agent's,
//! never an internal note); refused when the site turned it off, for another visitor's chat,
//! without SMTP, for a bad address, and beyond the limits per visitor and per IP. The address
//! is remembered on a visitor who had none.

use crate::helpers::*;
use crate::rest::chats::{fake_smtp, smtp_on};
use frontdesk::config::{Rate, Settings};
use frontdesk_core::VisitorId;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;

async fn email_me(v: &mut VisitorClient, chat: i64, email: &str) -> Value {
    v.ws.request(json!({"type":"email_transcript","chat_id": chat,"email": email}))
        .await
}

async fn next_mail(mails: &mut UnboundedReceiver<String>) -> String {
    tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail")
}

fn with_smtp(port: u16) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| s.smtp = Some(smtp_on(port))
}

#[tokio::test]
async fn the_visitor_gets_their_transcript_without_notes() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(with_smtp(port)).await;
    let site = app.site().await;
    let (_alice, mut a, mut ann, chat) = app.accepted_chat(&site).await;
    ann.say("Where is my parcel").await;
    agent_say(&mut a, chat, "It ships today").await;
    let note = a
        .request(
            json!({"type":"note","chat_id": chat,"client_id": unique("n"),
            "body":"VIP customer, be nice"}),
        )
        .await;
    assert_eq!(note["type"], "ack", "{note}");

    let ack = email_me(&mut ann, chat, " ann@example.com ").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["chat_id"], chat);
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("To: ann@example.com"), "{mail}");
    assert!(mail.contains("Subject: Your chat with"), "{mail}");
    assert!(mail.contains("You: Where is my parcel"), "{mail}");
    assert!(mail.contains("Alice (agent): It ships today"), "{mail}");
    assert!(!mail.contains("VIP customer"), "no note: {mail}");
    assert!(!mail.to_lowercase().contains("internal note"), "{mail}");

    // Remembered on the visitor, who had no address.
    let known = app
        .store()
        .visitor(site.id, &VisitorId(ann.visitor_id.clone()))
        .await
        .expect("visitor");
    assert_eq!(known.email.as_deref(), Some("ann@example.com"));

    // After the chat, too.
    let end = ann.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(end["type"], "ack", "{end}");
    let ack = email_me(&mut ann, chat, "ann@example.com").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("It ships today") && !mail.contains("VIP customer"));
}

#[tokio::test]
async fn transcript_emails_are_refused_when_they_may_not_go() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| {
        s.smtp = Some(smtp_on(port));
        s.limits.transcript_emails.burst = 10; // refusals count too
    })
    .await;
    let site = app.site().await;
    let (_alice, _a, mut ann, chat) = app.accepted_chat(&site).await;

    // Another visitor (same site) asking for Ann's chat: it does not exist for them.
    let mut other = app.visitor(&site).await;
    let e = email_me(&mut other, chat, "other@example.com").await;
    assert_eq!(
        (e["type"].as_str(), e["code"].as_str()),
        (Some("error"), Some("not_found"))
    );
    // A chat id that does not exist at all reads the same.
    let e = email_me(&mut ann, chat + 1000, "ann@example.com").await;
    assert_eq!(e["code"], "not_found", "{e}");
    // Not an address.
    let e = email_me(&mut ann, chat, "not an address").await;
    assert_eq!(e["code"], "bad_request", "{e}");

    // The site turns it off.
    let admin = app.agent_with("Ada", true, None).await;
    let resp = admin
        .http
        .put(format!(
            "{}/api/admin/sites/{}/settings",
            admin.base, site.id
        ))
        .header("Origin", &admin.base)
        .json(&json!({"visitor_transcripts": false}))
        .send()
        .await
        .expect("settings saved");
    assert_eq!(resp.status(), 200);
    let e = email_me(&mut ann, chat, "ann@example.com").await;
    assert_eq!(e["code"], "forbidden", "{e}");
    assert!(mails.try_recv().is_err(), "nothing was sent");

    // A server without SMTP says so.
    let bare = TestApp::spawn().await;
    let site = bare.site().await;
    let (_alice, _a, mut ben, chat) = bare.accepted_chat(&site).await;
    let e = email_me(&mut ben, chat, "ben@example.com").await;
    assert_eq!(e["code"], "unavailable", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Email is not set up"),
        "{e}"
    );
}

#[tokio::test]
async fn transcript_emails_are_limited_per_visitor_and_per_ip() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| {
        s.smtp = Some(smtp_on(port));
        s.limits.transcript_emails = Rate {
            per_minute: 1,
            burst: 2,
        };
        s.limits.per_ip_factor = 2; // 4 a burst from one address
    })
    .await;
    let site = app.site().await;
    let (_alice, _a, mut ann, chat) = app.accepted_chat(&site).await;
    for _ in 0..2 {
        assert_eq!(
            email_me(&mut ann, chat, "ann@example.com").await["type"],
            "ack"
        );
        next_mail(&mut mails).await;
    }
    let e = email_me(&mut ann, chat, "ann@example.com").await;
    assert_eq!(e["code"], "rate_limited", "per visitor: {e}");

    // A second visitor from the same address has two left of the address's four...
    let mut ben = app.visitor(&site).await;
    let ben_chat = ben.request_chat(Some("Ben")).await;
    for _ in 0..2 {
        let ack = email_me(&mut ben, ben_chat, "ben@example.com").await;
        assert_eq!(ack["type"], "ack", "{ack}");
        next_mail(&mut mails).await;
    }
    // ...and a third visitor from it none, though their own allowance is untouched.
    let mut cy = app.visitor(&site).await;
    let cy_chat = cy.request_chat(Some("Cy")).await;
    let e = email_me(&mut cy, cy_chat, "cy@example.com").await;
    assert_eq!(e["code"], "rate_limited", "per IP: {e}");
    assert!(mails.try_recv().is_err(), "nothing more was sent");
}

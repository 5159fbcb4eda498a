//! Read marks and the email of unread replies (issue 14). A visitor who left (no connection to
//! the site on any node), with an address, and with agent replies they have not read gets ONE
//! email of them once the oldest is the site's "Email unread replies after" old (120 s by
//! default): not before, not when they read them, not while still connected, again only for
//! newer replies; once in all across three nodes. Time moves by the test's clock; the sweeps
//! are run by the test (the background ones tick once an hour here), so each outcome is the
//! sweep's, not a race with one.

use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use crate::helpers::*;
use crate::rest::chats::{fake_smtp, smtp_on};
use frontdesk::config::Settings;
use frontdesk::services::unread::sweep;
use frontdesk_core::ChatId;
use frontdesk_core::model::Site;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const HOUR_MS: u64 = 3_600_000;

fn mail_on(port: u16) -> impl Fn(&mut Settings) {
    move |s: &mut Settings| {
        s.smtp = Some(smtp_on(port));
        s.waiting_sweep_ms = HOUR_MS;
    }
}

async fn next_mail(mails: &mut UnboundedReceiver<String>) -> String {
    tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail")
}

async fn emails_sent(app: &TestApp) -> usize {
    sweep(app.app()).await.expect("sweep")
}

/// A visitor who asks for a chat with an address, accepted by `agent` (socket `a`).
async fn chat_with_address(app: &TestApp, site: &Site, a: &mut Ws) -> (VisitorClient, i64) {
    let mut v = app.visitor(site).await;
    let ack =
        v.ws.request(json!({"type":"chat_request","name":"Ann","email":"ann@example.com"}))
            .await;
    let chat = ack["chat_id"].as_i64().expect("chat id");
    accept(a, chat).await;
    v.ws.expect("chat.accepted").await;
    (v, chat)
}

async fn leaves(v: VisitorClient, a: &mut Ws) {
    let id = v.visitor_id.clone();
    v.ws.close().await;
    a.wait_for("visitor.left", move |f| {
        f["type"] == "visitor.left" && f["visitor_id"] == id.as_str()
    })
    .await;
}

async fn chat_row(app: &TestApp, chat: i64) -> frontdesk_core::model::Chat {
    app.store().chat(ChatId(chat)).await.expect("chat")
}

async fn read(v: &mut VisitorClient, chat: i64, seq: i64) -> Vec<Value> {
    v.ws.send(json!({"type":"read","chat_id": chat,"seq": seq}))
        .await;
    v.ws.drain().await
}

#[tokio::test]
async fn read_marks_only_rise_and_only_for_the_visitors_own_chat() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, mut a, mut ann, chat) = app.accepted_chat(&site).await;
    agent_say(&mut a, chat, "one").await;
    let two = agent_say(&mut a, chat, "two").await["seq"]
        .as_i64()
        .expect("seq");
    assert!(
        read(&mut ann, chat, two)
            .await
            .iter()
            .all(|f| f["type"] != "error")
    );
    assert_eq!(chat_row(&app, chat).await.visitor_read_seq.0, two);
    read(&mut ann, chat, 1).await;
    assert_eq!(
        chat_row(&app, chat).await.visitor_read_seq.0,
        two,
        "never lowered"
    );

    let mut other = app.visitor(&site).await;
    let frames = read(&mut other, chat, two + 5).await;
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "not_found"),
        "{frames:?}"
    );
    assert_eq!(chat_row(&app, chat).await.visitor_read_seq.0, two);
}

#[tokio::test]
async fn unread_replies_are_emailed_once_after_the_delay_then_only_newer_ones() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(mail_on(port)).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let (mut ann, chat) = chat_with_address(&app, &site, &mut a).await;
    ann.say("Is the blue one in stock").await;
    agent_say(&mut a, chat, "Let me check the warehouse").await;
    let note = a
        .request(
            json!({"type":"note","chat_id": chat,"client_id": unique("n"),
            "body":"ask Bob about stock"}),
        )
        .await;
    assert_eq!(note["type"], "ack", "{note}");
    let reply = agent_say(&mut a, chat, "Yes, two are left").await;
    let last = reply["seq"].as_i64().expect("seq");
    leaves(ann, &mut a).await;

    app.clock.advance(Duration::from_secs(119));
    assert_eq!(emails_sent(&app).await, 0, "not before the delay");
    app.clock.advance(Duration::from_secs(2));
    assert_eq!(emails_sent(&app).await, 1);
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("To: ann@example.com"), "{mail}");
    assert!(mail.contains("Subject: 2 new replies from"), "{mail}");
    assert!(mail.contains("Alice: Let me check the warehouse"), "{mail}");
    assert!(mail.contains("Alice: Yes, two are left"), "{mail}");
    assert!(!mail.contains("ask Bob"), "no note: {mail}");
    assert!(
        !mail.contains("blue one"),
        "not the visitor's own words: {mail}"
    );
    assert!(mail.contains("Continue the chat: https://"), "{mail}");
    assert_eq!(chat_row(&app, chat).await.replies_emailed_seq.0, last);

    // Not twice for the same replies.
    app.clock.advance(Duration::from_secs(600));
    assert_eq!(emails_sent(&app).await, 0);
    assert!(mails.try_recv().is_err());

    // A newer reply: emailed alone, after its own delay.
    agent_say(&mut a, chat, "They ship tomorrow").await;
    assert_eq!(emails_sent(&app).await, 0);
    app.clock.advance(Duration::from_secs(121));
    assert_eq!(emails_sent(&app).await, 1);
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("Subject: A new reply from"), "{mail}");
    assert!(mail.contains("They ship tomorrow"), "{mail}");
    assert!(!mail.contains("two are left"), "{mail}");
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("frontdesk_unread_reply_emails_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn no_unread_email_for_read_replies_a_connected_visitor_or_no_address() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(mail_on(port)).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;

    // Still connected: the widget shows the reply; nothing is emailed however long.
    let (mut ann, chat) = chat_with_address(&app, &site, &mut a).await;
    let seq = agent_say(&mut a, chat, "Anything else?").await["seq"]
        .as_i64()
        .expect("seq");
    app.clock.advance(Duration::from_secs(600));
    assert_eq!(emails_sent(&app).await, 0, "still connected");
    // Read, then gone: nothing to email.
    read(&mut ann, chat, seq).await;
    leaves(ann, &mut a).await;
    app.clock.advance(Duration::from_secs(600));
    assert_eq!(emails_sent(&app).await, 0, "read");

    // Gone without any address: passed over, nothing sent.
    let mut ben = app.visitor(&site).await;
    let ben_chat = ben.request_chat(Some("Ben")).await;
    accept(&mut a, ben_chat).await;
    ben.ws.expect("chat.accepted").await;
    agent_say(&mut a, ben_chat, "Hello Ben").await;
    leaves(ben, &mut a).await;
    app.clock.advance(Duration::from_secs(121));
    assert_eq!(emails_sent(&app).await, 0, "no address");
    assert!(mails.try_recv().is_err(), "no mail at all");
    assert!(
        app.store()
            .unread_reply_chats(app.now(), 10)
            .await
            .expect("unread")
            .is_empty(),
        "nothing left for later sweeps"
    );
}

/// A visitor between two pages (no socket for a moment) has not left: the email waits until
/// no page of theirs was seen for the leave grace period (30 s).
#[tokio::test]
async fn a_visitor_between_two_pages_has_not_left() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(mail_on(port)).await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;
    let (ann, chat) = chat_with_address(&app, &site, &mut a).await;
    agent_say(&mut a, chat, "Your size is back").await;
    app.clock.advance(Duration::from_secs(200));
    // The next page: a new socket with the same token, then that one closes too.
    let token = ann.token.clone();
    leaves(ann, &mut a).await;
    let next = VisitorClient::connect(&app, &site, Some(&token), None, "/next").await;
    leaves(next, &mut a).await;
    assert_eq!(emails_sent(&app).await, 0, "a page was seen just now");
    app.clock.advance(Duration::from_secs(31));
    assert_eq!(emails_sent(&app).await, 1);
    assert!(next_mail(&mut mails).await.contains("Your size is back"));
}

/// Three nodes sweep the same chat at the same time: one email in all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_email_unread_replies_once() {
    if crate::backend::chosen() != crate::backend::Backend::Cluster {
        return; // needs PostgreSQL and Redis: FRONTDESK_TEST_BACKEND=cluster
    }
    let (port, mut mails) = fake_smtp().await;
    let env = Arc::new(ClusterEnv::create().await);
    let (clock, n) = nodes(&env, 3, mail_on(port)).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut ann = n[0].visitor(&site).await;
    let ack = ann
        .ws
        .request(json!({"type":"chat_request","name":"Ann","email":"ann@example.com"}))
        .await;
    let chat = ack["chat_id"].as_i64().expect("chat id");
    a.requested(chat).await;
    accept(&mut a, chat).await;
    agent_say(&mut a, chat, "Found it").await;
    leaves(ann, &mut a).await;
    clock.advance(Duration::from_secs(121));
    let (x, y, z) = tokio::join!(emails_sent(&n[0]), emails_sent(&n[1]), emails_sent(&n[2]));
    assert_eq!(x + y + z, 1, "one node sent it");
    let mail = next_mail(&mut mails).await;
    assert!(mail.contains("Found it"), "{mail}");
    assert!(mails.try_recv().is_err(), "only one email");
    for node in &n {
        assert_eq!(emails_sent(node).await, 0);
    }
}

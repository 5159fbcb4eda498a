//! Chats (view, transcripts, mailto, email), Visit Detail, visitors on site, offline messages.

use super::*;
use crate::helpers::*;
use frontdesk::config::SmtpSettings;
use frontdesk_core::model::NewOfflineMessage;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A chat's transcript as `ext`, checked to be an attachment named after the chat, of type
/// `mime`: its text.
async fn transcript(agent: &AgentClient, chat: i64, ext: &str, mime: &str) -> String {
    let resp = agent
        .get(&format!("/api/chats/{chat}/transcript.{ext}"))
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with(mime)
    );
    assert_eq!(
        resp.headers()["content-disposition"],
        format!("attachment; filename=\"chat-{chat}.{ext}\"").as_str()
    );
    resp.text().await.expect("transcript text")
}

#[tokio::test]
async fn chat_and_its_transcripts() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let script = "<script>alert('x')</script> & \"quotes\"";
    let (_v, chat) =
        chat_with_messages(&app, &site, &mut ws, "<img src=x onerror=alert(1)>", script).await;

    let body = ok_json(alice.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(body["chat"]["chat_id"], chat);
    assert_eq!(body["chat"]["state"], "active");
    assert_eq!(body["chat"]["agent_name"], "Alice");
    let msgs = body["messages"].as_array().expect("messages");
    assert_eq!(msgs.len(), 2);
    assert_eq!(
        (
            msgs[0]["seq"].as_i64(),
            msgs[0]["from"].as_str(),
            msgs[0]["body"].as_str()
        ),
        (Some(1), Some("visitor"), Some(script))
    );
    assert_eq!(msgs[1]["from"], "agent");

    let txt = transcript(&alice, chat, "txt", "text/plain").await;
    assert!(
        txt.contains(script) && txt.contains("Hello, how can I help?"),
        "{txt}"
    );

    let html = transcript(&alice, chat, "html", "text/html").await;
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"),
        "{html}"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));

    let eml = alice
        .get(&format!(
            "/api/chats/{chat}/transcript.eml?to=boss@example.com"
        ))
        .await;
    assert_eq!(eml.status(), 200);
    assert_eq!(eml.headers()["content-type"], "message/rfc822");
    assert_eq!(
        eml.headers()["content-disposition"],
        format!("attachment; filename=\"chat-{chat}.eml\"").as_str()
    );
    let eml = eml.text().await.expect("eml");
    assert!(eml.starts_with("X-Unsent: 1\r\n"), "{eml}");
    assert!(
        eml.contains("From: frontdesk@127.0.0.1") && eml.contains("To: boss@example.com"),
        "{eml}"
    );
    assert!(eml.contains("Subject: Chat transcript"));
    let eml = alice
        .get(&format!("/api/chats/{chat}/transcript.eml"))
        .await;
    assert!(
        eml.text()
            .await
            .expect("eml")
            .starts_with("X-Unsent: 1\r\n")
    );
    assert_error(
        alice
            .get(&format!(
                "/api/chats/{chat}/transcript.eml?to=not-an-address"
            ))
            .await,
        400,
        "bad_request",
    )
    .await;

    let m = ok_json(
        alice
            .get(&format!("/api/chats/{chat}/mailto?to=boss@example.com"))
            .await,
        200,
    )
    .await;
    let href = m["href"].as_str().expect("href");
    assert!(
        href.starts_with("mailto:boss%40example.com?subject=Chat%20transcript")
            && href.contains("&body="),
        "{href}"
    );
    assert_error(
        alice
            .get(&format!("/api/chats/{chat}/mailto?to=%3Cscript%3E"))
            .await,
        400,
        "bad_request",
    )
    .await;

    // No SMTP configured: 503 unavailable; a bad address is 400 all the same.
    assert_error(
        alice
            .post(
                &format!("/api/chats/{chat}/email"),
                json!({"to": "boss@example.com"}),
            )
            .await,
        503,
        "unavailable",
    )
    .await;
    assert_error(
        alice
            .post(&format!("/api/chats/{chat}/email"), json!({"to": "nope"}))
            .await,
        400,
        "bad_request",
    )
    .await;
    assert_error(
        alice
            .post(&format!("/api/chats/{chat}/email"), json!({"too": 1}))
            .await,
        400,
        "bad_request",
    )
    .await;
}

/// A minimal SMTP server: accepts everything and hands over each message's data.
pub(crate) async fn fake_smtp() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind smtp");
    let port = listener.local_addr().expect("smtp addr").port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 fake ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = match data.as_mut() {
                        Some(_) if line == "." => {
                            let _ = tx.send(data.take().unwrap_or_default());
                            b"250 queued\r\n"
                        }
                        Some(buf) => {
                            buf.push_str(&line);
                            buf.push('\n');
                            continue;
                        }
                        None if line.to_ascii_uppercase().starts_with("DATA") => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        None if line.to_ascii_uppercase().starts_with("QUIT") => b"221 bye\r\n",
                        None => b"250 ok\r\n",
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, rx)
}

pub(crate) fn smtp_on(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        from: "Frontdesk <desk@example.com>".into(),
        username: None,
        password: None,
        security: "none".into(),
    }
}

#[tokio::test]
async fn transcripts_are_emailed_through_smtp() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| s.smtp = Some(smtp_on(port))).await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let (_v, chat) = chat_with_messages(&app, &site, &mut ws, "Ann", "Where is my order?").await;
    let sent = ok_json(
        alice
            .post(
                &format!("/api/chats/{chat}/email"),
                json!({"to": "boss@example.com"}),
            )
            .await,
        202,
    )
    .await;
    assert_eq!(sent, json!({"sent": true}));
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail");
    assert!(
        mail.contains("To: boss@example.com") && mail.contains("desk@example.com"),
        "{mail}"
    );
    assert!(mail.contains("Subject: Chat transcript: Ann"), "{mail}");
    // The .eml draft is from the SMTP sender.
    let eml = alice
        .get(&format!("/api/chats/{chat}/transcript.eml"))
        .await
        .text()
        .await
        .expect("eml");
    assert!(eml.contains("desk@example.com"), "{eml}");
}

#[tokio::test]
async fn a_failing_mail_server_is_unavailable() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let app = TestApp::spawn_with(|s| s.smtp = Some(smtp_on(port))).await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let (_v, chat) = chat_with_messages(&app, &site, &mut ws, "Ann", "hi").await;
    assert_error(
        alice
            .post(
                &format!("/api/chats/{chat}/email"),
                json!({"to": "boss@example.com"}),
            )
            .await,
        503,
        "unavailable",
    )
    .await;
}

#[tokio::test]
async fn visitor_detail_and_visitors_on_site() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let first = app.visitor(&site).await;
    let (token, vid) = (first.token.clone(), first.visitor_id.clone());
    drop(first);
    // Past the visit timeout: a new visit for the same visitor.
    app.clock
        .advance(Duration::from_secs(app.settings.visit_timeout_secs + 60));
    let mut v = VisitorClient::connect(&app, &site, Some(&token), None, "/pricing").await;
    assert_eq!(v.visitor_id, vid);
    let chat1 = v.request_chat(Some("Ann")).await;

    let path = format!("/api/sites/{}/visitors/{vid}", site.id);
    let d = ok_json(alice.get(&path).await, 200).await;
    assert_eq!(d["visitor"]["visitor_id"], vid);
    assert_eq!(d["visitor"]["name"], "Ann");
    assert!(
        d["visitor"]["first_seen"].as_i64() < d["visitor"]["last_seen"].as_i64(),
        "{d}"
    );
    let current = &d["current_visit"];
    assert!(
        current["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .any(|p| p["url"].as_str().is_some_and(|u| u.ends_with("/pricing"))),
        "{current}"
    );
    assert_eq!(current["referrer"], "https://search.example/?q=shoes");
    assert_eq!(current["location_text"], "Unknown");
    let previous = d["previous_visits"].as_array().expect("previous");
    assert_eq!(previous.len(), 1, "{d}");
    assert_ne!(previous[0]["visit_id"], current["visit_id"]);
    assert_eq!(d["chats"].as_array().map(|c| c.len()), Some(1));
    assert_eq!(d["has_chat_history"], false, "only the open chat");

    assert_eq!(accept(&mut ws, chat1).await["type"], "ack");
    assert_eq!(
        ws.request(json!({"type":"end","chat_id": chat1})).await["type"],
        "ack"
    );
    v.ws.expect("chat.ended").await;
    let chat2 = v.request_chat(None).await;
    let d = ok_json(alice.get(&path).await, 200).await;
    let chats: Vec<i64> = d["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter_map(|c| c["chat_id"].as_i64())
        .collect();
    assert_eq!(chats, vec![chat2, chat1], "newest first");
    assert_eq!(d["chats"][1]["state"], "ended");
    assert_eq!(d["has_chat_history"], true);

    let on_site = ok_json(
        alice.get(&format!("/api/sites/{}/visitors", site.id)).await,
        200,
    )
    .await;
    let here = on_site
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["visitor_id"] == json!(vid))
        .cloned()
        .expect("visitor listed");
    assert_eq!(here["site_id"].as_i64(), Some(site.id.0));
    assert_eq!(here["chat_id"].as_i64(), Some(chat2));
    assert_error(
        alice
            .get(&format!("/api/sites/{}/visitors/no-such-visitor", site.id))
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn offline_messages_are_listed_for_the_sites_agents() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;
    for (i, body) in ["first", "second <b>"].iter().enumerate() {
        app.store()
            .create_offline_message(NewOfflineMessage {
                site_id: site.id,
                visitor_id: None,
                name: format!("N{i}"),
                email: "ann@example.com".into(),
                body: body.to_string(),
                page_url: Some(format!("{}/contact", site.base_url)),
                created_at: app.now().plus_millis(i as i64),
            })
            .await
            .expect("offline message");
    }
    let list = ok_json(
        alice
            .get(&format!("/api/sites/{}/offline-messages", site.id))
            .await,
        200,
    )
    .await;
    let bodies: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, vec!["second <b>", "first"], "newest first");
    assert_eq!(list[0]["email"], "ann@example.com");
    let one = ok_json(
        alice
            .get(&format!("/api/sites/{}/offline-messages?limit=1", site.id))
            .await,
        200,
    )
    .await;
    assert_eq!(one.as_array().map(|a| a.len()), Some(1));
}

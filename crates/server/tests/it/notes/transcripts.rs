//! Transcripts: the agent's Save (`.txt`, `.html`) shows notes, marked; what may reach the
//! visitor never does: the `.eml` draft, the `mailto:` link, the email (unless the agent asks
//! for notes, and never to the visitor's address). And a visitor has no REST way to a chat.

use super::{note, secret};
use crate::helpers::*;
use crate::rest::chats::{fake_smtp, smtp_on};
use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A chat whose visitor "Ann" gave `ann@example.com`, accepted by Alice: a visitor message,
/// a note (`secret`) and a reply.
async fn chat_with_a_note(app: &TestApp, secret: &str) -> (AgentClient, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (alice, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    let ack =
        v.ws.request(json!({"type":"chat_request","name":"Ann","email":"ann@example.com"}))
            .await;
    let chat = ack["chat_id"].as_i64().expect("chat id");
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.say("where is my order?").await;
    assert_eq!(note(&mut a, chat, secret).await["type"], "ack");
    assert_eq!(agent_say(&mut a, chat, "on its way").await["type"], "ack");
    (alice, a, v, chat)
}

/// The readable text of a raw mail: as sent, plus every MIME part's body decoded
/// (quoted-printable, base64), so that a search cannot miss an encoded note.
fn mail_text(raw: &str) -> String {
    let mut out = raw.to_string();
    let (mut enc, mut in_body, mut body) = (String::new(), false, Vec::<&str>::new());
    let mut flush = |enc: &str, body: &mut Vec<&str>| {
        let text = body.join("\n");
        body.clear();
        let decoded = match enc {
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(text.split_whitespace().collect::<String>())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
            "quoted-printable" => unquote(&text),
            _ => text,
        };
        out.push('\n');
        out.push_str(&decoded);
    };
    for line in raw.lines() {
        if line.starts_with("--") {
            flush(&enc, &mut body);
            (enc, in_body) = (String::new(), false);
        } else if !in_body {
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-transfer-encoding:") {
                enc = v.trim().to_string();
            }
            in_body = line.is_empty();
        } else {
            body.push(line);
        }
    }
    flush(&enc, &mut body);
    out
}

/// Quoted-printable decoding (soft line breaks, `=XX`).
fn unquote(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'=')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn next_mail(mails: &mut mpsc::UnboundedReceiver<String>) -> String {
    let raw = tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail");
    mail_text(&raw)
}

async fn status_and_body(resp: reqwest::Response) -> (u16, String) {
    let s = resp.status().as_u16();
    (s, resp.text().await.expect("body"))
}

#[test]
fn the_mail_reader_decodes_what_it_must_search() {
    let b64 = base64::engine::general_purpose::STANDARD.encode("a NOTESECRET7 b");
    let raw = format!(
        "Subject: x\n\n--B\nContent-Transfer-Encoding: base64\n\n{b64}\n--B\n\
         Content-Transfer-Encoding: quoted-printable\n\nNOTE=\nSECRET8 =3D\n--B--\n"
    );
    let text = mail_text(&raw);
    assert!(
        text.contains("NOTESECRET7") && text.contains("NOTESECRET8 ="),
        "{text}"
    );
}

#[tokio::test]
async fn the_agents_save_shows_notes_marked() {
    let app = TestApp::spawn().await;
    let secret = secret();
    let (alice, _a, _v, chat) = chat_with_a_note(&app, &secret).await;
    let (s, txt) = status_and_body(
        alice
            .get(&format!("/api/chats/{chat}/transcript.txt"))
            .await,
    )
    .await;
    assert_eq!(s, 200);
    let line = txt
        .lines()
        .find(|l| l.contains(&secret))
        .expect("the note is in it");
    assert!(
        line.contains(&format!("[note] Note by Alice: {secret}")),
        "{txt}"
    );
    assert!(txt.contains("Alice (agent): on its way"), "{txt}");
    let (s, html) = status_and_body(
        alice
            .get(&format!("/api/chats/{chat}/transcript.html"))
            .await,
    )
    .await;
    assert_eq!(s, 200);
    let block = html
        .split("<div class=\"m ")
        .find(|b| b.contains(&secret))
        .expect("the note is in it");
    assert!(
        block.starts_with("n\">")
            && block.contains("Internal note")
            && block.contains("Note by Alice"),
        "marked and styled apart: {block}"
    );
    assert!(html.contains(".n{background:"), "the note style: {html}");
}

#[tokio::test]
async fn drafts_links_and_mail_to_the_visitor_never_carry_a_note() {
    let (port, mut mails) = fake_smtp().await;
    let app = TestApp::spawn_with(|s| s.smtp = Some(smtp_on(port))).await;
    let secret = secret();
    let (alice, _a, _v, chat) = chat_with_a_note(&app, &secret).await;

    for path in [
        format!("/api/chats/{chat}/transcript.eml"),
        format!("/api/chats/{chat}/transcript.eml?to=boss@example.com"),
        format!("/api/chats/{chat}/transcript.eml?to=ann@example.com"),
    ] {
        let (s, eml) = status_and_body(alice.get(&path).await).await;
        assert_eq!(s, 200, "{path}");
        let eml = mail_text(&eml);
        assert!(eml.contains("on its way"), "the reply is in it: {eml}");
        assert!(
            !eml.contains(&secret) && !eml.contains("Note by"),
            "{path}: {eml}"
        );
    }
    for to in ["ann@example.com", "boss@example.com", ""] {
        let (s, link) = status_and_body(
            alice
                .get(&format!("/api/chats/{chat}/mailto?to={to}"))
                .await,
        )
        .await;
        assert_eq!(s, 200);
        let href: Value = serde_json::from_str(&link).expect("JSON");
        let href = href["href"].as_str().expect("href");
        let decoded: String = url::form_urlencoded::parse(href.as_bytes())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert!(decoded.contains("on its way"), "{decoded}");
        assert!(
            !decoded.contains(&secret) && !decoded.contains("Note by"),
            "{decoded}"
        );
    }

    // Email to the visitor: no notes; asking for them to the visitor's address is refused.
    let email = |to: &str, notes: Option<bool>| {
        let mut body = json!({"to": to});
        if let Some(n) = notes {
            body["include_notes"] = json!(n);
        }
        (format!("/api/chats/{chat}/email"), body)
    };
    for (to, notes) in [("ann@example.com", None), ("ann@example.com", Some(false))] {
        let (path, body) = email(to, notes);
        assert_eq!(alice.post(&path, body).await.status(), 202);
        let mail = next_mail(&mut mails).await;
        assert!(
            mail.contains("To: ann@example.com") && mail.contains("on its way"),
            "{mail}"
        );
        assert!(
            !mail.contains(&secret) && !mail.contains("Note by"),
            "{mail}"
        );
    }
    for to in ["ann@example.com", "ANN@Example.com"] {
        let (path, body) = email(to, Some(true));
        let (s, refused) = status_and_body(alice.post(&path, body).await).await;
        assert_eq!(s, 400, "{refused}");
        let refused: Value = serde_json::from_str(&refused).expect("JSON");
        assert_eq!(refused["code"], "bad_request");
    }
    // To a colleague: without notes unless asked; with them, marked.
    let (path, body) = email("boss@example.com", None);
    assert_eq!(alice.post(&path, body).await.status(), 202);
    let mail = next_mail(&mut mails).await;
    assert!(
        mail.contains("on its way") && !mail.contains(&secret),
        "{mail}"
    );
    let (path, body) = email("boss@example.com", Some(true));
    assert_eq!(alice.post(&path, body).await.status(), 202);
    let mail = next_mail(&mut mails).await;
    assert!(
        mail.contains(&format!("[note] Note by Alice: {secret}")),
        "asked for, to a colleague: {mail}"
    );
    // Nothing else was sent (the refused ones sent nothing).
    assert!(mails.try_recv().is_err());
}

/// Everything a visitor can reach over HTTP without an agent's session: every chat route
/// answers 401 (or the Origin check's 403 for a POST), never the chat.
#[tokio::test]
async fn a_visitor_has_no_rest_way_to_a_chat() {
    let app = TestApp::spawn().await;
    let secret = secret();
    let (_alice, _a, v, chat) = chat_with_a_note(&app, &secret).await;
    let http = reqwest::Client::new();
    let gets = [
        format!("/api/chats/{chat}"),
        format!("/api/chats/{chat}/transcript.txt"),
        format!("/api/chats/{chat}/transcript.html"),
        format!("/api/chats/{chat}/transcript.eml"),
        format!("/api/chats/{chat}/mailto?to=ann@example.com"),
    ];
    // As the widget would call: from the site's origin, with the visitor's token in every
    // place a server might look for one.
    for path in &gets {
        let resp = http
            .get(format!("{}{path}", app.base))
            .header("Origin", &v.origin)
            .header("Authorization", format!("Bearer {}", v.token))
            .header("Cookie", format!("fd_session={}", v.token))
            .send()
            .await
            .expect("GET");
        let (s, body) = status_and_body(resp).await;
        assert_eq!(s, 401, "{path}: {body}");
        assert!(!body.contains(&secret), "{path}");
    }
    for origin in [v.origin.as_str(), app.base.as_str()] {
        let resp = http
            .post(format!("{}/api/chats/{chat}/email", app.base))
            .header("Origin", origin)
            .json(&json!({"to": "ann@example.com", "include_notes": true}))
            .send()
            .await
            .expect("POST");
        let (s, body) = status_and_body(resp).await;
        assert!(s == 401 || s == 403, "{origin}: {s} {body}");
    }
    // The static files the widget loads carry no chat at all.
    for path in [
        "/widget.js",
        "/widget/panel.js",
        "/widget/panel-transcript.js",
    ] {
        let (s, body) = status_and_body(
            http.get(format!("{}{path}", app.base))
                .send()
                .await
                .expect("GET"),
        )
        .await;
        assert_eq!(s, 200, "{path}");
        assert!(!body.contains(&secret));
    }
}

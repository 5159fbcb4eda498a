//! Each hostile file refused or served inert: HTML renamed `.png`, SVG with script, a GIF/JS
//! polyglot, a zip bomb, a path in the name, an empty file, a file over the limit, the file
//! one past the chat's allowance.

use super::*;
use frontdesk_core::files::FileGroup;

fn assert_refused(a: &Answer, status: u16, code: &str) {
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (status, Some(code)),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn markup_is_refused_whatever_its_name() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    let html = b"<!doctype html><html><body><script>fetch('/api/auth/me')</script></body></html>";
    assert_refused(
        &visitor_upload(&app, &v, "cat.png", html).await,
        415,
        "file_type_not_allowed",
    );
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"#;
    assert_refused(
        &visitor_upload(&app, &v, "logo.svg", svg).await,
        415,
        "file_type_not_allowed",
    );
    assert_refused(
        &agent_upload(&alice, chat, "page.png", html, None).await,
        415,
        "file_type_not_allowed",
    );
    assert_eq!(
        app.store()
            .files_in_chat(frontdesk_core::ChatId(chat))
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn a_gif_js_polyglot_is_refused_or_served_as_an_inert_gif() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, _chat) = chatting(&app).await;
    let mut polyglot = b"GIF89a/*\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00".to_vec();
    polyglot.extend_from_slice(b"*/=1;alert(document.domain);//\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b");
    let up = visitor_upload(&app, &v, "x.js", &polyglot).await;
    if up.status != 201 {
        // The content check saw through it.
        assert_eq!(up.status, 415, "{}", up.body);
        return;
    }
    let id = file_id(&up);
    assert_eq!(up.body["body"], "x.js.gif", "the name follows the content");
    let d = agent_get(&alice, &format!("/api/files/{id}")).await;
    assert_eq!(d.header("content-type"), "image/gif");
    assert_eq!(d.header("x-content-type-options"), "nosniff");
    assert_eq!(d.header("content-security-policy"), "sandbox");
    assert_eq!(d.bytes, polyglot);
}

#[tokio::test]
async fn a_zip_bomb_is_stored_as_it_came_and_never_opened() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, _chat) = chatting(&app).await;
    let up = visitor_upload(&app, &v, "bomb.zip", BOMB).await;
    let zip_known = frontdesk_core::files::sniff(BOMB).is_some_and(|s| s.group == FileGroup::Zip);
    if !zip_known {
        // Before the content check knows zip files they are not on the list at all.
        assert_refused(&up, 415, "file_type_not_allowed");
        return;
    }
    let id = file_id(&up);
    assert_eq!(up.body["file"]["size"], BOMB.len());
    assert_eq!(up.body["file"]["mime"], "application/zip");
    let d = agent_get(&alice, &format!("/api/files/{id}")).await;
    assert_eq!(d.bytes.len(), BOMB.len(), "served as stored, not expanded");
    assert_eq!(d.header("content-type"), "application/zip");
    assert!(d.header("content-disposition").starts_with("attachment; "));
}

#[tokio::test]
async fn a_path_in_the_name_is_dropped() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, _chat) = chatting(&app).await;
    let up = visitor_upload(&app, &v, "../../etc/passwd.txt", b"root:x:0:0").await;
    let id = file_id(&up);
    assert_eq!(up.body["file"]["name"], "passwd.txt");
    assert_eq!(up.body["body"], "passwd.txt");
    let d = agent_get(&alice, &format!("/api/files/{id}")).await;
    assert!(
        d.header("content-disposition")
            .ends_with("filename*=UTF-8''passwd.txt"),
        "{}",
        d.header("content-disposition")
    );
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    assert_refused(
        &visitor_upload(&app, &v, "empty.txt", b"").await,
        400,
        "empty",
    );
    assert_refused(
        &agent_upload(&alice, chat, "empty.pdf", b"", None).await,
        400,
        "empty",
    );
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn_with(|s| s.limits.file_max_bytes = 32 * 1024).await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    // Over the cap but within the multipart allowance: read, checked, refused.
    let big = vec![b'a'; 32 * 1024 + 1];
    assert_refused(
        &visitor_upload(&app, &v, "big.txt", &big).await,
        413,
        "file_too_large",
    );
    assert_refused(
        &agent_upload(&alice, chat, "big.txt", &big, None).await,
        413,
        "file_too_large",
    );
    // Far over: cut off at the body limit. The client may see the answer or a closed
    // connection (it is still sending); the server answers 413 and keeps serving.
    let huge = vec![b'a'; 2 * 1024 * 1024];
    let form = reqwest::multipart::Form::new()
        .text("site", v.site_key.clone())
        .text("token", v.token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(huge).file_name("huge.txt"),
        );
    let sent = reqwest::Client::new()
        .post(format!("{}/api/visitor/files", app.base))
        .header("Origin", v.origin.clone())
        .multipart(form)
        .send()
        .await;
    if let Ok(resp) = sent {
        assert_eq!(resp.status().as_u16(), 413);
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        assert_eq!(body["code"], "file_too_large");
    }
    file_id(&visitor_upload(&app, &v, "small.txt", b"still here").await);
}

#[tokio::test]
async fn the_file_past_the_chats_allowance_is_refused() {
    let app = TestApp::spawn_with(|s| {
        s.limits.file_uploads = frontdesk::config::Rate {
            per_minute: 1000,
            burst: 1000,
        }
    })
    .await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    for i in 0..20 {
        let up = if i % 2 == 0 {
            visitor_upload(&app, &v, &format!("{i}.txt"), b"note").await
        } else {
            agent_upload(&alice, chat, &format!("{i}.txt"), b"note", None).await
        };
        file_id(&up);
    }
    assert_refused(
        &visitor_upload(&app, &v, "21.txt", b"note").await,
        409,
        "too_many_files",
    );
    assert_refused(
        &agent_upload(&alice, chat, "21.txt", b"note", None).await,
        409,
        "too_many_files",
    );
}

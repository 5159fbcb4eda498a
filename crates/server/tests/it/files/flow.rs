//! Files both ways: the other side's `message` frame of kind `file`, the same bytes back,
//! the serving headers, the thumbnail of a PNG, the 201 only after the commit, a resend by
//! client id stored once, the file in the chat's history and transcripts, and the metrics.

use super::*;
use frontdesk_core::files::FileId;
use frontdesk_core::{ChatId, Seq};

#[tokio::test]
async fn a_visitor_file_reaches_the_agent_and_downloads_byte_for_byte() {
    let app = TestApp::spawn().await;
    let (_, alice, mut a, mut v, chat) = chatting(&app).await;
    let pdf = b"%PDF-1.4\n% a manual\n%%EOF\n".repeat(100);
    let up = visitor_upload(&app, &v, "manual.pdf", &pdf).await;
    let id = file_id(&up);
    assert_eq!(up.body["kind"], "file");
    assert_eq!(up.body["from"], "visitor");
    assert_eq!(up.body["seq"], 1);
    assert_eq!(up.body["body"], "manual.pdf");
    assert_eq!(up.body["file"]["mime"], "application/pdf");
    assert_eq!(up.body["file"]["size"], pdf.len());
    let origin = v.origin.clone();
    assert_eq!(up.headers["access-control-allow-origin"], origin.as_str());
    assert_eq!(up.headers["vary"], "Origin");

    // The agent's frame carries the file; the visitor's other tabs get it too.
    let m = a
        .wait_for("file message", |f| f["type"] == "message" && f["seq"] == 1)
        .await;
    assert_eq!(
        (m["kind"].as_str(), m["chat_id"].as_i64()),
        (Some("file"), Some(chat))
    );
    assert_eq!(m["file"]["id"], id.as_str());
    v.ws.wait_for("own file", |f| f["type"] == "message" && f["seq"] == 1)
        .await;

    let d = agent_get(&alice, &format!("/api/files/{id}")).await;
    assert_eq!(d.status, 200);
    assert_eq!(sha256(&d.bytes), sha256(&pdf));
    assert_eq!(d.header("content-type"), "application/pdf");
    assert_eq!(d.header("x-content-type-options"), "nosniff");
    assert_eq!(d.header("content-security-policy"), "sandbox");
    assert_eq!(d.header("cache-control"), "private");
    assert_eq!(
        d.header("content-disposition"),
        "attachment; filename=\"manual.pdf\"; filename*=UTF-8''manual.pdf"
    );
    assert_eq!(d.header("cross-origin-resource-policy"), "");

    let d = visitor_get(&app, &id, false, &v.token).await;
    assert_eq!((d.status, sha256(&d.bytes)), (200, sha256(&pdf)));
    assert_eq!(d.header("cross-origin-resource-policy"), "cross-origin");
    assert_eq!(d.header("content-security-policy"), "sandbox");
}

#[tokio::test]
async fn an_agent_file_reaches_the_visitor() {
    let app = TestApp::spawn().await;
    let (_, alice, mut a, mut v, chat) = chatting(&app).await;
    let text = "Steps:\n1. Unplug\n2. Plug in again\n".as_bytes();
    let up = agent_upload(&alice, chat, "steps.txt", text, Some("a-up-1")).await;
    let id = file_id(&up);
    assert_eq!(up.body["from"], "agent");
    assert_eq!(up.body["agent_id"], alice.id.0);
    assert_eq!(up.body["file"]["mime"], "text/plain; charset=utf-8");
    let m =
        v.ws.wait_for("agent's file", |f| f["type"] == "message" && f["seq"] == 1)
            .await;
    assert_eq!(m["kind"], "file");
    assert_eq!(m["body"], "steps.txt");
    assert_eq!(m["file"]["id"], id.as_str());
    assert!(
        m.get("agent_id").is_none(),
        "the visitor never sees agent ids: {m}"
    );
    a.wait_for("author's copy", |f| f["type"] == "message" && f["seq"] == 1)
        .await;
    let d = visitor_get(&app, &id, false, &v.token).await;
    assert_eq!(d.bytes, text);
    assert_eq!(d.header("content-type"), "text/plain; charset=utf-8");

    // A resend with the same client id answers the stored message: one file, one frame.
    let again = agent_upload(&alice, chat, "steps.txt", text, Some("a-up-1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(
        (again.body["seq"].as_i64(), file_id(&again)),
        (Some(1), id.clone())
    );
    assert_eq!(
        app.store()
            .files_in_chat(ChatId(chat))
            .await
            .expect("count"),
        1
    );

    // History (REST) and the transcript show the file, never its bytes.
    let hist: serde_json::Value = alice
        .get(&format!("/api/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(hist["messages"][0]["file"]["id"], id.as_str());
    let txt = alice
        .get(&format!("/api/chats/{chat}/transcript.txt"))
        .await
        .text()
        .await
        .expect("text");
    assert!(txt.contains("[file] steps.txt ("), "{txt}");
    assert!(!txt.contains("Unplug"), "{txt}");
}

#[tokio::test]
async fn the_answer_comes_after_the_commit() {
    let app = TestApp::spawn().await;
    let (_, _alice, _a, v, chat) = chatting(&app).await;
    let up = visitor_upload(&app, &v, "shot.png", PNG).await;
    let id = FileId(file_id(&up));
    // Readable from storage the moment the 201 arrived, with its message.
    let stored = app.store().file(&id).await.expect("stored");
    assert_eq!((stored.chat_id, stored.seq), (ChatId(chat), Seq(1)));
    assert_eq!(stored.sha256, sha256(PNG));
    let data = app.store().file_data(&id, false).await.expect("bytes");
    assert_eq!(data, PNG);
    let m = app
        .store()
        .messages_after(ChatId(chat), Seq(0), 10)
        .await
        .expect("messages");
    assert_eq!(m[0].file.as_ref().map(|f| f.id.clone()), Some(id));
}

/// A PNG is decoded: its message's file has its pixel size, and its thumbnail (pixels we
/// encoded) is served inline with the same headers, to the agent and the visitor.
#[tokio::test]
async fn a_png_has_its_size_and_a_thumbnail() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, _chat) = chatting(&app).await;
    let up = visitor_upload(&app, &v, "shot.png", PNG).await;
    let id = file_id(&up);
    let d = agent_get(&alice, &format!("/api/files/{id}")).await;
    assert_eq!((d.status, d.header("content-type")), (200, "image/png"));
    assert!(d.header("content-disposition").starts_with("inline; "));
    let thumb = agent_get(&alice, &format!("/api/files/{id}/thumb")).await;
    let visitor_thumb = visitor_get(&app, &id, true, &v.token).await;
    assert_eq!(up.body["file"]["width"], 64);
    assert_eq!(up.body["file"]["height"], 48);
    for t in [&thumb, &visitor_thumb] {
        assert_eq!(t.status, 200);
        assert!(t.header("content-type").starts_with("image/"));
        assert!(t.header("content-disposition").starts_with("inline; "));
        assert_eq!(t.header("x-content-type-options"), "nosniff");
    }
    assert_eq!(
        visitor_thumb.header("cross-origin-resource-policy"),
        "cross-origin"
    );
}

#[tokio::test]
async fn uploads_are_counted_in_the_metrics() {
    let app = TestApp::spawn().await;
    let (_, _alice, _a, v, _chat) = chatting(&app).await;
    file_id(&visitor_upload(&app, &v, "a.txt", b"hello").await);
    assert_eq!(visitor_upload(&app, &v, "e.txt", b"").await.status, 400);
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("frontdesk_files_uploaded_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("frontdesk_files_uploaded_bytes_total 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("frontdesk_file_uploads_refused_total{code=\"empty\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_file_routes_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.openapi_document().await;
    for (path, method) in [
        ("/api/chats/{chat_id}/files", "post"),
        ("/api/visitor/files", "post"),
        ("/api/files/{file_id}", "get"),
        ("/api/files/{file_id}/thumb", "get"),
        ("/files/{file_id}", "get"),
        ("/files/{file_id}/thumb", "get"),
        ("/api/chats/{chat_id}", "delete"),
        ("/api/chats/{chat_id}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let upload = &doc["paths"]["/api/visitor/files"]["post"]["requestBody"]["content"];
    assert!(upload["multipart/form-data"].is_object(), "{upload}");
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"].to_string();
    for code in ["file_too_large", "file_type_not_allowed", "too_many_files"] {
        assert!(codes.contains(code), "{code}");
    }
}

/// The upload routes take up to `limits.file_max_bytes` (10 MB by default), far above the
/// 2 MB every other route takes.
#[tokio::test]
async fn a_file_of_several_megabytes_is_taken() {
    let app = TestApp::spawn().await;
    let (_, alice, _a, v, chat) = chatting(&app).await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(6 * 1024 * 1024, b'x');
    let id = file_id(&agent_upload(&alice, chat, "big.pdf", &big, None).await);
    let d = visitor_get(&app, &id, false, &v.token).await;
    assert_eq!((d.bytes.len(), sha256(&d.bytes)), (big.len(), sha256(&big)));
}

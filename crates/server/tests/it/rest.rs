//! The REST API: every resource's happy path, refusals that read like missing objects,
//! admin-only calls, the Origin check on state-changing calls, and the transcript renderings.

use crate::helpers::*;
use frontdesk::config::SmtpSettings;
use frontdesk_core::model::{NewBlock, NewOfflineMessage};
use frontdesk_core::{AgentId, SiteId, VisitorId};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A call as `a`, with an `Origin` header when given.
async fn call(
    a: &AgentClient,
    method: Method,
    path: &str,
    body: Option<Value>,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut req = a.http.request(method, format!("{}{path}", a.base));
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

async fn put(a: &AgentClient, path: &str, body: Value) -> reqwest::Response {
    call(a, Method::PUT, path, Some(body), Some(&a.base.clone())).await
}

async fn delete(a: &AgentClient, path: &str) -> reqwest::Response {
    call(a, Method::DELETE, path, None, Some(&a.base.clone())).await
}

async fn ok_json(resp: reqwest::Response, status: u16) -> Value {
    let s = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    assert_eq!(s, status, "{text}");
    serde_json::from_str(&text).expect("JSON body")
}

async fn assert_error(resp: reqwest::Response, status: u16, code: &str) {
    let s = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON error body, got {s} {text:?}"));
    assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A chat on `site`, accepted by the on-line agent on `ws`, with one message each way.
async fn chat_with_messages(
    app: &TestApp,
    site: &frontdesk_core::model::Site,
    ws: &mut Ws,
    visitor_name: &str,
    said: &str,
) -> (VisitorClient, i64) {
    let mut v = app.visitor(site).await;
    let chat = v.request_chat(Some(visitor_name)).await;
    assert_eq!(accept(ws, chat).await["type"], "ack");
    v.say(said).await;
    assert_eq!(
        agent_say(ws, chat, "Hello, how can I help?").await["type"],
        "ack"
    );
    (v, chat)
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

    let txt = alice
        .get(&format!("/api/chats/{chat}/transcript.txt"))
        .await;
    assert_eq!(txt.status(), 200);
    assert!(
        txt.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    assert_eq!(
        txt.headers()["content-disposition"],
        format!("attachment; filename=\"chat-{chat}.txt\"").as_str()
    );
    let txt = txt.text().await.expect("text");
    assert!(
        txt.contains(script) && txt.contains("Hello, how can I help?"),
        "{txt}"
    );

    let html = alice
        .get(&format!("/api/chats/{chat}/transcript.html"))
        .await;
    assert_eq!(html.status(), 200);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html")
    );
    assert_eq!(
        html.headers()["content-disposition"],
        format!("attachment; filename=\"chat-{chat}.html\"").as_str()
    );
    let html = html.text().await.expect("html");
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
async fn fake_smtp() -> (u16, mpsc::UnboundedReceiver<String>) {
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

fn smtp_on(port: u16) -> SmtpSettings {
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
async fn another_sites_objects_read_as_missing() {
    let app = TestApp::spawn().await;
    let (site_a, site_b) = (app.site().await, app.site().await);
    let (_, mut ws) = app.online_agent("Olive").await;
    let (v_b, chat_b) = chat_with_messages(&app, &site_b, &mut ws, "Bob", "hi").await;
    let (v_a, chat_a) = chat_with_messages(&app, &site_a, &mut ws, "Ann", "hi").await;
    let store = app.store();
    let canned_b = store
        .create_canned(site_b.id, None, "B", "site B text")
        .await
        .expect("canned");
    let block_b = store
        .create_block(NewBlock {
            site_id: site_b.id,
            visitor_id: VisitorId(v_b.visitor_id.clone()),
            ip: None,
            chat_id: Some(frontdesk_core::ChatId(chat_b)),
            blocked_by: AgentId(1),
            created_at: app.now(),
            until: app.now().plus_millis(3_600_000),
        })
        .await
        .expect("block");

    let bea = app.agent_with("Bea", false, Some(vec![site_a.id])).await;
    let ada = app.agent_with("Ada", true, Some(vec![site_a.id])).await;
    // Site A's own objects are visible to Bea.
    ok_json(bea.get(&format!("/api/chats/{chat_a}")).await, 200).await;
    ok_json(
        bea.get(&format!(
            "/api/sites/{}/visitors/{}",
            site_a.id, v_a.visitor_id
        ))
        .await,
        200,
    )
    .await;

    let (a, b) = (site_a.id, site_b.id);
    let mut missing = vec![
        format!("/api/chats/{chat_b}"),
        format!("/api/chats/{}", chat_a.max(chat_b) + 1),
        format!("/api/sites/{b}/visitors/{}", v_b.visitor_id),
        format!("/api/sites/{a}/visitors/{}", v_b.visitor_id),
        format!("/api/sites/{b}/visitors"),
        format!("/api/sites/{}/visitors", b.0 + 100),
        format!("/api/sites/{b}/canned"),
        format!("/api/sites/{b}/offline-messages"),
    ];
    for suffix in [
        "",
        "/transcript.txt",
        "/transcript.html",
        "/transcript.eml",
        "/mailto?to=a@b.example",
    ] {
        missing.push(format!("/api/chats/{chat_b}{suffix}"));
        for bad in [
            "1abc",
            "-1",
            "x",
            "0",
            "1.0",
            "%201",
            "99999999999999999999999",
        ] {
            missing.push(format!("/api/chats/{bad}{suffix}"));
        }
    }
    for bad in ["1abc", "-1", "x"] {
        missing.push(format!("/api/sites/{bad}/visitors"));
        missing.push(format!("/api/sites/{bad}/visitors/{}", v_a.visitor_id));
        missing.push(format!("/api/sites/{bad}/canned"));
        missing.push(format!("/api/sites/{bad}/offline-messages"));
    }
    for path in &missing {
        assert_error(bea.get(path).await, 404, "not_found").await;
    }
    for path in [
        format!("/api/chats/{chat_b}/email"),
        "/api/chats/1abc/email".into(),
        format!("/api/sites/{b}/canned"),
    ] {
        assert_error(
            bea.post(
                &path,
                json!({"to": "a@b.example", "title": "t", "body": "b"}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    for id in [
        canned_b.id.0.to_string(),
        (canned_b.id.0 + 1).to_string(),
        "1abc".into(),
        "-1".into(),
    ] {
        assert_error(
            put(
                &ada,
                &format!("/api/canned/{id}"),
                json!({"title": "t", "body": "b"}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        assert_error(
            delete(&bea, &format!("/api/canned/{id}")).await,
            404,
            "not_found",
        )
        .await;
    }
    // An admin of site A only: site B's blocks are missing too.
    for path in [
        format!("/api/admin/sites/{b}/blocks"),
        "/api/admin/sites/1abc/blocks".into(),
        format!("/api/admin/sites/{}/blocks", b.0 + 100),
    ] {
        assert_error(ada.get(&path).await, 404, "not_found").await;
    }
    ok_json(ada.get(&format!("/api/admin/sites/{a}/blocks")).await, 200).await;
    for id in [
        block_b.id.0.to_string(),
        (block_b.id.0 + 1).to_string(),
        "x".into(),
        "1abc".into(),
    ] {
        assert_error(
            delete(&ada, &format!("/api/admin/blocks/{id}")).await,
            404,
            "not_found",
        )
        .await;
    }
    assert!(!store.block(block_b.id).await.expect("block").lifted);
    assert!(store.canned(canned_b.id).await.is_ok());
}

#[tokio::test]
async fn admin_calls_are_forbidden_to_other_agents() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let bea = app.agent("Bea").await;
    let s = site.id;
    let calls: Vec<(Method, String)> = vec![
        (Method::GET, "/api/admin/sites".into()),
        (Method::POST, "/api/admin/sites".into()),
        (Method::PUT, format!("/api/admin/sites/{s}")),
        (Method::GET, format!("/api/admin/sites/{s}/blocks")),
        (Method::DELETE, "/api/admin/blocks/1".into()),
        (Method::GET, "/api/admin/agents".into()),
        (Method::POST, "/api/admin/agents".into()),
        (Method::PUT, format!("/api/admin/agents/{}", bea.id)),
        (Method::DELETE, format!("/api/admin/agents/{}", bea.id)),
        (Method::DELETE, "/api/admin/agents/x".into()),
    ];
    let body = json!({"name": "n", "base_url": "https://x.example", "email": "x@x.example", "password": "long enough pw", "is_admin": true});
    for (method, path) in &calls {
        let resp = call(
            &bea,
            method.clone(),
            path,
            Some(body.clone()),
            Some(&app.base),
        )
        .await;
        assert_error(resp, 403, "forbidden").await;
    }
    // Not signed in at all: 401.
    let anon = reqwest::Client::new();
    let resp = anon
        .get(format!("{}/api/admin/sites", app.base))
        .send()
        .await
        .expect("GET");
    assert_error(resp, 401, "unauthorized").await;
    let resp = anon
        .get(format!("{}/api/chats/1", app.base))
        .send()
        .await
        .expect("GET");
    assert_error(resp, 401, "unauthorized").await;
    assert!(app.store().agent(bea.id).await.is_ok());
}

#[tokio::test]
async fn state_changing_calls_need_this_servers_origin() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let canned = app
        .store()
        .create_canned(site.id, None, "T", "B")
        .await
        .expect("canned");
    let body = json!({"title": "t", "body": "b", "scope": "site", "to": "a@b.example"});
    let cases = [
        (Method::POST, format!("/api/sites/{}/canned", site.id)),
        (Method::PUT, format!("/api/canned/{}", canned.id)),
        (Method::DELETE, format!("/api/canned/{}", canned.id)),
        (Method::POST, "/api/chats/1/email".into()),
        (Method::POST, "/api/admin/sites".into()),
        (Method::POST, "/api/auth/logout".into()),
    ];
    for (method, path) in &cases {
        for origin in [
            None,
            Some("https://evil.example"),
            Some("null"),
            Some(&*format!("{}.evil.example", app.base)),
        ] {
            let resp = call(&admin, method.clone(), path, Some(body.clone()), origin).await;
            assert_error(resp, 403, "origin_refused").await;
        }
    }
    // Nothing happened; with our origin it works.
    assert_eq!(
        app.store().canned(canned.id).await.expect("kept").title,
        "T"
    );
    let created = call(
        &admin,
        Method::POST,
        &format!("/api/sites/{}/canned", site.id),
        Some(body),
        Some(&app.base),
    )
    .await;
    assert_eq!(created.status(), 201);
    let login = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({"email": admin.email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_error(login, 403, "origin_refused").await;
}

#[tokio::test]
async fn canned_responses_belong_to_their_owner_or_the_site() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, bob) = (app.agent("Alice").await, app.agent("Bob").await);
    let admin = app.agent_with("Ada", true, None).await;
    let path = format!("/api/sites/{}/canned", site.id);

    let own = ok_json(
        alice
            .post(
                &path,
                json!({"title": "Hi", "body": "Hello!", "scope": "own"}),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(
        (own["agent_id"].as_i64(), own["site_id"].as_i64()),
        (Some(alice.id.0), Some(site.id.0))
    );
    assert_error(
        alice
            .post(&path, json!({"title": "All", "body": "x", "scope": "site"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let shared = ok_json(
        admin
            .post(
                &path,
                json!({"title": "Hours", "body": "9 to 5", "scope": "site"}),
            )
            .await,
        201,
    )
    .await;
    assert!(shared["agent_id"].is_null());
    let bobs = ok_json(
        bob.post(&path, json!({"title": "Mine", "body": "Bob's"}))
            .await,
        201,
    )
    .await;
    assert_eq!(
        bobs["agent_id"].as_i64(),
        Some(bob.id.0),
        "scope defaults to own"
    );

    let list = ok_json(alice.get(&path).await, 200).await;
    let titles: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{list}");
    assert!(titles.contains(&"Hi") && titles.contains(&"Hours"));

    let (own_id, shared_id, bobs_id) = (&own["id"], &shared["id"], &bobs["id"]);
    let edit = json!({"title": "Hi there", "body": "Hello again!"});
    // Another agent's own response reads as missing, even for an admin.
    assert_error(
        put(&alice, &format!("/api/canned/{bobs_id}"), edit.clone()).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        delete(&alice, &format!("/api/canned/{bobs_id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(&admin, &format!("/api/canned/{own_id}"), edit.clone()).await,
        404,
        "not_found",
    )
    .await;
    // Site-wide: admins only.
    assert_error(
        put(&alice, &format!("/api/canned/{shared_id}"), edit.clone()).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        delete(&alice, &format!("/api/canned/{shared_id}")).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        put(
            &admin,
            &format!("/api/canned/{shared_id}"),
            json!({"title": "Hours", "body": "8 to 6"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        put(&alice, &format!("/api/canned/{own_id}"), edit)
            .await
            .status(),
        204
    );
    let list = ok_json(alice.get(&path).await, 200).await;
    let bodies: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&"Hello again!") && bodies.contains(&"8 to 6"),
        "{list}"
    );

    // Validation.
    let long_title = "t".repeat(101);
    for (body, code) in [
        (json!({"title": "  ", "body": "x"}), "empty"),
        (json!({"title": "t", "body": " \n "}), "empty"),
        (json!({"title": long_title, "body": "x"}), "too_long"),
        (json!({"title": "t", "body": "x".repeat(4001)}), "too_long"),
        (json!({"title": "t"}), "bad_request"),
        (
            json!({"title": "t", "body": "x", "scope": "everyone"}),
            "bad_request",
        ),
    ] {
        assert_error(alice.post(&path, body).await, 400, code).await;
    }
    let raw = call(&alice, Method::POST, &path, None, Some(&app.base)).await;
    assert_error(raw, 400, "bad_request").await;
    assert_error(
        put(
            &alice,
            &format!("/api/canned/{own_id}"),
            json!({"title": "", "body": "x"}),
        )
        .await,
        400,
        "empty",
    )
    .await;

    assert_eq!(
        delete(&alice, &format!("/api/canned/{own_id}"))
            .await
            .status(),
        204
    );
    assert_error(
        delete(&alice, &format!("/api/canned/{own_id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        delete(&admin, &format!("/api/canned/{shared_id}"))
            .await
            .status(),
        204
    );
    assert_eq!(ok_json(alice.get(&path).await, 200).await, json!([]));
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

#[tokio::test]
async fn admins_create_and_edit_sites() {
    let app = TestApp::spawn().await;
    let admin = app.agent_with("Ada", true, None).await;
    let input = json!({"name": "Shoe Shop", "base_url": "https://shoes.example/", "timezone": "Europe/Berlin",
        "allowed_origins": ["https://www.shoes.example/"], "email": "help@shoes.example"});
    let site = ok_json(admin.post("/api/admin/sites", input.clone()).await, 201).await;
    let key = site["key"].as_str().expect("key").to_string();
    assert_eq!(key.len(), 20);
    assert_eq!(
        site["snippet"],
        format!(
            "<script src=\"{}/widget.js\" data-site=\"{key}\" async></script>",
            app.base
        )
    );
    assert_eq!(site["base_url"], "https://shoes.example");
    assert_eq!(
        site["allowed_origins"],
        json!(["https://www.shoes.example"])
    );
    assert_eq!(
        (site["timezone"].as_str(), site["email"].as_str()),
        (Some("Europe/Berlin"), Some("help@shoes.example"))
    );
    let id = site["id"].as_i64().expect("id");

    let list = ok_json(admin.get("/api/admin/sites").await, 200).await;
    let listed = list
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .expect("listed");
    assert_eq!(listed["snippet"], site["snippet"]);

    // The new site works: a visitor from an allowed origin connects with its key.
    let stored = app.store().site(SiteId(id)).await.expect("stored");
    let v =
        VisitorClient::connect_from(&app, &stored, "https://www.shoes.example", None, None, "/")
            .await;
    assert!(!v.visitor_id.is_empty());

    let mut edit = input.clone();
    edit["name"] = json!("Boot Shop");
    edit["timezone"] = json!("Asia/Tokyo");
    edit["email"] = json!(null);
    let updated = ok_json(
        put(&admin, &format!("/api/admin/sites/{id}"), edit.clone()).await,
        200,
    )
    .await;
    assert_eq!(
        (updated["name"].as_str(), updated["key"].as_str()),
        (Some("Boot Shop"), Some(key.as_str()))
    );
    assert!(updated["email"].is_null());
    assert_eq!(
        app.store().site(SiteId(id)).await.expect("site").timezone,
        "Asia/Tokyo"
    );
    assert_error(
        put(&admin, "/api/admin/sites/99999", edit.clone()).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(&admin, "/api/admin/sites/abc", edit).await,
        404,
        "not_found",
    )
    .await;

    for (field, value, code) in [
        ("base_url", json!("javascript:alert(1)"), "bad_request"),
        ("base_url", json!("ftp://files.example"), "bad_request"),
        ("base_url", json!("not a url"), "bad_request"),
        ("timezone", json!("Mars/Olympus"), "bad_request"),
        (
            "allowed_origins",
            json!(["data:text/html,x"]),
            "bad_request",
        ),
        ("email", json!("not-an-address"), "bad_request"),
        ("name", json!("  "), "empty"),
    ] {
        let mut bad = input.clone();
        bad[field] = value;
        assert_error(admin.post("/api/admin/sites", bad).await, 400, code).await;
    }
}

/// A sign-in with a given password; the session cookie if it worked.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> Option<reqwest::Client> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = http
        .post(format!("{}/api/auth/login", app.base))
        .header("Origin", &app.base)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    (resp.status() == 200).then_some(http)
}

async fn me_status(app: &TestApp, http: &reqwest::Client) -> u16 {
    http.get(format!("{}/api/me", app.base))
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[tokio::test]
async fn admins_manage_agents() {
    let generous = frontdesk::config::Rate {
        per_minute: 600,
        burst: 100,
    };
    let app = TestApp::spawn_with(|s| {
        s.limits.login_per_account = generous;
        s.limits.login_per_ip = generous;
    })
    .await;
    let (a, b) = (app.site().await, app.site().await);
    let admin = app.agent_with("Ada", true, None).await;
    let input = json!({"email": "Zoe@Agents.example", "name": "Zoe", "password": PASSWORD, "is_admin": false, "sites": [a.id]});
    let zoe = ok_json(admin.post("/api/admin/agents", input.clone()).await, 201).await;
    assert_eq!(
        (zoe["name"].as_str(), zoe["is_admin"].as_bool()),
        (Some("Zoe"), Some(false))
    );
    assert_eq!(zoe["sites"], json!([a.id]));
    let zoe_id = zoe["agent_id"].as_i64().expect("id");

    let mut dup = input.clone();
    dup["email"] = json!("zoe@agents.EXAMPLE");
    assert_error(admin.post("/api/admin/agents", dup).await, 409, "conflict").await;
    for (field, value, code) in [
        ("password", json!("short"), "bad_request"),
        ("sites", json!([99999]), "bad_request"),
        ("email", json!("zoe-at-nowhere"), "bad_request"),
        ("name", json!(""), "empty"),
    ] {
        let mut bad = input.clone();
        bad["email"] = json!(unique("new") + "@agents.example");
        bad[field] = value;
        assert_error(admin.post("/api/admin/agents", bad).await, 400, code).await;
    }

    let list = ok_json(admin.get("/api/admin/agents").await, 200).await;
    let listed = list
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["agent_id"] == json!(zoe_id))
        .cloned()
        .expect("listed");
    assert_eq!(listed["sites"], json!([a.id]));
    let ada = list
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["agent_id"] == json!(admin.id.0))
        .cloned()
        .expect("admin");
    assert_eq!(ada["sites"], json!([a.id, b.id]), "all sites");

    // Zoe signs in and opens the console; a change of sites ends her sessions and sockets.
    let http = sign_in(&app, "zoe@agents.example", PASSWORD)
        .await
        .expect("zoe signs in");
    let zoe_client = AgentClient::sign_in(&app, AgentId(zoe_id), "zoe@agents.example", "Zoe").await;
    let mut zoe_ws = zoe_client.connect(&app).await;
    assert_eq!(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"name": "Zoë"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        me_status(&app, &http).await,
        200,
        "a new name keeps sessions"
    );
    assert_eq!(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"sites": [b.id]})
        )
        .await
        .status(),
        204
    );
    assert_eq!(me_status(&app, &http).await, 401);
    assert!(zoe_ws.closed_by_server().await, "socket closed at once");
    let http = sign_in(&app, "zoe@agents.example", PASSWORD)
        .await
        .expect("signs in again");
    let me: Value = http
        .get(format!("{}/api/me", app.base))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (me["name"].as_str(), me["sites"][0]["site_id"].as_i64()),
        (Some("Zoë"), Some(b.id.0))
    );

    // A new password ends every session; the new one works.
    assert_eq!(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"password": "a brand new password"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(me_status(&app, &http).await, 401);
    assert!(
        sign_in(&app, "zoe@agents.example", PASSWORD)
            .await
            .is_none()
    );
    assert!(
        sign_in(&app, "zoe@agents.example", "a brand new password")
            .await
            .is_some()
    );
    assert_error(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"password": "short"}),
        )
        .await,
        400,
        "bad_request",
    )
    .await;

    // Every site (null), then admin rights.
    assert_eq!(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"sites": null, "is_admin": true})
        )
        .await
        .status(),
        204
    );
    let http = sign_in(&app, "zoe@agents.example", "a brand new password")
        .await
        .expect("again");
    let sites = http
        .get(format!("{}/api/admin/sites", app.base))
        .send()
        .await
        .expect("sites");
    assert_eq!(sites.status(), 200, "Zoe is an admin now");
    let list = ok_json(admin.get("/api/admin/agents").await, 200).await;
    let listed = list
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["agent_id"] == json!(zoe_id))
        .cloned()
        .expect("listed");
    assert_eq!(
        (listed["sites"].clone(), listed["is_admin"].as_bool()),
        (json!([a.id, b.id]), Some(true))
    );

    // Admins cannot delete or demote themselves; deleting another ends their sessions.
    let me_path = format!("/api/admin/agents/{}", admin.id);
    assert_error(delete(&admin, &me_path).await, 400, "bad_request").await;
    assert_error(
        put(&admin, &me_path, json!({"is_admin": false})).await,
        400,
        "bad_request",
    )
    .await;
    assert_eq!(
        delete(&admin, &format!("/api/admin/agents/{zoe_id}"))
            .await
            .status(),
        204
    );
    assert_eq!(me_status(&app, &http).await, 401);
    assert_error(
        delete(&admin, &format!("/api/admin/agents/{zoe_id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(
            &admin,
            &format!("/api/admin/agents/{zoe_id}"),
            json!({"name": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        delete(&admin, "/api/admin/agents/1abc").await,
        404,
        "not_found",
    )
    .await;
    assert!(
        sign_in(&app, "zoe@agents.example", "a brand new password")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn admins_see_and_lift_blocks() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut ws) = app.online_agent("Alice").await;
    let admin = app.agent_with("Ada", true, None).await;
    let mut v = app.visitor(&site).await;
    let chat = v.request_chat(None).await;
    assert_eq!(accept(&mut ws, chat).await["type"], "ack");
    assert_eq!(
        ws.request(json!({"type":"block","chat_id": chat})).await["type"],
        "ack"
    );
    assert_eq!(
        v.ws.request(json!({"type":"chat_request"})).await["code"],
        "blocked"
    );

    let blocks = ok_json(
        admin
            .get(&format!("/api/admin/sites/{}/blocks", site.id))
            .await,
        200,
    )
    .await;
    let list = blocks.as_array().expect("blocks");
    assert_eq!(list.len(), 1, "{blocks}");
    assert_eq!(
        (list[0]["visitor_id"].as_str(), list[0]["chat_id"].as_i64()),
        (Some(v.visitor_id.as_str()), Some(chat))
    );
    let id = list[0]["id"].as_i64().expect("id");
    assert_eq!(
        delete(&admin, &format!("/api/admin/blocks/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        ok_json(
            admin
                .get(&format!("/api/admin/sites/{}/blocks", site.id))
                .await,
            200
        )
        .await,
        json!([])
    );
    assert_eq!(
        v.ws.request(json!({"type":"chat_request"})).await["type"],
        "ack",
        "may chat again"
    );
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let app = TestApp::spawn().await;
    let resp = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .expect("GET");
    let doc = ok_json(resp, 200).await;
    assert_eq!(doc["servers"][0]["url"], app.base);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/chats/{chat_id}/transcript.eml",
        "/api/admin/sites",
        "/api/me/password",
        "/healthz",
        "/ws/visitor",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
}

#[tokio::test]
async fn zz_probe_deleted_agent_chat() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (alice, mut ws) = app.online_agent("Alice").await;
    let admin = app.agent_with("Ada", true, None).await;
    let (_v, chat) = chat_with_messages(&app, &site, &mut ws, "Ann", "hi").await;
    assert_eq!(
        ws.request(json!({"type":"end","chat_id": chat})).await["type"],
        "ack"
    );
    assert_eq!(
        delete(&admin, &format!("/api/admin/agents/{}", alice.id))
            .await
            .status(),
        204
    );
    let r = admin.get(&format!("/api/chats/{chat}")).await;
    println!(
        "PROBE {} {}",
        r.status(),
        r.text().await.unwrap_or_default()
    );
}

//! A site's "Appearance" (issue 17): saved with the site settings (texts trimmed), refused
//! with `low_contrast` when the accent colour is too light for the widget's white text, carried
//! by `welcome.appearance` (only what differs; nothing for a site that sets nothing), and
//! "Team name": the visitor never sees an agent's own name (`chat.accepted`, `welcome.chat`,
//! `invitation`, a colleague's reply, a chat handed over).

use crate::helpers::*;
use crate::rest::{ok_json, put};
use frontdesk_core::model::Site;
use serde_json::{Value, json};

fn settings_path(site: &Site) -> String {
    format!("/api/admin/sites/{}/settings", site.id)
}

async fn save(admin: &AgentClient, site: &Site, appearance: Value) -> reqwest::Response {
    put(
        admin,
        &settings_path(site),
        json!({ "appearance": appearance }),
    )
    .await
}

async fn refused(admin: &AgentClient, site: &Site, appearance: Value) -> Value {
    ok_json(save(admin, site, appearance).await, 400).await
}

#[tokio::test]
async fn appearance_is_saved_checked_and_sent_with_welcome() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;

    // Nothing set: no `appearance` on the wire at all.
    let plain = app.visitor(&site).await;
    assert!(
        plain.welcome.get("appearance").is_none(),
        "{}",
        plain.welcome
    );

    let saved = ok_json(
        save(
            &admin,
            &site,
            json!({"accent": " #0A7D45 ", "position": "left", "launcher_label": " Ask us ",
                "greeting": "Hello!\r\nHow can we help?", "offline_text": "We are back at 9.",
                "ask_name": "required", "ask_email": "optional", "team_name": "  "}),
        )
        .await,
        200,
    )
    .await;
    let stored = &saved["settings"]["appearance"];
    assert_eq!(stored["accent"], "#0a7d45", "{saved}");
    assert_eq!(stored["launcher_label"], "Ask us");
    assert_eq!(stored["greeting"], "Hello!\nHow can we help?");
    assert_eq!(stored["team_name"], Value::Null, "blank: none");
    assert_eq!(stored["agent_names"], "agent");

    let v = app.visitor(&site).await;
    assert_eq!(
        v.welcome["appearance"],
        json!({"accent": "#0a7d45", "position": "left", "launcher_label": "Ask us",
            "greeting": "Hello!\nHow can we help?", "offline_text": "We are back at 9.",
            "ask_name": "required", "ask_email": "optional"}),
        "{}",
        v.welcome
    );

    // Back to the defaults: nothing on the wire again.
    ok_json(
        save(
            &admin,
            &site,
            json!({"ask_email": "hidden", "accent": "#2F5BEA"}),
        )
        .await,
        200,
    )
    .await;
    let v = app.visitor(&site).await;
    assert!(v.welcome.get("appearance").is_none(), "{}", v.welcome);
}

#[tokio::test]
async fn a_low_contrast_accent_and_bad_values_are_refused() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;

    let e = refused(&admin, &site, json!({"accent": "#ffee00"})).await;
    assert_eq!(e["code"], "low_contrast", "{e}");
    assert_eq!(
        e["message"],
        "Accent colour #ffee00 has contrast 1.2:1 with the widget's white text; WCAG AA needs 4.5:1"
    );
    let e = refused(&admin, &site, json!({"accent": "#777777"})).await;
    assert_eq!(e["code"], "low_contrast");
    assert!(
        e["message"].as_str().unwrap_or("").contains("4.47:1"),
        "{e}"
    );
    ok_json(save(&admin, &site, json!({"accent": "#767676"})).await, 200).await;

    let e = refused(&admin, &site, json!({"accent": "blue"})).await;
    assert_eq!(e["code"], "bad_request", "{e}");
    let e = refused(&admin, &site, json!({"greeting": "x".repeat(501)})).await;
    assert_eq!(e["code"], "too_long", "{e}");
    let e = refused(&admin, &site, json!({"launcher_label": "two\nlines"})).await;
    assert_eq!(e["code"], "bad_request", "{e}");
    let e = refused(&admin, &site, json!({"agent_names": "team"})).await;
    assert_eq!(e["code"], "bad_request", "{e}");
    assert!(
        e["message"].as_str().unwrap_or("").contains("Team name"),
        "{e}"
    );
    let e = refused(&admin, &site, json!({"position": "top"})).await;
    assert_eq!(e["code"], "bad_request", "{e}");

    // Nothing refused was stored: the last good colour stands.
    let stored = app.store().site(site.id).await.expect("site");
    assert_eq!(
        stored.settings.appearance.accent.as_deref(),
        Some("#767676")
    );
}

async fn message_with(ws: &mut Ws, body: &str) -> Value {
    let b = body.to_string();
    ws.wait_for("message", move |f| {
        f["type"] == "message" && f["body"] == b.as_str()
    })
    .await
}

#[tokio::test]
async fn a_team_name_replaces_every_agents_name_for_the_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    ok_json(
        save(
            &admin,
            &site,
            json!({"agent_names": "team", "team_name": "Acme Support"}),
        )
        .await,
        200,
    )
    .await;

    // Invitation.
    let (alice, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    assert!(
        v.welcome.get("appearance").is_none(),
        "the widget is not told"
    );
    let ack = a
        .request(json!({"type":"invite","site_id": site.id.0,"visitor_id": v.visitor_id,"greeting":"Need help?"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        v.ws.expect("invitation").await["agent_name"],
        "Acme Support"
    );

    // Accepted: the visitor hears the team; the agents still hear who took it.
    let chat = v.request_chat(Some("Ann")).await;
    accept(&mut a, chat).await;
    let accepted = v.ws.expect("chat.accepted").await;
    assert_eq!(accepted["agent_name"], "Acme Support", "{accepted}");
    agent_say(&mut a, chat, "hello from alice").await;
    let m = message_with(&mut v.ws, "hello from alice").await;
    assert!(m.get("author_name").is_none(), "{m}");

    // A colleague joins and writes: not named, though "Show all agents' names" is on.
    let (bob, mut b) = app.online_agent("Bob").await;
    let invited = a
        .request(json!({"type":"invite_agent","chat_id": chat,"agent": bob.id.0}))
        .await;
    assert_eq!(invited["type"], "ack", "{invited}");
    b.wait_for("join invite", |f| f["type"] == "chat.join_invite")
        .await;
    assert_eq!(
        b.request(json!({"type":"join","chat_id": chat})).await["type"],
        "ack"
    );
    agent_say(&mut b, chat, "bob here").await;
    let m = message_with(&mut v.ws, "bob here").await;
    assert!(m.get("author_name").is_none(), "{m}");

    // The visitor comes back (another page): welcome.chat names the team.
    let mut back = VisitorClient::come_back(&app, &site, &v.token, 0, Some(chat)).await;
    assert_eq!(
        back.welcome["chat"]["agent_name"], "Acme Support",
        "{}",
        back.welcome
    );
    // Its replay: the two replies, neither named.
    for body in ["hello from alice", "bob here"] {
        let m = message_with(&mut back.ws, body).await;
        assert!(m.get("author_name").is_none(), "{m}");
    }

    // The owner leaves: the chat is handed to Bob; the visitor still hears the team.
    let left = a.request(json!({"type":"leave","chat_id": chat})).await;
    assert_eq!(left["type"], "ack", "{left}");
    let again =
        v.ws.wait_for("handed over", |f| f["type"] == "chat.accepted")
            .await;
    assert_eq!(again["agent_name"], "Acme Support", "{again}");

    // Whatever else reached the visitor: no agent's own name.
    let _ = alice;
    for f in
        v.ws.drain()
            .await
            .iter()
            .chain(back.ws.drain().await.iter())
    {
        let text = f.to_string();
        assert!(!text.contains("Alice") && !text.contains("Bob"), "{text}");
    }
}

#[tokio::test]
async fn agents_own_names_again_when_the_team_name_is_turned_off() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    ok_json(
        save(
            &admin,
            &site,
            json!({"agent_names": "team", "team_name": "Acme"}),
        )
        .await,
        200,
    )
    .await;
    ok_json(
        save(
            &admin,
            &site,
            json!({"agent_names": "agent", "team_name": "Acme"}),
        )
        .await,
        200,
    )
    .await;
    let (_, _a, v, _chat) = app.accepted_chat(&site).await;
    let back = VisitorClient::come_back(&app, &site, &v.token, 0, None).await;
    assert_eq!(back.welcome["chat"]["agent_name"], "Alice");
}

/// "Ask for a name" / "Ask for an email" set to required hold on the server too: a request
/// without them is refused with `empty` and makes no chat; a name or address given before
/// (an earlier chat) counts.
#[tokio::test]
async fn required_name_and_email_are_checked_by_the_server() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let asks = json!({"ask_name": "required", "ask_email": "required"});
    ok_json(save(&admin, &site, asks).await, 200).await;
    let (_, mut a) = app.online_agent("Alice").await;
    let mut v = app.visitor(&site).await;
    for (frame, field) in [
        (json!({"type":"chat_request"}), "name"),
        (json!({"type":"chat_request","name":"Ann"}), "email"),
        (
            json!({"type":"chat_request","email":"ann@example.com"}),
            "name",
        ),
    ] {
        let answer = v.ws.request(frame).await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["code"], "empty", "{answer}");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(field)),
            "{answer}"
        );
    }
    assert!(
        app.store()
            .open_chat_of_visitor(site.id, &frontdesk_core::VisitorId(v.visitor_id.clone()))
            .await
            .expect("read")
            .is_none(),
        "no chat was made"
    );
    let answer =
        v.ws.request(json!({"type":"chat_request","name":"Ann","email":"ann@example.com"}))
            .await;
    assert_eq!(answer["type"], "ack", "{answer}");
    let chat = answer["chat_id"].as_i64().expect("chat id");
    accept(&mut a, chat).await;
    let ended = v.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(ended["type"], "ack", "{ended}");
    // The next chat: the name and address are known from the first.
    let again = v.ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(again["type"], "ack", "{again}");
}

#[tokio::test]
async fn the_visitors_emailed_transcript_names_the_team() {
    let (port, mut mails) = crate::rest::chats::fake_smtp().await;
    let app = TestApp::spawn_with(move |s| s.smtp = Some(crate::rest::chats::smtp_on(port))).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    ok_json(
        save(
            &admin,
            &site,
            json!({"agent_names": "team", "team_name": "Acme Support"}),
        )
        .await,
        200,
    )
    .await;
    let (_alice, mut a, mut ann, chat) = app.accepted_chat(&site).await;
    agent_say(&mut a, chat, "It ships today").await;
    let ack = ann
        .ws
        .request(json!({"type":"email_transcript","chat_id": chat,"email": "ann@example.com"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .expect("mail arrives")
        .expect("mail");
    assert!(
        mail.contains("Acme Support (agent): It ships today"),
        "{mail}"
    );
    assert!(!mail.contains("Alice"), "{mail}");
}

#[tokio::test]
async fn the_openapi_document_has_appearance() {
    let app = TestApp::spawn().await;
    let doc = app.openapi_document().await;
    let schemas = &doc["components"]["schemas"];
    let settings = schemas["SiteSettings"]["properties"]["appearance"].to_string();
    assert!(settings.contains("Appearance"), "{settings}");
    let appearance = &schemas["Appearance"]["properties"];
    for field in [
        "accent",
        "position",
        "launcher_label",
        "greeting",
        "offline_text",
        "ask_name",
        "ask_email",
        "agent_names",
        "team_name",
    ] {
        assert!(appearance[field].is_object(), "{field}: {appearance}");
    }
    assert!(schemas["LauncherPosition"].is_object());
    assert!(schemas["Ask"]["enum"].to_string().contains("required"));
    let errors = schemas["ErrorCode"].to_string();
    assert!(errors.contains("low_contrast"), "{errors}");
    let put = doc["paths"]["/api/admin/sites/{id}/settings"]["put"].to_string();
    assert!(put.contains("low_contrast"), "{put}");
}

//! Who may call what: another site's objects read as missing (also for ids that are not
//! integers), admin calls are refused to other agents, and state-changing calls need our Origin.

use super::*;
use crate::helpers::*;
use frontdesk_core::model::NewBlock;
use frontdesk_core::{AgentId, VisitorId};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn another_sites_objects_read_as_missing() {
    let app = TestApp::spawn().await;
    let (site_a, site_b) = (app.site().await, app.site().await);
    let (_, mut ws) = app.online_agent("Olive").await;
    let (v_b, chat_b) = chat_with_messages(&app, &site_b, &mut ws, "Bob", "hi").await;
    let (v_a, chat_a) = chat_with_messages(&app, &site_a, &mut ws, "Ann", "hi").await;
    let store = app.store();
    let canned_b = store
        .create_canned(site_b.id, None, "B", "site B text", None)
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
        .create_canned(site.id, None, "T", "B", None)
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

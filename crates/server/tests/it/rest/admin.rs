//! Administration: sites (with the embed snippet), agents, blocks.

use super::*;
use crate::helpers::*;
use frontdesk_core::{AgentId, SiteId};
use serde_json::Value;
use serde_json::json;

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
    // A form sending back today's sites changes nothing: Zoe stays an agent of every site,
    // future ones included, and keeps her session.
    let unchanged = json!({"name": "Zoë", "is_admin": true, "sites": [b.id, a.id]});
    let resp = put(&admin, &format!("/api/admin/agents/{zoe_id}"), unchanged).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(me_status(&app, &http).await, 200);
    let c = app.site().await;
    let zoe_sites = app
        .store()
        .memberships(AgentId(zoe_id))
        .await
        .expect("memberships");
    assert!(
        zoe_sites.iter().any(|m| m.site_id == c.id),
        "a new site is hers too"
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

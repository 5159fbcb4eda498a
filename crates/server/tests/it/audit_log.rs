//! The audit log (issue 18): an entry for each audited action with who, when and from which
//! address; `GET /api/admin/audit` (admins) filters and pages newest first; retention removes
//! what is older than `audit_keep_days`, by the injectable clock.

use crate::helpers::*;
use crate::rest::{assert_error, delete, ok_json, put};
use serde_json::{Value, json};
use std::time::Duration;

async fn page(admin: &AgentClient, query: &str) -> Value {
    ok_json(admin.get(&format!("/api/admin/audit{query}")).await, 200).await
}

fn actions(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn each_audited_action_is_recorded_with_who_and_from_where() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;

    // Sign-ins: a failed one (nobody known) and a good one.
    let http = reqwest::Client::new();
    let resp = login(&http, &app, &admin.email, "wrong password").await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        login(&http, &app, &admin.email, PASSWORD).await.status(),
        200
    );

    // Agents, sites, tokens, blocks, password.
    let input = json!({"email": "new@agents.example", "name": "Newbie", "password": PASSWORD});
    let agent = ok_json(admin.post("/api/admin/agents", input).await, 201).await;
    let agent_path = format!("/api/admin/agents/{}", agent["agent_id"]);
    assert_eq!(
        put(&admin, &agent_path, json!({"name": "Newer"}))
            .await
            .status(),
        204
    );
    assert_eq!(delete(&admin, &agent_path).await.status(), 204);
    let input = json!({"name": "Boots", "base_url": "https://boots.example", "timezone": "UTC"});
    let created = ok_json(admin.post("/api/admin/sites", input.clone()).await, 201).await;
    let site_path = format!("/api/admin/sites/{}", created["id"]);
    assert_eq!(put(&admin, &site_path, input).await.status(), 200);
    let settings = put(&admin, &format!("{site_path}/settings"), json!({})).await;
    assert_eq!(settings.status(), 200);
    let dept = json!({"name": "Sales", "url_prefixes": []});
    let dept_path = format!("{site_path}/departments");
    let dept = ok_json(admin.post(&dept_path, dept).await, 201).await;
    let dept_path = format!("/api/admin/departments/{}", dept["id"]);
    let renamed = put(&admin, &dept_path, json!({"name": "Sales EU"})).await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(delete(&admin, &dept_path).await.status(), 204);
    let token = crate::tokens::create(&admin, json!({"name": "CRM", "scopes": ["read"]})).await;
    let token_path = format!("/api/admin/tokens/{}", token["id"]);
    assert_eq!(delete(&admin, &token_path).await.status(), 204);
    let (_alice, mut ws, _v, chat) = app.accepted_chat(&site).await;
    let blocked = ws.request(json!({"type": "block", "chat_id": chat})).await;
    assert_eq!(blocked["type"], "ack");
    let blocks = ok_json(
        admin
            .get(&format!("/api/admin/sites/{}/blocks", site.id))
            .await,
        200,
    )
    .await;
    let block_path = format!("/api/admin/blocks/{}", blocks[0]["id"]);
    assert_eq!(delete(&admin, &block_path).await.status(), 204);
    let body = json!({"current_password": PASSWORD, "new_password": "another long one"});
    assert_eq!(admin.post("/api/me/password", body).await.status(), 204);
    // Canned responses, an agent's departments, a sign-out.
    let made = json!({"title": "Hi", "body": "Hello!", "scope": "site"});
    let made = ok_json(
        admin
            .post(&format!("/api/sites/{}/canned", site.id), made)
            .await,
        201,
    )
    .await;
    let canned_path = format!("/api/canned/{}", made["id"]);
    let edit = json!({"title": "Hi there", "body": "Hello!"});
    assert_eq!(put(&admin, &canned_path, edit).await.status(), 204);
    assert_eq!(delete(&admin, &canned_path).await.status(), 204);
    let support = json!({"name": "Support", "url_prefixes": []});
    let support = ok_json(
        admin
            .post(&format!("{site_path}/departments"), support)
            .await,
        201,
    )
    .await;
    let mine = format!("/api/admin/agents/{}/departments", admin.id.0);
    let set = put(&admin, &mine, json!({"departments": [support["id"]]})).await;
    assert_eq!(set.status(), 204);
    let carl = app.agent("Carl").await;
    assert_eq!(carl.post("/api/auth/logout", json!({})).await.status(), 204);

    let all = page(&admin, "?limit=200").await;
    let mut got = actions(&all);
    got.reverse(); // oldest first, as done
    let sign_ins = got.iter().filter(|a| *a == "sign_in").count();
    got.retain(|a| a != "sign_in"); // the fixtures' agents signed in too
    assert!(sign_ins >= 3, "{sign_ins}");
    assert_eq!(
        got,
        [
            "sign_in_failed",
            "agent_created",
            "agent_updated",
            "agent_deleted",
            "site_created",
            "site_updated",
            "site_settings_updated",
            "department_created",
            "department_updated",
            "department_deleted",
            "token_created",
            "token_revoked",
            "visitor_blocked",
            "block_lifted",
            "password_changed",
            "canned_created",
            "canned_updated",
            "canned_deleted",
            "department_created",
            "agent_updated",
            "sign_out",
        ]
    );
    let entries = all["entries"].as_array().expect("entries");
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .cloned()
            .expect("entry")
    };
    let failed = find("sign_in_failed");
    assert_eq!(failed["actor_kind"], "anonymous");
    assert_eq!(failed["target"], admin.email.as_str());
    assert_eq!(failed["ip"], "127.0.0.1");
    // The agent's departments, newest: who, and what they are now.
    let departments = find("agent_updated");
    assert_eq!(departments["target"], admin.email.as_str());
    assert_eq!(departments["detail"]["departments"], json!([support["id"]]));
    let updated = entries
        .iter()
        .rfind(|e| e["action"] == "agent_updated")
        .cloned()
        .expect("entry");
    assert_eq!(
        (
            updated["actor_kind"].as_str(),
            updated["actor_name"].as_str()
        ),
        (Some("agent"), Some("Ada"))
    );
    assert_eq!(updated["actor_id"], json!(admin.id.0));
    assert_eq!(updated["target"], "new@agents.example");
    assert_eq!(updated["detail"]["fields"], json!(["name"]));
    assert_eq!(updated["at"], json!(app.now().0));
    assert_eq!(find("visitor_blocked")["site_id"], json!(site.id));
    // A block comes over the agent's socket: the socket's address is recorded.
    assert_eq!(find("visitor_blocked")["ip"], "127.0.0.1");
    assert_eq!(find("canned_updated")["target"], "Hi there");
    assert_eq!(find("sign_out")["actor_name"], "Carl");
    assert_eq!(find("token_created")["target"], "CRM");
    let renamed = find("department_updated");
    assert_eq!(renamed["target"], "Sales EU");
    assert_eq!(renamed["detail"]["fields"], json!(["name"]));
    assert_eq!(renamed["site_id"], created["id"]);

    // Filters and the cursor, newest first.
    let only = page(&admin, "?action=agent_created").await;
    assert_eq!(actions(&only), ["agent_created"]);
    assert!(only["next_before"].is_null());
    let newest = actions(&all);
    let first = page(&admin, "?limit=2").await;
    assert_eq!(actions(&first), newest[..2]);
    let cursor = first["next_before"].as_i64().expect("cursor");
    let second = page(&admin, &format!("?limit=2&before={cursor}")).await;
    assert_eq!(actions(&second), newest[2..4]);
    let by_site = page(&admin, &format!("?site_id={}", site.id)).await;
    assert_eq!(
        actions(&by_site),
        [
            "canned_deleted",
            "canned_updated",
            "canned_created",
            "block_lifted",
            "visitor_blocked"
        ]
    );
    let anon = page(&admin, "?actor_kind=anonymous").await;
    assert_eq!(actions(&anon), ["sign_in_failed"]);
    assert_error(
        admin.get("/api/admin/audit?action=nope").await,
        400,
        "bad_request",
    )
    .await;

    // Admins only; and the log has no route to change it.
    let bob = app.agent("Bob").await;
    assert_error(bob.get("/api/admin/audit").await, 403, "forbidden").await;
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::POST,
    ] {
        let resp =
            crate::rest::call(&admin, method, "/api/admin/audit", None, Some(&app.base)).await;
        assert_eq!(resp.status(), 405);
    }
}

#[tokio::test]
async fn a_token_is_the_actor_of_what_it_does() {
    let app = TestApp::spawn().await;
    let admin = app.agent_with("Ada", true, None).await;
    let token =
        crate::tokens::create(&admin, json!({"name": "Ops bot", "scopes": ["admin"]})).await;
    let secret = token["token"].as_str().expect("token");
    let input = json!({"name": "Boots", "base_url": "https://boots.example", "timezone": "UTC"});
    let resp = reqwest::Client::new()
        .post(format!("{}/api/admin/sites", app.base))
        .bearer_auth(secret)
        .json(&input)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
    let entry = page(&admin, "?action=site_created").await["entries"][0].clone();
    assert_eq!(
        (entry["actor_kind"].as_str(), entry["actor_name"].as_str()),
        (Some("token"), Some("Ops bot"))
    );
    assert_eq!(entry["actor_id"], token["id"]);
    assert_eq!(entry["ip"], "127.0.0.1");
    let by_token = page(
        &admin,
        &format!("?actor_kind=token&actor_id={}", token["id"]),
    )
    .await;
    assert_eq!(actions(&by_token), ["site_created"]);
}

/// The actions stored, newest first (read from the database itself).
async fn stored(app: &TestApp) -> Vec<&'static str> {
    let filter = frontdesk_core::audit::AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let page = app.store().audit_page(&filter).await.expect("audit");
    page.iter().map(|e| e.action.as_str()).collect()
}

#[tokio::test]
async fn retention_removes_entries_older_than_audit_keep_days() {
    let app = TestApp::spawn_with(|s| s.audit_keep_days = 30).await;
    let _admin = app.agent_with("Ada", true, None).await; // a sign_in entry at START
    assert_eq!(stored(&app).await, ["sign_in"]);
    // Exactly 30 days old is kept.
    app.clock.advance(Duration::from_secs(30 * 86_400 - 1));
    let pruned = frontdesk::services::audit::prune(app.app()).await;
    assert_eq!(pruned.ok(), Some(0));
    assert_eq!(stored(&app).await, ["sign_in"]);
    // Older goes: the retention task wakes with the clock (every 10 minutes) and removes it.
    app.clock.advance(Duration::from_secs(601));
    let fresh = login(&reqwest::Client::new(), &app, "nobody@example.com", "x").await;
    assert_eq!(fresh.status(), 401); // a fresh entry, kept
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = stored(&app).await;
        if left == ["sign_in_failed"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{left:?}");
        // A run woken by the first advance may have read the time before the second one and
        // then slept 10 minutes from after it (a loaded machine): the next 10 minutes wake it.
        // The fresh entry stays well inside its 30 days.
        app.clock.advance(Duration::from_secs(601));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

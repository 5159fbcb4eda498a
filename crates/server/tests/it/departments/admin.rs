//! The REST resource: admins list, create, rename, map URL prefixes, choose agents and delete
//! departments; every bad input is a typed error.

use super::*;
use crate::rest::{assert_error, delete, ok_json, put};

#[tokio::test]
async fn admins_manage_a_sites_departments() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let sam = app.agent("Sam").await;
    let tom = app.agent("Tom").await;
    let base = format!("/api/admin/sites/{}/departments", site.id);

    assert_eq!(ok_json(admin.get(&base).await, 200).await, json!([]));
    let sales = ok_json(
        admin
            .post(
                &base,
                json!({"name": " Sales ", "url_prefixes": ["https://Shop.example/buy/", ""],
                       "agents": [sam.id, sam.id]}),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(sales["name"], "Sales");
    assert_eq!(sales["site_id"], json!(site.id));
    assert_eq!(sales["url_prefixes"], json!(["https://shop.example/buy/"]));
    assert_eq!(sales["agents"], json!([sam.id]));
    let id = sales["id"].as_i64().expect("id");
    ok_json(admin.post(&base, json!({"name": "Support"})).await, 201).await;

    // Consoles of the site hear every change: the whole list, live.
    let (_, mut ws) = app.online_agent("Watcher").await;
    ok_json(admin.post(&base, json!({"name": "Billing"})).await, 201).await;
    let f = ws
        .wait_for("departments", |f| f["type"] == "departments")
        .await;
    assert_eq!(f["site_id"], json!(site.id));
    let names: Vec<&str> = f["departments"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["Billing", "Sales", "Support"]);
    let billing = f["departments"][0]["department_id"].clone();
    assert_eq!(
        delete(&admin, &format!("/api/admin/departments/{billing}"))
            .await
            .status(),
        204
    );
    let f = ws
        .wait_for("departments", |f| f["type"] == "departments")
        .await;
    assert_eq!(f["departments"].as_array().map(Vec::len), Some(2));

    let one = format!("/api/admin/departments/{id}");
    let renamed = ok_json(
        put(
            &admin,
            &one,
            json!({"name": "Sales team", "agents": [tom.id, sam.id]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["name"], "Sales team");
    assert_eq!(
        renamed["url_prefixes"],
        json!(["https://shop.example/buy/"])
    );
    assert_eq!(renamed["agents"], json!([sam.id, tom.id]));
    let listed = ok_json(admin.get(&base).await, 200).await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["Sales team", "Support"]);

    // An agent's own departments, whole.
    let path = format!("/api/admin/agents/{}/departments", tom.id);
    let resp = put(&admin, &path, json!({"departments": []})).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        app.store()
            .agents_of_department(frontdesk_core::DepartmentId(id))
            .await
            .expect("members"),
        [sam.id]
    );
    assert_error(
        put(&admin, &path, json!({"departments": [987654]})).await,
        400,
        "bad_request",
    )
    .await;
    assert_error(
        put(
            &admin,
            "/api/admin/agents/987654/departments",
            json!({"departments": []}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    assert_eq!(delete(&admin, &one).await.status(), 204);
    assert_error(delete(&admin, &one).await, 404, "not_found").await;
    assert_eq!(
        ok_json(admin.get(&base).await, 200)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn bad_department_input_is_a_typed_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let base = format!("/api/admin/sites/{}/departments", site.id);
    let created = ok_json(admin.post(&base, json!({"name": "Sales"})).await, 201).await;
    let one = format!("/api/admin/departments/{}", created["id"]);

    let cases = [
        (json!({"name": " \n "}), 400, "empty"),
        (json!({"name": "é".repeat(81)}), 400, "too_long"),
        (json!({"name": "SALES"}), 409, "conflict"),
        (
            json!({"name": "X", "url_prefixes": ["javascript:alert(1)"]}),
            400,
            "bad_request",
        ),
        (
            json!({"name": "X", "url_prefixes": ["/relative"]}),
            400,
            "bad_request",
        ),
        (json!({"name": "X", "agents": [987654]}), 400, "bad_request"),
        (json!({"name": 5}), 400, "bad_request"),
        (json!({"name": "X", "extra": 1}), 400, "bad_request"),
    ];
    for (body, status, code) in &cases {
        assert_error(admin.post(&base, body.clone()).await, *status, code).await;
    }
    // The failed create with an unknown agent left no department behind.
    let listed = ok_json(admin.get(&base).await, 200).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    ok_json(admin.post(&base, json!({"name": "Support"})).await, 201).await;
    for (body, status, code) in [
        (json!({"name": ""}), 400, "empty"),
        (json!({"name": "support"}), 409, "conflict"),
        (
            json!({"url_prefixes": ["ftp://x.example/"]}),
            400,
            "bad_request",
        ),
        (
            json!({"name": "Renamed", "url_prefixes": ["nope"]}),
            400,
            "bad_request",
        ),
    ] {
        assert_error(put(&admin, &one, body).await, status, code).await;
    }
    let after = app
        .store()
        .department(frontdesk_core::DepartmentId(
            created["id"].as_i64().expect("id"),
        ))
        .await
        .expect("department");
    assert_eq!(after.name, "Sales", "nothing changed by refused updates");
    assert_error(
        admin
            .post("/api/admin/sites/987654/departments", json!({"name": "X"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        put(&admin, "/api/admin/departments/987654", json!({})).await,
        404,
        "not_found",
    )
    .await;

    // Not an admin: forbidden, whatever the call.
    let agent = app.agent("Sam").await;
    assert_error(agent.get(&base).await, 403, "forbidden").await;
    assert_error(
        agent.post(&base, json!({"name": "Y"})).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(delete(&agent, &one).await, 403, "forbidden").await;
}

//! Canned responses' shortcuts over REST: stored lower-case without the `/`, validated (400),
//! unique among a site's site-wide responses and among an agent's own (409 `conflict`; an
//! own one may reuse a site-wide shortcut), kept or cleared by an edit, and another site's
//! responses read as missing whatever the shortcut.

use super::*;
use crate::helpers::*;
use serde_json::{Value, json};

fn shortcuts(list: &Value) -> Vec<(String, Option<String>)> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap_or_default().to_string(),
                c["shortcut"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn shortcuts_round_trip_and_validate() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;
    let admin = app.agent_with("Ada", true, None).await;
    let path = format!("/api/sites/{}/canned", site.id);

    let shared = ok_json(
        admin
            .post(
                &path,
                json!({"title": "Hours", "body": "9 to 5", "scope": "site", "shortcut": " /Hours "}),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(shared["shortcut"], "hours", "{shared}");
    let plain = ok_json(
        alice
            .post(&path, json!({"title": "Plain", "body": "No shortcut"}))
            .await,
        201,
    )
    .await;
    assert!(plain["shortcut"].is_null(), "{plain}");
    let blank = ok_json(
        alice
            .post(
                &path,
                json!({"title": "Blank", "body": "x", "shortcut": "  "}),
            )
            .await,
        201,
    )
    .await;
    assert!(blank["shortcut"].is_null(), "{blank}");
    // An own response may reuse the site-wide shortcut (it shadows it for Alice).
    let mine = ok_json(
        alice
            .post(
                &path,
                json!({"title": "My hours", "body": "Hi {visitor.name}", "shortcut": "hours"}),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(mine["shortcut"], "hours");
    assert_eq!(
        shortcuts(&ok_json(alice.get(&path).await, 200).await),
        vec![
            ("Blank".to_string(), None),
            ("Hours".to_string(), Some("hours".to_string())),
            ("My hours".to_string(), Some("hours".to_string())),
            ("Plain".to_string(), None),
        ]
    );

    // Taken: among the site-wide ones, and among Alice's own (whatever the case).
    assert_error(
        admin
            .post(
                &path,
                json!({"title": "Again", "body": "x", "scope": "site", "shortcut": "HOURS"}),
            )
            .await,
        409,
        "conflict",
    )
    .await;
    assert_error(
        alice
            .post(
                &path,
                json!({"title": "Again", "body": "x", "shortcut": "Hours"}),
            )
            .await,
        409,
        "conflict",
    )
    .await;

    // Validation, on create and on edit.
    for (shortcut, code) in [
        (json!("opening hours"), "bad_request"),
        (json!("hi!"), "bad_request"),
        (json!("{x}"), "bad_request"),
        (json!("a".repeat(33)), "too_long"),
        (json!(5), "bad_request"),
    ] {
        assert_error(
            alice
                .post(
                    &path,
                    json!({"title": "t", "body": "x", "shortcut": shortcut.clone()}),
                )
                .await,
            400,
            code,
        )
        .await;
        assert_error(
            put(
                &alice,
                &format!("/api/canned/{}", plain["id"]),
                json!({"title": "t", "body": "x", "shortcut": shortcut}),
            )
            .await,
            400,
            code,
        )
        .await;
    }
    let ok32 = "a".repeat(32);
    assert_eq!(
        ok_json(
            alice
                .post(
                    &path,
                    json!({"title": "Long", "body": "x", "shortcut": ok32})
                )
                .await,
            201
        )
        .await["shortcut"],
        ok32.as_str()
    );

    // Edit: set, keep (field absent), conflict (nothing changes), clear (null).
    let plain_path = format!("/api/canned/{}", plain["id"]);
    let edit = |shortcut: Option<Value>| {
        let mut body = json!({"title": "Plain", "body": "Edited"});
        if let Some(s) = shortcut {
            body["shortcut"] = s;
        }
        body
    };
    let shortcut_of_plain = |list: Value| {
        shortcuts(&list)
            .into_iter()
            .find(|(t, _)| t == "Plain")
            .and_then(|(_, s)| s)
    };
    assert_eq!(
        put(&alice, &plain_path, edit(Some(json!("Returns"))))
            .await
            .status(),
        204
    );
    assert_eq!(
        shortcut_of_plain(ok_json(alice.get(&path).await, 200).await).as_deref(),
        Some("returns")
    );
    assert_eq!(put(&alice, &plain_path, edit(None)).await.status(), 204);
    assert_eq!(
        shortcut_of_plain(ok_json(alice.get(&path).await, 200).await).as_deref(),
        Some("returns"),
        "an edit without the field keeps the shortcut"
    );
    assert_error(
        put(&alice, &plain_path, edit(Some(json!("hours")))).await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(
        shortcut_of_plain(ok_json(alice.get(&path).await, 200).await).as_deref(),
        Some("returns")
    );
    assert_eq!(
        put(&alice, &plain_path, edit(Some(Value::Null)))
            .await
            .status(),
        204
    );
    assert_eq!(
        shortcut_of_plain(ok_json(alice.get(&path).await, 200).await),
        None
    );
    // Freed shortcuts can be taken again.
    assert_eq!(
        alice
            .post(
                &path,
                json!({"title": "R", "body": "x", "shortcut": "returns"})
            )
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn another_sites_responses_read_as_missing_whatever_the_shortcut() {
    let app = TestApp::spawn().await;
    let (site_a, site_b) = (app.site().await, app.site().await);
    let bea = app.agent_with("Bea", false, Some(vec![site_a.id])).await;
    let ada = app.agent_with("Ada", true, Some(vec![site_b.id])).await;
    let on_b = ok_json(
        ada.post(
            &format!("/api/sites/{}/canned", site_b.id),
            json!({"title": "Hours", "body": "9 to 5", "scope": "site", "shortcut": "hours"}),
        )
        .await,
        201,
    )
    .await;

    // Site B's shortcut does not exist for site A.
    let path_a = format!("/api/sites/{}/canned", site_a.id);
    assert_eq!(
        bea.post(
            &path_a,
            json!({"title": "Hours", "body": "x", "shortcut": "hours"})
        )
        .await
        .status(),
        201
    );
    // Site B is not Bea's: its list, a create there (even with a bad shortcut) and an edit of
    // its response are all `not_found`.
    let path_b = format!("/api/sites/{}/canned", site_b.id);
    assert_error(bea.get(&path_b).await, 404, "not_found").await;
    for shortcut in ["hours", "other", "bad shortcut"] {
        assert_error(
            bea.post(
                &path_b,
                json!({"title": "t", "body": "x", "shortcut": shortcut}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        assert_error(
            put(
                &bea,
                &format!("/api/canned/{}", on_b["id"]),
                json!({"title": "t", "body": "x", "shortcut": shortcut}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    let list_b = ok_json(ada.get(&path_b).await, 200).await;
    assert_eq!(
        shortcuts(&list_b),
        vec![("Hours".to_string(), Some("hours".to_string()))]
    );
}

#[tokio::test]
async fn the_openapi_document_has_the_shortcut() {
    let app = TestApp::spawn().await;
    let resp = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .expect("GET");
    let doc = ok_json(resp, 200).await;
    let schemas = &doc["components"]["schemas"];
    for schema in ["NewCanned", "CannedEdit", "CannedResponse"] {
        assert!(
            schemas[schema]["properties"]["shortcut"].is_object(),
            "{schema}: {}",
            schemas[schema]
        );
    }
    assert!(doc["paths"]["/api/sites/{site_id}/canned"]["post"]["responses"]["409"].is_object());
    assert!(doc["paths"]["/api/canned/{id}"]["put"]["responses"]["409"].is_object());
}

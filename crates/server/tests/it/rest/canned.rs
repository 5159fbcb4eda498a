//! Canned responses: own ones belong to their owner, site-wide ones to the site's admins.

use super::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

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

//! Verified visitor identity (issue 18): `hello.identity` with an HMAC of the id under the
//! site's "Identity secret". Forged and absent hashes (unverified, or refused when the site
//! requires verification), a rotated secret (the old one valid in its grace period only, by
//! the manual clock), one customer followed across two browsers, logout, the attribute
//! limits, and the secret never shown twice.

use crate::helpers::*;
use crate::rest::{ok_json, put};
use frontdesk_core::identity::sign;
use frontdesk_core::model::Site;
use serde_json::{Value, json};
use std::time::Duration;

/// "Rotate identity secret" as `admin`: the answer (secret, previous_valid_until).
async fn rotate(admin: &AgentClient, site: &Site) -> Value {
    let path = format!("/api/admin/sites/{}/identity-secret", site.id);
    ok_json(admin.post(&path, json!({})).await, 201).await
}

fn secret(rotated: &Value) -> String {
    rotated["secret"].as_str().expect("secret").to_string()
}

/// A browser saying hello with `identity` (and a token when it has one); its welcome.
async fn hello(app: &TestApp, site: &Site, token: Option<&str>, identity: Value) -> VisitorClient {
    let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
    let mut ws = Ws::open(
        &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
        &origin,
        None,
    )
    .await
    .expect("visitor socket opens");
    ws.send(
        json!({"type": "hello", "token": token, "page": {"url": site.base_url},
        "identity": identity}),
    )
    .await;
    VisitorClient::after_hello(ws, site, origin).await
}

fn jane(hash: Option<String>) -> Value {
    json!({"id": "4411", "name": "Jane Doe", "email": "jane@shop.example",
        "attributes": {"plan": "Pro", "customer": 4411, "trial": false}, "hash": hash})
}

async fn detail(agent: &AgentClient, site: &Site, visitor: &str) -> Value {
    let path = format!("/api/sites/{}/visitors/{visitor}", site.id);
    ok_json(agent.get(&path).await, 200).await
}

async fn require_verified(admin: &AgentClient, site: &Site, on: bool) {
    let path = format!("/api/admin/sites/{}/settings", site.id);
    let resp = put(admin, &path, json!({"identity": {"require_verified": on}})).await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_verified_customer_is_the_same_visitor_in_two_browsers() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let rotated = rotate(&admin, &site).await;
    let key = secret(&rotated);
    assert_eq!(key.len(), 43, "32 bytes, base64url: {key}");

    // Browser one: identified with a valid hash; asks for a chat.
    let mut one = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;
    assert_eq!(one.welcome["identity"], "verified", "{}", one.welcome);
    let chat = one.request_chat(None).await;
    let summary = ok_json(admin.get(&format!("/api/chats/{chat}")).await, 200).await;
    assert_eq!(
        summary["chat"]["visitor_name"], "Jane Doe",
        "untyped: the verified name"
    );

    // Browser two (no token, another device): the same visitor, with the chat of browser one.
    let two = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;
    assert_eq!(two.welcome["identity"], "verified");
    assert_eq!(
        two.visitor_id, one.visitor_id,
        "the identity follows the customer"
    );
    assert_eq!(two.welcome["chat"]["chat_id"], chat, "their open chat too");

    let seen = detail(&admin, &site, &two.visitor_id).await;
    assert_eq!(seen["identity"]["verified"], true, "{seen}");
    assert_eq!(seen["identity"]["external_id"], "4411");
    assert_eq!(seen["identity"]["attributes"]["plan"], "Pro");
    assert_eq!(seen["identity"]["attributes"]["customer"], 4411);
    assert_eq!(seen["identity"]["attributes"]["trial"], false);
    assert_eq!(
        seen["visitor"]["name"], "Jane Doe",
        "a verified name names the visitor"
    );
    assert_eq!(seen["visitor"]["email"], "jane@shop.example");
    assert!(
        seen["chats"]
            .as_array()
            .expect("chats")
            .iter()
            .any(|c| c["chat_id"] == chat),
        "{seen}"
    );

    // A week later, on a third device: a new visit of the same visitor; the first is a
    // previous visit.
    app.clock.advance(Duration::from_secs(7 * 24 * 3600));
    let admin = app.agent_with("Cy", true, None).await;
    let three = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;
    assert_eq!(three.visitor_id, one.visitor_id);
    let seen = detail(&admin, &site, &three.visitor_id).await;
    assert_eq!(
        seen["previous_visits"].as_array().map(Vec::len),
        Some(1),
        "{seen}"
    );

    // Logout: the widget forgets its token; the next hello is a new anonymous visitor.
    let after = app.visitor(&site).await;
    assert_ne!(after.visitor_id, one.visitor_id);
    assert!(after.welcome.get("identity").is_none(), "{}", after.welcome);
    assert!(detail(&admin, &site, &after.visitor_id).await["identity"].is_null());

    // The secret is never shown again: not in the sites, not in the audit log.
    let sites = ok_json(admin.get("/api/admin/sites").await, 200).await;
    assert!(!sites.to_string().contains(&key), "{sites}");
    let audit = ok_json(
        admin
            .get("/api/admin/audit?action=identity_secret_rotated")
            .await,
        200,
    )
    .await;
    let entries = audit["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["site_id"], site.id.0);
    assert!(!audit.to_string().contains(&key));
}

#[tokio::test]
async fn forged_or_absent_hashes_are_unverified_and_never_merge() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let key = secret(&rotate(&admin, &site).await);
    let real = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;

    let forged = [
        Some(sign("4411", "a guessed secret")),
        Some(sign("4412", &key)), // another customer's hash
        Some("0".repeat(64)),
        None,
    ];
    for hash in forged {
        let mut claim = jane(hash.clone());
        claim["name"] = json!("Mallory");
        let v = hello(&app, &site, None, claim).await;
        assert_eq!(v.welcome["identity"], "unverified", "{hash:?}");
        assert_ne!(
            v.visitor_id, real.visitor_id,
            "{hash:?}: no merge into Jane"
        );
        assert!(v.welcome["chat"].is_null());
        let seen = detail(&admin, &site, &v.visitor_id).await;
        assert_eq!(seen["identity"]["verified"], false, "{seen}");
        assert_eq!(seen["identity"]["name"], "Mallory");
        assert!(
            seen["visitor"]["name"].is_null(),
            "an unverified name names nobody"
        );
        if hash.is_none() {
            let mut v = v;
            let chat = v.request_chat(None).await;
            let summary = ok_json(admin.get(&format!("/api/chats/{chat}")).await, 200).await;
            let shown = summary["chat"]["visitor_name"].as_str().unwrap_or_default();
            assert!(shown.starts_with("Visitor "), "not Mallory: {summary}");
        }
    }
    // Jane is untouched.
    let seen = detail(&admin, &site, &real.visitor_id).await;
    assert_eq!(seen["identity"]["verified"], true);
    assert_eq!(seen["identity"]["name"], "Jane Doe");

    // Jane's own browser, then an unverified claim of someone else: a new visitor takes it.
    let other = hello(
        &app,
        &site,
        Some(&real.token),
        json!({"id": "77", "name": "Bob"}),
    )
    .await;
    assert_eq!(other.welcome["identity"], "unverified");
    assert_ne!(other.visitor_id, real.visitor_id);
    // The same id without the hash on Jane's browser: still Jane, still verified.
    let same = hello(
        &app,
        &site,
        Some(&real.token),
        json!({"id": "4411", "name": "X"}),
    )
    .await;
    assert_eq!(same.visitor_id, real.visitor_id);
    let seen = detail(&admin, &site, &real.visitor_id).await;
    assert_eq!(seen["identity"]["verified"], true);
    assert_eq!(seen["identity"]["name"], "Jane Doe");
}

#[tokio::test]
async fn with_verification_required_unverified_identity_is_ignored() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    // No secret yet: nothing can verify.
    require_verified(&admin, &site, true).await;
    let v = hello(&app, &site, None, jane(Some(sign("4411", "")))).await;
    assert_eq!(v.welcome["identity"], "refused");
    assert!(detail(&admin, &site, &v.visitor_id).await["identity"].is_null());

    let key = secret(&rotate(&admin, &site).await);
    for hash in [None, Some(sign("4411", "nope"))] {
        let v = hello(&app, &site, None, jane(hash)).await;
        assert_eq!(v.welcome["identity"], "refused");
        let seen = detail(&admin, &site, &v.visitor_id).await;
        assert!(seen["identity"].is_null(), "{seen}");
        assert!(seen["visitor"]["name"].is_null(), "{seen}");
        assert!(!v.welcome.to_string().contains(&key));
    }
    let v = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;
    assert_eq!(v.welcome["identity"], "verified");

    // The setting change is audited, saying what changed.
    let audit = ok_json(
        admin
            .get("/api/admin/audit?action=site_settings_updated")
            .await,
        200,
    )
    .await;
    let entry = &audit["entries"][0];
    assert_eq!(
        entry["detail"]["require_verified_identity"], true,
        "{audit}"
    );
    // Off again: an absent hash is accepted, marked unverified.
    require_verified(&admin, &site, false).await;
    let v = hello(&app, &site, None, jane(None)).await;
    assert_eq!(v.welcome["identity"], "unverified");
}

#[tokio::test]
async fn a_rotated_secret_stays_valid_for_its_grace_period_only() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    require_verified(&admin, &site, true).await;
    let old = secret(&rotate(&admin, &site).await);
    let rotated = rotate(&admin, &site).await;
    let new = secret(&rotated);
    assert_ne!(old, new);
    let grace_ms = 24 * 3600 * 1000;
    assert_eq!(rotated["previous_valid_until"], app.now().0 + grace_ms);

    let with = |k: &str| jane(Some(sign("4411", k)));
    assert_eq!(
        hello(&app, &site, None, with(&old)).await.welcome["identity"],
        "verified"
    );
    assert_eq!(
        hello(&app, &site, None, with(&new)).await.welcome["identity"],
        "verified"
    );
    app.clock.advance(Duration::from_secs(24 * 3600 - 1));
    assert_eq!(
        hello(&app, &site, None, with(&old)).await.welcome["identity"],
        "verified"
    );
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(
        hello(&app, &site, None, with(&old)).await.welcome["identity"],
        "refused"
    );
    assert_eq!(
        hello(&app, &site, None, with(&new)).await.welcome["identity"],
        "verified"
    );

    // A third rotation forgets the first secret at once (a new sign-in: a day went by).
    let admin = app.agent_with("Cy", true, None).await;
    let third = secret(&rotate(&admin, &site).await);
    assert_eq!(
        hello(&app, &site, None, with(&new)).await.welcome["identity"],
        "verified"
    );
    assert_eq!(
        hello(&app, &site, None, with(&third)).await.welcome["identity"],
        "verified"
    );
    assert_eq!(
        hello(&app, &site, None, with(&old)).await.welcome["identity"],
        "refused"
    );
}

#[tokio::test]
async fn attributes_over_the_limits_refuse_the_identity() {
    let app = TestApp::spawn_with(|s| {
        s.limits.identity.max_attributes = 3;
        s.limits.identity.value_chars = 10;
    })
    .await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let key = secret(&rotate(&admin, &site).await);
    let claim = |attributes: Value| json!({"id": "9", "name": "Nine", "attributes": attributes, "hash": sign("9", &key)});
    let ok = hello(
        &app,
        &site,
        None,
        claim(json!({"a": 1, "b": "ten chars.", "c": true})),
    )
    .await;
    assert_eq!(ok.welcome["identity"], "verified");
    for bad in [
        json!({"a": 1, "b": 2, "c": 3, "d": 4}),
        json!({"a": "eleven char"}),
        json!({"a": {"nested": 1}}),
        json!({"a": [1]}),
        json!({"a": null}),
    ] {
        let v = hello(&app, &site, None, claim(bad.clone())).await;
        assert_eq!(v.welcome["identity"], "refused", "{bad}");
        assert_ne!(
            v.visitor_id, ok.visitor_id,
            "{bad}: a refused claim merges nothing"
        );
    }
    // Not of the claim's shape: the identity is refused, the hello goes on.
    for bad in [
        json!({"id": "9", "verified": true}),
        json!({"id": 9, "hash": sign("9", &key)}),
        json!({"name": "No id"}),
        json!("9"),
        json!(["9"]),
    ] {
        let v = hello(&app, &site, None, bad.clone()).await;
        assert_eq!(v.welcome["identity"], "refused", "{bad}");
    }
    // The snippet's data-visitor attribute arrives as its text.
    let text = json!({"id": "9", "name": "Nine", "hash": sign("9", &key)}).to_string();
    let v = hello(&app, &site, None, json!(text)).await;
    assert_eq!(v.welcome["identity"], "verified");
    assert_eq!(v.visitor_id, ok.visitor_id);
    let v = hello(&app, &site, None, json!("{not json")).await;
    assert_eq!(v.welcome["identity"], "refused");
    // `null` is no identity at all.
    let v = hello(&app, &site, None, json!(null)).await;
    assert!(v.welcome.get("identity").is_none(), "{}", v.welcome);
}

#[tokio::test]
async fn only_admins_rotate_and_attributes_render_as_given() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let agent = app.agent("Bo").await;
    let path = format!("/api/admin/sites/{}/identity-secret", site.id);
    assert_eq!(agent.post(&path, json!({})).await.status(), 403);
    let admin = app.agent_with("Ada", true, None).await;
    let missing = admin
        .post("/api/admin/sites/999999/identity-secret", json!({}))
        .await;
    assert_eq!(missing.status(), 404);
    let key = secret(&rotate(&admin, &site).await);
    let hostile = "<img src=x onerror=alert(1)>";
    let claim = json!({"id": hostile, "name": hostile, "attributes": {hostile: hostile},
        "hash": sign(hostile, &key)});
    let v = hello(&app, &site, None, claim).await;
    assert_eq!(v.welcome["identity"], "verified");
    let seen = detail(&agent, &site, &v.visitor_id).await;
    assert_eq!(
        seen["identity"]["attributes"][hostile], hostile,
        "kept as given, shown as text"
    );
}

#[tokio::test]
async fn the_openapi_document_has_identity() {
    let app = TestApp::spawn().await;
    let doc = app.openapi_document().await;
    let rotate = &doc["paths"]["/api/admin/sites/{id}/identity-secret"]["post"];
    assert!(rotate["responses"]["201"].is_object(), "{rotate}");
    assert!(
        rotate["security"].to_string().contains("bearer"),
        "{rotate}"
    );
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["RotatedSecret"]["properties"]["secret"].is_object());
    assert!(schemas["VisitorProfile"]["properties"]["verified"].is_object());
    let detail = schemas["VisitorDetail"]["properties"]["identity"].to_string();
    assert!(detail.contains("VisitorProfile"), "{detail}");
    let settings = schemas["SiteSettings"]["properties"]["identity"].to_string();
    assert!(settings.contains("IdentitySettings"), "{settings}");
}

#[tokio::test]
async fn two_first_hellos_at_once_are_one_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let key = secret(&rotate(&admin, &site).await);
    for round in 0..5 {
        let id = format!("race-{round}");
        let claim = json!({"id": id, "hash": sign(&id, &key)});
        let (a, b) = tokio::join!(
            hello(&app, &site, None, claim.clone()),
            hello(&app, &site, None, claim.clone())
        );
        assert_eq!(a.welcome["identity"], "verified");
        assert_eq!(b.welcome["identity"], "verified");
        assert_eq!(a.visitor_id, b.visitor_id, "round {round}");
    }
}

#[tokio::test]
async fn visitor_identified_goes_to_webhooks_when_the_identity_is_new_or_changed() {
    use crate::webhooks::receiver::{Mode, Receiver};
    use frontdesk_core::webhooks::EventKind;
    let app = TestApp::spawn_with(crate::webhooks::loopback).await;
    let site = app.site().await;
    let admin = app.agent_with("Ada", true, None).await;
    let key = secret(&rotate(&admin, &site).await);
    let rx = Receiver::start(Mode::Ok).await;
    let hook = crate::webhooks::create(&admin, site.id, &rx.url, &["visitor.identified"]).await;
    let hook = frontdesk_core::WebhookId(hook["id"].as_i64().expect("webhook id"));
    let identified = |rows: &[frontdesk_core::webhooks::Delivery]| {
        rows.iter()
            .filter(|r| r.event == EventKind::VisitorIdentified)
            .count()
    };

    // A new identity: one event, with what the site said.
    let one = hello(&app, &site, None, jane(Some(sign("4411", &key)))).await;
    let got = rx
        .until("visitor.identified", |g| {
            g.iter().any(|r| r.json["event"] == "visitor.identified")
        })
        .await;
    let data = &got[0].json["data"];
    assert_eq!(data["visitor_id"], one.visitor_id.as_str());
    assert_eq!(data["external_id"], "4411");
    assert_eq!(data["verified"], true);
    assert_eq!(data["name"], "Jane Doe");
    assert_eq!(data["attributes"]["plan"], "Pro");

    // The next page repeats it: nothing more (the outbox row would be written with the save,
    // before the welcome).
    let again = hello(
        &app,
        &site,
        Some(&one.token),
        jane(Some(sign("4411", &key))),
    )
    .await;
    assert_eq!(again.visitor_id, one.visitor_id);
    let rows = app.store().deliveries(hook, None, 200).await.expect("rows");
    assert_eq!(identified(&rows), 1, "{rows:?}");

    // Changed (another plan): a second event.
    let mut changed = jane(Some(sign("4411", &key)));
    changed["attributes"]["plan"] = json!("Team");
    hello(&app, &site, Some(&one.token), changed).await;
    let rows = app.store().deliveries(hook, None, 200).await.expect("rows");
    assert_eq!(identified(&rows), 2, "{rows:?}");
    let got = rx
        .until("the changed identity", |g| {
            g.iter()
                .filter(|r| r.json["event"] == "visitor.identified")
                .count()
                == 2
        })
        .await;
    assert!(
        got.iter()
            .any(|r| r.json["data"]["attributes"]["plan"] == "Team"),
        "{got:?}"
    );
}

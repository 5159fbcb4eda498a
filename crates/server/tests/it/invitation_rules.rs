//! "Invitation rules" (issue 17, proactive invitations): saved with the site settings (a bad
//! rule is a 400), carried by `welcome` only when an automatic invitation may come (none while
//! a chat is open, the site is not available, the visit already had one, or the visitor
//! dismissed an invitation in it), and `invitation_auto` shows agents "Invited automatically
//! (rule name)", live and in a later snapshot, on one node or across a cluster.

use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use crate::helpers::*;
use crate::rest::{ok_json, put};
use frontdesk_core::model::Site;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn rules() -> Value {
    json!({"rules": [
        {"id": 1, "name": "Checkout <help>", "greeting": "Questions about paying?",
         "url": "/checkout*", "seconds": 5, "pages": 1, "referrer": "search."},
        {"id": 2, "name": "Off", "enabled": false, "greeting": "Never sent"},
    ]})
}

/// Saves the rules as an admin (the rest of the settings as they were).
async fn save_rules(app: &TestApp, site: &Site, rules: Value) -> reqwest::Response {
    let admin = app.agent_with("Root", true, None).await;
    let path = format!("/api/admin/sites/{}/settings", site.id.0);
    put(&admin, &path, json!({ "invitation_rules": rules })).await
}

async fn visitor_at(app: &TestApp, site: &Site, token: Option<&str>) -> VisitorClient {
    VisitorClient::connect(app, site, token, None, "/checkout").await
}

async fn auto_invited(ws: &mut Ws, visitor: &str, name: &str) -> Value {
    let (visitor, name) = (visitor.to_string(), name.to_string());
    ws.wait_for("invited automatically", move |f| {
        f["type"] == "visitor.update"
            && f["visitor_id"] == visitor.as_str()
            && f["auto_invitation"] == name.as_str()
    })
    .await
}

#[tokio::test]
async fn rules_are_saved_checked_and_sent_only_when_an_invitation_may_come() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_alice, mut a) = app.online_agent("Alice").await;

    // No rules: nothing on the wire.
    let v = visitor_at(&app, &site, None).await;
    assert!(v.welcome.get("invitation_rules").is_none(), "{}", v.welcome);

    // A bad rule: 400 naming it; nothing saved.
    let mut bad = rules();
    bad["rules"][1]["pages"] = json!(0);
    let resp = save_rules(&app, &site, bad).await;
    let body = ok_json(resp, 400).await;
    assert_eq!(body["code"], "bad_request", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("invitation rule 2"),
        "{body}"
    );
    let saved = ok_json(save_rules(&app, &site, rules()).await, 200).await;
    let mut expected = rules();
    expected["rules"][0]["enabled"] = json!(true);
    assert_eq!(saved["settings"]["invitation_rules"], expected);
    let site = app.store().site(site.id).await.expect("site");

    // Only the enabled rule, only what the loader needs, with the facts.
    let v = visitor_at(&app, &site, None).await;
    assert_eq!(
        v.welcome["invitation_rules"],
        json!({"rules": [{"id": 1, "greeting": "Questions about paying?", "url": "/checkout*",
            "seconds": 5, "pages": 1, "referrer": "search."}],
            "pages": 1, "returning": false}),
    );
    // A second page of the visit counts two; a chat open: no rules.
    let mut again = visitor_at(&app, &site, Some(&v.token)).await;
    assert_eq!(again.welcome["invitation_rules"]["pages"], 2);
    let chat = again.request_chat(Some("Ann")).await;
    a.requested(chat).await;
    let in_chat = visitor_at(&app, &site, Some(&v.token)).await;
    assert!(in_chat.welcome["chat"].is_object());
    assert!(
        in_chat.welcome.get("invitation_rules").is_none(),
        "chat open"
    );
    let mut in_chat = in_chat;
    let refused = in_chat
        .ws
        .request(json!({"type":"invitation_auto","rule":1}))
        .await;
    assert_eq!(
        refused["code"], "conflict",
        "none while a chat is open: {refused}"
    );

    // A visit after the visit timeout: a returning visitor, pages counted afresh.
    let fresh = visitor_at(&app, &site, None).await;
    app.clock.advance(Duration::from_secs(31 * 60));
    let back = visitor_at(&app, &site, Some(&fresh.token)).await;
    assert_eq!(back.welcome["invitation_rules"]["returning"], true);
    assert_eq!(back.welcome["invitation_rules"]["pages"], 1);

    // No agent On-Line: the site is not available, no rules.
    a.request(json!({"type":"status","status":"away"})).await;
    let offline = visitor_at(&app, &site, None).await;
    assert_eq!(offline.welcome["online"], false);
    assert!(offline.welcome.get("invitation_rules").is_none(), "offline");
}

#[tokio::test]
async fn one_automatic_invitation_per_visit_and_none_after_a_dismissal() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    assert_eq!(save_rules(&app, &site, rules()).await.status(), 200);
    let site = app.store().site(site.id).await.expect("site");
    let (alice, mut a) = app.online_agent("Alice").await;

    let mut v = visitor_at(&app, &site, None).await;
    assert!(v.welcome["invitation_rules"].is_object());
    // A rule that is off or unknown is refused.
    v.ws.send(json!({"type":"invitation_auto","rule":2})).await;
    let err = v.ws.expect("error").await;
    assert_eq!(err["code"], "not_found", "{err}");
    let ack =
        v.ws.request(json!({"type":"invitation_auto","rule":1}))
            .await;
    assert_eq!(ack["type"], "ack", "recorded: the widget shows it: {ack}");
    let update = auto_invited(&mut a, &v.visitor_id, "Checkout <help>").await;
    assert_eq!(update["chat_id"], Value::Null);
    // A second one in the visit (another tab, a hostile page): refused, not shown.
    let again =
        v.ws.request(json!({"type":"invitation_auto","rule":1}))
            .await;
    assert_eq!(again["code"], "conflict", "{again}");

    // The next page of the visit: no rules; the agent who connects now sees it too.
    let next = visitor_at(&app, &site, Some(&v.token)).await;
    assert!(
        next.welcome.get("invitation_rules").is_none(),
        "already invited"
    );
    let mut later = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&alice.cookie),
    )
    .await
    .expect("agent socket");
    let snapshot = later.expect("snapshot").await;
    let seen = snapshot["visitors"]
        .as_array()
        .expect("visitors")
        .iter()
        .find(|x| x["visitor_id"] == v.visitor_id.as_str())
        .cloned()
        .expect("the visitor in the snapshot");
    assert_eq!(seen["auto_invitation"], "Checkout <help>");

    // Another visitor dismisses an (agent's) invitation: no rules for the rest of the visit.
    let mut w = visitor_at(&app, &site, None).await;
    w.ws.send(json!({"type":"invitation_dismiss"})).await;
    a.wait_for("dismissed", |f| f["type"] == "visitor.invitation_dismissed")
        .await;
    let w2 = visitor_at(&app, &site, Some(&w.token)).await;
    assert!(w2.welcome.get("invitation_rules").is_none(), "dismissed");
    // And an automatic invitation it sends anyway is not recorded.
    let mut w3 = visitor_at(&app, &site, Some(&w.token)).await;
    let refused = w3
        .ws
        .request(json!({"type":"invitation_auto","rule":1}))
        .await;
    assert_eq!(refused["code"], "conflict", "{refused}");
    let visit = app
        .store()
        .latest_visit(site.id, &frontdesk_core::VisitorId(w.visitor_id.clone()))
        .await
        .expect("visit")
        .expect("a visit");
    assert!(visit.invitation_dismissed);
    assert_eq!(visit.auto_invitation, None);
}

/// The visitor on node 1, the agent on node 2: the rule's invitation reaches her there, and
/// the visitor's next page on node 2 gets no rules (the visit's state is in the database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn across_a_cluster() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 2, |_| {}).await;
    let site = n[0].site().await;
    assert_eq!(save_rules(&n[0], &site, rules()).await.status(), 200);
    let site = n[0].store().site(site.id).await.expect("site");
    let alice = n[0].agent("Alice").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut v = visitor_at(&n[0], &site, None).await;
    assert!(v.welcome["invitation_rules"].is_object(), "{}", v.welcome);
    let ack =
        v.ws.request(json!({"type":"invitation_auto","rule":1}))
            .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    auto_invited(&mut a, &v.visitor_id, "Checkout <help>").await;
    let next = visitor_at(&n[1], &site, Some(&v.token)).await;
    assert!(
        next.welcome.get("invitation_rules").is_none(),
        "{}",
        next.welcome
    );
}

#[tokio::test]
async fn the_openapi_document_has_the_rules() {
    let app = TestApp::spawn().await;
    let doc = app.openapi_document().await;
    let schemas = &doc["components"]["schemas"];
    let settings = schemas["SiteSettings"]["properties"]["invitation_rules"].to_string();
    assert!(settings.contains("InvitationRules"), "{settings}");
    let rule = &schemas["InvitationRule"]["properties"];
    for field in [
        "id",
        "name",
        "enabled",
        "greeting",
        "url",
        "seconds",
        "pages",
        "returning",
        "referrer",
    ] {
        assert!(rule[field].is_object(), "{field}: {rule}");
    }
    let on_site = &schemas["VisitorOnSite"]["properties"]["auto_invitation"];
    assert!(on_site.is_object(), "{on_site}");
}

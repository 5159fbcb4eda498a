//! Pop-ups of a department's chat, the department of a new chat, the widget's choice, and
//! the transfer to a department.

use super::*;

/// A site with Sales (Sam) and Support (Tom), and Una in no department; all three On-Line.
struct Team {
    site: Site,
    sales: Department,
    support: Department,
    sam: (AgentClient, Ws),
    tom: (AgentClient, Ws),
    una: (AgentClient, Ws),
}

async fn team(app: &TestApp) -> Team {
    let site = app.site().await;
    let sam = app.online_agent("Sam").await;
    let tom = app.online_agent("Tom").await;
    let una = app.online_agent("Una").await;
    let buy = format!("{}/buy/", site.base_url);
    let sales = department(app, site.id, "Sales", &[&buy], &[sam.0.id]).await;
    let support = department(app, site.id, "Support", &[], &[tom.0.id]).await;
    Team {
        site,
        sales,
        support,
        sam,
        tom,
        una,
    }
}

#[tokio::test]
async fn a_departments_chat_pops_up_for_its_agents_only_and_for_everyone_when_none_is_on_line() {
    let app = TestApp::spawn().await;
    let mut t = team(&app).await;
    let mut visitor = app.visitor(&t.site).await;
    let chat = request_with(&mut visitor, json!({"department_id": t.sales.id})).await;

    let f = t.sam.1.requested(chat).await;
    assert_eq!(f["chat"]["department_id"], json!(t.sales.id));
    assert_eq!(f["chat"]["department_name"], "Sales");
    t.tom.1.assert_none("chat.requested").await;
    t.una.1.assert_none("chat.requested").await;
    // The visitor waits as usual.
    assert_eq!(visitor.ws.expect("chat.queued").await["position"], 1);

    // Nobody of Sales On-Line: the pop-up goes to every On-Line agent of the site.
    t.sam
        .1
        .request(json!({"type":"status","status":"away"}))
        .await;
    let mut second = app.visitor(&t.site).await;
    let chat2 = request_with(&mut second, json!({"department_id": t.sales.id})).await;
    t.tom.1.requested(chat2).await;
    let f = t.una.1.requested(chat2).await;
    assert_eq!(f["chat"]["department_name"], "Sales");
    t.sam.1.assert_none("chat.requested").await;

    // Sam back On-Line gets the waiting Sales chats; Support's Tom going On-Line again gets
    // none of Sales' while Sam is there.
    t.sam
        .1
        .request(json!({"type":"status","status":"online"}))
        .await;
    t.sam.1.requested(chat).await;
    t.sam.1.requested(chat2).await;
    t.tom
        .1
        .request(json!({"type":"status","status":"away"}))
        .await;
    t.tom
        .1
        .request(json!({"type":"status","status":"online"}))
        .await;
    t.tom.1.assert_none("chat.requested").await;

    // A chat without a department still reaches everyone.
    let mut third = app.visitor(&t.site).await;
    let chat3 = third.request_chat(None).await;
    for ws in [&mut t.sam.1, &mut t.tom.1, &mut t.una.1] {
        let f = ws.requested(chat3).await;
        assert!(f["chat"].get("department_id").is_none(), "{f}");
        assert!(f["chat"].get("department_name").is_none(), "{f}");
    }
}

#[tokio::test]
async fn the_department_comes_from_the_choice_then_the_snippet_then_the_page() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let department_of = |chat: i64| {
        let app = &app;
        async move {
            app.store()
                .chat(frontdesk_core::ChatId(chat))
                .await
                .expect("chat")
                .department_id
        }
    };

    // On a Sales page, choosing Support wins; the snippet's name loses to the choice.
    let mut v = VisitorClient::connect(&app, &t.site, None, None, "/buy/shoes").await;
    let chat = request_with(
        &mut v,
        json!({"department_id": t.support.id, "department": "Sales"}),
    )
    .await;
    assert_eq!(department_of(chat).await, Some(t.support.id));

    // The snippet's name (any case) wins over the page.
    let mut v = VisitorClient::connect(&app, &t.site, None, None, "/buy/shoes").await;
    let chat = request_with(&mut v, json!({"department": "  sUPPORT"})).await;
    assert_eq!(department_of(chat).await, Some(t.support.id));

    // The page's URL prefix.
    let mut v = VisitorClient::connect(&app, &t.site, None, None, "/buy/shoes").await;
    let chat = request_with(&mut v, json!({})).await;
    assert_eq!(department_of(chat).await, Some(t.sales.id));

    // Unknown choices and names are ignored; another site's department too.
    let other = app.site().await;
    let elsewhere = department(&app, other.id, "Sales", &[], &[]).await;
    let mut v = app.visitor(&t.site).await;
    let chat = request_with(
        &mut v,
        json!({"department_id": elsewhere.id, "department": "Nobody"}),
    )
    .await;
    assert_eq!(department_of(chat).await, None);
    let mut v = app.visitor(&t.site).await;
    let chat = request_with(&mut v, json!({"department_id": 987654321})).await;
    assert_eq!(department_of(chat).await, None);

    // A hostile value is a typed error, and the socket goes on working.
    let mut v = app.visitor(&t.site).await;
    for bad in [json!("1; drop"), json!({"x": 1}), json!(-1.5)] {
        // A frame that does not decode cannot echo its `ref`: the error comes without one.
        v.ws.send(json!({"type":"chat_request","department_id": bad}))
            .await;
        let answer = v.ws.wait_for("error", |f| f["type"] == "error").await;
        assert_eq!(answer["code"], "bad_request", "{answer}");
    }
    let long = "x".repeat(10_000);
    let chat = request_with(&mut v, json!({"department": long})).await;
    assert_eq!(department_of(chat).await, None);
}

#[tokio::test]
async fn the_widget_is_offered_the_departments_only_when_the_site_asks_and_has_two() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let v = app.visitor(&site).await;
    assert!(v.welcome.get("departments").is_none(), "{}", v.welcome);

    let asking = ask_department(&app, &site).await;
    let sales = department(&app, site.id, "Sales", &[], &[]).await;
    let v = app.visitor(&asking).await;
    assert!(
        v.welcome.get("departments").is_none(),
        "one department: {}",
        v.welcome
    );

    let support = department(&app, site.id, "Support", &[], &[]).await;
    let v = app.visitor(&asking).await;
    assert_eq!(
        v.welcome["departments"],
        json!([{"id": sales.id, "name": "Sales"}, {"id": support.id, "name": "Support"}])
    );

    // Not asking: never offered, however many departments.
    app.store().update_site(&site).await.expect("settings");
    let v = app.visitor(&site).await;
    assert!(v.welcome.get("departments").is_none(), "{}", v.welcome);
}

#[tokio::test]
async fn a_transfer_to_a_department_queues_the_chat_for_its_agents_unseen_by_the_visitor() {
    let app = TestApp::spawn().await;
    let mut t = team(&app).await;
    let mut visitor = app.visitor(&t.site).await;
    let chat = visitor.request_chat(Some("Ann")).await;
    accept(&mut t.una.1, chat).await;
    visitor.ws.expect("chat.accepted").await;
    visitor.ws.drain().await;
    t.sam.1.drain().await;
    t.tom.1.drain().await;

    let ack = t
        .una
        .1
        .request(json!({"type":"transfer_to_department","chat_id": chat,
                        "department_id": t.support.id}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["chat_id"], chat);
    t.una
        .1
        .wait_for("released", |f| {
            f["type"] == "chat.released" && f["chat_id"] == chat
        })
        .await;
    let f = t.tom.1.requested(chat).await;
    assert_eq!(f["chat"]["state"], "pending");
    assert_eq!(f["chat"]["department_name"], "Support");
    t.sam.1.assert_none("chat.requested").await;
    let seen = visitor.ws.drain().await;
    assert!(seen.is_empty(), "the visitor is told nothing: {seen:?}");

    // Tom takes it; the visitor's messages go on in the same chat.
    accept(&mut t.tom.1, chat).await;
    visitor.say("still there?").await;
    t.tom
        .1
        .wait_for("visitor's message", |f| {
            f["type"] == "message" && f["chat_id"] == chat
        })
        .await;

    // Only the holder may transfer; another site's or an unknown department is refused.
    let refused = t
        .sam
        .1
        .request(json!({"type":"transfer_to_department","chat_id": chat,
                        "department_id": t.sales.id}))
        .await;
    assert_eq!(refused["code"], "not_your_chat", "{refused}");
    let other = app.site().await;
    let elsewhere = department(&app, other.id, "Elsewhere", &[], &[]).await;
    for d in [elsewhere.id.0, 987654321] {
        let refused = t
            .tom
            .1
            .request(json!({"type":"transfer_to_department","chat_id": chat, "department_id": d}))
            .await;
        assert_eq!(refused["code"], "invalid_target", "{refused}");
    }
    let still = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("chat");
    assert_eq!(still.state.owner(), Some(t.tom.0.id));
    assert_eq!(still.department_id, Some(t.support.id));
}

#[tokio::test]
async fn the_snapshot_lists_the_departments_of_the_agents_sites_for_the_transfer_list() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let mut ws = Ws::open(
        &format!("ws://{}/ws/agent", app.addr),
        &app.base,
        Some(&t.una.0.cookie),
    )
    .await
    .expect("open");
    let snapshot = ws.expect("snapshot").await;
    let names: Vec<&str> = snapshot["departments"]
        .as_array()
        .expect("departments")
        .iter()
        .filter(|d| d["site_id"] == json!(t.site.id))
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["Sales", "Support"]);
    let sales = &snapshot["departments"][0];
    assert_eq!(sales["agents"], json!([t.sam.0.id]));
}

/// "Assign automatically" with departments: a Sales chat is offered to Sales's agent alone,
/// even though an agent outside Sales has waited longer (never assigned, lower id); when Sales
/// lets it pass, the fallback pop-up goes to Sales only. A chat whose department has nobody
/// On-Line is offered to the site's agents as if it had none.
#[tokio::test]
async fn offers_go_to_the_departments_agents_under_assign_automatically() {
    let app = TestApp::spawn().await;
    let mut t = team(&app).await;
    crate::routing::set_routing(
        &app,
        &t.site,
        frontdesk_core::site_settings::Routing::Assign,
        10,
    )
    .await;
    let mut visitor = app.visitor(&t.site).await;
    let chat = request_with(&mut visitor, json!({"department_id": t.sales.id})).await;
    let offer = crate::routing::offered(&mut t.sam.1, chat).await;
    assert_eq!(offer["chat"]["department_name"], "Sales");
    t.tom.1.assert_none("chat.offered").await;
    t.una.1.assert_none("chat.offered").await;

    // Sam lets it pass: nobody else of Sales is eligible: the pop-up for Sales (Sam) only.
    app.clock.advance(std::time::Duration::from_secs(10));
    crate::routing::offer_ended(&mut t.sam.1, chat).await;
    t.sam.1.requested(chat).await;
    t.tom.1.assert_none("chat.requested").await;
    t.una.1.assert_none("chat.requested").await;

    // Support's Tom goes Away: a Support chat is offered to someone On-Line of the site.
    t.tom
        .1
        .request(json!({"type":"status","status":"away"}))
        .await;
    let mut second = app.visitor(&t.site).await;
    let chat2 = request_with(&mut second, json!({"department_id": t.support.id})).await;
    // Una (never assigned) before Sam (assigned the Sales chat): the site-wide rule.
    crate::routing::offered(&mut t.una.1, chat2).await;
    t.sam.1.assert_none("chat.offered").await;
}

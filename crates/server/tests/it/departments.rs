//! Departments (issue 12): who gets the pop-up of a department's chat, where a chat's
//! department comes from, the transfer to a department, the widget's choice, and the REST
//! resource with its validation. Helpers here; the tests in `departments/`.

mod admin;
mod cluster;
mod offers;
mod routing;

use crate::helpers::*;
use frontdesk_core::departments::Department;
use frontdesk_core::model::Site;
use frontdesk_core::{AgentId, SiteId};
use serde_json::{Value, json};

/// A department of `site` with these URL prefixes and agents, made in storage.
pub(super) async fn department(
    app: &TestApp,
    site: SiteId,
    name: &str,
    prefixes: &[&str],
    agents: &[AgentId],
) -> Department {
    let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
    let d = app
        .store()
        .create_department(site, name, &prefixes, app.now())
        .await
        .expect("department");
    app.store()
        .set_department_agents(d.id, agents)
        .await
        .expect("members");
    d
}

/// Turns "Ask visitors for a department" on for the site.
pub(super) async fn ask_department(app: &TestApp, site: &Site) -> Site {
    let mut asking = site.clone();
    asking.settings.ask_department = true;
    app.store().update_site(&asking).await.expect("settings");
    asking
}

/// A visitor asks for a chat with these extra fields; returns the chat id.
pub(super) async fn request_with(visitor: &mut VisitorClient, extra: Value) -> i64 {
    let mut frame = json!({"type": "chat_request", "name": "Vera"});
    if let (Some(f), Some(e)) = (frame.as_object_mut(), extra.as_object()) {
        f.extend(e.clone());
    }
    let ack = visitor.ws.request(frame).await;
    assert_eq!(ack["type"], "ack", "chat request answered: {ack}");
    ack["chat_id"].as_i64().expect("chat id")
}

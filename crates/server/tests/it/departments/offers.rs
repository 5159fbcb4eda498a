//! "Assign automatically" with departments: a department's chat is offered only to an agent
//! of that department while one of them is On-Line, else to whoever the rule picks on the site;
//! a transfer to a department is offered to that department's agent.

use super::*;
use crate::routing::{offered, set_routing};
use frontdesk_core::site_settings::Routing;

#[tokio::test]
async fn offers_go_to_the_department_while_it_is_staffed_else_to_the_site() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    // Una first: the lowest id, so the rule would pick her on a tie if departments were ignored.
    let (una, mut u) = app.online_agent("Una").await;
    let (sam, mut s) = app.online_agent("Sam").await;
    let (_, mut t) = app.online_agent("Tom").await;
    let sales = department(&app, site.id, "Sales", &[], &[sam.id]).await;
    let support = department(&app, site.id, "Support", &[], &[una.id]).await;
    set_routing(&app, &site, Routing::Assign, 30).await;

    let mut v = app.visitor(&site).await;
    let chat = request_with(&mut v, json!({"department_id": sales.id})).await;
    let f = offered(&mut s, chat).await;
    assert_eq!(f["chat"]["department_name"], "Sales");
    for ws in [&mut u, &mut t] {
        ws.assert_none("chat.offered").await;
        ws.assert_none("chat.requested").await;
    }

    // Sam takes it and hands it to Support: offered to Una, Support's agent.
    accept(&mut s, chat).await;
    let ack = s
        .request(json!({"type":"transfer_to_department","chat_id": chat,
                        "department_id": support.id}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = offered(&mut u, chat).await;
    assert_eq!(f["chat"]["department_name"], "Support");
    t.assert_none("chat.offered").await;

    // Nobody of Sales On-Line: a Sales chat is offered on the whole site (Tom: no chats yet).
    s.request(json!({"type":"status","status":"away"})).await;
    let mut w = app.visitor(&site).await;
    let chat2 = request_with(&mut w, json!({"department_id": sales.id})).await;
    let f = offered(&mut t, chat2).await;
    assert_eq!(f["chat"]["department_name"], "Sales");
}

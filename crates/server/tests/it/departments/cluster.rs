//! Departments across nodes: a visitor on node 1, Sales' agent on node 2, Support's on
//! node 3. The department's pop-up, the fallback when nobody of it is On-Line (read from the
//! shared presence), and the transfer to a department, all cross nodes.
//! Needs PostgreSQL and Redis whatever `FRONTDESK_TEST_BACKEND` says (like `cluster.rs`).

use super::*;
use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn department_pop_ups_fallback_and_transfer_work_across_nodes() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 3, |_| {}).await;
    let site = n[0].site().await;
    let sam = n[0].agent("Sam").await;
    let tom = n[0].agent("Tom").await;
    let sales = department(&n[0], site.id, "Sales", &[], &[sam.id]).await;
    department(&n[0], site.id, "Support", &[], &[tom.id]).await;
    let mut s = online_on(&sam, &n[1]).await;
    let mut t = online_on(&tom, &n[2]).await;

    let mut v = n[0].visitor(&site).await;
    let chat = request_with(&mut v, json!({"department_id": sales.id})).await;
    let f = s.requested(chat).await;
    assert_eq!(f["chat"]["department_name"], "Sales");
    t.assert_none("chat.requested").await;

    // Nobody of Sales On-Line on any node: everyone's pop-up.
    s.request(json!({"type":"status","status":"away"})).await;
    let mut w = n[0].visitor(&site).await;
    let chat2 = request_with(&mut w, json!({"department": "sales"})).await;
    let f = t.requested(chat2).await;
    assert_eq!(f["chat"]["department_name"], "Sales");

    // Tom takes it and, Sam being back, hands it to Sales: Sam's pop-up, on another node.
    accept(&mut t, chat2).await;
    s.request(json!({"type":"status","status":"online"})).await;
    s.drain().await;
    let ack = t
        .request(json!({"type":"transfer_to_department","chat_id": chat2,
                        "department_id": sales.id}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let f = s.requested(chat2).await;
    assert_eq!(f["chat"]["state"], "pending");
    // Tom (Support) is not told again: the pop-up is Sales'.
    t.wait_for("released", |f| {
        f["type"] == "chat.released" && f["chat_id"] == chat2
    })
    .await;
    t.assert_none("chat.requested").await;
}

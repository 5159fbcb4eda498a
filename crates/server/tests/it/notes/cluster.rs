//! Notes across the nodes of a cluster (PostgreSQL and Redis, whatever
//! `FRONTDESK_TEST_BACKEND` says, like `cluster.rs`): the visitor on one node, the agent on
//! another and a second tab of hers on the visitor's node. The note reaches both tabs and not
//! the visitor; the reply after it is not held by the visitor node's sequencer waiting for the
//! note's seq (which would cut the visitor off after the hold) but arrives, in order.

use super::names::{colleague_reply, save_names};
use super::{message_with, no_note_in, note, secret};
use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use crate::helpers::*;
use serde_json::Value;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_passes_between_nodes_without_reaching_the_visitor() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 2, |_| {}).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut a_here = alice.connect(&n[0]).await;
    let mut v = n[0].visitor(&site).await;
    let chat = v.request_chat(Some("Ann")).await;
    a.requested(chat).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;
    assert_eq!(v.say("hello").await, 1);

    let secret = secret();
    for round in 0..3 {
        let ack = note(&mut a, chat, &secret).await;
        let seq = ack["seq"].as_i64().expect("seq");
        for ws in [&mut a, &mut a_here] {
            let m = message_with(ws, &secret).await;
            assert_eq!(m["kind"], "note");
        }
        // Drop the notes seen so far from the tabs' backlogs (the next round finds its own).
        for ws in [&mut a, &mut a_here] {
            ws.backlog.retain(|f| f["body"] != secret.as_str());
        }
        let body = format!("reply {round}");
        assert_eq!(agent_say(&mut a, chat, &body).await["seq"], seq + 1);
        let reply = message_with(&mut v.ws, &body).await;
        assert_eq!(reply["seq"], seq + 1);
    }
    // Still connected (a held-then-dropped reply closes the visitor's socket), and never a note.
    let frames: Vec<Value> = v.ws.drain().await;
    no_note_in(&frames, &secret);
    assert_eq!(v.say("still here").await, 8);
}

/// "Show all agents' names" turned off on one node: a colleague's reply delivered by another
/// node right after carries no name (the saving node's `SitesChanged` made the other node drop
/// its copy; without it the copy would be used for up to a minute). Same for the team name of
/// "Appearance", which counts as names off there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_turned_off_on_one_node_hold_at_once_on_another() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 2, |_| {}).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let bob = n[0].agent("Bob").await;
    let admin = n[0].agent_with("Root", true, None).await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut v = n[0].visitor(&site).await;
    let chat = v.request_chat(Some("Ann")).await;
    a.requested(chat).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;

    // Node 2 reads the setting (on) for Bob's first reply and keeps its copy.
    colleague_reply(&n[1], chat, &bob, "bob one").await;
    let m = message_with(&mut v.ws, "bob one").await;
    assert_eq!(m["author_name"], "Bob", "{m}");

    // Off, saved on node 1. The visitor's typing, published by node 1 after the save's
    // event, reaching Alice on node 2 means node 2 has had the event (one bus, in order).
    save_names(&admin, &site, false).await;
    v.ws.send(serde_json::json!({"type":"typing","typing":true}))
        .await;
    assert_eq!(a.expect("typing").await["typing"], true);
    colleague_reply(&n[1], chat, &bob, "bob two").await;
    let m = message_with(&mut v.ws, "bob two").await;
    assert!(
        m.get("author_name").is_none(),
        "node 2 follows at once, not within a minute: {m}"
    );
}

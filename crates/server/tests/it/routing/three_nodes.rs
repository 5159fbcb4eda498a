//! Three nodes, one PostgreSQL and Redis, "Assign automatically": 200 chats arrive at once
//! (visitors spread over the nodes) for 10 agents (spread over the nodes, cap 20 each). Every
//! node routes the chats it received, racing the others for the same agents' places: no chat
//! is offered to two agents, none is lost (each ends up offered), and nobody is above the cap.
//! Needs PostgreSQL and Redis whatever `FRONTDESK_TEST_BACKEND` says.

use super::*;
use crate::backend::ClusterEnv;
use crate::cluster::{nodes, online_on};
use frontdesk_core::ChatState;
use frontdesk_core::site_settings::Routing;
use std::collections::HashMap;
use std::sync::Arc;

const AGENTS: usize = 10;
const CAP: u32 = 20;
const CHATS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_chats_at_once_on_three_nodes() {
    let env = Arc::new(ClusterEnv::create().await);
    // Every visitor comes from 127.0.0.1: room for all of them on each node.
    let (_clock, n) = nodes(&env, 3, |s| s.limits.visitor_sockets_per_ip = 1_000).await;
    let site = n[0].site().await;
    set_routing(&n[0], &site, Routing::Assign, 600).await;
    let mut sockets = Vec::new();
    let mut ids = Vec::new();
    for i in 0..AGENTS {
        let agent = n[0].agent(&format!("Agent{i}")).await;
        set_cap(&n[0], &agent, Some(CAP)).await;
        sockets.push(online_on(&agent, &n[i % 3]).await);
        ids.push(agent.id);
    }
    // Every node must know every agent On-Line before the rush.
    for node in &n {
        for id in &ids {
            let p = node.app().presence.agent_presence(*id).await;
            assert!(
                p.is_some_and(|p| p.connected),
                "{id:?} present on every node"
            );
        }
    }

    let mut visitors = Vec::new();
    for i in 0..CHATS {
        visitors.push(n[i % 3].visitor(&site).await);
    }
    let requests = visitors.iter_mut().map(|v| v.request_chat(None));
    let chats: Vec<i64> = futures_util::future::join_all(requests).await;
    assert_eq!(chats.len(), CHATS);

    // Every chat is offered, exactly once.
    let mut offered_to: HashMap<i64, usize> = HashMap::new();
    let mut per_agent = vec![0u32; AGENTS];
    let mut idle_rounds = 0;
    while offered_to.len() < CHATS && idle_rounds < 50 {
        let mut progress = false;
        for (i, ws) in sockets.iter_mut().enumerate() {
            for f in ws.drain().await {
                if f["type"] == "chat.offered" {
                    let chat = f["chat"]["chat_id"].as_i64().expect("chat id");
                    let before = offered_to.insert(chat, i);
                    assert!(
                        before.is_none(),
                        "chat {chat} offered twice: {before:?} and {i}"
                    );
                    per_agent[i] += 1;
                    progress = true;
                }
                assert_ne!(f["type"], "chat.offer_ended", "no offer ends here: {f}");
            }
        }
        idle_rounds = if progress { 0 } else { idle_rounds + 1 };
    }
    assert_eq!(offered_to.len(), CHATS, "every chat offered: {per_agent:?}");
    assert!(per_agent.iter().all(|&k| k <= CAP), "{per_agent:?}");
    assert_eq!(per_agent.iter().sum::<u32>(), CHATS as u32);

    // Storage agrees: every chat pending with one standing offer, matching the frames.
    let store = n[1].store();
    for (chat, i) in &offered_to {
        let c = store
            .chat(frontdesk_core::ChatId(*chat))
            .await
            .expect("answers");
        assert_eq!(c.state, ChatState::Pending);
        assert_eq!(c.offer.map(|o| o.agent), Some(ids[*i]), "chat {chat}");
    }
    let loads = store.agent_loads(&ids, n[1].now()).await.expect("answers");
    for l in loads {
        assert!(l.offered_chats <= CAP, "{l:?}");
    }
}

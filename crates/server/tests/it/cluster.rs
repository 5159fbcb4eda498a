//! Cluster mode with three nodes in this process, on loopback ports, sharing one PostgreSQL
//! database and Redis: a visitor on one node and agents on others chat as on one server;
//! accept races are decided once across nodes; stopping a node or restarting Redis loses no
//! acknowledged message. (Real processes killed with SIGKILL: `cluster_kill.rs`.)
//! These tests need PostgreSQL and Redis whatever `FRONTDESK_TEST_BACKEND` says.

use crate::backend::{ClusterEnv, PrivateRedis};
use crate::helpers::*;
use frontdesk::clock::ManualClock;
use frontdesk::config::Settings;
use frontdesk_core::model::Site;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// `n` nodes of one fresh cluster, on one clock.
pub async fn nodes(
    env: &Arc<ClusterEnv>,
    n: usize,
    configure: impl Fn(&mut Settings),
) -> (ManualClock, Vec<TestApp>) {
    let clock = ManualClock::new(START);
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(TestApp::node(env, &clock, &configure).await);
    }
    (clock, out)
}

/// Connects `agent` to `node` and puts them On-Line.
pub async fn online_on(agent: &AgentClient, node: &TestApp) -> Ws {
    let mut ws = agent.connect(node).await;
    let ack = ws.request(json!({"type":"status","status":"online"})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

async fn frame(ws: &mut Ws, kind: &str, chat: i64) -> Value {
    let k = kind.to_string();
    ws.wait_for(kind, move |f| {
        f["type"] == k.as_str() && (f["chat_id"] == chat || f["chat"]["chat_id"] == chat)
    })
    .await
}

/// A visitor on node 1, Alice on node 2 and Bob on node 3: pop-ups, first-to-respond,
/// messages, typing, Send Link, transfer, requeue, visitors-on-site, availability,
/// invitations and block, across nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_chat_as_one_server() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 3, |_| {}).await;
    let site = n[0].site().await;
    let alice = n[0].agent("Alice").await;
    let bob = n[0].agent("Bob").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut b = online_on(&bob, &n[2]).await;

    // The visitor's node sees agents of the other nodes: the site is available.
    let mut v = n[0].visitor(&site).await;
    assert_eq!(v.welcome["online"], true, "{}", v.welcome);
    // Visitors-on-site: live updates on every node, and in a snapshot taken elsewhere.
    for ws in [&mut a, &mut b] {
        ws.wait_for("visitor", |f| {
            f["type"] == "visitor.update" && f["visitor_id"] == v.visitor_id.as_str()
        })
        .await;
    }
    let carl = n[0].agent("Carl").await;
    let mut c = Ws::open(
        &format!("ws://{}/ws/agent", n[2].addr),
        &n[2].base,
        Some(&carl.cookie),
    )
    .await
    .expect("agent socket");
    let snapshot = c.expect("snapshot").await;
    let seen = |list: &Value| {
        list.as_array()
            .is_some_and(|l| l.iter().any(|x| x["visitor_id"] == v.visitor_id.as_str()))
    };
    assert!(seen(&snapshot["visitors"]), "{snapshot}");
    let names: Vec<&str> = snapshot["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .filter(|p| p["connected"] == true)
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Alice") && names.contains(&"Bob"),
        "{snapshot}"
    );
    let listed = carl
        .get(&format!("/api/sites/{}/visitors", site.id))
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert!(seen(&listed), "{listed}");
    c.close().await;

    // Invitation from node 2 to the visitor on node 1.
    let ack = a
        .request(json!({"type":"invite","site_id": site.id.0,"visitor_id": v.visitor_id,"greeting":"Need help?"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(v.ws.expect("invitation").await["agent_name"], "Alice");

    // Pop-ups on both agents' nodes; the first to respond wins, decided once.
    let chat = v.request_chat(Some("Vera")).await;
    frame(&mut a, "chat.requested", chat).await;
    frame(&mut b, "chat.requested", chat).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    assert_eq!(accept(&mut b, chat).await["code"], "chat_taken");
    assert_eq!(
        frame(&mut b, "chat.taken", chat).await["agent_id"],
        alice.id.0
    );
    assert_eq!(v.ws.expect("chat.accepted").await["agent_name"], "Alice");

    // Messages and typing both ways.
    let seq = v.say("where is my order?").await;
    let m = a
        .wait_for("message", |f| f["type"] == "message" && f["seq"] == seq)
        .await;
    assert_eq!(m["body"], "where is my order?");
    assert_eq!(agent_say(&mut a, chat, "checking").await["type"], "ack");
    v.ws.wait_for("reply", |f| {
        f["type"] == "message" && f["body"] == "checking"
    })
    .await;
    v.ws.send(json!({"type":"typing","typing":true})).await;
    assert_eq!(a.expect("typing").await["typing"], true);
    a.send(json!({"type":"typing","chat_id": chat,"typing": true}))
        .await;
    assert_eq!(v.ws.expect("typing").await["typing"], true);

    // Send Link: the visitor's node opens it.
    let ack = a
        .request(json!({"type":"link","chat_id": chat,"client_id":"l1","url":"order.htm"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let open = v.ws.expect("open_url").await;
    assert_eq!(open["url"], format!("{}/order.htm", site.base_url));

    // Transfer to Bob, who is on another node.
    let ack = a
        .request(json!({"type":"transfer","chat_id": chat, "to": bob.id.0}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    frame(&mut b, "chat.transferred", chat).await;
    frame(&mut a, "chat.released", chat).await;
    agent_say(&mut b, chat, "Bob here").await;
    v.ws.wait_for("bob", |f| f["type"] == "message" && f["body"] == "Bob here")
        .await;

    // Requeue (Bob closes): Alice is offered it again; the visitor is queued.
    assert_eq!(
        b.request(json!({"type":"close","chat_id": chat})).await["type"],
        "ack"
    );
    a.backlog.clear();
    let again = frame(&mut a, "chat.requested", chat).await;
    assert_eq!(again["chat"]["state"], "pending");
    v.ws.expect("chat.queued").await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");

    // Availability follows agents of every node.
    for ws in [&mut a, &mut b] {
        ws.request(json!({"type":"status","status":"away"})).await;
    }
    v.ws.wait_for("offline", |f| {
        f["type"] == "availability" && f["online"] == false
    })
    .await;
    b.request(json!({"type":"status","status":"online"})).await;
    v.ws.wait_for("online", |f| {
        f["type"] == "availability" && f["online"] == true
    })
    .await;

    // Block from node 2: the visitor (on node 1) may not ask again today.
    assert_eq!(
        a.request(json!({"type":"block","chat_id": chat})).await["type"],
        "ack"
    );
    v.ws.wait_for("ended", |f| {
        f["type"] == "chat.ended" && f["chat_id"] == chat
    })
    .await;
    let refused = v.ws.request(json!({"type":"chat_request"})).await;
    assert_eq!(refused["code"], "blocked", "{refused}");
}

/// Agents on three nodes accept the same chat at the same moment, 100 rounds: exactly one
/// winner each time, decided by PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_race_across_nodes_has_one_winner() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, n) = nodes(&env, 3, |_| {}).await;
    let site = n[0].site().await;
    let mut agents = Vec::new();
    for i in 0..6 {
        let agent = n[0].agent(&format!("Racer{i}")).await;
        let ws = online_on(&agent, &n[i % 3]).await;
        agents.push((agent, ws));
    }
    for round in 0..100 {
        // Visitors arrive on every node in turn.
        let mut visitor = n[round % 3].visitor(&site).await;
        let chat = visitor.request_chat(None).await;
        for (_, ws) in agents.iter_mut() {
            frame(ws, "chat.requested", chat).await;
        }
        for (i, (_, ws)) in agents.iter_mut().enumerate() {
            ws.send(json!({"type":"accept","chat_id": chat,"ref": format!("r{round}-{i}")}))
                .await;
        }
        let mut winners = Vec::new();
        for (i, (agent, ws)) in agents.iter_mut().enumerate() {
            let r = format!("r{round}-{i}");
            let answer = ws.wait_for("answer", move |f| f["ref"] == json!(r)).await;
            match answer["type"].as_str() {
                Some("ack") => winners.push(agent.id),
                _ => assert_eq!(answer["code"], "chat_taken", "{answer}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        for (_, ws) in agents.iter_mut() {
            let taken = frame(ws, "chat.taken", chat).await;
            assert_eq!(taken["agent_id"], winners[0].0, "round {round}");
            ws.backlog.clear();
        }
        visitor.ws.expect("chat.accepted").await;
        assert_eq!(
            visitor.ws.request(json!({"type":"chat_end"})).await["type"],
            "ack"
        );
    }
}

/// What a visitor received: every message frame's seq, per connection.
#[derive(Default)]
pub struct Received {
    pub seqs: Vec<i64>,
}

impl Received {
    pub fn take(&mut self, frames: impl IntoIterator<Item = Value>) {
        for f in frames {
            if f["type"] == "message" {
                self.seqs.push(f["seq"].as_i64().expect("seq"));
            }
        }
    }

    pub fn max(&self) -> i64 {
        self.seqs.iter().copied().max().unwrap_or(0)
    }

    /// Reads `v` until the highest seq of `acked` has arrived (everything the visitor will
    /// ever get has arrived once the last seq did), then what is queued, and asserts every
    /// acknowledged seq came exactly once. Returns that highest seq.
    pub async fn all_arrive_once(
        &mut self,
        v: &mut VisitorClient,
        acked: &HashMap<String, i64>,
    ) -> i64 {
        let last = *acked.values().max().expect("some");
        while self.max() < last {
            let f = v.ws.read().await.expect("open");
            self.take([f]);
        }
        self.take(v.ws.drain().await);
        self.assert_exactly_once(acked);
        last
    }

    /// Every acknowledged seq exactly once, and nothing else twice.
    pub fn assert_exactly_once(&self, acked: &HashMap<String, i64>) {
        let mut count: HashMap<i64, usize> = HashMap::new();
        for s in &self.seqs {
            *count.entry(*s).or_default() += 1;
        }
        let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "delivered more than once: {twice:?}");
        for (cid, seq) in acked {
            assert_eq!(
                count.get(seq),
                Some(&1),
                "acknowledged {cid} (seq {seq}) not delivered"
            );
        }
    }
}

/// Sends a visitor message; returns its seq once acknowledged, or None if the socket closed.
pub async fn try_say(
    v: &mut VisitorClient,
    client_id: &str,
    body: &str,
    got: &mut Received,
) -> Option<i64> {
    v.ws.send(json!({"type":"message","client_id": client_id,"body": body}))
        .await;
    loop {
        let f = v.ws.read().await?;
        if f["ref"] == client_id && f["type"] == "ack" {
            return f["seq"].as_i64();
        }
        got.take([f]);
    }
}

/// A chat a visitor of node 1 on `site` requested and Alice, On-Line on node 2, accepted (the
/// visitor has seen `chat.accepted`): Alice, her socket, the visitor, and the chat id.
async fn chat_across_nodes(n: &[TestApp], site: &Site) -> (AgentClient, Ws, VisitorClient, i64) {
    let alice = n[0].agent("Alice").await;
    let mut a = online_on(&alice, &n[1]).await;
    let mut v = n[0].visitor(site).await;
    let chat = v.request_chat(None).await;
    accept(&mut a, chat).await;
    v.ws.expect("chat.accepted").await;
    (alice, a, v, chat)
}

/// The agent on `a` writes `count` messages in `chat` ("agent {i}", client ids `ca{i}`), one
/// every `pause`, in a task of its own; the task gives back the socket and the seq each client
/// id was acknowledged with.
pub fn agent_writes(
    mut a: Ws,
    chat: i64,
    count: usize,
    pause: Duration,
) -> tokio::task::JoinHandle<(Ws, HashMap<String, i64>)> {
    tokio::spawn(async move {
        let mut acked = HashMap::new();
        for i in 0..count {
            let cid = format!("ca{i}");
            let ack = a
                .request(json!({"type":"message","chat_id": chat,"client_id": cid,"body": format!("agent {i}")}))
                .await;
            assert_eq!(ack["type"], "ack", "{ack}");
            acked.insert(cid, ack["seq"].as_i64().expect("seq"));
            tokio::time::sleep(pause).await;
        }
        (a, acked)
    })
}

/// Stopping the visitor's node mid-conversation (while the agent keeps writing from another
/// node): the visitor reconnects to a third node with its last seq and receives every
/// acknowledged message exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_visitors_node_loses_no_message() {
    let env = Arc::new(ClusterEnv::create().await);
    let (_clock, mut n) = nodes(&env, 3, |_| {}).await;
    let site = n[0].site().await;
    let (_, a, mut v, chat) = chat_across_nodes(&n, &site).await;
    let token = v.token.clone();

    // Alice writes from node 2 throughout.
    let writer = agent_writes(a, chat, 60, Duration::from_millis(10));
    let mut got = Received::default();
    let mut acked = HashMap::new();
    for i in 0..10 {
        let cid = format!("cv{i}");
        let seq = try_say(&mut v, &cid, "before", &mut got)
            .await
            .expect("ack");
        acked.insert(cid, seq);
    }
    // Node 1 goes away, without a goodbye to the cluster.
    let first = n.remove(0);
    first.running.expect("running").abort();
    while let Some(f) = v.ws.read().await {
        got.take([f]);
    }
    // The widget reconnects (through the load balancer) to node 3 with the last seq it has.
    let mut v = VisitorClient::connect(&n[1], &site, Some(&token), Some(got.max()), "/").await;
    assert_eq!(v.welcome["chat"]["chat_id"], chat);
    for i in 10..20 {
        let cid = format!("cv{i}");
        let seq = try_say(&mut v, &cid, "after", &mut got).await.expect("ack");
        acked.insert(cid, seq);
    }
    let (mut a, agent_acked) = writer.await.expect("writer");
    acked.extend(agent_acked);
    let last = got.all_arrive_once(&mut v, &acked).await;
    // And the agent's transcript holds all of it, in order.
    let h = a
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    let seqs = seqs_of(&h["messages"]);
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>());
}

/// Sends `frame` (with `ref`) and returns the answer, or None when the socket closed first.
pub async fn try_request(ws: &mut Ws, frame: Value, r: &str) -> Option<Value> {
    let mut frame = frame;
    frame["ref"] = json!(r);
    ws.send(frame).await;
    loop {
        let f = ws.read().await?;
        if f["ref"] == r {
            return Some(f);
        }
        ws.backlog.push_back(f);
    }
}

/// Redis killed mid-chat (then started again, empty), and later every node's subscriber
/// connection killed: messages sent meanwhile are stored and acknowledged; nodes re-subscribe,
/// clients reconnect, and every acknowledged message reaches the visitor exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_loses_no_message() {
    let mut redis = PrivateRedis::start();
    let env = Arc::new(ClusterEnv::with_redis(redis.url()).await);
    // One visitor sends 24 messages (its allowance counts across reconnects): not the subject.
    let (_clock, n) = nodes(&env, 3, |s| {
        s.limits.visitor_messages = frontdesk::config::Rate {
            per_minute: 600,
            burst: 100,
        }
    })
    .await;
    let site = n[0].site().await;
    let (alice, mut a, mut v, chat) = chat_across_nodes(&n, &site).await;
    let token = v.token.clone();
    let mut got = Received::default();
    let mut acked: HashMap<String, i64> = HashMap::new();
    let mut next = 0;
    for phase in 0..3 {
        match phase {
            1 => redis.kill(),
            2 => redis.command(&["CLIENT", "KILL", "TYPE", "pubsub"]),
            _ => {}
        }
        for i in 0..8 {
            next += 1;
            // The visitor, reconnecting (to the next node) whenever its socket closes.
            let cid = format!("cv{next}");
            let seq = loop {
                if let Some(seq) = try_say(&mut v, &cid, "hi", &mut got).await {
                    break seq;
                }
                let node = &n[next % 3];
                v = VisitorClient::connect(node, &site, Some(&token), Some(got.max()), "/").await;
            };
            acked.insert(cid, seq);
            // The agent likewise, on node 2.
            let cid = format!("ca{next}");
            let frame = json!({"type":"message","chat_id": chat,"client_id": cid,"body":"ok"});
            let ack = loop {
                if let Some(ack) = try_request(&mut a, frame.clone(), &cid).await {
                    break ack;
                }
                a = alice.connect(&n[1]).await;
            };
            assert_eq!(ack["type"], "ack", "{ack}");
            acked.insert(cid, ack["seq"].as_i64().expect("seq"));
            if phase == 1 && i == 3 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                redis.restart();
            }
        }
    }
    let last = *acked.values().max().expect("some");
    while got.max() < last {
        match v.ws.read().await {
            Some(f) => got.take([f]),
            None => {
                v = VisitorClient::connect(&n[2], &site, Some(&token), Some(got.max()), "/").await
            }
        }
    }
    got.take(v.ws.drain().await);
    got.assert_exactly_once(&acked);
    let h = loop {
        if let Some(h) = try_request(
            &mut a,
            json!({"type":"sync","chat_id": chat,"after": 0}),
            "h",
        )
        .await
        {
            break h;
        }
        a = alice.connect(&n[1]).await;
    };
    let seqs = seqs_of(&h["messages"]);
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>());
}

//! Cluster nodes as real processes (`frontdesk serve` with PostgreSQL and Redis), killed with
//! SIGKILL: nothing of theirs runs after the signal. The visitor's node dies mid-conversation
//! and the visitor resumes on another node with every acknowledged message exactly once; the
//! agent's node dies and, the agent not coming back, their chat returns to the queue.

use crate::backend::ClusterEnv;
use crate::cluster::{Received, agent_writes, try_say};
use crate::helpers::*;
use frontdesk_core::model::{NewAgent, NewSite, Site};
use frontdesk_core::{SiteKey, Timestamp};
use frontdesk_store_postgres::{PgOptions, PgStore};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// One `frontdesk serve` process.
pub struct Node {
    child: Child,
    pub addr: SocketAddr,
    pub base: String,
}

impl Node {
    pub async fn spawn(env: &ClusterEnv, config: &std::path::Path) -> Node {
        let backend = [
            "--database-url",
            env.db.url(),
            "--redis-url",
            &env.redis_url,
        ];
        Node::start(&backend, config).await
    }

    /// `frontdesk --config CONFIG serve --listen ... BACKEND...`, once it is ready.
    pub async fn start(backend: &[&str], config: &std::path::Path) -> Node {
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_frontdesk"));
        Node::start_bin(bin, backend, config).await
    }

    /// [`Node::start`] with another `frontdesk` binary (an older release: `upgrade_rolling.rs`).
    pub async fn start_bin(
        bin: &std::path::Path,
        backend: &[&str],
        config: &std::path::Path,
    ) -> Node {
        let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port");
        let child = Command::new(bin)
            .arg("--config")
            .arg(config)
            .args(["serve", "--listen", &addr.to_string()])
            .args(backend)
            .env(
                "FRONTDESK_LOG",
                std::env::var("FD_NODE_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("frontdesk starts");
        let node = Node {
            child,
            addr,
            base: format!("http://{addr}"),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = reqwest::get(format!("{}/readyz", node.base)).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return node;
            }
            assert!(
                Instant::now() < deadline,
                "node on {addr} did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM (how a service manager stops a node), and wait until it has exited.
    pub async fn stop(mut self) {
        let pid = self.child.id().expect("running");
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM to node {pid}");
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the node stops within the wait limit")
            .expect("reaped");
        assert!(status.success(), "node {pid} stopped with {status}");
    }

    /// SIGKILL, and reap.
    pub async fn kill9(mut self) {
        self.child.start_kill().expect("kill -9");
        let _ = self.child.wait().await;
    }

    pub async fn sign_in(&self, email: &str) -> String {
        let resp = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .header("Origin", &self.base)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 200, "login as {email}");
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("fd_session=")))
            .expect("session cookie")
            .to_string()
    }

    /// An On-Line agent socket (snapshot read).
    pub async fn agent(&self, cookie: &str) -> Ws {
        let mut ws = Ws::open(
            &format!("ws://{}/ws/agent", self.addr),
            &self.base,
            Some(cookie),
        )
        .await
        .expect("agent socket");
        ws.expect("snapshot").await;
        let ack = ws.request(json!({"type":"status","status":"online"})).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        ws
    }

    /// A visitor socket that said hello.
    pub async fn visitor(&self, site: &Site, token: Option<&str>, last_seq: i64) -> VisitorClient {
        let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
        let mut ws = Ws::open(
            &format!("ws://{}/ws/visitor?site={}", self.addr, site.key),
            &origin,
            None,
        )
        .await
        .expect("visitor socket");
        ws.send(json!({
            "type": "hello", "token": token, "last_seq": last_seq,
            "page": {"url": format!("{}/", site.base_url), "title": "Home", "referrer": ""},
        }))
        .await;
        VisitorClient::after_hello(ws, site, origin).await
    }
}

async fn provision(env: &ClusterEnv) -> (Site, Vec<String>) {
    let store = PgStore::connect(env.db.url(), PgOptions::default())
        .await
        .expect("database");
    provision_in(&store, &["alice", "bob"]).await
}

/// A site and agents (every site, password [`PASSWORD`]) named `names`; returns their emails.
pub async fn provision_in(
    store: &dyn frontdesk_core::store::Store,
    names: &[&str],
) -> (Site, Vec<String>) {
    let site = store
        .create_site(
            NewSite {
                key: SiteKey(unique("key")),
                name: "Shop".into(),
                base_url: "https://shop.example".into(),
                timezone: "UTC".into(),
                allowed_origins: vec![],
                email: None,
            },
            Timestamp(1),
        )
        .await
        .expect("site");
    let hash = frontdesk::security::hash_password(PASSWORD).expect("hash");
    let mut emails = Vec::new();
    for name in names {
        let email = format!("{}@agents.example", unique(name));
        store
            .create_agent(
                NewAgent {
                    email: email.clone(),
                    name: (*name).into(),
                    is_admin: false,
                    password_hash: hash.clone(),
                    sites: None,
                },
                Timestamp(1),
            )
            .await
            .expect("agent");
        emails.push(email);
    }
    (site, emails)
}

fn frame_of(kind: &'static str, chat: i64) -> impl Fn(&Value) -> bool {
    move |f| f["type"] == kind && (f["chat_id"] == chat || f["chat"]["chat_id"] == chat)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_node_loses_no_message_and_requeues_its_agents_chats() {
    let env = ClusterEnv::create().await;
    let (site, emails) = provision(&env).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nredis_prefix = {:?}\npresence_heartbeat_ms = 250\n\
             requeue_grace_secs = 4\n",
            dir.path().display().to_string(),
            env.prefix
        ),
    )
    .expect("config");
    let p1 = Node::spawn(&env, &config).await;
    let p2 = Node::spawn(&env, &config).await;
    let p3 = Node::spawn(&env, &config).await;
    let mut a = p2.agent(&p2.sign_in(&emails[0]).await).await;
    let mut b = p3.agent(&p3.sign_in(&emails[1]).await).await;

    let mut v = p1.visitor(&site, None, 0).await;
    let token = v.token.clone();
    let chat = v.request_chat(None).await;
    a.wait_for("pop-up", frame_of("chat.requested", chat)).await;
    // Bob's pop-up too: the chat.requested he gets later must be the requeue, not this one.
    b.wait_for("pop-up", frame_of("chat.requested", chat)).await;
    assert_eq!(accept(&mut a, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;

    // The agent writes from node 2 all along; node 1 (the visitor's) is killed meanwhile.
    let writer = agent_writes(a, chat, 40, Duration::from_millis(15));
    let mut got = Received::default();
    let mut acked = HashMap::new();
    for i in 0..5 {
        let cid = format!("cv{i}");
        acked.insert(
            cid.clone(),
            try_say(&mut v, &cid, "before", &mut got)
                .await
                .expect("ack"),
        );
    }
    p1.kill9().await;
    while let Some(f) = v.ws.read().await {
        got.take([f]);
    }
    let mut v = p3.visitor(&site, Some(&token), got.max()).await;
    assert_eq!(v.welcome["chat"]["chat_id"], chat);
    for i in 5..10 {
        let cid = format!("cv{i}");
        acked.insert(
            cid.clone(),
            try_say(&mut v, &cid, "after", &mut got).await.expect("ack"),
        );
    }
    let (a, agent_acked) = writer.await.expect("writer");
    acked.extend(agent_acked);
    got.all_arrive_once(&mut v, &acked).await;

    // Now the agent's node dies, and the agent does not come back: once their presence has
    // expired and the grace period passed, the chat is back in the queue for Bob (node 3).
    // The sweep counts a dead node's agents as gone from its last heartbeat, which the test
    // cannot see; every node's heartbeat read now is a lower bound of it (p2 is among them and
    // heartbeats only move forward), so the chat may not return before that bound + grace.
    let heartbeat_floor = oldest_heartbeat(&env);
    drop(a);
    p2.kill9().await;
    let gone = b
        .wait_for("alice gone", |f| {
            f["type"] == "agent.presence" && f["connected"] == false
        })
        .await;
    assert_eq!(gone["name"], "alice");
    let again = b
        .wait_for("requeued", frame_of("chat.requested", chat))
        .await;
    assert_eq!(again["chat"]["state"], "pending");
    // Without the grace period the chat would be back as soon as the node is declared dead
    // (its heartbeat 2.25 s stale here; the test fails so with the grace check removed).
    let requeued_at = wall_ms();
    assert!(
        requeued_at >= heartbeat_floor + 4000,
        "requeued {} ms after the node's last heartbeat at the latest: not before the grace period (4 s)",
        requeued_at - heartbeat_floor
    );
    v.ws.wait_for("queued", |f| f["type"] == "chat.queued")
        .await;
    assert_eq!(accept(&mut b, chat).await["type"], "ack");
    let said = agent_say(&mut b, chat, "Bob here").await;
    assert_eq!(said["type"], "ack", "{said}");
    v.ws.wait_for("bob", |f| f["type"] == "message" && f["body"] == "Bob here")
        .await;
    p3.kill9().await;
}

/// Now, in ms since the epoch (the clock the nodes write their heartbeats with).
fn wall_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_millis()).expect("ms fit")
}

/// The oldest heartbeat among the nodes registered in Redis (`PREFIX:nodes`: node → "wall_ms:clock_ms").
fn oldest_heartbeat(env: &ClusterEnv) -> i64 {
    let client = redis::Client::open(env.redis_url.as_str()).expect("redis url");
    let mut conn = client.get_connection().expect("redis connection");
    let nodes: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("{}:nodes", env.prefix))
        .query(&mut conn)
        .expect("nodes");
    nodes
        .values()
        .filter_map(|seen| seen.split(':').next()?.parse::<i64>().ok())
        .min()
        .expect("at least the live nodes are registered")
}

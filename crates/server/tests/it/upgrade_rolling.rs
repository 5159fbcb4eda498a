//! A rolling upgrade of a three-node cluster: three nodes of the previous release (the commit
//! in `scripts/previous-release`, built by `scripts/build-previous-release` at
//! `target/previous-release/frontdesk`) on a fresh PostgreSQL database and Redis; a visitor
//! chats with an agent; then each node in turn is stopped (SIGTERM, as a roll does) and
//! replaced by a node of this build, the first of which migrates the schema forward while the
//! old nodes keep serving. After every step, with old and new nodes side by side: messages both
//! ways arrive exactly once, a chat left pending during the step survives it (its visitor
//! comes back to another node) and is accepted, and a new chat is requested on the new node and
//! accepted by an agent on another node.
//!
//! Cluster mode only (`FRONTDESK_TEST_BACKEND=cluster`): without it the test prints that it did
//! not run (uncaptured, so every run shows it) and ends, as the other cluster-only tests do. In
//! cluster mode a missing or stale old binary fails the test, with what to run.

use crate::backend::{Backend, ClusterEnv, chosen};
use crate::cluster::Received;
use crate::cluster_kill::Node;
use crate::helpers::*;
use frontdesk_core::model::Site;
use frontdesk_core::site_settings::SiteSettings;
use frontdesk_core::{SiteId, SiteKey, Timestamp};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The previous release's binary, checked to be built from the pinned commit.
fn previous_release() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pin = std::fs::read_to_string(root.join("scripts/previous-release")).expect("pin file");
    let commit = pin
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("a commit in scripts/previous-release");
    let dir = root.join("target/previous-release");
    let built = std::fs::read_to_string(dir.join("commit")).unwrap_or_default();
    let bin = dir.join("frontdesk");
    assert!(
        bin.exists() && built.trim() == commit,
        "the previous release ({commit}) is not built at {}: run scripts/build-previous-release \
         (scripts/test does, before the cluster tests)",
        bin.display()
    );
    bin
}

/// The old binary's command line on the cluster's database (it migrates an empty database to
/// the old schema); `stdin` is written to it. Returns its standard output.
fn old_cli(bin: &Path, env: &ClusterEnv, args: &[&str], stdin: &str) -> String {
    let mut child = std::process::Command::new(bin)
        .args(["--database-url", env.db.url()])
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("old frontdesk runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("old frontdesk ends");
    assert!(
        out.status.success(),
        "previous release: frontdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A site and agents Alice and Bob, made by the previous release's CLI; the agents' emails.
fn provision(bin: &Path, env: &ClusterEnv) -> (Site, [String; 2]) {
    let base_url = "https://shop.example";
    let out = old_cli(
        bin,
        env,
        &["site", "add", "--name", "Shop", "--url", base_url, "--json"],
        "",
    );
    let v: Value = serde_json::from_str(&out).expect("site JSON");
    let site = Site {
        id: SiteId(v["site_id"].as_i64().expect("site id")),
        key: SiteKey(v["key"].as_str().expect("key").to_string()),
        name: "Shop".into(),
        base_url: base_url.into(),
        timezone: "UTC".into(),
        allowed_origins: vec![],
        email: None,
        created_at: Timestamp(0),
        settings: SiteSettings::default(),
    };
    let emails = ["alice", "bob"].map(|name| {
        let email = format!("{}@agents.example", unique(name));
        let args = ["agent", "add", "--email", &email, "--name", name];
        old_cli(
            bin,
            env,
            &[&args[..], &["--password-stdin"]].concat(),
            PASSWORD,
        );
        email
    });
    (site, emails)
}

/// An agent's socket, and every chat message frame of one chat it received, by seq.
struct AgentSide {
    ws: Ws,
    cookie: String,
    chat: i64,
    seen: HashMap<i64, usize>,
}

impl AgentSide {
    fn note(&mut self, f: &Value) {
        if f["type"] == "message" && f["chat_id"] == self.chat {
            *self
                .seen
                .entry(f["seq"].as_i64().expect("seq"))
                .or_default() += 1;
        }
    }

    /// Reads until the chat's message `seq` has arrived (other frames go to the backlog).
    async fn sees(&mut self, seq: i64) {
        let mut backlog = std::mem::take(&mut self.ws.backlog);
        for f in backlog.drain(..) {
            self.note(&f);
        }
        while !self.seen.contains_key(&seq) {
            let f = self.ws.read().await.expect("agent socket open");
            self.note(&f);
            if f["type"] != "message" {
                self.ws.backlog.push_back(f);
            }
        }
    }

    /// Reconnects to `node` (the old socket's node is gone), counting what the old one got.
    async fn reconnect(&mut self, node: &Node) {
        while let Some(f) = self.ws.read().await {
            self.note(&f);
        }
        self.ws = node.agent(&self.cookie).await;
    }
}

/// The conversation that runs through the whole roll: the visitor and Alice.
struct Talk {
    site: Site,
    chat: i64,
    v: VisitorClient,
    got: Received,
    alice: AgentSide,
    acked: HashMap<String, i64>,
    said: usize,
}

impl Talk {
    /// One message each way, each seen live by the other side.
    async fn exchange(&mut self, step: &str) {
        self.said += 1;
        let cid = format!("cv{}", self.said);
        self.v
            .ws
            .send(json!({"type":"message","client_id": cid,"body": step}))
            .await;
        let seq = loop {
            let f = self.v.ws.read().await.expect("visitor socket open");
            if f["ref"] == cid.as_str() {
                assert_eq!(f["type"], "ack", "{step}: the visitor's message: {f}");
                break f["seq"].as_i64().expect("seq");
            }
            self.got.take([f]);
        };
        self.acked.insert(cid, seq);
        self.alice.sees(seq).await;
        let cid = format!("ca{}", self.said);
        let frame = json!({"type":"message","chat_id": self.chat,"client_id": cid,"body": step});
        let ack = self.alice.ws.request(frame).await;
        assert_eq!(ack["type"], "ack", "{step}: {ack}");
        let seq = ack["seq"].as_i64().expect("seq");
        self.acked.insert(cid, seq);
        while self.got.max() < seq {
            let f = self.v.ws.read().await.expect("visitor socket open");
            self.got.take([f]);
        }
    }

    /// The visitor comes back on `node` with its token and last seq (its node is gone).
    async fn visitor_moves(&mut self, node: &Node) {
        while let Some(f) = self.v.ws.read().await {
            self.got.take([f]);
        }
        let token = self.v.token.clone();
        self.v = node.visitor(&self.site, Some(&token), self.got.max()).await;
        assert_eq!(self.v.welcome["chat"]["chat_id"], self.chat);
        assert_eq!(self.v.welcome["chat"]["state"], "active");
    }

    /// Every acknowledged message reached the visitor exactly once and the agent once each.
    fn assert_exactly_once(&self, step: &str) {
        self.got.assert_exactly_once(&self.acked);
        let twice: Vec<_> = self.alice.seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{step}: Alice got twice: {twice:?}");
    }
}

/// A visitor of `site` on `node` requests a chat; Bob (On-Line elsewhere) sees it, accepts it,
/// and they exchange a message each way; the visitor then ends it.
async fn new_chat_across(node: &Node, site: &Site, bob: &mut Ws, step: &str) {
    let mut n = node.visitor(site, None, 0).await;
    let chat = n.request_chat(None).await;
    bob.requested(chat).await;
    assert_eq!(accept(bob, chat).await["type"], "ack", "{step}");
    n.ws.expect("chat.accepted").await;
    let seq = n.say("new chat").await;
    bob.wait_for("visitor's message", |f| {
        f["type"] == "message" && f["chat_id"] == chat && f["seq"] == seq
    })
    .await;
    assert_eq!(
        agent_say(bob, chat, "welcome").await["type"],
        "ack",
        "{step}"
    );
    n.ws.wait_for("reply", |f| {
        f["type"] == "message" && f["body"] == "welcome"
    })
    .await;
    let end = n.ws.request(json!({"type":"chat_end"})).await;
    assert_eq!(end["type"], "ack", "{step}: {end}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_upgrade_from_the_previous_release_keeps_chats_working() {
    if chosen() != Backend::Cluster {
        // Straight to stderr, not captured: the run shows that this test did not run.
        let _ = writeln!(
            std::io::stderr(),
            "upgrade_rolling: NOT RUN (needs PostgreSQL, Redis and the previous release): \
             run it with FRONTDESK_TEST_BACKEND=cluster, as scripts/test does"
        );
        return;
    }
    let old = previous_release();
    let new = PathBuf::from(env!("CARGO_BIN_EXE_frontdesk"));
    let env = ClusterEnv::create().await;
    let (site, emails) = provision(&old, &env);
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("frontdesk.toml");
    // Keys both releases know (the old one refuses unknown keys).
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nredis_prefix = {:?}\npresence_heartbeat_ms = 250\n\
             database_pool_size = 4\n",
            dir.path().display().to_string(),
            env.prefix
        ),
    )
    .expect("config");
    let backend = [
        "--database-url",
        env.db.url(),
        "--redis-url",
        &env.redis_url,
    ];
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(Node::start_bin(&old, &backend, &config).await);
    }

    // The visitor on node 0, Alice on node 1, Bob on node 2: all old.
    let alice_cookie = nodes[1].sign_in(&emails[0]).await;
    let bob_cookie = nodes[2].sign_in(&emails[1]).await;
    let a = nodes[1].agent(&alice_cookie).await;
    let mut bob = nodes[2].agent(&bob_cookie).await;
    let (mut v_at, mut a_at, mut b_at) = (0, 1, 2);
    let mut v = nodes[0].visitor(&site, None, 0).await;
    let chat = v.request_chat(Some("Vera")).await;
    let mut alice = AgentSide {
        ws: a,
        cookie: alice_cookie,
        chat,
        seen: HashMap::new(),
    };
    alice.ws.requested(chat).await;
    assert_eq!(accept(&mut alice.ws, chat).await["type"], "ack");
    v.ws.expect("chat.accepted").await;
    let mut talk = Talk {
        site: site.clone(),
        chat,
        v,
        got: Received::default(),
        alice,
        acked: HashMap::new(),
        said: 0,
    };
    talk.exchange("all old").await;
    let version = || async {
        frontdesk_store_postgres::applied_version(env.db.url())
            .await
            .expect("schema version")
    };
    let old_schema = version().await;
    assert!(old_schema > 0, "the old nodes migrated the empty database");

    for step in 0..3 {
        let what = format!("node {step} replaced by the new release");
        // A chat requested on the node about to go, left pending through the step.
        let mut p = nodes[step].visitor(&site, None, 0).await;
        let pending = p.request_chat(None).await;
        talk.alice.ws.requested(pending).await;

        // The roll: stop the node (its clients' sockets close), start the new release in its
        // place (the first one migrates the schema while the old nodes serve).
        let gone = std::mem::replace(
            &mut nodes[step],
            Node::start_bin(&new, &backend, &config).await,
        );
        gone.stop().await;
        // Clients of the stopped node reconnect elsewhere, as through a load balancer:
        // visitors to the next node, agents to the one after.
        let (to_visitors, to_agents) = ((step + 1) % 3, (step + 2) % 3);
        if v_at == step {
            talk.visitor_moves(&nodes[to_visitors]).await;
            v_at = to_visitors;
        }
        if a_at == step {
            talk.alice.reconnect(&nodes[to_agents]).await;
            a_at = to_agents;
        }
        if b_at == step {
            while bob.read().await.is_some() {}
            bob = nodes[to_agents].agent(&bob_cookie).await;
            b_at = to_agents;
        }
        while p.ws.read().await.is_some() {}
        let token = p.token.clone();
        let mut p = nodes[to_visitors].visitor(&site, Some(&token), 0).await;
        assert_eq!(
            p.welcome["chat"]["chat_id"], pending,
            "{what}: {}",
            p.welcome
        );
        assert_eq!(
            p.welcome["chat"]["state"], "pending",
            "{what}: {}",
            p.welcome
        );

        // The first new node brought the schema to this release's version.
        assert_eq!(
            version().await,
            frontdesk_store_postgres::latest_version(),
            "{what}"
        );
        if step == 0 {
            eprintln!(
                "rolling upgrade: schema {old_schema} -> {}, migrated by the first new node while the old ones served",
                frontdesk_store_postgres::latest_version()
            );
        }
        // Old and new side by side: the conversation goes on, both ways, exactly once.
        talk.exchange(&what).await;
        talk.assert_exactly_once(&what);
        // Alice accepts the pending chat (step 1: its visitor on an old node, she on a new one).
        let taken = accept(&mut talk.alice.ws, pending).await;
        assert_eq!(taken["type"], "ack", "{what}: {taken}");
        p.ws.expect("chat.accepted").await;
        let end = p.ws.request(json!({"type":"chat_end"})).await;
        assert_eq!(end["type"], "ack", "{what}: {end}");
        // A new chat on the new node, accepted by Bob on another node (an old one in steps
        // 0 and 1).
        assert_ne!(b_at, step);
        new_chat_across(&nodes[step], &site, &mut bob, &what).await;
        eprintln!(
            "rolling upgrade: {what}: visitor on node {v_at}, Alice on {a_at}, Bob on {b_at}"
        );
    }

    // All new: the whole conversation, in order, in the agent's transcript.
    talk.exchange("all new").await;
    talk.assert_exactly_once("all new");
    let h = talk
        .alice
        .ws
        .request(json!({"type":"sync","chat_id": chat,"after": 0}))
        .await;
    let last = *talk.acked.values().max().expect("some");
    assert_eq!(seqs_of(&h["messages"]), (1..=last).collect::<Vec<_>>());
    for node in nodes {
        node.stop().await;
    }
}

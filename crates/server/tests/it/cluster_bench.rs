//! Chat throughput and delivery latency, one node versus three (a benchmark, not a check; run
//! it on a quiet machine with
//! `cargo test --release -p frontdesk --test it cluster_bench -- --ignored --nocapture`).
//!
//! Nodes are real `frontdesk serve` processes. `CHATS` visitors, each in an accepted chat, send
//! messages in a closed loop (the next one after the previous one's ack) for `SECS` seconds;
//! their agents, on other nodes whenever there are several, time each message from the moment
//! it was sent to the moment they receive it. Figures: acknowledged messages per second, and
//! delivery latency (visitor → agent) percentiles.

use crate::backend::ClusterEnv;
use crate::cluster_kill::{Node, provision_in};
use crate::helpers::*;
use frontdesk_store_postgres::{PgOptions, PgStore};
use frontdesk_store_sqlite::{SqliteOptions, SqliteStore};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CHATS: usize = 100;
const AGENTS: usize = 10;
const SECS: u64 = 10;

const CONFIG: &str = r#"
presence_heartbeat_ms = 1000
[limits]
visitor_messages = { per_minute = 60000000, burst = 1000000 }
chat_requests = { per_minute = 60000000, burst = 1000000 }
agent_frames = { per_minute = 60000000, burst = 1000000 }
login_per_ip = { per_minute = 60000000, burst = 1000000 }
login_per_account = { per_minute = 60000000, burst = 1000000 }
visitor_sockets_per_ip = 100000000
"#;

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

struct Figures {
    rate: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    delivered: usize,
}

async fn measure(nodes: &[Node], site: &frontdesk_core::model::Site, emails: &[String]) -> Figures {
    let n = nodes.len();
    let mut agents = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let node = &nodes[i % n];
        agents.push(node.agent(&node.sign_in(email).await).await);
    }
    let mut visitors = Vec::new();
    for j in 0..CHATS {
        // Visitor j on the node after its agent's: messages cross nodes when there are several.
        let mut v = nodes[(j % AGENTS + 1) % n].visitor(site, None, 0).await;
        let chat = v.request_chat(None).await;
        let ack = accept(&mut agents[j % AGENTS], chat).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        v.ws.expect("chat.accepted").await;
        visitors.push(v);
    }
    for a in agents.iter_mut() {
        a.drain().await;
    }
    let sent = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECS);
    let mut readers = Vec::new();
    for mut a in agents {
        readers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while let Ok(Some(f)) = tokio::time::timeout(Duration::from_secs(3), a.read()).await {
                if f["type"] == "message" && f["from"] == "visitor" {
                    let t: u64 = f["body"].as_str().and_then(|b| b.parse().ok()).unwrap_or(0);
                    lat.push(now_us().saturating_sub(t));
                }
            }
            lat
        }));
    }
    let mut writers = Vec::new();
    for (j, mut v) in visitors.into_iter().enumerate() {
        let sent = sent.clone();
        writers.push(tokio::spawn(async move {
            let mut k = 0;
            while Instant::now() < deadline {
                let cid = format!("b{j}-{k}");
                k += 1;
                v.ws.send(json!({"type":"message","client_id": cid,"body": now_us().to_string()}))
                    .await;
                let c = cid.clone();
                let ack = v.ws.wait_for("ack", move |f| f["ref"] == c.as_str()).await;
                assert_eq!(ack["type"], "ack", "{ack}");
                v.ws.backlog.clear();
                sent.fetch_add(1, Ordering::Relaxed);
            }
            v
        }));
    }
    let started = Instant::now();
    let mut keep = Vec::new();
    for w in writers {
        keep.push(w.await.expect("writer"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat = Vec::new();
    for r in readers {
        lat.extend(r.await.expect("reader"));
    }
    drop(keep);
    lat.sort_unstable();
    let acked = sent.load(Ordering::Relaxed) as usize;
    assert_eq!(
        lat.len(),
        acked,
        "every acknowledged message reached its agent once"
    );
    Figures {
        rate: acked as f64 / elapsed,
        p50: pct(&lat, 0.50),
        p95: pct(&lat, 0.95),
        p99: pct(&lat, 0.99),
        max: pct(&lat, 1.0),
        delivered: lat.len(),
    }
}

async fn run(label: &str, nodes: usize, cluster: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("frontdesk.toml");
    let names: Vec<String> = (0..AGENTS).map(|i| format!("agent{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let env;
    let (site, emails, backend) = if cluster {
        env = ClusterEnv::create().await;
        let store = PgStore::connect(env.db.url(), PgOptions::default())
            .await
            .expect("pg");
        let (site, emails) = provision_in(&store, &names).await;
        std::fs::write(
            &config,
            format!("redis_prefix = {:?}\n{CONFIG}", env.prefix),
        )
        .expect("config");
        let backend = vec![
            "--database-url".to_string(),
            env.db.url().to_string(),
            "--redis-url".to_string(),
            env.redis_url.clone(),
        ];
        (site, emails, backend)
    } else {
        let data = dir.path().join("data");
        let store = SqliteStore::open(&data.join("frontdesk.db"), SqliteOptions::default())
            .await
            .expect("sqlite");
        let (site, emails) = provision_in(&store, &names).await;
        drop(store);
        std::fs::write(&config, CONFIG).expect("config");
        (
            site,
            emails,
            vec!["--data-dir".to_string(), data.display().to_string()],
        )
    };
    let backend: Vec<&str> = backend.iter().map(String::as_str).collect();
    let mut running = Vec::new();
    for _ in 0..nodes {
        running.push(Node::start(&backend, &config).await);
    }
    let f = measure(&running, &site, &emails).await;
    println!(
        "| {label} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
        f.rate, f.p50, f.p95, f.p99, f.max, f.delivered
    );
    for node in running {
        node.kill9().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
async fn cluster_throughput_and_latency() {
    println!(
        "\n{CHATS} chats, closed loop, {SECS} s; latency = visitor send → agent receive (ms)\n"
    );
    println!("| setup | msgs/s | p50 | p95 | p99 | max | delivered |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    run("1 node, SQLite (embedded)", 1, false).await;
    run("1 node, PostgreSQL + Redis", 1, true).await;
    run("3 nodes, PostgreSQL + Redis", 3, true).await;
}

//! A running server under test: the Frontdesk nodes (one, or `--nodes` sharing PostgreSQL
//! and Redis) or the baseline relay, and what the scenarios read of them: where clients
//! connect, CPU, memory, metrics, logs.

use crate::server::{
    AgentCred, CONFIG, Fixture, Kind, SiteInfo, copy_dir, free_port, rss_kib, spawn_frontdesk,
    status_kib, terminate, wait_ready,
};
use anyhow::{Context, Result, bail};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// One server process under test.
struct Node {
    child: Child,
    addr: SocketAddr,
    pid: u32,
    log: PathBuf,
}

/// A running server under test: one process, or `--nodes` cluster nodes.
pub struct Target {
    pub kind: Kind,
    nodes: Vec<Node>,
    /// The first node's address.
    pub addr: SocketAddr,
    /// Frontdesk on PostgreSQL (and Redis): their CPU is reported beside the nodes'.
    pub clustered: bool,
    /// Spawn to `/readyz` 200 (of every node).
    pub ready: Duration,
    pub chat_site: SiteInfo,
    pub held_site: SiteInfo,
    pub agents: Vec<AgentCred>,
    pub observer: AgentCred,
    /// The run's data, config and logs (removed when the target is dropped).
    _dir: TempDir,
}

impl Target {
    /// Starts `kind` on a fresh copy of the fixture's data (or on `data` as it is): `nodes`
    /// Frontdesk processes (several need the cluster backend), or the one-process baseline.
    /// `shipped_limits`: Frontdesk keeps its default abuse limits instead of the raised ones.
    /// `extra`: configuration appended (e.g. `[search] index = false`).
    pub async fn start(
        kind: Kind,
        fx: &Fixture,
        data: Option<&Path>,
        (nodes, shipped_limits): (usize, bool),
        extra: &str,
    ) -> Result<Target> {
        let dir = tempfile::Builder::new().prefix("fd-bench-run").tempdir()?;
        let started = Instant::now();
        let mut children = Vec::new();
        match kind {
            Kind::Frontdesk | Kind::FrontdeskB => {
                let bin = match (kind, &fx.bin_b) {
                    (Kind::FrontdeskB, Some(b)) => b,
                    (Kind::FrontdeskB, None) => bail!("no B binary (--compare A B)"),
                    _ => &fx.bin,
                };
                let data = match data {
                    Some(d) => d.to_path_buf(),
                    None => {
                        let d = dir.path().join("data");
                        match &fx.cluster {
                            // Nothing there: the state is in PostgreSQL.
                            Some(_) => std::fs::create_dir_all(&d)?,
                            None => copy_dir(&fx.data(), &d)?,
                        }
                        d
                    }
                };
                let (config, store) = match &fx.cluster {
                    None if nodes > 1 => bail!("several nodes need --database-url and --redis-url"),
                    None if shipped_limits => {
                        let config = dir.path().join("shipped.toml");
                        std::fs::write(&config, extra)?;
                        (config, Vec::new())
                    }
                    None if !extra.is_empty() => {
                        let config = dir.path().join("extra.toml");
                        std::fs::write(&config, format!("{CONFIG}{extra}"))?;
                        (config, Vec::new())
                    }
                    None => (fx.config.clone(), Vec::new()),
                    Some(c) => {
                        // The big history's database as it is, or a fresh copy of the template.
                        let url = match &fx.store_url {
                            Some(u) => u.clone(),
                            None => c.fresh_run_db().await?,
                        };
                        let mut text = format!("redis_prefix = {:?}\n", c.next_prefix());
                        if let Some(r) = &c.redis_url {
                            text.push_str(&format!("redis_url = {r:?}\n"));
                        }
                        if !shipped_limits {
                            text.push_str(CONFIG);
                        }
                        text.push_str(extra);
                        let config = dir.path().join("bench.toml");
                        std::fs::write(&config, text)?;
                        (config, vec!["--database-url".to_string(), url])
                    }
                };
                for i in 0..nodes.max(1) {
                    let port = free_port()?;
                    let log = dir.path().join(format!("server-{i}.log"));
                    let child = spawn_frontdesk(bin, &config, (&data, &store), port, &log)?;
                    children.push((child, port, log));
                }
            }
            Kind::Baseline => {
                let port = free_port()?;
                let log = dir.path().join("server-0.log");
                let child = Command::new(std::env::current_exe()?)
                    .args(["relay", "--listen", &format!("127.0.0.1:{port}")])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::from(std::fs::File::create(&log)?))
                    .kill_on_drop(true)
                    .spawn()?;
                children.push((child, port, log));
            }
        }
        let mut running = Vec::new();
        for (mut child, port, log) in children {
            let pid = child.id().context("child pid")?;
            // Timed from before the spawn: process start, storage open, listening, first answer.
            wait_ready(&format!("http://127.0.0.1:{port}"), &mut child).await?;
            running.push(Node {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                pid,
                log,
            });
        }
        let ready = started.elapsed();
        Ok(Target {
            kind,
            addr: running[0].addr,
            clustered: kind.is_frontdesk() && fx.cluster.is_some(),
            nodes: running,
            ready,
            chat_site: fx.chat_site.clone(),
            held_site: fx.held_site.clone(),
            agents: fx.agents.clone(),
            observer: fx.observer.clone(),
            _dir: dir,
        })
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where agent `i` connects: node `i` mod the number of nodes.
    pub fn agent_addr(&self, i: usize) -> SocketAddr {
        self.nodes[i % self.nodes.len()].addr
    }

    /// Where the visitors whose chats agent `i` takes connect: the node after that agent's,
    /// so that with several nodes every message crosses from one node to another.
    pub fn visitor_addr(&self, i: usize) -> SocketAddr {
        self.nodes[(i + 1) % self.nodes.len()].addr
    }

    /// Resident memory (VmRSS) of every process, in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        self.nodes.iter().map(|n| rss_kib(n.pid)).sum()
    }

    /// Peak resident memory (VmHWM) of every process since it started, summed, in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64> {
        self.nodes.iter().map(|n| status_kib(n.pid, "VmHWM")).sum()
    }

    /// User + system CPU time used so far by every process, in seconds.
    pub fn cpu_secs(&self) -> Result<f64> {
        self.nodes.iter().map(|n| cpu_secs(n.pid)).sum()
    }

    /// A counter or gauge from `/metrics`, summed over the nodes (0 when absent).
    pub async fn metric(&self, name: &str) -> Result<f64> {
        let mut total = 0.0;
        for n in &self.nodes {
            let text = reqwest::get(format!("http://{}/metrics", n.addr))
                .await?
                .text()
                .await?;
            total += text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let (k, v) = l.rsplit_once(' ')?;
                    // The series itself, or (a labelled family) any of its label sets.
                    let series = k == name
                        || (!name.contains('{')
                            && k.strip_prefix(name)
                                .is_some_and(|rest| rest.starts_with('{')));
                    series.then(|| v.trim().parse::<f64>().ok())?
                })
                .sum::<f64>();
        }
        Ok(total)
    }

    /// Log lines containing `needle` (e.g. slow-reader cut-offs), and how many distinct
    /// lines they are once colour codes and timestamps are dropped (one per connection).
    pub fn log_count(&self, needle: &str) -> (usize, usize) {
        let mut hits = Vec::new();
        for n in &self.nodes {
            let text = std::fs::read_to_string(&n.log).unwrap_or_default();
            hits.extend(
                text.lines()
                    .filter(|l| l.contains(needle))
                    .map(|l| l.rsplit('=').next().unwrap_or(l).to_string()),
            );
        }
        let distinct: std::collections::HashSet<&String> = hits.iter().collect();
        (hits.len(), distinct.len())
    }

    /// Stops every process; their logs are kept as `keep_log` (`.1`, `.2`… for more nodes).
    pub async fn stop(self, keep_log: Option<&Path>) {
        for (i, mut n) in self.nodes.into_iter().enumerate() {
            terminate(&mut n.child).await;
            if let Some(to) = keep_log {
                let _ = std::fs::create_dir_all(to.parent().unwrap_or(Path::new(".")));
                let to = match i {
                    0 => to.to_path_buf(),
                    i => to.with_extension(format!("log.{i}")),
                };
                let _ = std::fs::copy(&n.log, to);
            }
        }
    }
}

/// User + system CPU time of a process so far, in seconds.
pub fn cpu_secs(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat.rsplit(')').next().context("stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).context("utime")?.parse::<f64>()? + f.get(12).context("stime")?.parse::<f64>()?;
    Ok(ticks / 100.0)
}

/// CPU-seconds used so far by every PostgreSQL and Redis server process on the machine
/// (other users' included: an upper bound for what the cluster's backends cost).
pub fn backend_cpu_secs() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| matches!(c.trim_end(), "postgres" | "redis-server"))
        })
        .filter_map(|pid| cpu_secs(pid).ok())
        .sum()
}

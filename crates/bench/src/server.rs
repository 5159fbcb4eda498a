//! The servers under test: the release `frontdesk serve` binary (provisioned through its own
//! CLI, on a fresh copy of a template data directory, or of a template PostgreSQL database in
//! cluster mode, where `--nodes` processes share it and Redis) and the bare relay baseline
//! (this same binary, `frontdesk-bench relay`, always one process). All run as child
//! processes, so that memory and CPU are read the same way from /proc for each.

use crate::cluster::Cluster;
use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::process::{Child, Command};

pub const PASSWORD: &str = "bench password 1234";

/// Which server a run drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The server binary (`--server-bin`, or A of `--compare A B`).
    Frontdesk,
    Baseline,
    /// B of `--compare A B`.
    FrontdeskB,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Frontdesk => "frontdesk",
            Kind::Baseline => "baseline",
            Kind::FrontdeskB => "frontdesk-B",
        }
    }

    /// A Frontdesk server (A or B), not the relay.
    pub fn is_frontdesk(self) -> bool {
        self != Kind::Baseline
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SiteInfo {
    pub id: i64,
    pub key: String,
    /// The site's base URL; its origin is what visitor sockets send as `Origin`.
    pub origin: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AgentCred {
    pub id: i64,
    pub cookie: String,
}

/// A provisioned template data directory: sites, agents and signed-in sessions. Every
/// Frontdesk start copies it, so each scenario begins on the same small database.
pub struct Fixture {
    pub dir: TempDir,
    pub config: PathBuf,
    pub chat_site: SiteInfo,
    pub held_site: SiteInfo,
    /// Agents of the chat site only (they never hear the held visitors).
    pub agents: Vec<AgentCred>,
    /// An agent of every site (sees the held visitors in its snapshot).
    pub observer: AgentCred,
    pub bin: PathBuf,
    /// `--compare A B`: B (`bin` is A, which also provisions the fixture).
    pub bin_b: Option<PathBuf>,
    /// Cluster mode: PostgreSQL (and Redis) instead of the SQLite file.
    pub cluster: Option<Arc<Cluster>>,
    /// Cluster mode: run on this database as it is (the big history) instead of a fresh
    /// copy of the template.
    pub store_url: Option<String>,
}

/// Abuse limits raised: one load generator stands in for many browsers on a few addresses.
/// Storage and heartbeat settings stay as shipped (WAL, synchronous=FULL, group commit, 25 s).
pub const CONFIG: &str = r#"
[limits]
visitor_messages = { per_minute = 60000000, burst = 1000000 }
chat_requests = { per_minute = 60000000, burst = 1000000 }
typing = { per_minute = 60000000, burst = 1000000 }
page_views = { per_minute = 60000000, burst = 1000000 }
offline_messages = { per_minute = 60000000, burst = 1000000 }
agent_frames = { per_minute = 60000000, burst = 1000000 }
login_per_ip = { per_minute = 60000000, burst = 1000000 }
login_per_account = { per_minute = 60000000, burst = 1000000 }
visitor_sockets_per_ip = 100000000
visitor_connects_per_ip = { per_minute = 60000000, burst = 1000000 }
per_ip_factor = 1000
archive_searches = { per_minute = 60000000, burst = 1000000 }
"#;

pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

async fn cli(
    bin: &Path,
    config: &Path,
    (dir, store): (&Path, &[String]),
    args: &[&str],
    stdin: &str,
) -> Result<Value> {
    let mut cmd = Command::new(bin);
    cmd.arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(dir)
        .args(store)
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if let Some(mut input) = child.stdin.take() {
        use tokio::io::AsyncWriteExt;
        input.write_all(stdin.as_bytes()).await?;
    }
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        bail!(
            "frontdesk {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

impl Fixture {
    /// Sites and `agents` agents through the CLI, then sign-ins through the HTTP API, in a
    /// template data directory (or, in cluster mode, the cluster's template database).
    pub async fn provision(
        bin: &Path,
        agents: usize,
        cluster: Option<Arc<Cluster>>,
    ) -> Result<Fixture> {
        let bin = std::fs::canonicalize(bin)
            .with_context(|| format!("server binary {} (build it first)", bin.display()))?;
        let dir = tempfile::Builder::new().prefix("fd-bench-tpl").tempdir()?;
        let config = dir.path().join("bench.toml");
        std::fs::write(&config, CONFIG)?;
        let data = dir.path().join("data");
        let store: Vec<String> = match &cluster {
            Some(c) => vec!["--database-url".into(), c.create_template().await?],
            None => Vec::new(),
        };
        let site = |name: &str, url: &str| {
            let (bin, config, data, store) =
                (bin.clone(), config.clone(), data.clone(), store.clone());
            let (name, url) = (name.to_string(), url.to_string());
            async move {
                let v = cli(
                    &bin,
                    &config,
                    (&data, &store),
                    &["site", "add", "--name", &name, "--url", &url, "--json"],
                    "",
                )
                .await?;
                Ok::<SiteInfo, anyhow::Error>(SiteInfo {
                    id: v["site_id"].as_i64().context("site_id")?,
                    key: v["key"].as_str().context("key")?.to_string(),
                    origin: url,
                })
            }
        };
        let chat_site = site("Bench chat", "http://chat.bench.example").await?;
        let held_site = site("Bench held", "http://held.bench.example").await?;
        // Agents, a few CLI processes at a time (each hashes a password).
        let mut emails = Vec::new();
        let mut handles = Vec::new();
        let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
        for i in 0..=agents {
            let (bin, config, data, sem) = (bin.clone(), config.clone(), data.clone(), sem.clone());
            let store = store.clone();
            let email = format!("agent{i}@bench.example");
            let key = chat_site.key.clone();
            emails.push(email.clone());
            handles.push(tokio::spawn(async move {
                let _p = sem.acquire().await?;
                let name = format!("Agent {i}");
                let mut args = vec!["agent", "add", "--email", &email, "--name", &name];
                // Agent 0 is the observer: every site, admin.
                if i == 0 {
                    args.push("--admin");
                } else {
                    args.extend(["--site", &key]);
                }
                args.extend(["--password-stdin", "--json"]);
                let input = format!("{PASSWORD}\n");
                let v = cli(&bin, &config, (&data, &store), &args, &input).await?;
                v["id"].as_i64().context("agent id")
            }));
        }
        let mut ids = Vec::new();
        for h in handles {
            ids.push(h.await??);
        }
        // Sign every agent in once; the sessions live in the template database.
        let port = free_port()?;
        let log = dir.path().join("server.log");
        let mut child = spawn_frontdesk(&bin, &config, (&data, &store), port, &log)?;
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&base, &mut child).await?;
        let http = reqwest::Client::new();
        // A few at a time (each verifies a password hash): a thousand agents for routing.
        let creds: Vec<AgentCred> = futures_util::stream::iter(ids.iter().zip(&emails))
            .map(|(id, email)| {
                let (http, base) = (&http, &base);
                async move {
                    let cookie = login(http, base, email).await?;
                    Ok::<_, anyhow::Error>(AgentCred { id: *id, cookie })
                }
            })
            .buffered(4)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        let mut creds = creds;
        terminate(&mut child).await;
        let observer = creds.remove(0);
        Ok(Fixture {
            dir,
            config,
            chat_site,
            held_site,
            agents: creds,
            observer,
            bin,
            bin_b: None,
            cluster,
            store_url: None,
        })
    }

    /// `sqlite`, `postgres` or `postgres+redis`.
    pub fn backend(&self) -> &'static str {
        self.cluster.as_ref().map_or("sqlite", |c| c.backend())
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

async fn login(http: &reqwest::Client, base: &str, email: &str) -> Result<String> {
    let resp = http
        .post(format!("{base}/api/auth/login"))
        .header("Origin", base)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("login {email}: {}", resp.status());
    }
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.starts_with("fd_session=")))
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no session cookie for {email}"))
}

pub fn spawn_frontdesk(
    bin: &Path,
    config: &Path,
    (data, store): (&Path, &[String]),
    port: u16,
    log: &Path,
) -> Result<Child> {
    let log = std::fs::File::create(log)?;
    Command::new(bin)
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(store)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))
}

/// Polls `/readyz` until it answers 200.
pub async fn wait_ready(base: &str, child: &mut Child) -> Result<Duration> {
    let started = Instant::now();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return Ok(started.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            bail!("server exited before ready: {status}");
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("server not ready after 600 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

pub async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .is_ok()
        {
            return;
        }
    }
    let _ = child.kill().await;
}

pub fn rss_kib(pid: u32) -> Result<u64> {
    status_kib(pid, "VmRSS")
}

/// A memory line of `/proc/<pid>/status` in KiB: `VmRSS` (resident now), `VmHWM` (peak).
pub fn status_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no {field} for {pid}"))
}

pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Raise the open-file limit as far as allowed; children (the servers) inherit it.
pub fn raise_nofile() -> u64 {
    let want = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(1 << 20);
    if rlimit::setrlimit(rlimit::Resource::NOFILE, want, want).is_err() {
        let _ = rlimit::increase_nofile_limit(want);
    }
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map(|(soft, _)| soft)
        .unwrap_or(0)
}

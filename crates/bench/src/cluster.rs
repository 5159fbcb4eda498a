//! Cluster mode of the bench (`--database-url`, `--redis-url`, `--nodes N`): the PostgreSQL
//! databases and the Redis key prefix the nodes under test use.
//!
//! The bench never writes to the database named in `--database-url` (often `postgres` or a
//! test database others use at the same time): it only connects there to create and drop its
//! own, `frontdesk_bench_<pid>_tpl` (provisioned once: sites, agents, sessions) and
//! `frontdesk_bench_<pid>_run` (copied from the template before every scenario, so each one
//! starts on the same small database, as the SQLite runs do). Every scenario's nodes share a
//! fresh Redis prefix `fdbench:<pid>:<n>`. [`Cluster::cleanup`] drops both databases and
//! deletes the prefix's keys; databases and keys left by a bench that died are removed at the
//! next start.

use anyhow::{Context, Result};
use frontdesk_store_postgres::scratch::with_database;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio_postgres::NoTls;

/// Which storage and event transport the nodes under test run on.
pub struct Cluster {
    admin_url: String,
    pub redis_url: Option<String>,
    tag: String,
    prefixes: AtomicU32,
}

async fn connect(url: &str) -> Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Is `pid` a running `frontdesk-bench`?
fn bench_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .is_ok_and(|c| c.trim_end().starts_with("frontdesk-bench"))
}

impl Cluster {
    /// Checks that PostgreSQL (and Redis) answer, and drops databases of dead benches.
    pub async fn new(admin_url: &str, redis_url: Option<&str>) -> Result<Cluster> {
        let pid = std::process::id();
        let admin = connect(admin_url).await?;
        let stale = admin
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'frontdesk\\_bench\\_%'",
                &[],
            )
            .await?;
        for row in stale {
            let name: String = row.get(0);
            let owner = name
                .trim_start_matches("frontdesk_bench_")
                .split('_')
                .next()
                .and_then(|p| p.parse::<u32>().ok());
            if owner.is_some_and(|p| p != pid && !bench_alive(p)) && is_ours(&name) {
                eprintln!("dropping database {name} left by an earlier bench");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
            }
        }
        if let Some(url) = redis_url {
            let mut conn = redis_conn(url).await?;
            let _: String = redis::cmd("PING").query_async(&mut conn).await?;
            // Keys of benches that died before their cleanup (presence hashes do not expire).
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg("fdbench:*")
                .query_async(&mut conn)
                .await?;
            let stale: Vec<&String> = keys
                .iter()
                .filter(|k| {
                    let owner = k.split(':').nth(1).and_then(|p| p.parse::<u32>().ok());
                    owner.is_some_and(|p| p != pid && !bench_alive(p))
                })
                .collect();
            for chunk in stale.chunks(500) {
                let _: i64 = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await?;
            }
        }
        Ok(Cluster {
            admin_url: admin_url.to_string(),
            redis_url: redis_url.map(str::to_string),
            tag: format!("frontdesk_bench_{pid}"),
            prefixes: AtomicU32::new(0),
        })
    }

    /// `postgres+redis`, or `postgres` (one node on PostgreSQL, events in process).
    pub fn backend(&self) -> &'static str {
        if self.redis_url.is_some() {
            "postgres+redis"
        } else {
            "postgres"
        }
    }

    fn db(&self, what: &str) -> String {
        format!("{}_{what}", self.tag)
    }

    /// The template database's URL.
    pub fn template_url(&self) -> String {
        with_database(&self.admin_url, &self.db("tpl"))
    }

    /// Creates the (empty) template database; the nodes migrate it when they first open it.
    pub async fn create_template(&self) -> Result<String> {
        let admin = connect(&self.admin_url).await?;
        let tpl = self.db("tpl");
        // One statement per call: CREATE/DROP DATABASE cannot share a transaction.
        for sql in [
            format!("DROP DATABASE IF EXISTS {tpl} WITH (FORCE)"),
            format!("CREATE DATABASE {tpl}"),
        ] {
            admin
                .batch_execute(&sql)
                .await
                .with_context(|| format!("cannot create database {tpl}"))?;
        }
        Ok(self.template_url())
    }

    /// A fresh copy of the template (replacing the previous scenario's); its URL.
    pub async fn fresh_run_db(&self) -> Result<String> {
        let admin = connect(&self.admin_url).await?;
        let (tpl, run) = (self.db("tpl"), self.db("run"));
        for sql in [
            format!("DROP DATABASE IF EXISTS {run} WITH (FORCE)"),
            format!("CREATE DATABASE {run} TEMPLATE {tpl}"),
        ] {
            admin
                .batch_execute(&sql)
                .await
                .with_context(|| format!("cannot copy database {tpl} to {run}"))?;
        }
        Ok(with_database(&self.admin_url, &run))
    }

    /// A database for the big history, copied from the template: `name` (kept between runs)
    /// or `<tag>_hist` (dropped at the end). Its URL.
    pub async fn history_db(&self, name: Option<&str>) -> Result<String> {
        let admin = connect(&self.admin_url).await?;
        let db = name.map_or_else(|| self.db("hist"), str::to_string);
        anyhow::ensure!(is_ours(&db), "bad database name {db}");
        let tpl = self.db("tpl");
        for sql in [
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("CREATE DATABASE {db} TEMPLATE {tpl}"),
        ] {
            admin
                .batch_execute(&sql)
                .await
                .with_context(|| format!("cannot copy database {tpl} to {db}"))?;
        }
        Ok(with_database(&self.admin_url, &db))
    }

    /// Does database `name` exist?
    pub async fn exists(&self, name: &str) -> Result<bool> {
        let admin = connect(&self.admin_url).await?;
        let rows = admin
            .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await?;
        Ok(!rows.is_empty())
    }

    /// A Redis key prefix no earlier scenario used.
    pub fn next_prefix(&self) -> String {
        let n = self.prefixes.fetch_add(1, Ordering::Relaxed);
        format!("fdbench:{}:{n}", std::process::id())
    }

    /// Drops the bench's databases and deletes its Redis keys.
    pub async fn cleanup(&self) {
        if let Ok(admin) = connect(&self.admin_url).await {
            for db in [self.db("run"), self.db("hist"), self.db("tpl")] {
                let sql = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
                if let Err(e) = admin.batch_execute(&sql).await {
                    eprintln!("could not drop database {db}: {e}");
                }
            }
        }
        if let Some(url) = &self.redis_url
            && let Ok(mut conn) = redis_conn(url).await
        {
            let pattern = format!("fdbench:{}:*", std::process::id());
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(&pattern)
                .query_async(&mut conn)
                .await
                .unwrap_or_default();
            for chunk in keys.chunks(500) {
                let _: Result<i64, _> = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await;
            }
        }
    }
}

/// Only names this module makes (letters, digits, underscores) are ever spliced into SQL.
fn is_ours(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

async fn redis_conn(url: &str) -> Result<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(url).with_context(|| format!("bad Redis URL {url}"))?;
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        client.get_multiplexed_async_connection(),
    )
    .await
    .with_context(|| format!("Redis at {url} did not answer"))?
    .with_context(|| format!("cannot connect to Redis at {url}"))
}

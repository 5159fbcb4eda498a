//! Which backend the tests run on: `FRONTDESK_TEST_BACKEND=sqlite` (the default: embedded
//! SQLite, events in process) or `cluster` (PostgreSQL and Redis, as a cluster node runs).
//!
//! Cluster mode gives every test a fresh PostgreSQL database `fd_<random>` (made from
//! `FRONTDESK_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`, dropped after)
//! and its own Redis key and channel prefix (on `FRONTDESK_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`, its keys deleted after), so tests running in parallel never
//! see each other's events.

#![allow(dead_code)]

use frontdesk::config::Settings;
use frontdesk_store_postgres::scratch::ScratchDb;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Cluster,
}

/// The backend named by `FRONTDESK_TEST_BACKEND` (an unknown name is an error, not a default).
pub fn chosen() -> Backend {
    match std::env::var("FRONTDESK_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
        Ok("cluster") => Backend::Cluster,
        Ok(other) => panic!("FRONTDESK_TEST_BACKEND={other}: expected sqlite or cluster"),
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("FRONTDESK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

pub fn redis_url() -> String {
    std::env::var("FRONTDESK_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string())
}

/// A cluster's shared services for one test: a scratch database and a Redis prefix.
pub struct ClusterEnv {
    pub db: ScratchDb,
    pub redis_url: String,
    pub prefix: String,
}

impl ClusterEnv {
    pub async fn create() -> ClusterEnv {
        ClusterEnv::with_redis(redis_url()).await
    }

    pub async fn with_redis(redis_url: String) -> ClusterEnv {
        let db = ScratchDb::create(&pg_admin_url())
            .await
            .unwrap_or_else(|e| {
                panic!("cluster tests need PostgreSQL at FRONTDESK_TEST_PG_URL: {e}")
            });
        let prefix = format!("fdtest:{}", db.name());
        ClusterEnv {
            db,
            redis_url,
            prefix,
        }
    }

    /// Points `settings` at this cluster (with test-friendly presence timing).
    pub fn apply(&self, settings: &mut Settings) {
        settings.database_url = Some(self.db.url().to_string());
        settings.database_pool_size = 4;
        settings.redis_url = Some(self.redis_url.clone());
        settings.redis_prefix = self.prefix.clone();
        settings.presence_heartbeat_ms = 250;
    }
}

impl Drop for ClusterEnv {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(self.redis_url.as_str()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection_with_timeout(std::time::Duration::from_secs(2))
        else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.prefix))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: Result<i64, _> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

/// A redis-server of the test's own (on a free port, keeping nothing on disk), so that it can
/// be killed and restarted without disturbing anything else.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut r = PrivateRedis { port, child: None };
        r.restart();
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts redis-server on the same port again, and waits until it answers.
    pub fn restart(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        self.child = Some(child);
        let client = redis::Client::open(self.url()).expect("url");
        for _ in 0..100 {
            if let Ok(mut c) = client.get_connection()
                && redis::cmd("PING").query::<String>(&mut c).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// SIGKILL: gone at once, with everything it held.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn command(&self, args: &[&str]) {
        let client = redis::Client::open(self.url()).expect("url");
        let mut c = client.get_connection().expect("connection");
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        let _: redis::Value = cmd.query(&mut c).expect("command");
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

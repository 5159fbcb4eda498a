//! What only a server database has: migrating (once, even when nodes start together), clear
//! errors for a bad URL or an unreachable server, and riding out a database that goes away and
//! comes back.

use super::*;
use frontdesk_store_postgres::{latest_version, migrate};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

async fn versions(s: &PgStore) -> Vec<i64> {
    s.client()
        .await
        .unwrap()
        .query(
            "SELECT version FROM frontdesk_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn connect_migrates_and_records_versions() {
    let (_db, s) = fresh().await;
    assert_eq!(
        versions(&s).await,
        (1..=latest_version()).collect::<Vec<_>>()
    );
    assert!(s.list_sites().await.unwrap().is_empty());
}

#[tokio::test]
async fn migrate_applies_once() {
    let db = ScratchDb::create(&admin_url()).await.unwrap();
    assert_eq!(migrate(db.url()).await.unwrap(), vec![1, 2, 3, 4, 5]);
    assert_eq!(migrate(db.url()).await.unwrap(), Vec::<i64>::new());
    let s = PgStore::connect(db.url(), PgOptions::default())
        .await
        .unwrap();
    assert_eq!(versions(&s).await, vec![1, 2, 3, 4, 5]);
}

/// Several nodes starting at once against an empty database: every one connects, and each
/// migration is applied exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_connects_migrate_once() {
    let db = ScratchDb::create(&admin_url()).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let url = db.url().to_string();
        tasks.push(tokio::spawn(async move {
            PgStore::connect(&url, PgOptions::default()).await
        }));
    }
    let mut stores = Vec::new();
    for t in tasks {
        stores.push(t.await.unwrap().unwrap());
    }
    assert_eq!(versions(&stores[0]).await, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn bad_url_and_unreachable_server_are_clear_errors() {
    let err = PgStore::connect("mysql://nope", PgOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, OpenError::Url(_)), "{err:?}");
    // Nothing listens on port 9 of loopback.
    let options = PgOptions {
        timeout: Duration::from_secs(2),
        ..PgOptions::default()
    };
    let err = PgStore::connect("postgres://postgres@127.0.0.1:9/test", options)
        .await
        .unwrap_err();
    assert!(matches!(err, OpenError::Connect(_)), "{err:?}");
}

/// A TCP relay in front of PostgreSQL that the test can cut and restore.
struct Relay {
    addr: std::net::SocketAddr,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String, addr: std::net::SocketAddr) -> Relay {
        let listener = TcpListener::bind(addr).await.unwrap();
        let relay = Relay {
            addr: listener.local_addr().unwrap(),
            target,
            tasks: Arc::default(),
        };
        let (tasks, target) = (relay.tasks.clone(), relay.target.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        relay.tasks.lock().unwrap().push(accept);
        relay
    }

    /// Stops listening and cuts every relayed connection.
    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// PostgreSQL unavailable: calls fail with `Unavailable` (quickly, not hanging), and the store
/// recovers by itself when the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_fails_clearly_and_recovers() {
    let (db, _) = fresh().await;
    let config = tokio_postgres::Config::from_str(db.url()).unwrap();
    let target = match (config.get_hosts().first(), config.get_ports().first()) {
        (Some(tokio_postgres::config::Host::Tcp(h)), Some(p)) => format!("{h}:{p}"),
        _ => "127.0.0.1:5432".to_string(),
    };
    let relay = Relay::start(target.clone(), "127.0.0.1:0".parse().unwrap()).await;
    let user = config.get_user().unwrap_or("postgres");
    let url = format!("postgres://{user}@{}/{}", relay.addr, db.name());
    let options = PgOptions {
        pool_size: 4,
        timeout: Duration::from_secs(1),
        ..PgOptions::default()
    };
    let s = PgStore::connect(&url, options).await.unwrap();
    let site = site(&s, "shop").await;

    relay.cut();
    let started = Instant::now();
    for _ in 0..3 {
        let r = s.site(site.id).await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(10), "fails fast");

    let back = Relay::start(target, relay.addr).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match s.site(site.id).await {
            Ok(found) => {
                assert_eq!(found, site);
                break;
            }
            Err(e) if Instant::now() < deadline => {
                tracing::debug!(error = %e, "not yet");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("store did not recover: {e}"),
        }
    }
    chat(&s, site.id, "v", 1).await;
    back.cut();
}

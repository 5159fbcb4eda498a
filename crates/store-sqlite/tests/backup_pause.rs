//! How long a running writer is held up while `backup::snapshot` copies a big database.
//! A measurement, not a pass/fail check of speed: ignored by default, run it with
//!
//! ```text
//! FRONTDESK_MEASURE_MB=1000 cargo test --release -p frontdesk-store-sqlite \
//!     --test backup_pause -- --ignored --nocapture
//! ```
//!
//! A writer thread commits one small row per transaction (WAL, `synchronous=FULL`, as the
//! store's writer does) and records each commit's latency, before and during the snapshot.
//! It also asserts that the writer kept committing during the snapshot.

use frontdesk_store_sqlite::backup::snapshot;
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn writer(path: std::path::PathBuf, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("pragma");
    conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
    let mut latencies = Vec::new();
    let mut i = 0i64;
    while !stop.load(Ordering::SeqCst) {
        let t = Instant::now();
        conn.execute(
            "INSERT INTO small (n, body) VALUES (?1, 'a message of a usual size, say sixty bytes')",
            [i],
        )
        .expect("commit");
        latencies.push(t.elapsed());
        i += 1;
    }
    latencies
}

fn summary(name: &str, mut l: Vec<Duration>) -> Duration {
    l.sort();
    let pick = |q: f64| l[((l.len() - 1) as f64 * q) as usize];
    let max = *l.last().expect("commits");
    println!(
        "{name}: {} commits, p50 {:?}, p99 {:?}, max {:?}",
        l.len(),
        pick(0.5),
        pick(0.99),
        max
    );
    max
}

#[test]
#[ignore = "a measurement: run it by hand (see the module doc)"]
fn writer_pause_during_snapshot() {
    let mb: usize = std::env::var("FRONTDESK_MEASURE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("big.db");
    {
        let conn = Connection::open(&db).expect("open");
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .expect("wal");
        conn.execute_batch(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
             CREATE TABLE small (id INTEGER PRIMARY KEY, n INTEGER, body TEXT);",
        )
        .expect("schema");
        let chunk = vec![7u8; 64 * 1024];
        let tx = conn.unchecked_transaction().expect("tx");
        for _ in 0..mb * 16 {
            tx.execute("INSERT INTO big (data) VALUES (?1)", [&chunk])
                .expect("fill");
        }
        tx.commit().expect("commit");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    let size = std::fs::metadata(&db).expect("size").len();
    println!("database: {} MiB", size / (1024 * 1024));

    let stop = Arc::new(AtomicBool::new(false));
    let baseline = {
        let (p, s) = (db.clone(), stop.clone());
        let h = std::thread::spawn(move || writer(p, s));
        std::thread::sleep(Duration::from_secs(2));
        stop.store(true, Ordering::SeqCst);
        h.join().expect("writer")
    };
    summary("writer alone", baseline);

    stop.store(false, Ordering::SeqCst);
    let (p, s) = (db.clone(), stop.clone());
    let h = std::thread::spawn(move || writer(p, s));
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    let copy = snapshot(&db, &dir.path().join("copy.db")).expect("snapshot");
    let took = t.elapsed();
    stop.store(true, Ordering::SeqCst);
    let during = h.join().expect("writer");
    println!(
        "snapshot (VACUUM INTO + integrity_check): {took:?}, tables {:?}",
        copy.tables
    );
    let commits = during.len();
    let max = summary("writer during the snapshot", during);
    assert!(commits > 10, "the writer kept committing");
    println!("longest commit while the snapshot ran: {max:?}");
}

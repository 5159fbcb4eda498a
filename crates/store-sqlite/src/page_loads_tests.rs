//! The batched page loads, run directly on a transaction: the group, and the fallback when one
//! load of the group fails.

#![allow(clippy::unwrap_used)]

use super::{PendingLoad, run};
use crate::test_support::shop;
use crate::{SqliteOptions, SqliteStore};
use frontdesk_core::model::{Location, NewVisit};
use frontdesk_core::store::{PageLoad, StoreError};
use frontdesk_core::{SiteId, Timestamp, VisitorId};
use rusqlite::Connection;
use tokio::sync::oneshot;

fn load(site: SiteId, visitor: &str, at: i64, url: &str) -> PageLoad {
    PageLoad {
        visit: NewVisit {
            site_id: site,
            visitor_id: VisitorId(visitor.into()),
            ip: "198.51.100.7".into(),
            user_agent: "Mozilla/5.0".into(),
            browser: "Firefox".into(),
            os: "Linux".into(),
            referrer: None,
            location: Location {
                country: None,
                country_code: None,
                region: None,
                city: None,
            },
            started_at: Timestamp(at),
            language: None,
        },
        visit_timeout_ms: 60_000,
        url: url.into(),
        title: url.into(),
    }
}

/// `loads` run as one group on a connection of their own; the answers, in order.
async fn batch(path: &std::path::Path, loads: Vec<PageLoad>) -> Vec<Result<i64, StoreError>> {
    let mut conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let (mut pending, mut answers) = (Vec::new(), Vec::new());
    for l in loads {
        let (tx, rx) = oneshot::channel();
        pending.push(PendingLoad::new(l, tx));
        answers.push(rx);
    }
    let tx = conn.transaction().unwrap();
    run(&tx, &mut pending).unwrap();
    tx.commit().unwrap();
    for p in pending {
        p.finish(Ok(()));
    }
    let mut out = Vec::new();
    for a in answers {
        out.push(a.await.unwrap().map(|l| l.visit.id.0));
    }
    out
}

fn page_views(path: &std::path::Path) -> Vec<(i64, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT visit_id, url FROM page_views ORDER BY rowid")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_group_is_one_insert_in_order_and_a_failing_load_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    let site = shop(&store).await;
    // 75 loads: chunks of 64, 8 and 1 (×3); two visitors, each continuing its own visit.
    let loads: Vec<PageLoad> = (0..75)
        .map(|i| load(site, &format!("v{}", i % 2), 1_000 + i, &format!("/{i}")))
        .collect();
    let visits = batch(&path, loads).await;
    let (v0, v1) = (visits[0].clone().unwrap(), visits[1].clone().unwrap());
    assert_ne!(v0, v1);
    for (i, v) in visits.iter().enumerate() {
        assert_eq!(*v, Ok(if i % 2 == 0 { v0 } else { v1 }), "load {i}");
    }
    let rows = page_views(&path);
    let want: Vec<(i64, String)> = (0..75)
        .map(|i| (if i % 2 == 0 { v0 } else { v1 }, format!("/{i}")))
        .collect();
    assert_eq!(rows, want, "every page, in order");
    // A load for an unknown site in the group: it alone fails; the others are kept.
    let visits = batch(
        &path,
        vec![
            load(site, "v0", 2_000, "/a"),
            load(SiteId(999), "v9", 2_000, "/nowhere"),
            load(site, "v1", 2_000, "/b"),
        ],
    )
    .await;
    assert_eq!(visits, vec![Ok(v0), Err(StoreError::NotFound), Ok(v1)]);
    let rows = page_views(&path);
    assert_eq!(rows.len(), 77);
    assert_eq!(rows[75..], [(v0, "/a".to_string()), (v1, "/b".to_string())]);
}

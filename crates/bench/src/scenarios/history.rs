//! Big history: a database filled with many ended chats and their messages (through the
//! store's bulk generator), then the console's queries timed through the real API:
//! the waiting list (an agent's snapshot), opening a chat (WS `sync`), a visitor's history
//! (Visit Detail over REST) and a transcript (`GET /api/chats/{id}`).

use super::Ctx;
use crate::clients::{self, now_us};
use crate::report::{Better, Goal, Hist, hist, ms};
use crate::server::{Fixture, copy_dir};
use anyhow::{Context, Result};
use frontdesk_core::{AgentId, SiteId, Timestamp};
use frontdesk_store_sqlite::{BulkHistory, SqliteOptions, SqliteStore};
use rand::Rng;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const WAIT: Duration = Duration::from_secs(60);
/// Chats per visitor in the generated history.
const CHATS_PER_VISITOR: u64 = 10;
/// Pending chats put in the queue before measuring (so the waiting list is not empty).
const PENDING: usize = 20;

/// What the generator made.
pub struct Generated {
    pub secs: f64,
    pub bytes: u64,
}

/// Fills a copy of the fixture's data directory at `dir`.
pub async fn generate(fx: &Fixture, dir: &Path, chats: u64, per_chat: u32) -> Result<Generated> {
    copy_dir(&fx.data(), dir)?;
    let db = dir.join("frontdesk.db");
    let store = SqliteStore::open(&db, SqliteOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("open {}: {e}", db.display()))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    let span = chats as i64 * (i64::from(per_chat) + 2) * 1000;
    let t0 = Instant::now();
    store
        .bulk_insert_history(BulkHistory {
            site: SiteId(fx.chat_site.id),
            agent: fx.agents.first().map(|a| AgentId(a.id)),
            chats,
            messages_per_chat: per_chat,
            start: Timestamp(now - span),
            visitors: (chats / CHATS_PER_VISITOR).max(1),
        })
        .await
        .map_err(|e| anyhow::anyhow!("bulk insert: {e}"))?;
    let _ = store.checkpoint().await;
    let secs = t0.elapsed().as_secs_f64();
    drop(store);
    let bytes = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok(Generated { secs, bytes })
}

fn pick(max: u64) -> u64 {
    rand::rng().random_range(0..max.max(1))
}

async fn time<F, Fut>(h: &mut Hist, n: usize, mut f: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    for _ in 0..n {
        let t0 = now_us();
        f().await?;
        let _ = h.record(now_us().saturating_sub(t0).max(1));
    }
    Ok(())
}

/// Runs against a Frontdesk started on the generated database (`ready` = its start time).
pub async fn run(ctx: &mut Ctx<'_>, chats: u64) -> Result<()> {
    let t = ctx.t;
    let n = ctx.plan.history_samples;
    ctx.fig.add(
        "hist.ready",
        "big history: start-up to ready",
        "ms",
        Better::Lower,
        t.ready.as_secs_f64() * 1000.0,
    );
    // A few waiting chats.
    let mut waiting = Vec::new();
    for i in 0..PENDING {
        let site = &t.chat_site;
        let src = Some(clients::source(i, 4));
        let (mut ws, _) =
            clients::visitor(t.addr, &site.key, &site.origin, src, None, "/w", WAIT).await?;
        clients::request_chat(&mut ws, WAIT).await?;
        waiting.push(ws);
    }
    let agent = t.agents.get(1).context("an agent")?.clone();
    let origin = t.base();
    // The chat ids of the generated history are 1..=chats (the fixture has none).
    let mut hs: [Hist; 4] = [hist(), hist(), hist(), hist()];
    time(&mut hs[0], n.min(100), || async {
        let mut ws = clients::open(t.addr, "/ws/agent", &origin, Some(&agent.cookie), None).await?;
        clients::wait_for(&mut ws, "snapshot", WAIT, |f| f.kind == "snapshot").await?;
        Ok(())
    })
    .await?;
    let mut ws = clients::open(t.addr, "/ws/agent", &origin, Some(&agent.cookie), None).await?;
    clients::wait_for(&mut ws, "snapshot", WAIT, |f| f.kind == "snapshot").await?;
    let mut k = 0u64;
    for _ in 0..n {
        let chat = 1 + pick(chats);
        k += 1;
        let r = format!("s{k}");
        let t0 = now_us();
        let frame = format!(r#"{{"type":"sync","ref":"{r}","chat_id":{chat},"after":0}}"#);
        clients::send(&mut ws, frame).await?;
        clients::wait_for(&mut ws, "chat.history", WAIT, |f| {
            f.kind == "chat.history" && f.reference.as_deref() == Some(r.as_str())
        })
        .await?;
        let _ = hs[1].record(now_us().saturating_sub(t0).max(1));
    }
    let http = reqwest::Client::new();
    let base = t.base();
    let site = t.chat_site.id;
    let visitors = (chats / CHATS_PER_VISITOR).max(1);
    let get = |url: String| {
        let (http, cookie) = (http.clone(), agent.cookie.clone());
        async move {
            let r = http.get(&url).header("Cookie", cookie).send().await?;
            anyhow::ensure!(r.status().is_success(), "GET {url}: {}", r.status());
            r.bytes().await?;
            Ok(())
        }
    };
    time(&mut hs[2], n, || {
        get(format!(
            "{base}/api/sites/{site}/visitors/bulk-{}",
            pick(visitors)
        ))
    })
    .await?;
    time(&mut hs[3], n, || {
        get(format!("{base}/api/chats/{}", 1 + pick(chats)))
    })
    .await?;
    drop(waiting);
    let names = [
        ("waiting", "waiting list (agent connect → snapshot)"),
        ("open", "open a chat (WS sync → chat.history)"),
        ("visitor", "a visitor's history (Visit Detail REST)"),
        ("transcript", "transcript load (GET /api/chats/{id})"),
    ];
    for ((key, label), h) in names.iter().zip(&hs) {
        ctx.fig.add(
            &format!("hist.{key}.p50"),
            &format!("big history: {label} p50"),
            "ms",
            Better::Lower,
            ms(h, 0.5),
        );
        ctx.fig.add_goal(
            &format!("hist.{key}.p99"),
            &format!("big history: {label} p99"),
            "ms",
            Better::Lower,
            ms(h, 0.99),
            Goal::le(100.0),
        );
    }
    ctx.note(format!(
        "big history: {chats} chats; {n} samples per query (snapshot: {})",
        n.min(100)
    ));
    Ok(())
}

//! Visitors held: N tracked visitors (each said hello with a page view) stay connected,
//! answering heartbeats, from several loopback source addresses. Server memory per
//! connection; then delivery latency while they are all connected; an agent's snapshot with
//! them all on its site; then a reconnect storm (all drop and reconnect at once).

use super::{Ctx, latency};
use crate::clients::{self, now_us};
use crate::report::{Better, Goal, Hist, hist, ms};
use anyhow::Result;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, watch};

const CONNECT_WAIT: Duration = Duration::from_secs(60);
const HOLD: u8 = 0;
const STORM: u8 = 1;
const STOP: u8 = 2;

#[derive(Default)]
struct Shared {
    connected: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    storm_ok: AtomicU64,
    storm_failed: AtomicU64,
    errors: Mutex<Vec<String>>,
    connect: Mutex<Option<Hist>>,
    storm: Mutex<Option<Hist>>,
}

impl Shared {
    fn error(&self, e: &anyhow::Error) {
        if let Ok(mut v) = self.errors.lock()
            && v.len() < 5
        {
            v.push(format!("{e:#}"));
        }
    }
    fn record(h: &Mutex<Option<Hist>>, t0: u64) {
        if let Ok(mut h) = h.lock() {
            let _ = h
                .get_or_insert_with(hist)
                .record(now_us().saturating_sub(t0).max(1));
        }
    }
    fn take(h: &Mutex<Option<Hist>>) -> Hist {
        h.lock()
            .ok()
            .and_then(|mut h| h.take())
            .unwrap_or_else(hist)
    }
}

/// Holds the socket, reading (so heartbeats are answered) until the phase changes.
async fn hold(ws: &mut clients::Ws, phase: &mut watch::Receiver<u8>, s: &Shared) -> u8 {
    let mut open = true;
    loop {
        tokio::select! {
            m = ws.next(), if open => {
                if !matches!(m, Some(Ok(_))) {
                    s.dropped.fetch_add(1, Ordering::Relaxed);
                    open = false;
                }
            }
            r = phase.changed() => {
                if r.is_err() { return STOP; }
                return *phase.borrow();
            }
        }
    }
}

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let t = ctx.t;
    let plan = ctx.plan.clone();
    let n = plan.held_visitors;
    let rss0 = t.rss_kib()?;
    let bench0 = crate::server::rss_kib(std::process::id())?;
    let cpu0 = t.cpu_secs()?;
    let (phase, phase_rx) = watch::channel(HOLD);
    let sem = Arc::new(Semaphore::new(plan.connect_concurrency));
    let s = Arc::new(Shared::default());
    let deadline = tokio::time::Instant::now() + plan.held_budget;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (sem, s, mut phase) = (sem.clone(), s.clone(), phase_rx.clone());
        let (addr, site) = (t.visitor_addr(i), t.held_site.clone());
        let src = Some(clients::source(i, plan.held_sources));
        tasks.push(tokio::spawn(async move {
            let connect = |token: Option<String>| {
                let site = site.clone();
                async move {
                    let fut = clients::visitor(
                        addr,
                        &site.key,
                        &site.origin,
                        src,
                        token.as_deref(),
                        "/held",
                        CONNECT_WAIT,
                    );
                    match tokio::time::timeout(CONNECT_WAIT, fut).await {
                        Ok(r) => r,
                        Err(_) => Err(anyhow::anyhow!("connect timed out")),
                    }
                }
            };
            let Ok(permit) = sem.acquire().await else {
                return;
            };
            if tokio::time::Instant::now() > deadline {
                s.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let t0 = now_us();
            let (mut ws, token) = match connect(None).await {
                Ok(c) => c,
                Err(e) => {
                    s.error(&e);
                    s.failed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            };
            drop(permit);
            Shared::record(&s.connect, t0);
            s.connected.fetch_add(1, Ordering::Relaxed);
            if hold(&mut ws, &mut phase, &s).await != STORM {
                return;
            }
            drop(ws); // the whole page went away: no close handshake
            let Ok(permit) = sem.acquire().await else {
                return;
            };
            let t0 = now_us();
            match connect(Some(token)).await {
                Ok((mut ws, _)) => {
                    drop(permit);
                    Shared::record(&s.storm, t0);
                    s.storm_ok.fetch_add(1, Ordering::Relaxed);
                    hold(&mut ws, &mut phase, &s).await;
                }
                Err(e) => {
                    s.error(&e);
                    s.storm_failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let mut last_print = Instant::now();
    loop {
        let (c, f) = (
            s.connected.load(Ordering::Relaxed),
            s.failed.load(Ordering::Relaxed),
        );
        if c + f >= n as u64 {
            break;
        }
        if last_print.elapsed() > Duration::from_secs(10) {
            eprintln!("    held: {c} connected, {f} failed");
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let connect_secs = start.elapsed().as_secs_f64();
    let settle = Duration::from_millis(if plan.quick { 200 } else { 2000 });
    tokio::time::sleep(settle).await;
    let connected = s.connected.load(Ordering::Relaxed);
    ctx.ops(connected as f64, "visitor connect");
    let failed = s.failed.load(Ordering::Relaxed);
    let cpu = t.cpu_secs()? - cpu0;
    let rss1 = t.rss_kib()?;
    let bench1 = crate::server::rss_kib(std::process::id())?;
    let gauge = t
        .metric("frontdesk_visitor_connections")
        .await
        .unwrap_or(0.0);
    let per_conn = (rss1.saturating_sub(rss0) as f64 * 1024.0) / connected.max(1) as f64;
    let ch = Shared::take(&s.connect);
    let f = &mut *ctx.fig;
    f.add_goal(
        "held.count",
        "visitors held",
        "conns",
        Better::Higher,
        connected as f64,
        Goal::ge(100_000.0),
    );
    f.add_goal(
        "held.per_conn",
        "server memory per held visitor",
        "KiB",
        Better::Lower,
        per_conn / 1024.0,
        Goal::le(12.0),
    );
    f.add(
        "held.rss",
        "server RSS with visitors held",
        "MiB",
        Better::Lower,
        rss1 as f64 / 1024.0,
    );
    f.add(
        "held.rate",
        "visitors connected per second",
        "conn/s",
        Better::Higher,
        connected as f64 / connect_secs,
    );
    f.add(
        "held.cpu_us",
        "server CPU per visitor connect",
        "µs",
        Better::Lower,
        cpu * 1e6 / connected.max(1) as f64,
    );
    f.add(
        "held.connect_p99",
        "visitor connect + hello p99",
        "ms",
        Better::Lower,
        ms(&ch, 0.99),
    );
    let errors = s.errors.lock().map(|e| e.join(" | ")).unwrap_or_default();
    ctx.note(format!(
        "held: {connected} connected, {failed} failed of {n} in {connect_secs:.1} s; server RSS {rss0} → {rss1} KiB; gauge {gauge}; generator RSS {bench0} → {bench1} KiB; first errors: {errors}"
    ));
    if failed > 0 && plan.quick {
        ctx.fail(format!(
            "held: {failed} visitors failed to connect: {errors}"
        ));
    }

    if plan.loaded_latency_secs > 0.0 {
        // Its messages are not this scenario's operations (connects are).
        let connects = ctx.ops.clone();
        latency::run(ctx, "loaded", plan.loaded_latency_secs, 25.0).await?;
        ctx.ops = connects;
    }
    snapshot(ctx, connected).await;

    // The storm: everyone drops at once and reconnects (with their token).
    let dropped_before = s.dropped.load(Ordering::Relaxed);
    let storm_start = Instant::now();
    let _ = phase.send(STORM);
    let storm_deadline = Instant::now() + plan.held_budget;
    while s.storm_ok.load(Ordering::Relaxed) + s.storm_failed.load(Ordering::Relaxed) < connected
        && Instant::now() < storm_deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let storm_secs = storm_start.elapsed().as_secs_f64();
    let ok = s.storm_ok.load(Ordering::Relaxed);
    ctx.ops(ok as f64, "visitor connect");
    let bad = s.storm_failed.load(Ordering::Relaxed);
    tokio::time::sleep(settle).await;
    let rss2 = t.rss_kib()?;
    let sh = Shared::take(&s.storm);
    let f = &mut *ctx.fig;
    f.add(
        "storm.secs",
        "reconnect storm: all reconnected in",
        "s",
        Better::Lower,
        storm_secs,
    );
    f.add_goal(
        "storm.failed",
        "reconnect storm: failures",
        "conns",
        Better::Info,
        bad as f64,
        Goal::le(0.0),
    );
    f.add_goal(
        "storm.p99",
        "reconnect storm: connect + hello p99",
        "ms",
        Better::Lower,
        ms(&sh, 0.99),
        Goal::le(2000.0),
    );
    f.add(
        "storm.rss",
        "server RSS after the storm",
        "MiB",
        Better::Lower,
        rss2 as f64 / 1024.0,
    );
    ctx.note(format!(
        "storm: {ok} reconnected, {bad} failed in {storm_secs:.1} s (concurrency {}), p50 {:.1} ms p99 {:.1} ms; dropped by server before the storm: {dropped_before}; server RSS after {rss2} KiB",
        plan.connect_concurrency,
        ms(&sh, 0.5),
        ms(&sh, 0.99)
    ));
    if plan.quick && (bad > 0 || dropped_before > 0) {
        ctx.fail(format!("storm: {bad} failed, {dropped_before} dropped"));
    }
    let _ = phase.send(STOP);
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// An agent of every site connects: its snapshot lists every visitor on the site.
async fn snapshot(ctx: &mut Ctx<'_>, connected: u64) {
    let t = ctx.t;
    let origin = format!("http://{}", t.addr);
    let t0 = Instant::now();
    let r = async {
        let mut ws =
            clients::open(t.addr, "/ws/agent", &origin, Some(&t.observer.cookie), None).await?;
        let text = clients::wait_for(&mut ws, "snapshot", Duration::from_secs(120), |f| {
            f.kind == "snapshot"
        })
        .await?;
        Ok::<usize, anyhow::Error>(text.len())
    }
    .await;
    match r {
        Ok(bytes) => {
            let secs = t0.elapsed().as_secs_f64();
            ctx.fig.add(
                "held.snapshot",
                "agent snapshot with the visitors on its site",
                "ms",
                Better::Lower,
                secs * 1000.0,
            );
            ctx.note(format!(
                "snapshot with {connected} visitors on the site: {bytes} bytes in {:.0} ms",
                secs * 1000.0
            ));
        }
        Err(e) => ctx.note(format!("snapshot with {connected} visitors failed: {e:#}")),
    }
}

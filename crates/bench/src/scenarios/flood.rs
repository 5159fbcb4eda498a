//! Flood isolation: `flood_chats` honest chats at a modest rate, measured first without and
//! then with 1 (and more) hostile visitors, each sending `message`, `typing` and `page_view`
//! frames as fast as its socket takes them. The server runs with its shipped limits (the
//! target is started without the bench's raised `[limits]`); the limits count per connection,
//! per visitor and per IP, so the honest chats (spread over 64 loopback addresses) stay under
//! them, and every flooder comes from its own loopback address (127.0.1.x) to stay clear of the
//! honest ones' per-IP limits.
//!
//! Reported: honest p50/p99 both ways per phase and their p99 ratio to the quiet phase; flood
//! frames written, refused (`rate_limited`, from the server's error counter and as read back
//! by the flooders) and let in (messages stored, page views); flood connections cut off (a
//! cut-off flooder reconnects); server and generator CPU.
//! Checked (no timing): every acknowledged honest message delivered exactly once, no error to
//! an honest client, and `rate_limited` refusals reaching the flooders.

use super::Ctx;
use super::chat::Engine;
use crate::clients::{self, parse};
use crate::report::{Better, Hist, hist, ms};
use crate::target::Target;
use anyhow::Result;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(30);
/// Frames written before each flush.
const BATCH: u64 = 64;

/// What one flooder saw.
#[derive(Default)]
struct FloodStats {
    sent: AtomicU64,
    acks: AtomicU64,
    refused: AtomicU64,
    other_errors: AtomicU64,
    /// Connections opened (the first, then one per reconnect after a cut-off).
    sessions: AtomicU64,
    /// Connections ended by the server (or failing) before the flooder stopped.
    disconnects: AtomicU64,
    /// How the first of them ended.
    ended: Mutex<Option<String>>,
    reconnect_failures: AtomicU64,
    reconnect_example: Mutex<Option<String>>,
    other_example: Mutex<Option<String>>,
}

fn set_once(m: &Mutex<Option<String>>, s: String) {
    if let Ok(mut g) = m.lock()
        && g.is_none()
    {
        *g = Some(s);
    }
}

/// One phase's honest measurements.
struct Phase {
    v2a: Hist,
    a2v: Hist,
    both: Hist,
    cpu_pct: f64,
    delivered: u64,
}

async fn measure(t: &Target, e: &Engine, secs: f64) -> Result<Phase> {
    e.stats.reset();
    let d0 = e.stats.delivered.load(Ordering::Relaxed);
    let cpu0 = t.cpu_secs()?;
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu_pct = (t.cpu_secs()? - cpu0) * 100.0 / elapsed;
    let get = |h: &Mutex<Hist>| h.lock().map(|h| h.clone()).unwrap_or_else(|_| hist());
    Ok(Phase {
        v2a: get(&e.stats.to_agent),
        a2v: get(&e.stats.to_visitor),
        both: e.stats.both(),
        cpu_pct,
        delivered: e.stats.delivered.load(Ordering::Relaxed) - d0,
    })
}

/// Flooder `k`'s own source address.
fn flood_source(k: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 1, (k % 250) as u8 + 1)
}

/// Connects, asks for a chat (left pending: no agent takes it), then floods until `stop`;
/// cut off, it reconnects with its visitor token and goes on, as a hostile client would.
async fn flooder(
    addr: std::net::SocketAddr,
    site: crate::server::SiteInfo,
    k: usize,
    stop: Arc<AtomicBool>,
    st: Arc<FloodStats>,
) -> Result<()> {
    let src = Some(flood_source(k));
    let path = format!("/flood/{k}");
    let mut token: Option<String> = None;
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let key = (&site.key, &site.origin);
        let conn = clients::visitor(addr, key.0, key.1, src, token.as_deref(), &path, WAIT).await;
        let mut ws = match conn {
            Ok((ws, t)) => {
                token = Some(t);
                ws
            }
            // The first connection must work; later refusals are part of the picture.
            Err(e) if token.is_none() => return Err(e),
            Err(e) => {
                st.reconnect_failures.fetch_add(1, Ordering::Relaxed);
                set_once(&st.reconnect_example, format!("{e:#}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        st.sessions.fetch_add(1, Ordering::Relaxed);
        let req = r#"{"type":"chat_request","ref":"req","name":"Flood"}"#;
        if clients::send(&mut ws, req.to_string()).await.is_err() {
            continue;
        }
        if flood(&mut ws, &site.origin, &mut n, &stop, &st).await {
            // Stopped by us: read what is still coming until a quiet second.
            while let Ok(next) = tokio::time::timeout(Duration::from_secs(1), ws.next()).await {
                if !take(&st, next) {
                    break;
                }
            }
            let _ = ws.close(None).await;
        }
    }
    Ok(())
}

/// One connection's flood; true when stopped by us, false when the socket ended.
async fn flood(
    ws: &mut clients::Ws,
    origin: &str,
    n: &mut u64,
    stop: &AtomicBool,
    st: &FloodStats,
) -> bool {
    // One task writes a batch, then reads whatever answers have arrived (without waiting),
    // so that the flooder keeps up with its refusals.
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..BATCH {
            *n += 1;
            let n = *n;
            let frame = match n % 3 {
                0 => format!(
                    r#"{{"type":"message","client_id":"f{n}","body":"flood {n} buy cheap stuff now"}}"#
                ),
                1 => format!(r#"{{"type":"typing","typing":{}}}"#, n.is_multiple_of(2)),
                _ => format!(
                    r#"{{"type":"page_view","page":{{"url":"{origin}/flood/{n}","title":"Flood {n}"}}}}"#
                ),
            };
            if let Err(e) = ws.feed(Message::Text(frame.into())).await {
                ended(st, format!("send failed: {e}"));
                return false;
            }
            st.sent.fetch_add(1, Ordering::Relaxed);
        }
        if let Err(e) = ws.flush().await {
            ended(st, format!("send failed: {e}"));
            return false;
        }
        while let Some(next) = ws.next().now_or_never() {
            if !take(st, next) {
                return false;
            }
        }
    }
    true
}

fn ended(st: &FloodStats, why: String) {
    st.disconnects.fetch_add(1, Ordering::Relaxed);
    set_once(&st.ended, why);
}

/// Counts one received item; false when the socket ended.
fn take(
    st: &FloodStats,
    next: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
) -> bool {
    match next {
        None => {
            ended(st, "connection ended by the server".into());
            false
        }
        Some(Err(e)) => {
            ended(st, format!("read error: {e}"));
            false
        }
        Some(Ok(Message::Close(c))) => {
            ended(st, format!("closed by the server: {c:?}"));
            false
        }
        Some(Ok(Message::Text(text))) => {
            if let Ok(f) = parse(text.as_str()) {
                match f.kind.as_ref() {
                    "ack" => {
                        st.acks.fetch_add(1, Ordering::Relaxed);
                    }
                    "error" if f.code.as_deref() == Some("rate_limited") => {
                        st.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    "error" => {
                        st.other_errors.fetch_add(1, Ordering::Relaxed);
                        let s: String = text.as_str().chars().take(200).collect();
                        set_once(&st.other_example, s);
                    }
                    _ => {}
                }
            }
            true
        }
        Some(Ok(_)) => true,
    }
}

/// Runs `n` flooders on a runtime of their own (one thread), so that they do not take turns
/// from the honest clients' tasks; resolves to their results once `stop` is set.
fn spawn_flooders(
    t: &Target,
    n: usize,
    stop: &Arc<AtomicBool>,
    stats: &[Arc<FloodStats>],
) -> Result<tokio::sync::oneshot::Receiver<Vec<Result<()>>>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let jobs: Vec<_> = (0..n)
        .map(|k| {
            let (addr, site) = (t.visitor_addr(k), t.chat_site.clone());
            flooder(addr, site, k, stop.clone(), stats[k].clone())
        })
        .collect();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("flooders".into())
        .spawn(move || {
            let out = rt.block_on(futures_util::future::join_all(jobs));
            let _ = tx.send(out);
        })?;
    Ok(rx)
}

/// Server counters: error frames sent, messages stored, page views, slow-reader cut-offs.
async fn server_counts(t: &Target) -> Result<[f64; 4]> {
    Ok([
        t.metric("frontdesk_client_errors_total").await?,
        t.metric("frontdesk_messages_total").await?,
        t.metric("frontdesk_page_views_total").await?,
        t.metric("frontdesk_slow_consumers_total").await?,
    ])
}

/// CPU-seconds this generator process used so far.
fn own_cpu_secs() -> f64 {
    crate::target::cpu_secs(std::process::id()).unwrap_or(0.0)
}

/// Adds `p`'s figures under `flood.{tag}`.
fn add_phase(ctx: &mut Ctx<'_>, tag: &str, what: &str, p: &Phase) {
    let f = &mut ctx.fig;
    for (k, h, name) in [
        ("v2a", &p.v2a, "visitor→agent"),
        ("a2v", &p.a2v, "agent→visitor"),
    ] {
        for (q, qn) in [(0.5, "p50"), (0.99, "p99")] {
            f.add(
                &format!("flood.{tag}.{k}.{qn}"),
                &format!("flood, {what}: honest {name} {qn}"),
                "ms",
                Better::Lower,
                ms(h, q),
            );
        }
    }
    f.add(
        &format!("flood.{tag}.cpu"),
        &format!("flood, {what}: server CPU"),
        "%",
        Better::Info,
        p.cpu_pct,
    );
}

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let (chats, agents) = (ctx.plan.flood_chats, ctx.plan.flood_agents);
    let (period, secs) = (ctx.plan.flood_period, ctx.plan.flood_secs);
    let setup = Instant::now();
    let e = Engine::setup(ctx.t, chats, agents).await?;
    ctx.note(format!(
        "flood: {chats} honest chats over {agents} agents set up in {:.1} s (shipped limits)",
        setup.elapsed().as_secs_f64()
    ));
    e.set_rate(1.0 / period);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let quiet = measure(ctx.t, &e, secs).await?;
    add_phase(ctx, "none", "no flooder", &quiet);
    let quiet_p99 = ms(&quiet.both, 0.99);
    ctx.note(format!(
        "flood: no flooder: honest p50/p99 both ways {:.2}/{:.2} ms, {} delivered, server CPU {:.0}%",
        ms(&quiet.both, 0.5),
        quiet_p99,
        quiet.delivered,
        quiet.cpu_pct
    ));
    let mut refused_nowhere = Vec::new();
    let mut flood_frames = 0u64;
    for &n in &ctx.plan.flood_attackers.clone() {
        let stop = Arc::new(AtomicBool::new(false));
        let stats: Vec<Arc<FloodStats>> = (0..n).map(|_| Arc::default()).collect();
        let m0 = server_counts(ctx.t).await?;
        let (acked0, cpu0) = (e.stats.acked.load(Ordering::Relaxed), own_cpu_secs());
        let started = Instant::now();
        let flooders = spawn_flooders(ctx.t, n, &stop, &stats)?;
        // Let the flooders connect and get going before measuring.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let sent0: u64 = stats.iter().map(|s| s.sent.load(Ordering::Relaxed)).sum();
        let t0 = Instant::now();
        let p = measure(ctx.t, &e, secs).await?;
        let sent1: u64 = stats.iter().map(|s| s.sent.load(Ordering::Relaxed)).sum();
        let frame_rate = (sent1 - sent0) as f64 / t0.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let results = flooders.await.unwrap_or_default();
        let gen_cpu = (own_cpu_secs() - cpu0) * 100.0 / started.elapsed().as_secs_f64();
        let m1 = server_counts(ctx.t).await?;
        let honest_acked = e.stats.acked.load(Ordering::Relaxed) - acked0;
        let mut setup_failed = 0;
        for (k, r) in results.into_iter().enumerate() {
            if let Err(err) = r {
                setup_failed += 1;
                ctx.note(format!("flood: flooder {k} failed: {err:#}"));
            }
        }
        let sum = |f: fn(&FloodStats) -> &AtomicU64| -> u64 {
            stats.iter().map(|s| f(s).load(Ordering::Relaxed)).sum()
        };
        let sent = sum(|s| &s.sent);
        flood_frames += sent;
        let refused = sum(|s| &s.refused);
        let others = sum(|s| &s.other_errors);
        let acks = sum(|s| &s.acks);
        // Typing and page views get no answer when accepted: what is neither refused nor
        // acknowledged was accepted silently (or unanswered when the socket was cut).
        let silent = sent.saturating_sub(refused + others + acks);
        let (sessions, cut) = (sum(|s| &s.sessions), sum(|s| &s.disconnects));
        let refused_conns = sum(|s| &s.reconnect_failures);
        let first = |f: fn(&FloodStats) -> &Mutex<Option<String>>| {
            stats.iter().find_map(|s| f(s).lock().ok()?.clone())
        };
        let (example, why, refused_why) = (
            first(|s| &s.other_example),
            first(|s| &s.ended),
            first(|s| &s.reconnect_example),
        );
        let tag = format!("f{n}");
        let what = format!("{n} flooder{}", if n == 1 { "" } else { "s" });
        add_phase(ctx, &tag, &what, &p);
        let ratio = ms(&p.both, 0.99) / quiet_p99.max(0.001);
        // Server-side, over the whole flood (connect to stop): what it refused and let in.
        let span = started.elapsed().as_secs_f64();
        let srv_refused = m1[0] - m0[0];
        let flood_msgs = (m1[1] - m0[1] - honest_acked as f64).max(0.0);
        let f = &mut ctx.fig;
        let figs = [
            (
                "p99_ratio",
                "honest p99 (both ways) with / without flood",
                "×",
                ratio,
            ),
            (
                "written",
                "flood frames written by the flooders",
                "frames/s",
                frame_rate,
            ),
            (
                "refused",
                "flood frames refused by the server (error frames)",
                "frames/s",
                srv_refused / span,
            ),
            (
                "stored",
                "flood messages stored (let in)",
                "msg/s",
                flood_msgs / span,
            ),
            (
                "cut",
                "flood connections cut off by the server",
                "conns",
                cut as f64,
            ),
        ];
        for (k, label, unit, v) in figs {
            let better = if k == "p99_ratio" {
                Better::Lower
            } else {
                Better::Info
            };
            f.add(
                &format!("flood.{tag}.{k}"),
                &format!("flood, {what}: {label}"),
                unit,
                better,
                v,
            );
        }
        ctx.note(format!(
            "flood: {what}: honest p50/p99 both ways {:.2}/{:.2} ms ({ratio:.2}× the quiet p99), {} delivered, server CPU {:.0}%, generator CPU {gen_cpu:.0}%",
            ms(&p.both, 0.5),
            ms(&p.both, 0.99),
            p.delivered,
            p.cpu_pct
        ));
        ctx.note(format!(
            "flood: {what}: server, over {span:.1} s: {srv_refused:.0} error frames sent or queued, {flood_msgs:.0} flood messages stored ({honest_acked} honest besides), {:.0} page views recorded, {:.0} slow-reader cut-offs",
            m1[2] - m0[2],
            m1[3] - m0[3],
        ));
        ctx.note(format!(
            "flood: {what}: flooders wrote {sent} frames ({frame_rate:.0}/s while measured) and read back {refused} rate_limited, {others} other errors{}, {acks} acks (messages, chat requests); {silent} got no answer (accepted silently, or unread by the server when cut off)",
            example.map(|x| format!(" (e.g. {x})")).unwrap_or_default(),
        ));
        ctx.note(format!(
            "flood: {what}: {sessions} flood connections, {cut} cut off by the server{}, {refused_conns} reconnects refused{}",
            why.map(|x| format!(" (first: {x})")).unwrap_or_default(),
            refused_why.map(|x| format!(" (first: {x})")).unwrap_or_default(),
        ));
        if setup_failed > 0 {
            ctx.fail(format!(
                "flood: {setup_failed} of {n} flooders could not start"
            ));
        }
        // Sanity, not timing: the limits answered the flood (seen by a flooder and counted).
        if refused == 0 || srv_refused < 1.0 {
            refused_nowhere.push(n);
        }
    }
    e.drain(Duration::from_secs(60)).await;
    let errors = e.stats.errors.load(Ordering::Relaxed);
    let all = e.stats.delivered.load(Ordering::Relaxed) as f64;
    ctx.ops(
        all + flood_frames as f64,
        "frame (honest message delivered or flood frame written)",
    );
    let problems = e.finish().await?;
    if errors > 0 {
        ctx.fail(format!(
            "flood: {errors} error frames to honest clients (rate-limited or refused)"
        ));
    }
    for p in problems {
        ctx.fail(format!("flood: honest chats: {p}"));
    }
    if quiet.delivered == 0 {
        ctx.fail("flood: no honest message delivered".into());
    }
    for n in refused_nowhere {
        ctx.fail(format!(
            "flood: with {n} flooder(s), no rate_limited refusal reached a flooder (or none counted by the server)"
        ));
    }
    Ok(())
}

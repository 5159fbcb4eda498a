//! Routing (issue 12): many agents On-Line on one site, the site's "Routing" switched between
//! "Everyone (first to answer)" and "Assign automatically" in the same run, against the same
//! server process. Per mode, two parts:
//!
//! * **chats/s**: visitors request a chat, an agent accepts it, the visitor ends it, again and
//!   again (a closed loop), for `routing_secs`; chats accepted per second.
//! * **request → offer**: one visitor, one chat at a time on a quiet server (the next request
//!   only after every agent has heard the last chat end, so no broadcast backlog is timed),
//!   `routing_samples` chats: from sending `chat_request` to the **first** agent receiving the
//!   chat: `chat.offered` (assign: the offered agent, the only one who gets it) or
//!   `chat.requested` (broadcast: every agent gets it; the earliest receipt counts).
//!
//! Who accepts: under "Assign automatically" the offered agent; under broadcast one designated
//! agent per chat (`chat_id mod agents`), so that both modes end in exactly one accept per chat
//! and the difference is the server's routing, not a race of a thousand accepts.
//!
//! Checks: every chat reached an agent and was accepted exactly once with no accept refused;
//! under "Assign automatically" every chat offered once and none fell back to the broadcast;
//! under broadcast no `chat.offered`.

use super::Ctx;
use crate::clients::{self, now_us, parse};
use crate::report::{Better, Goal, Hist, hist, ms};
use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(60);
/// Agents connecting at once (each gets a snapshot listing every agent).
const CONNECT_CONCURRENCY: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Broadcast,
    Assign,
}

impl Mode {
    fn key(self) -> &'static str {
        match self {
            Mode::Broadcast => "broadcast",
            Mode::Assign => "assign",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Mode::Broadcast => "\"Everyone\"",
            Mode::Assign => "\"Assign automatically\"",
        }
    }
    /// The site settings body (`PUT /api/admin/sites/{id}/settings`): the whole object.
    fn settings(self) -> serde_json::Value {
        match self {
            Mode::Broadcast => serde_json::json!({ "routing": "everyone" }),
            // Long enough that no offer times out under load: this measures routing, not offers.
            Mode::Assign => serde_json::json!({ "routing": "assign", "offer_seconds": 600 }),
        }
    }
}

/// What the agents saw, shared by their reader tasks.
#[derive(Default)]
struct Seen {
    /// chat id → the earliest time (µs) any agent received it (offer or request).
    first: Mutex<HashMap<i64, u64>>,
    /// `chat.offered` frames received.
    offered: AtomicU64,
    /// `chat.requested` frames received (under "Assign automatically": fallbacks).
    requested: AtomicU64,
    accepts_ok: AtomicU64,
    accepts_refused: AtomicU64,
    /// `chat.ended` frames received (the latency sub-phase waits for every agent's).
    ended: AtomicU64,
}

impl Seen {
    fn receipt(&self, chat: i64, at: u64) {
        if let Ok(mut m) = self.first.lock() {
            m.entry(chat).or_insert(at);
        }
    }
    fn reset(&self) {
        if let Ok(mut m) = self.first.lock() {
            m.clear();
        }
        for c in [
            &self.offered,
            &self.requested,
            &self.accepts_ok,
            &self.accepts_refused,
            &self.ended,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// The `chat_id` of a `chat.offered` / `chat.requested` frame without parsing all of it (a
/// broadcast reaches every agent: the generator must keep up with a thousand of them).
fn chat_id_of(text: &str) -> Option<i64> {
    let at = text.find(r#""chat_id":"#)? + r#""chat_id":"#.len();
    let digits: &str = &text[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let t = ctx.t;
    let n_agents = ctx.plan.routing_agents.min(t.agents.len());
    if n_agents == 0 {
        bail!("no agents provisioned for the routing scenario");
    }
    let seen = Arc::new(Seen::default());
    let (stop, stop_rx) = watch::channel(false);
    let connect_started = std::time::Instant::now();
    let agents: Vec<JoinHandle<Result<()>>> =
        stream::iter(t.agents.iter().take(n_agents).enumerate())
            .map(|(k, cred)| {
                let (seen, stop_rx) = (seen.clone(), stop_rx.clone());
                let (addr, cookie) = (t.agent_addr(k), cred.cookie.clone());
                async move {
                    let ws = clients::agent(addr, &cookie, WAIT).await?;
                    Ok::<_, anyhow::Error>(tokio::spawn(agent_loop(
                        ws,
                        k as i64,
                        n_agents as i64,
                        seen,
                        stop_rx,
                    )))
                }
            })
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
    ctx.note(format!(
        "routing: {n_agents} agents On-Line in {:.1} s",
        connect_started.elapsed().as_secs_f64()
    ));

    let mut p99 = HashMap::new();
    for mode in [Mode::Broadcast, Mode::Assign] {
        settings(t, mode).await?;
        seen.reset();
        let r = phase(ctx, mode, n_agents, &seen).await;
        match r {
            Ok(v) => {
                p99.insert(mode.key(), v);
            }
            Err(e) => ctx.fail(format!("routing ({}): {e:#}", mode.key())),
        }
    }
    settings(t, Mode::Broadcast).await?;
    let _ = stop.send(true);
    for a in agents {
        a.await??;
    }
    if let (Some(b), Some(a)) = (p99.get("broadcast"), p99.get("assign")) {
        ctx.fig.add_goal(
            "routing.added_p99",
            "routing: request → offer p99, assign minus broadcast",
            "ms",
            Better::Lower,
            a - b,
            Goal::le(2.0),
        );
    }
    Ok(())
}

/// Sets the chat site's "Routing" over the admin REST API (the observer is an admin).
async fn settings(t: &crate::target::Target, mode: Mode) -> Result<()> {
    let base = t.base();
    let r = reqwest::Client::new()
        .put(format!(
            "{base}/api/admin/sites/{}/settings",
            t.chat_site.id
        ))
        .header("Cookie", &t.observer.cookie)
        .header("Origin", &base)
        .json(&mode.settings())
        .send()
        .await
        .context("PUT site settings")?;
    if !r.status().is_success() {
        bail!(
            "PUT site settings ({}): {} {}",
            mode.key(),
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

/// One agent: records when chats reach it and accepts the ones that are its to take.
async fn agent_loop(
    mut ws: clients::Ws,
    k: i64,
    n: i64,
    seen: Arc<Seen>,
    mut stop_rx: watch::Receiver<bool>,
) -> Result<()> {
    loop {
        tokio::select! {
            m = ws.next() => {
                let Some(m) = m else { bail!("agent socket closed") };
                let Message::Text(text) = m? else { continue };
                let text = text.as_str();
                let offered = text.starts_with(r#"{"type":"chat.offered""#);
                let requested = !offered && text.starts_with(r#"{"type":"chat.requested""#);
                if offered || requested {
                    let at = now_us();
                    let Some(chat) = chat_id_of(text) else { bail!("no chat_id in {text}") };
                    seen.receipt(chat, at);
                    let counter = if offered { &seen.offered } else { &seen.requested };
                    counter.fetch_add(1, Ordering::Relaxed);
                    if offered || chat % n == k {
                        let frame = format!(r#"{{"type":"accept","ref":"acc{chat}","chat_id":{chat}}}"#);
                        clients::send(&mut ws, frame).await?;
                    }
                } else if text.starts_with(r#"{"type":"chat.ended""#) {
                    seen.ended.fetch_add(1, Ordering::Relaxed);
                } else if text.contains(r#""ref":"acc"#) {
                    let f = parse(text)?;
                    match f.kind.as_ref() {
                        "ack" => seen.accepts_ok.fetch_add(1, Ordering::Relaxed),
                        _ => seen.accepts_refused.fetch_add(1, Ordering::Relaxed),
                    };
                }
            }
            _ = stop_rx.changed() => return Ok(()),
        }
    }
}

/// How long the visitors of a sub-phase go on.
#[derive(Clone, Copy)]
enum Until {
    /// Throughput: each visitor asks again at once, until then.
    Deadline(tokio::time::Instant),
    /// Latency: this many chats, one at a time, each after the last one's `chat.ended` has
    /// reached every agent (so no broadcast backlog is measured, only the routing).
    Quiet { chats: usize, agents: u64 },
}

/// One mode: throughput (visitors asking in a closed loop), then request → offer latency (one
/// visitor, one chat at a time, on a quiet server). Returns the request → offer p99.
async fn phase(ctx: &mut Ctx<'_>, mode: Mode, n_agents: usize, seen: &Arc<Seen>) -> Result<f64> {
    let t = ctx.t;
    let (key, label) = (mode.key(), mode.label());
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(ctx.plan.routing_secs);
    let start = std::time::Instant::now();
    let sent = visitors(
        t,
        mode,
        ctx.plan.routing_visitors,
        Until::Deadline(deadline),
        seen,
    )
    .await?;
    let secs = start.elapsed().as_secs_f64();
    ctx.ops(sent.len() as f64, "chat routed");
    judge(ctx, mode, "throughput", &sent, seen).await;
    ctx.fig.add(
        &format!("routing.{key}.rate"),
        &format!(
            "routing {label}, {n_agents} agents, {} visitors asking: chats accepted/s",
            ctx.plan.routing_visitors
        ),
        "chats/s",
        Better::Higher,
        sent.len() as f64 / secs.max(1e-3),
    );

    seen.reset();
    let until = Until::Quiet {
        chats: ctx.plan.routing_samples,
        agents: n_agents as u64,
    };
    let sent = visitors(t, mode, 1, until, seen).await?;
    ctx.ops(sent.len() as f64, "chat routed");
    let h = judge(ctx, mode, "latency", &sent, seen).await;
    let what = if mode == Mode::Assign {
        "chat.offered"
    } else {
        "first chat.requested"
    };
    ctx.fig.add(
        &format!("routing.{key}.p50"),
        &format!("routing {label}: request → {what} p50 (one chat at a time)"),
        "ms",
        Better::Lower,
        ms(&h, 0.5),
    );
    let p99 = ms(&h, 0.99);
    ctx.fig.add(
        &format!("routing.{key}.p99"),
        &format!("routing {label}: request → {what} p99 (one chat at a time)"),
        "ms",
        Better::Lower,
        p99,
    );
    Ok(p99)
}

/// `n` visitors request, wait to be accepted, end, repeat `until`. Returns (chat id, request
/// sent at µs) of every chat.
async fn visitors(
    t: &crate::target::Target,
    mode: Mode,
    n: usize,
    until: Until,
    seen: &Arc<Seen>,
) -> Result<Vec<(i64, u64)>> {
    let mut socks = Vec::new();
    for i in 0..n {
        let site = t.chat_site.clone();
        let src = Some(clients::source(i, 8));
        let path = format!("/routing/{}", mode.key());
        let (ws, _) = clients::visitor(
            t.visitor_addr(i),
            &site.key,
            &site.origin,
            src,
            None,
            &path,
            WAIT,
        )
        .await?;
        socks.push(ws);
    }
    let mut loops = Vec::new();
    for mut ws in socks {
        let seen = seen.clone();
        loops.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            loop {
                match until {
                    Until::Deadline(d) if tokio::time::Instant::now() >= d => break,
                    Until::Quiet { chats, .. } if sent.len() >= chats => break,
                    _ => {}
                }
                let t0 = now_us();
                let chat = clients::request_chat_until_accepted(&mut ws, WAIT).await?;
                sent.push((chat, t0));
                clients::send(&mut ws, r#"{"type":"chat_end","ref":"end"}"#.into()).await?;
                clients::wait_for(&mut ws, "chat_end ack", WAIT, |f| {
                    f.kind == "ack" && f.reference.as_deref() == Some("end")
                })
                .await?;
                if let Until::Quiet { agents, .. } = until {
                    // Every agent has heard this chat end: the server's queues are empty.
                    let want = agents * sent.len() as u64;
                    let quiet = tokio::time::Instant::now() + Duration::from_secs(10);
                    while seen.ended.load(Ordering::Relaxed) < want
                        && tokio::time::Instant::now() < quiet
                    {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
            Ok::<_, anyhow::Error>((sent, ws))
        }));
    }
    let (mut sent, mut keep) = (Vec::new(), Vec::new());
    for l in loops {
        let (s, ws) = l.await??;
        sent.extend(s);
        keep.push(ws);
    }
    drop(keep);
    Ok(sent)
}

/// Checks one sub-phase (every chat reached an agent, one accept each, the mode's frames) and
/// returns its request → first receipt histogram.
async fn judge(
    ctx: &mut Ctx<'_>,
    mode: Mode,
    what: &str,
    sent: &[(i64, u64)],
    seen: &Seen,
) -> Hist {
    let key = mode.key();
    // Every accept answered before judging (the visitor saw `chat.accepted`: the ack follows).
    let settle = tokio::time::Instant::now() + Duration::from_secs(10);
    let answered =
        |s: &Seen| s.accepts_ok.load(Ordering::Relaxed) + s.accepts_refused.load(Ordering::Relaxed);
    while answered(seen) < sent.len() as u64 && tokio::time::Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first = seen.first.lock().map(|m| m.clone()).unwrap_or_default();
    let mut h = hist();
    let mut unseen = 0usize;
    for (chat, t0) in sent {
        match first.get(chat) {
            Some(at) => {
                let _ = h.record(at.saturating_sub(*t0).max(1));
            }
            None => unseen += 1,
        }
    }
    let (ok, refused) = (
        seen.accepts_ok.load(Ordering::Relaxed),
        seen.accepts_refused.load(Ordering::Relaxed),
    );
    let (offered, requested) = (
        seen.offered.load(Ordering::Relaxed),
        seen.requested.load(Ordering::Relaxed),
    );
    let n = sent.len() as u64;
    ctx.note(format!(
        "routing ({key}, {what}): {n} chats, {offered} chat.offered and {requested} chat.requested received, accepts {ok} acknowledged / {refused} refused"
    ));
    if sent.is_empty() {
        ctx.fail(format!("routing ({key}, {what}): no chat accepted"));
    }
    if unseen > 0 {
        ctx.fail(format!(
            "routing ({key}, {what}): {unseen} chats reached no agent"
        ));
    }
    if ok != n || refused > 0 {
        ctx.fail(format!(
            "routing ({key}, {what}): {n} chats but {ok} accepts acknowledged and {refused} refused"
        ));
    }
    match mode {
        Mode::Assign if requested > 0 => ctx.fail(format!(
            "routing (assign, {what}): {requested} chat.requested (fallbacks to everyone) with offers of 600 s"
        )),
        Mode::Assign if offered != n => ctx.fail(format!(
            "routing (assign, {what}): {offered} offers for {n} chats (each should be offered once)"
        )),
        Mode::Broadcast if offered > 0 => ctx.fail(format!(
            "routing (broadcast, {what}): {offered} chat.offered under \"Everyone\""
        )),
        _ => {}
    }
    h
}

#[cfg(test)]
mod tests {
    use super::chat_id_of;

    #[test]
    fn chat_id_of_reads_the_first_chat_id() {
        let f = r#"{"type":"chat.offered","chat":{"chat_id":42,"site_id":1},"expires_at":1,"seconds":30}"#;
        assert_eq!(chat_id_of(f), Some(42));
        assert_eq!(
            chat_id_of(r#"{"type":"chat.requested","chat":{"site_id":1}}"#),
            None
        );
    }
}

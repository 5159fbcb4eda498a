//! The chat engine shared by the latency and throughput scenarios: `n` chats, each between
//! one visitor socket and one of `a` agent sockets, every side sending timed messages at a
//! rate the controller sets. Receivers time each message from the other side; at the end
//! every message acknowledged to its sender is checked to have reached the other side
//! exactly once (by chat and seq).

use crate::clients::{self, Ws, now_us, parse, sent_at, timed_body};
use crate::report::{Hist, hist};
use crate::target::Target;
use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(30);

/// What the controller tells every sender.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    /// Messages per second per chat per side (0: pause).
    pub rate: f64,
    pub stop: bool,
}

/// Shared measurements.
pub struct Stats {
    pub to_agent: Mutex<Hist>,
    pub to_visitor: Mutex<Hist>,
    /// Send → ack (the message committed to disk, for Frontdesk).
    pub ack: Mutex<Hist>,
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub delivered: AtomicU64,
    pub errors: AtomicU64,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            to_agent: Mutex::new(hist()),
            to_visitor: Mutex::new(hist()),
            ack: Mutex::new(hist()),
            sent: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    /// Empties the histograms (a new step).
    pub fn reset(&self) {
        for h in [&self.to_agent, &self.to_visitor, &self.ack] {
            if let Ok(mut h) = h.lock() {
                h.reset();
            }
        }
    }

    /// Both directions merged.
    pub fn both(&self) -> Hist {
        let mut all = hist();
        for h in [&self.to_agent, &self.to_visitor] {
            if let Ok(h) = h.lock() {
                let _ = all.add(&*h);
            }
        }
        all
    }
}

fn record(h: &Mutex<Hist>, since: u64) {
    let v = now_us().saturating_sub(since).max(1);
    if let Ok(mut h) = h.lock() {
        let _ = h.record(v.min(600_000_000));
    }
}

/// Per chat, per direction: seqs acked to the sender, seqs seen by the receiver, duplicates.
#[derive(Default)]
struct Ledger {
    acked: Vec<i64>,
    seen: HashSet<i64>,
    dups: u64,
    /// Highest seq of any message (either author) the receiver got in the chat.
    high: i64,
}

/// What one chat's two sides saw: (visitor→agent, agent→visitor).
type ChatLedgers = HashMap<i64, (Ledger, Ledger)>;

enum AgentCmd {
    Accept(i64, oneshot::Sender<Result<()>>),
}

pub struct Engine {
    pub stats: Arc<Stats>,
    pub phase: watch::Sender<Phase>,
    visitors: Vec<tokio::task::JoinHandle<Result<(i64, Ledger, Ledger)>>>,
    agents: Vec<tokio::task::JoinHandle<Result<ChatLedgers>>>,
}

impl Engine {
    /// Connects `agents` agents (On-Line) and `chats` visitors, each of whose chat is
    /// accepted by agent `i % agents` (agent k on node k, its visitors on node k + 1).
    pub async fn setup(t: &Target, chats: usize, agents: usize) -> Result<Engine> {
        let agents = agents.clamp(1, t.agents.len());
        let stats = Arc::new(Stats::new());
        let (phase, phase_rx) = watch::channel(Phase {
            rate: 0.0,
            stop: false,
        });
        let mut cmds = Vec::new();
        let mut agent_tasks = Vec::new();
        for (k, cred) in t.agents.iter().take(agents).enumerate() {
            let ws = clients::agent(t.agent_addr(k), &cred.cookie, WAIT).await?;
            let (tx, rx) = mpsc::unbounded_channel();
            cmds.push(tx);
            agent_tasks.push(tokio::spawn(agent_task(
                ws,
                rx,
                phase_rx.clone(),
                stats.clone(),
            )));
        }
        let mut visitor_tasks = Vec::new();
        // Visitors in small concurrent groups: connect, hello, request, accepted.
        let sem = Arc::new(tokio::sync::Semaphore::new(32));
        let mut joins = Vec::new();
        for i in 0..chats {
            // On another node than its agent's when there are several.
            let (addr, site) = (t.visitor_addr(i % agents), t.chat_site.clone());
            let cmd = cmds[i % agents].clone();
            let sem = sem.clone();
            joins.push(tokio::spawn(async move {
                let _p = sem.acquire().await?;
                // Over 64 addresses: the flood scenario runs with the shipped per-IP limits.
                let src = Some(clients::source(i, 64));
                let (mut ws, _) = clients::visitor(
                    addr,
                    &site.key,
                    &site.origin,
                    src,
                    None,
                    &format!("/p/{i}"),
                    WAIT,
                )
                .await?;
                let chat = clients::request_chat(&mut ws, WAIT).await?;
                let (otx, orx) = oneshot::channel();
                cmd.send(AgentCmd::Accept(chat, otx))
                    .ok()
                    .context("agent task gone")?;
                orx.await.context("agent task gone")??;
                clients::wait_for(&mut ws, "chat.accepted", WAIT, |f| {
                    f.kind == "chat.accepted"
                })
                .await?;
                Ok::<(Ws, i64), anyhow::Error>((ws, chat))
            }));
        }
        for j in joins {
            let (ws, chat) = j.await??;
            visitor_tasks.push(tokio::spawn(visitor_task(
                ws,
                chat,
                phase_rx.clone(),
                stats.clone(),
            )));
        }
        drop(cmds);
        Ok(Engine {
            stats,
            phase,
            visitors: visitor_tasks,
            agents: agent_tasks,
        })
    }

    pub fn set_rate(&self, rate: f64) {
        let _ = self.phase.send(Phase { rate, stop: false });
    }

    /// Pauses sending and waits (up to `wait`) until every sent message is acknowledged and
    /// every acknowledged one delivered, or until nothing more happens for five seconds (an
    /// overloaded server may still be working through seconds of backlog: only a stall ends
    /// the wait early, so that a late message is not counted as lost).
    pub async fn drain(&self, wait: Duration) {
        self.set_rate(0.0);
        let deadline = Instant::now() + wait;
        let (mut last, mut still) = ((u64::MAX, u64::MAX), Instant::now());
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let s = &self.stats;
            let (sent, acked, delivered) = (
                s.sent.load(Ordering::Relaxed),
                s.acked.load(Ordering::Relaxed) + s.errors.load(Ordering::Relaxed),
                s.delivered.load(Ordering::Relaxed),
            );
            if (acked, delivered) != last {
                (last, still) = ((acked, delivered), Instant::now());
            }
            if (sent == acked && delivered >= acked) || still.elapsed() > Duration::from_secs(5) {
                return;
            }
        }
    }

    /// Stops every task; returns violations of exactly-once delivery (empty when clean).
    pub async fn finish(self) -> Result<Vec<String>> {
        let _ = self.phase.send(Phase {
            rate: 0.0,
            stop: true,
        });
        let mut by_chat: HashMap<i64, [Option<Ledger>; 4]> = HashMap::new();
        for v in self.visitors {
            let (chat, own, got) = v.await??;
            let e = by_chat.entry(chat).or_default();
            e[0] = Some(own);
            e[3] = Some(got);
        }
        for a in self.agents {
            for (chat, (own, got)) in a.await?? {
                let e = by_chat.entry(chat).or_default();
                e[2] = Some(own);
                e[1] = Some(got);
            }
        }
        let mut problems = Vec::new();
        let (mut lost, mut dups, mut extra) = (0usize, 0u64, 0usize);
        let mut examples = Vec::new();
        for (chat, [v_own, a_got, a_own, v_got]) in by_chat {
            for (dir, own, got) in [("to agent", v_own, a_got), ("to visitor", a_own, v_got)] {
                let (Some(own), Some(got)) = (own, got) else {
                    problems.push(format!("chat {chat}: a side is missing"));
                    continue;
                };
                let acked: HashSet<i64> = own.acked.iter().copied().collect();
                for seq in acked.difference(&got.seen) {
                    lost += 1;
                    if examples.len() < 5 {
                        examples.push(format!(
                            "chat {chat} seq {seq} {dir} (receiver's highest seq {})",
                            got.high
                        ));
                    }
                }
                extra += got.seen.difference(&acked).count();
                dups += got.dups;
            }
        }
        if lost > 0 {
            problems.push(format!(
                "{lost} acknowledged messages never delivered, e.g. {}",
                examples.join("; ")
            ));
        }
        if dups > 0 {
            problems.push(format!("{dups} messages delivered more than once"));
        }
        if extra > 0 {
            problems.push(format!("{extra} messages delivered but never acknowledged"));
        }
        Ok(problems)
    }
}

fn interval(rate: f64) -> Option<Duration> {
    (rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate))
}

/// Next send time: keeps the schedule (open loop), but never bursts more than 1 s behind.
fn advance(next: Instant, every: Duration) -> Instant {
    let n = next + every;
    let now = Instant::now();
    if n + Duration::from_secs(1) < now {
        now
    } else {
        n
    }
}

async fn visitor_task(
    mut ws: Ws,
    chat: i64,
    mut phase: watch::Receiver<Phase>,
    stats: Arc<Stats>,
) -> Result<(i64, Ledger, Ledger)> {
    let (mut own, mut got) = (Ledger::default(), Ledger::default());
    let mut every = interval(phase.borrow().rate);
    let jitter = rand::random::<f64>();
    let mut next = Instant::now() + every.map(|e| e.mul_f64(jitter)).unwrap_or_default();
    let mut n = 0u64;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next), if every.is_some() => {
                let e = every.unwrap_or_default();
                n += 1;
                let t = now_us();
                let frame = serde_json::json!({
                    "type": "message", "client_id": format!("{n}.{t}"), "body": timed_body("v"),
                });
                clients::send(&mut ws, frame.to_string()).await?;
                stats.sent.fetch_add(1, Ordering::Relaxed);
                next = advance(next, e);
            }
            msg = ws.next() => {
                let Some(msg) = msg else { bail!("visitor socket closed (chat {chat})") };
                let Message::Text(text) = msg? else { continue };
                let f = parse(text.as_str())?;
                if f.kind == "message" {
                    got.high = got.high.max(f.seq.unwrap_or_default());
                }
                match f.kind.as_ref() {
                    "message" if f.from.as_deref() == Some("agent") => {
                        let seq = f.seq.unwrap_or_default();
                        if !got.seen.insert(seq) { got.dups += 1; }
                        if let Some(t) = f.body.as_deref().and_then(sent_at) {
                            record(&stats.to_visitor, t);
                        }
                        stats.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    "ack" => {
                        if let (Some(seq), Some(r)) = (f.seq, f.reference.as_deref()) {
                            own.acked.push(seq);
                            stats.acked.fetch_add(1, Ordering::Relaxed);
                            if let Some(t) = r.rsplit('.').next().and_then(|t| t.parse().ok()) {
                                record(&stats.ack, t);
                            }
                        }
                    }
                    "error" => { stats.errors.fetch_add(1, Ordering::Relaxed); }
                    _ => {}
                }
            }
            changed = phase.changed() => {
                if changed.is_err() { break; }
                let p = *phase.borrow();
                if p.stop { break; }
                every = interval(p.rate);
                next = Instant::now() + every.map(|e| e.mul_f64(rand::random::<f64>())).unwrap_or_default();
            }
        }
    }
    Ok((chat, own, got))
}

async fn agent_task(
    mut ws: Ws,
    mut cmds: mpsc::UnboundedReceiver<AgentCmd>,
    mut phase: watch::Receiver<Phase>,
    stats: Arc<Stats>,
) -> Result<ChatLedgers> {
    let mut chats: Vec<i64> = Vec::new();
    let mut ledgers: ChatLedgers = HashMap::new();
    let mut pending: HashMap<String, (i64, oneshot::Sender<Result<()>>)> = HashMap::new();
    let mut rate = phase.borrow().rate;
    let mut next = Instant::now();
    let (mut n, mut turn) = (0u64, 0usize);
    let mut cmds_open = true;
    loop {
        // One timer for all of this agent's chats: rate × chats per second, round robin.
        let every = interval(rate * chats.len() as f64);
        tokio::select! {
            _ = tokio::time::sleep_until(next), if every.is_some() => {
                let chat = chats[turn % chats.len()];
                turn += 1;
                n += 1;
                let t = now_us();
                let frame = serde_json::json!({
                    "type": "message", "ref": format!("{chat}.{n}.{t}"), "chat_id": chat,
                    "client_id": format!("a{n}"), "body": timed_body("a"),
                });
                clients::send(&mut ws, frame.to_string()).await?;
                stats.sent.fetch_add(1, Ordering::Relaxed);
                next = advance(next, every.unwrap_or_default());
            }
            cmd = cmds.recv(), if cmds_open => match cmd {
                Some(AgentCmd::Accept(chat, done)) => {
                    let r = format!("acc{chat}");
                    let frame = serde_json::json!({"type": "accept", "ref": r, "chat_id": chat});
                    clients::send(&mut ws, frame.to_string()).await?;
                    pending.insert(r, (chat, done));
                }
                None => cmds_open = false,
            },
            msg = ws.next() => {
                let Some(msg) = msg else { bail!("agent socket closed") };
                let Message::Text(text) = msg? else { continue };
                let f = parse(text.as_str())?;
                if f.kind == "message" {
                    let got = &mut ledgers.entry(f.chat_id.unwrap_or_default()).or_default().1;
                    got.high = got.high.max(f.seq.unwrap_or_default());
                }
                match f.kind.as_ref() {
                    "message" if f.from.as_deref() == Some("visitor") => {
                        let chat = f.chat_id.unwrap_or_default();
                        let got = &mut ledgers.entry(chat).or_default().1;
                        if !got.seen.insert(f.seq.unwrap_or_default()) { got.dups += 1; }
                        if let Some(t) = f.body.as_deref().and_then(sent_at) {
                            record(&stats.to_agent, t);
                        }
                        stats.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    "ack" | "error" => {
                        let r = f.reference.as_deref().unwrap_or("");
                        if let Some((chat, done)) = pending.remove(r) {
                            if f.kind == "ack" {
                                chats.push(chat);
                                ledgers.entry(chat).or_default();
                                let _ = done.send(Ok(()));
                            } else {
                                let _ = done.send(Err(anyhow::anyhow!("accept refused: {text}")));
                            }
                        } else if f.kind == "ack" {
                            if let (Some(chat), Some(seq)) = (f.chat_id, f.seq) {
                                ledgers.entry(chat).or_default().0.acked.push(seq);
                                stats.acked.fetch_add(1, Ordering::Relaxed);
                                if let Some(t) = r.rsplit('.').next().and_then(|t| t.parse().ok()) {
                                    record(&stats.ack, t);
                                }
                            }
                        } else {
                            stats.errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    _ => {}
                }
            }
            changed = phase.changed() => {
                if changed.is_err() { break; }
                let p = *phase.borrow();
                if p.stop { break; }
                rate = p.rate;
                next = Instant::now();
            }
        }
    }
    Ok(ledgers)
}

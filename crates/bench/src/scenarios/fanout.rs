//! Fan-out: many agents On-Line on one site; visitors request a chat and end it, again and
//! again; every `chat.requested` goes to every agent. Deliveries per second are counted at
//! the agents.

use super::Ctx;
use crate::clients::{self, now_us};
use crate::report::{Better, Goal};
use anyhow::{Result, bail};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counts {
    requested: AtomicU64,
    frames: AtomicU64,
    last_us: AtomicU64,
}

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let t = ctx.t;
    let n_agents = ctx.plan.fanout_agents.min(t.agents.len());
    let counts = Arc::new(Counts::default());
    let (stop, stop_rx) = watch::channel(false);
    let mut agents = Vec::new();
    for (k, cred) in t.agents.iter().take(n_agents).enumerate() {
        let mut ws = clients::agent(t.agent_addr(k), &cred.cookie, WAIT).await?;
        let (counts, mut stop_rx) = (counts.clone(), stop_rx.clone());
        agents.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    m = ws.next() => {
                        let Some(m) = m else { bail!("agent socket closed") };
                        let Message::Text(text) = m? else { continue };
                        counts.frames.fetch_add(1, Ordering::Relaxed);
                        // Cheaper than parsing: the generator must keep up with 200 agents.
                        if text.as_str().starts_with(r#"{"type":"chat.requested""#) {
                            counts.requested.fetch_add(1, Ordering::Relaxed);
                            counts.last_us.fetch_max(now_us(), Ordering::Relaxed);
                        }
                    }
                    _ = stop_rx.changed() => return Ok(()),
                }
            }
        }));
    }
    let mut visitors = Vec::new();
    for i in 0..ctx.plan.fanout_visitors {
        let site = t.chat_site.clone();
        let (ws, _) = clients::visitor(
            t.visitor_addr(i),
            &site.key,
            &site.origin,
            Some(clients::source(i, 8)),
            None,
            "/fanout",
            WAIT,
        )
        .await?;
        visitors.push(ws);
    }
    let frames0 = counts.frames.load(Ordering::Relaxed);
    let start_us = now_us();
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(ctx.plan.fanout_secs);
    let mut loops = Vec::new();
    for mut ws in visitors {
        loops.push(tokio::spawn(async move {
            let mut n = 0u64;
            while tokio::time::Instant::now() < deadline {
                clients::request_chat(&mut ws, WAIT).await?;
                clients::send(&mut ws, r#"{"type":"chat_end","ref":"end"}"#.into()).await?;
                clients::wait_for(&mut ws, "chat_end ack", WAIT, |f| {
                    f.kind == "ack" && f.reference.as_deref() == Some("end")
                })
                .await?;
                n += 1;
            }
            Ok::<(u64, clients::Ws), anyhow::Error>((n, ws))
        }));
    }
    let mut requests = 0;
    let mut keep = Vec::new();
    for l in loops {
        let (n, ws) = l.await??;
        requests += n;
        keep.push(ws);
    }
    let expected = requests * n_agents as u64;
    let settle = tokio::time::Instant::now() + Duration::from_secs(10);
    while counts.requested.load(Ordering::Relaxed) < expected
        && tokio::time::Instant::now() < settle
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = counts.requested.load(Ordering::Relaxed);
    let frames = counts.frames.load(Ordering::Relaxed) - frames0;
    let secs = (counts
        .last_us
        .load(Ordering::Relaxed)
        .saturating_sub(start_us)) as f64
        / 1e6;
    let _ = stop.send(true);
    for a in agents {
        a.await??;
    }
    drop(keep);
    let rate = got as f64 / secs.max(1e-3);
    ctx.ops(got as f64, "chat.requested delivered to an agent");
    ctx.fig.add_goal(
        "fanout.deliveries",
        &format!("fan-out: chat.requested deliveries/s to {n_agents} agents"),
        "deliveries/s",
        Better::Higher,
        rate,
        Goal::ge(100_000.0),
    );
    ctx.fig.add(
        "fanout.frames",
        "fan-out: all frames delivered to agents/s",
        "frames/s",
        Better::Higher,
        frames as f64 / secs.max(1e-3),
    );
    ctx.fig.add(
        "fanout.requests",
        "fan-out: chat requests (+ end) per s",
        "req/s",
        Better::Higher,
        requests as f64 / secs.max(1e-3),
    );
    ctx.note(format!(
        "fan-out: {requests} requests × {n_agents} agents = {expected} expected, {got} delivered in {secs:.2} s"
    ));
    if got != expected {
        ctx.fail(format!(
            "fan-out: {got} chat.requested deliveries, expected {expected}"
        ));
    }
    Ok(())
}

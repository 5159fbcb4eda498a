//! Chat requests and accepts: On-Line agents all race to accept every requested chat;
//! exactly one must win each. Visitors request, wait for `chat.accepted`, end, repeat.

use super::Ctx;
use crate::clients::{self, now_us, parse};
use crate::report::{Better, hist, ms};
use anyhow::{Result, bail};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(30);

/// Per chat: (accepts acknowledged, accepts refused).
type Outcomes = Arc<Mutex<HashMap<i64, (u32, u32)>>>;

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let t = ctx.t;
    let n_agents = ctx.plan.race_agents.min(t.agents.len());
    let outcomes: Outcomes = Arc::default();
    let (stop, stop_rx) = watch::channel(false);
    let mut agents = Vec::new();
    for (k, cred) in t.agents.iter().take(n_agents).enumerate() {
        let mut ws = clients::agent(t.agent_addr(k), &cred.cookie, WAIT).await?;
        let (outcomes, mut stop_rx) = (outcomes.clone(), stop_rx.clone());
        agents.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    m = ws.next() => {
                        let Some(m) = m else { bail!("agent socket closed") };
                        let Message::Text(text) = m? else { continue };
                        let f = parse(text.as_str())?;
                        match (f.kind.as_ref(), f.reference.as_deref()) {
                            ("chat.requested", _) => {
                                let Some(c) = f.chat else { continue };
                                let frame = format!(r#"{{"type":"accept","ref":"acc{0}","chat_id":{0}}}"#, c.chat_id);
                                clients::send(&mut ws, frame).await?;
                            }
                            (kind @ ("ack" | "error"), Some(r)) if r.starts_with("acc") => {
                                let id: i64 = r[3..].parse()?;
                                if let Ok(mut o) = outcomes.lock() {
                                    let e = o.entry(id).or_default();
                                    if kind == "ack" { e.0 += 1 } else { e.1 += 1 }
                                }
                            }
                            _ => {}
                        }
                    }
                    _ = stop_rx.changed() => return Ok(()),
                }
            }
        }));
    }
    let mut visitors = Vec::new();
    for i in 0..ctx.plan.race_visitors {
        let site = t.chat_site.clone();
        let src = Some(clients::source(i, 8));
        let addr = t.visitor_addr(i);
        let (ws, _) =
            clients::visitor(addr, &site.key, &site.origin, src, None, "/race", WAIT).await?;
        visitors.push(ws);
    }
    let start = std::time::Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(ctx.plan.race_secs);
    let mut loops = Vec::new();
    for mut ws in visitors {
        loops.push(tokio::spawn(async move {
            let mut h = hist();
            let mut chats = Vec::new();
            while tokio::time::Instant::now() < deadline {
                let t0 = now_us();
                let chat = clients::request_chat_until_accepted(&mut ws, WAIT).await?;
                let _ = h.record(now_us().saturating_sub(t0).max(1));
                chats.push(chat);
                clients::send(&mut ws, r#"{"type":"chat_end","ref":"end"}"#.into()).await?;
                clients::wait_for(&mut ws, "chat_end ack", WAIT, |f| {
                    f.kind == "ack" && f.reference.as_deref() == Some("end")
                })
                .await?;
            }
            Ok::<_, anyhow::Error>((h, chats, ws))
        }));
    }
    let (mut all, mut chats, mut keep) = (hist(), Vec::new(), Vec::new());
    for l in loops {
        let (h, c, ws) = l.await??;
        let _ = all.add(&h);
        chats.extend(c);
        keep.push(ws);
    }
    let secs = start.elapsed().as_secs_f64();
    // Every agent's accept is answered (ack or error) before we judge.
    let settle = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let done = outcomes.lock().map(|o| {
            chats
                .iter()
                .all(|c| o.get(c).is_some_and(|(w, l)| (w + l) as usize >= n_agents))
        });
        if done.unwrap_or(true) || tokio::time::Instant::now() > settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    for a in agents {
        a.await??;
    }
    drop(keep);
    let o = outcomes.lock().map(|o| o.clone()).unwrap_or_default();
    let (mut bad, mut unanswered) = (Vec::new(), 0usize);
    for c in &chats {
        let (w, l) = o.get(c).copied().unwrap_or_default();
        if w != 1 {
            bad.push(format!("chat {c}: {w} winners"));
        }
        if (w + l) as usize != n_agents {
            unanswered += 1;
        }
    }
    let rate = chats.len() as f64 / secs;
    ctx.ops(chats.len() as f64, "chat requested and accepted");
    ctx.fig.add(
        "race.rate",
        &format!("requests announced to {n_agents} agents and accepted"),
        "chats/s",
        Better::Higher,
        rate,
    );
    ctx.fig.add(
        "race.p50",
        "request → accepted p50",
        "ms",
        Better::Lower,
        ms(&all, 0.5),
    );
    ctx.fig.add(
        "race.p99",
        "request → accepted p99",
        "ms",
        Better::Lower,
        ms(&all, 0.99),
    );
    ctx.note(format!(
        "race: {} chats, {n_agents} agents racing each, {} with a winner count other than 1, {unanswered} with accepts unanswered",
        chats.len(),
        bad.len()
    ));
    if !bad.is_empty() {
        ctx.fail(format!("race: not exactly one winner: {}", bad.join(", ")));
    }
    if unanswered > 0 {
        ctx.fail(format!(
            "race: {unanswered} chats with accepts left unanswered"
        ));
    }
    if chats.is_empty() {
        ctx.fail("race: no chat accepted".into());
    }
    Ok(())
}

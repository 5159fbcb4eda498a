//! Delivery latency: `chats` active chats, each side sending a message every `period`
//! seconds; visitor send → agent receipt and back, plus send → ack (durable for Frontdesk).

use super::Ctx;
use super::chat::Engine;
use crate::report::{Better, Goal, ms};
use anyhow::Result;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Runs the measurement; figure keys start with `prefix`; `goal_p99` in ms.
pub async fn run(ctx: &mut Ctx<'_>, prefix: &str, secs: f64, goal_p99: f64) -> Result<()> {
    let (chats, agents, period) = (ctx.plan.chats, ctx.plan.chat_agents, ctx.plan.period);
    let setup = Instant::now();
    let e = Engine::setup(ctx.t, chats, agents).await?;
    ctx.note(format!(
        "{prefix}: {chats} chats over {agents} agents set up in {:.1} s",
        setup.elapsed().as_secs_f64()
    ));
    e.set_rate(1.0 / period);
    tokio::time::sleep(Duration::from_secs(1).min(Duration::from_secs_f64(period))).await;
    e.stats.reset();
    let d0 = e.stats.delivered.load(Ordering::Relaxed);
    let cpu0 = ctx.t.cpu_secs()?;
    let db0 = crate::target::backend_cpu_secs();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = ctx.t.cpu_secs()? - cpu0;
    let db = crate::target::backend_cpu_secs() - db0;
    let delivered = e.stats.delivered.load(Ordering::Relaxed) - d0;
    let (v2a, a2v, ack, both) = {
        let s = &e.stats;
        let get = |h: &std::sync::Mutex<crate::report::Hist>| {
            h.lock()
                .map(|h| h.clone())
                .unwrap_or_else(|_| crate::report::hist())
        };
        (get(&s.to_agent), get(&s.to_visitor), get(&s.ack), s.both())
    };
    e.drain(Duration::from_secs(120)).await;
    let errors = e.stats.errors.load(Ordering::Relaxed);
    let all = e.stats.delivered.load(Ordering::Relaxed) as f64;
    ctx.ops(all, "message delivered");
    let problems = e.finish().await?;
    let rate = delivered as f64 / elapsed;
    let f = &mut ctx.fig;
    let l = |s: &str| format!("{prefix}: {s}");
    f.add(
        &format!("{prefix}.rate"),
        &l("messages delivered"),
        "msg/s",
        Better::Info,
        rate,
    );
    for (k, h, name) in [
        ("v2a", &v2a, "visitor→agent"),
        ("a2v", &a2v, "agent→visitor"),
    ] {
        f.add(
            &format!("{prefix}.{k}.p50"),
            &l(&format!("{name} p50")),
            "ms",
            Better::Lower,
            ms(h, 0.5),
        );
        f.add_goal(
            &format!("{prefix}.{k}.p99"),
            &l(&format!("{name} p99")),
            "ms",
            Better::Lower,
            ms(h, 0.99),
            Goal::le(goal_p99),
        );
        f.add(
            &format!("{prefix}.{k}.p999"),
            &l(&format!("{name} p99.9")),
            "ms",
            Better::Lower,
            ms(h, 0.999),
        );
    }
    f.add(
        &format!("{prefix}.ack.p99"),
        &l("send→ack p99"),
        "ms",
        Better::Lower,
        ms(&ack, 0.99),
    );
    f.add(
        &format!("{prefix}.cpu_us"),
        &l("server CPU per delivered message"),
        "µs",
        Better::Lower,
        cpu * 1e6 / delivered.max(1) as f64,
    );
    ctx.note(format!(
        "{prefix}: {rate:.0} msg/s, p50/p99/p99.9 both ways {:.2}/{:.2}/{:.2} ms, server CPU {:.0}%, {errors} error frames",
        ms(&both, 0.5),
        ms(&both, 0.99),
        ms(&both, 0.999),
        cpu * 100.0 / elapsed
    ));
    if ctx.t.clustered {
        ctx.fig.add(
            &format!("{prefix}.backend_cpu_us"),
            &l("PostgreSQL + Redis CPU per delivered message (machine-wide)"),
            "µs",
            Better::Lower,
            db * 1e6 / delivered.max(1) as f64,
        );
    }
    if errors > 0 {
        ctx.fail(format!("{prefix}: {errors} error frames"));
    }
    for p in problems {
        ctx.fail(format!("{prefix}: {p}"));
    }
    if delivered == 0 {
        ctx.fail(format!("{prefix}: no message delivered"));
    }
    Ok(())
}

//! Throughput: the offered message rate is stepped up until delivery falls behind (less
//! than 90% of the offered rate delivered). Two figures: the highest delivered rate whose
//! p99 stayed ≤ 50 ms, and the highest delivered rate at all (capacity) with its p99.

use super::Ctx;
use super::chat::Engine;
use crate::report::{Better, Goal, ms};
use anyhow::Result;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const P99_LIMIT_MS: f64 = 50.0;

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let (chats, agents) = (ctx.plan.tp_chats, ctx.plan.tp_agents);
    let e = Engine::setup(ctx.t, chats, agents).await?;
    let (mut best, mut best_p99, mut best_cpu) = (0.0f64, f64::NAN, f64::NAN);
    let (mut cap, mut cap_p99) = (0.0f64, f64::NAN);
    let rates = ctx.plan.tp_rates.clone();
    let step = Duration::from_secs_f64(ctx.plan.tp_step_secs);
    let warm = Duration::from_millis(if ctx.plan.quick { 200 } else { 500 });
    for offered in rates {
        let per_side = offered as f64 / (2.0 * chats as f64);
        e.set_rate(per_side);
        tokio::time::sleep(warm).await;
        e.stats.reset();
        let d0 = e.stats.delivered.load(Ordering::Relaxed);
        let cpu0 = ctx.t.cpu_secs()?;
        let db0 = crate::target::backend_cpu_secs();
        let t0 = Instant::now();
        tokio::time::sleep(step).await;
        let secs = t0.elapsed().as_secs_f64();
        let delivered = (e.stats.delivered.load(Ordering::Relaxed) - d0) as f64 / secs;
        let cpu = (ctx.t.cpu_secs()? - cpu0) / secs;
        let db = (crate::target::backend_cpu_secs() - db0) / secs;
        let db = if ctx.t.clustered {
            format!(", PostgreSQL + Redis CPU {:.0}%", db * 100.0)
        } else {
            String::new()
        };
        let p99 = ms(&e.stats.both(), 0.99);
        let kept_up = delivered >= 0.9 * offered as f64;
        let pass = p99 <= P99_LIMIT_MS && kept_up;
        ctx.note(format!(
            "throughput step {offered}/s offered: {delivered:.0}/s delivered, p99 {p99:.1} ms, server CPU {:.0}%{db} — {}",
            cpu * 100.0,
            match (pass, kept_up) {
                (true, _) => "within 50 ms",
                (false, true) => "kept up, p99 over 50 ms",
                (false, false) => "fell behind",
            }
        ));
        if !kept_up {
            break;
        }
        (cap, cap_p99) = (delivered, p99);
        if pass && delivered > best {
            (best, best_p99, best_cpu) = (delivered, p99, cpu);
        }
    }
    e.drain(Duration::from_secs(120)).await;
    let errors = e.stats.errors.load(Ordering::Relaxed);
    let all = e.stats.delivered.load(Ordering::Relaxed) as f64;
    ctx.ops(all, "message delivered");
    let problems = e.finish().await?;
    ctx.fig.add_goal(
        "tp.max",
        "throughput: most messages/s delivered with p99 ≤ 50 ms",
        "msg/s",
        Better::Higher,
        best,
        Goal::ge(25_000.0),
    );
    ctx.fig.add(
        "tp.p99",
        "throughput: p99 at that rate",
        "ms",
        Better::Lower,
        best_p99,
    );
    ctx.fig.add(
        "tp.cpu",
        "throughput: server CPU at that rate",
        "cores",
        Better::Info,
        best_cpu,
    );
    ctx.fig.add(
        "tp.capacity",
        "throughput: most messages/s delivered (any latency)",
        "msg/s",
        Better::Higher,
        cap,
    );
    ctx.fig.add(
        "tp.capacity_p99",
        "throughput: p99 at capacity",
        "ms",
        Better::Lower,
        cap_p99,
    );
    if errors > 0 {
        ctx.fail(format!("throughput: {errors} error frames"));
    }
    for p in problems {
        ctx.fail(format!("throughput: {p}"));
    }
    Ok(())
}

//! One scenario on one freshly started target: the server's CPU and memory around it, the
//! notes on the machine's load, the server log kept when something went wrong.

use crate::machine::{cpu_busy, own_cpu};
use crate::report::{Better, Figures, Goal};
use crate::scenarios::{self, Ctx, Plan};
use crate::search_index::NO_INDEX;
use crate::server::{Fixture, Kind};
use crate::target::{self, Target};
use anyhow::{Context, Result};
use std::time::Duration;

/// What a whole bench run gathered: figures per run and target, failed checks, notes.
#[derive(Default)]
pub struct Outcome {
    pub fd: Vec<Figures>,
    pub bl: Vec<Figures>,
    pub checks: Vec<String>,
    pub notes: Vec<String>,
}

/// One scenario on one freshly started target, bounded in time.
pub async fn one(
    plan: &Plan,
    fx: &Fixture,
    kind: Kind,
    (hist, nodes): (Option<&scenarios::history::History>, usize),
    scenario: &str,
    fig: &mut Figures,
    out: &mut Outcome,
) -> Result<()> {
    // The big history's own fixture (its sites, agents and database).
    let (fx, data) = match hist {
        Some(h) => (&h.fx, Some(h.data.as_path())),
        None => (fx, None),
    };
    let extra = if scenario == "throughput-noindex" {
        NO_INDEX
    } else {
        ""
    };
    let first_sample = fig.samples.len();
    // The flood scenario measures the shipped abuse limits; the others raise them.
    let t = Target::start(kind, fx, data, (nodes, scenario == "flood"), extra).await?;
    let (busy0, ours0) = (cpu_busy(), own_cpu(&t));
    let server0 = t.cpu_secs()?;
    let backend0 = target::backend_cpu_secs();
    let limit = if plan.quick {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(1800)
    };
    let checks_before = out.checks.len();
    let mut ctx = Ctx {
        t: &t,
        plan,
        fig,
        checks: &mut out.checks,
        notes: &mut out.notes,
        ops: scenarios::Ops::default(),
    };
    let r = tokio::time::timeout(limit, async {
        match scenario {
            "startup" => startup(&mut ctx).await,
            "held" => scenarios::held::run(&mut ctx).await,
            "latency" => {
                let secs = ctx.plan.latency_secs;
                scenarios::latency::run(&mut ctx, "latency", secs, 5.0).await
            }
            "throughput" | "throughput-noindex" => scenarios::throughput::run(&mut ctx).await,
            "fanout" => scenarios::fanout::run(&mut ctx).await,
            "race" => scenarios::race::run(&mut ctx).await,
            "pageviews" => scenarios::pageviews::run(&mut ctx).await,
            "flood" => scenarios::flood::run(&mut ctx).await,
            "routing" => scenarios::routing::run(&mut ctx).await,
            "history" | "search" => {
                let h = hist.context("the big history")?;
                if scenario == "search" {
                    scenarios::search::run(&mut ctx, h).await
                } else {
                    scenarios::history::run(&mut ctx, h).await
                }
            }
            other => anyhow::bail!("unknown scenario {other}"),
        }
    })
    .await
    .unwrap_or_else(|_| Err(anyhow::anyhow!("timed out after {limit:?}")));
    let (slow_lines, slow) = t.log_count("slow reader");
    let (busy1, ours1) = (cpu_busy(), own_cpu(&t));
    let backend = target::backend_cpu_secs() - backend0;
    // NaN (left out of the medians) when a server died during the scenario.
    let server = t.cpu_secs().unwrap_or(f64::NAN) - server0;
    usage(&mut ctx, scenario, server, backend);
    let others = (busy1 - busy0) - (ours1 - ours0) - backend;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let pg = if fx.cluster.is_some() && kind.is_frontdesk() {
        format!(", PostgreSQL + Redis processes {backend:.1}")
    } else {
        String::new()
    };
    ctx.note(format!(
        "{scenario}: other processes on the machine used {others:.1} CPU-seconds meanwhile{pg} (load average {})",
        load.join(" ")
    ));
    let keep = std::path::PathBuf::from(format!(
        "/tmp/frontdesk-bench-logs/{}-{scenario}.log",
        kind.name()
    ));
    if slow > 0 {
        ctx.note(format!(
            "{scenario}: server logged {slow_lines} slow-reader cut-offs ({slow} distinct connection lines; log kept in {})",
            keep.display()
        ));
    }
    let failed = r.is_err() || ctx.checks.len() > checks_before;
    if failed {
        ctx.note(format!(
            "{scenario}: failed; server log kept in {}",
            keep.display()
        ));
    }
    if scenario == "throughput-noindex" {
        for s in &mut ctx.fig.samples[first_sample..] {
            s.key = s.key.replacen("tp.", "tp_noindex.", 1);
            s.label = s
                .label
                .replacen("throughput:", "throughput, search index off:", 1);
            s.goal = None;
        }
    }
    t.stop((slow > 0 || failed).then_some(keep.as_path())).await;
    r
}

/// The server's CPU per operation over the whole scenario (set-up and drain included), its
/// peak RSS, and in cluster mode PostgreSQL's and Redis's CPU per operation.
fn usage(ctx: &mut Ctx<'_>, scenario: &str, server: f64, backend: f64) {
    let ops = ctx.ops.clone();
    if ops.count > 0.0 {
        ctx.fig.add(
            &format!("{scenario}.server_cpu_per_op"),
            &format!("{scenario}: server CPU per {} (whole scenario)", ops.what),
            "µs",
            Better::Lower,
            server * 1e6 / ops.count,
        );
        if ctx.t.clustered {
            ctx.fig.add(
                &format!("{scenario}.backend_cpu_per_op"),
                &format!(
                    "{scenario}: PostgreSQL + Redis CPU per {} (machine-wide)",
                    ops.what
                ),
                "µs",
                Better::Lower,
                backend * 1e6 / ops.count,
            );
        }
    }
    let peak = ctx.t.peak_rss_kib().map_or(f64::NAN, |k| k as f64 / 1024.0);
    ctx.fig.add(
        &format!("{scenario}.server_peak_rss"),
        &format!("{scenario}: server peak RSS (VmHWM, all nodes)"),
        "MiB",
        Better::Lower,
        peak,
    );
    ctx.note(format!(
        "{scenario}: server used {server:.2} CPU-seconds for {:.0} operations ({}), peak RSS {peak:.1} MiB",
        ops.count, ops.what
    ));
}

async fn startup(ctx: &mut Ctx<'_>) -> Result<()> {
    let ready = ctx.t.ready.as_secs_f64() * 1000.0;
    let idle = if ctx.plan.quick { 200 } else { 2000 };
    tokio::time::sleep(Duration::from_millis(idle)).await;
    let rss = ctx.t.rss_kib()? as f64 / 1024.0;
    ctx.fig.add_goal(
        "startup.ready",
        "start-up: spawn → /readyz 200",
        "ms",
        Better::Lower,
        ready,
        Goal::le(200.0),
    );
    ctx.fig.add_goal(
        "startup.rss",
        "idle RSS",
        "MiB",
        Better::Lower,
        rss,
        Goal::le(30.0),
    );
    Ok(())
}

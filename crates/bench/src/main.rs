//! `frontdesk-bench`: starts the release `frontdesk serve` and a bare relay baseline, drives
//! both with the same real WebSocket clients, and reports every figure beside the baseline's
//! (medians of `--runs` runs with their spread) as a table and, with `--json`, a file.
//!
//! `--quick` (about ten seconds) runs every scenario small and checks that the numbers are
//! sane: every acknowledged message delivered exactly once, exactly one winner per chat, all
//! page views recorded. It exits non-zero when a check fails; it never judges speed.
//!
//! Cluster mode (`--database-url`, `--redis-url`, `--nodes N`): the same scenarios against N
//! `frontdesk serve` processes sharing PostgreSQL and Redis, agents and visitors spread over
//! them round robin so that every chat message crosses nodes (see `cluster.rs`).

mod baseline;
mod clients;
mod cluster;
mod machine;
mod report;
mod scenarios;
mod search_index;
mod server;
mod target;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use machine::{cpu_busy, machine, own_cpu};
use report::{Better, Figures, Goal};
use scenarios::{Ctx, Plan};
use search_index::{NO_INDEX, index_cost, index_switch};
use server::{Fixture, Kind};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use target::Target;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk-bench",
    about = "Frontdesk load generator and benchmark"
)]
struct Args {
    #[command(subcommand)]
    cmd: Option<Sub>,
    /// About ten seconds, small counts, sanity checks only (the test suite runs this).
    #[arg(long)]
    quick: bool,
    /// Runs of every scenario (medians are reported). Default: 3, or 1 with --quick.
    #[arg(long)]
    runs: Option<usize>,
    /// Also write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The release server binary.
    #[arg(long, default_value = "target/release/frontdesk")]
    server_bin: PathBuf,
    /// Only these scenarios (comma-separated): startup, held, latency, throughput,
    /// throughput-noindex, fanout, race, pageviews, search, history, flood, routing.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Only this target: frontdesk or baseline (default both; figures need both for ratios).
    #[arg(long)]
    target: Option<String>,
    /// Visitors to hold (default 100000; --quick 200).
    #[arg(long)]
    visitors: Option<usize>,
    /// Active chats in the latency scenario (default 2000; --quick 20).
    #[arg(long)]
    chats: Option<usize>,
    /// Chats in the big history (default 1000000, 10 messages each; --quick 2000).
    #[arg(long)]
    history_chats: Option<u64>,
    /// Keep the big history here and reuse it in later runs (same backend and size): it is
    /// generated once (with --database-url, into the database frontdesk_hist_<chats>, kept).
    /// Without it, the history is generated in a temporary place and removed at the end.
    #[arg(long)]
    history_dir: Option<PathBuf>,
    /// Agents On-Line in the routing scenario (default 1000; --quick 10).
    #[arg(long)]
    routing_agents: Option<usize>,
    /// Frontdesk nodes to run (more than one needs --database-url and --redis-url). Agent i
    /// connects to node i mod N, the visitors it chats with to the next node.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Run Frontdesk on PostgreSQL: an administrative URL such as
    /// postgres://postgres@127.0.0.1:5432/postgres. The bench creates its own databases
    /// frontdesk_bench_<pid>_tpl and _run there (fresh for every scenario) and drops them at
    /// the end; the database named in the URL is only connected to, never written.
    #[arg(long)]
    database_url: Option<String>,
    /// Cluster mode: Redis for events and presence (redis://127.0.0.1:6379). Keys and
    /// channels are under fdbench:<pid>:<n>, deleted at the end. Needs --database-url.
    #[arg(long)]
    redis_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Run the bare relay baseline (started by the bench itself).
    #[command(hide = true)]
    Relay {
        #[arg(long)]
        listen: SocketAddr,
    },
}

/// Scenarios that spread their clients over the nodes (the default set with --database-url).
const CLUSTER_SCENARIOS: [&str; 5] = ["startup", "latency", "throughput", "fanout", "race"];

const SCENARIOS: [&str; 12] = [
    "startup",
    "held",
    "latency",
    "throughput",
    "throughput-noindex",
    "fanout",
    "race",
    "pageviews",
    "search",
    "history",
    "flood",
    "routing",
];

/// Scenarios on the big history (generated once per bench run, or kept: --history-dir).
const ON_HISTORY: [&str; 2] = ["search", "history"];

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(Sub::Relay { listen }) = args.cmd {
        return baseline::serve(listen).await;
    }
    let code = bench(args).await?;
    std::process::exit(code);
}

#[derive(Default)]
struct Outcome {
    fd: Vec<Figures>,
    bl: Vec<Figures>,
    checks: Vec<String>,
    notes: Vec<String>,
}

async fn bench(args: Args) -> Result<i32> {
    let mut plan = if args.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    if let Some(v) = args.visitors {
        plan.held_visitors = v;
    }
    if let Some(c) = args.chats {
        plan.chats = c;
    }
    if let Some(h) = args.history_chats {
        plan.history_chats = h;
    }
    if let Some(n) = args.routing_agents {
        plan.routing_agents = n;
    }
    let runs = args.runs.unwrap_or(if args.quick { 1 } else { 3 }).max(1);
    if args.nodes == 0 {
        anyhow::bail!("--nodes must be at least 1");
    }
    if args.redis_url.is_some() && args.database_url.is_none() {
        anyhow::bail!("--redis-url needs --database-url (the nodes share one PostgreSQL database)");
    }
    if args.nodes > 1 && (args.database_url.is_none() || args.redis_url.is_none()) {
        anyhow::bail!(
            "--nodes {} needs --database-url and --redis-url",
            args.nodes
        );
    }
    let clustered = args.database_url.is_some();
    let selected: Vec<&str> = SCENARIOS
        .iter()
        .copied()
        .filter(|s| {
            if args.only.is_empty() {
                !clustered || CLUSTER_SCENARIOS.contains(s)
            } else {
                args.only.iter().any(|o| o == s)
            }
        })
        .collect();
    if args.nodes > 1 && selected.iter().any(|s| ON_HISTORY.contains(s)) {
        anyhow::bail!("the big history scenarios (search, history) run on one node");
    }
    let cluster = match &args.database_url {
        Some(url) => Some(Arc::new(
            cluster::Cluster::new(url, args.redis_url.as_deref()).await?,
        )),
        None => None,
    };
    let code = bench_on(&args, plan, runs, &selected, cluster.clone()).await;
    if let Some(c) = &cluster {
        c.cleanup().await;
    }
    code
}

async fn bench_on(
    args: &Args,
    mut plan: Plan,
    runs: usize,
    selected: &[&str],
    cluster: Option<Arc<cluster::Cluster>>,
) -> Result<i32> {
    let nofile = server::raise_nofile();
    // Each side (the generator, the server) holds one descriptor per socket: stay under the
    // limit with room for the chats run while the visitors are held.
    let room = (nofile as usize).saturating_sub(plan.chats + plan.chat_agents + 500);
    let mut early_notes = Vec::new();
    if plan.held_visitors > room && selected.contains(&"held") {
        let n = format!(
            "open-file limit (RLIMIT_NOFILE) is {nofile} and cannot be raised here: holding {room} visitors instead of {}",
            plan.held_visitors
        );
        eprintln!("{n}");
        early_notes.push(n);
        plan.held_visitors = room;
    }
    let started = std::time::Instant::now();
    let n_agents = plan.agents_for(selected);
    let fx = Fixture::provision(&args.server_bin, n_agents, cluster).await?;
    let (nodes, backend) = (args.nodes, fx.backend());
    eprintln!(
        "frontdesk-bench: {} mode, {runs} run(s), {nodes} node(s) on {backend}, scenarios {selected:?}, open-file limit {nofile}",
        if args.quick { "quick" } else { "full" }
    );
    eprintln!(
        "provisioned 2 sites and {} agents in {:.1} s",
        n_agents + 1,
        started.elapsed().as_secs_f64()
    );
    let mut out = Outcome {
        notes: early_notes,
        ..Outcome::default()
    };
    let hist_tmp = tempfile::Builder::new().prefix("fd-bench-hist").tempdir()?;
    let history = if selected.iter().any(|s| ON_HISTORY.contains(s)) {
        let (dir, keep) = match &args.history_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (d.as_path(), true)
            }
            None => (hist_tmp.path(), false),
        };
        let size = (plan.history_chats, plan.history_messages);
        Some(scenarios::history::prepare(&fx, dir, keep, size, &mut out.notes).await?)
    } else {
        None
    };
    let index_switch = !selected.contains(&"throughput-noindex") || index_switch(&fx).await;
    if !index_switch {
        out.notes
            .push("throughput-noindex: this build has no `[search] index` setting: not run".into());
    }
    for run in 0..runs {
        let mut figs = [Figures::default(), Figures::default()];
        for &scenario in selected {
            for (i, kind) in [Kind::Frontdesk, Kind::Baseline].into_iter().enumerate() {
                // The relay has no limits to measure, no routing, no archive: these are
                // Frontdesk's only.
                let ours = [
                    "history",
                    "search",
                    "flood",
                    "routing",
                    "throughput-noindex",
                ];
                if (ours.contains(&scenario) && kind == Kind::Baseline)
                    || args.target.as_deref().is_some_and(|t| t != kind.name())
                    || (scenario == "throughput-noindex" && !index_switch)
                {
                    continue;
                }
                eprintln!("run {}/{runs}: {scenario} on {}", run + 1, kind.name());
                let hist = history.as_ref().filter(|_| ON_HISTORY.contains(&scenario));
                let at = (hist, nodes);
                let r = one(&plan, &fx, kind, at, scenario, &mut figs[i], &mut out).await;
                if let Err(e) = r {
                    let msg = format!("[{}] {scenario} failed: {e:#}", kind.name());
                    eprintln!("    {msg}");
                    out.checks.push(msg);
                }
            }
        }
        let [mut fd, bl] = figs;
        index_cost(&mut fd);
        out.fd.push(fd);
        out.bl.push(bl);
    }
    let rows = report::aggregate(&out.fd, &out.bl, nodes, backend);
    let table = report::table(&rows);
    println!("\n{table}");
    println!("Notes:");
    for n in &out.notes {
        println!("- {n}");
    }
    if out.checks.is_empty() {
        println!("\nChecks: all passed.");
    } else {
        println!("\nChecks FAILED:");
        for c in &out.checks {
            println!("- {c}");
        }
    }
    println!("Total time: {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = &args.json {
        let doc = serde_json::json!({
            "command": std::env::args().collect::<Vec<_>>().join(" "),
            "mode": if args.quick { "quick" } else { "full" },
            "runs": runs,
            "nodes": nodes,
            "backend": backend,
            "machine": machine(),
            "open_file_limit": nofile,
            "rows": rows,
            "table_markdown": table,
            "notes": out.notes,
            "checks_failed": out.checks,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(if out.checks.is_empty() { 0 } else { 1 })
}

/// One scenario on one freshly started target, bounded in time.
async fn one(
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
    let others = (busy1 - busy0) - (ours1 - ours0) - backend;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let pg = if fx.cluster.is_some() && kind == Kind::Frontdesk {
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

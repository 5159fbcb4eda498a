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
mod run;
mod scenarios;
mod search_index;
mod server;
mod target;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use machine::machine;
use report::Figures;
use run::{Outcome, one};
use scenarios::Plan;
use search_index::{index_cost, index_switch};
use server::{Fixture, Kind};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// A/B: run two server binaries, A (before a change) and B (after), instead of Frontdesk
    /// and the relay, alternating which goes first in each run so that both share the
    /// machine's noise; reports the median of A, of B and B/A for every figure. A
    /// provisions the fixture (B must open A's database). Use --runs 3 or more.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    compare: Vec<PathBuf>,
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
    let compare = args.compare.len() == 2;
    let bin = args.compare.first().unwrap_or(&args.server_bin);
    let mut fx = Fixture::provision(bin, n_agents, cluster).await?;
    if let Some(b) = args.compare.get(1) {
        let b = std::fs::canonicalize(b)
            .with_context(|| format!("server binary B {} (build it first)", b.display()))?;
        eprintln!("compare: A = {}, B = {}", fx.bin.display(), b.display());
        fx.bin_b = Some(b);
    }
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
            for kind in kinds(compare, run) {
                let i = usize::from(kind != Kind::Frontdesk);
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
                    || (!compare && args.target.as_deref().is_some_and(|t| t != kind.name()))
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
        let [mut fd, mut bl] = figs;
        index_cost(&mut fd);
        if compare {
            index_cost(&mut bl);
        }
        out.fd.push(fd);
        out.bl.push(bl);
    }
    let rows = report::aggregate(&out.fd, &out.bl, nodes, backend);
    let table = if compare {
        report::compare_table(&rows)
    } else {
        report::table(&rows)
    };
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
            "compare": compare.then(|| serde_json::json!({
                "a": fx.bin.display().to_string(),
                "b": fx.bin_b.as_ref().map(|b| b.display().to_string()),
                "rows": report::compare_rows(&rows),
            })),
            "rows": rows,
            "table_markdown": table,
            "notes": out.notes,
            "checks_failed": out.checks,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(if out.checks.is_empty() { 0 } else { 1 })
}

/// Which servers a run drives, in order: Frontdesk then the relay; with `--compare`, A and B,
/// A first in odd runs and B first in even ones (so that neither always runs on the machine
/// the other has just warmed, or cooled).
fn kinds(compare: bool, run: usize) -> [Kind; 2] {
    match (compare, run % 2) {
        (false, _) => [Kind::Frontdesk, Kind::Baseline],
        (true, 0) => [Kind::Frontdesk, Kind::FrontdeskB],
        (true, _) => [Kind::FrontdeskB, Kind::Frontdesk],
    }
}

//! The scenarios, each run against one freshly started target.

pub mod chat;
pub mod fanout;
pub mod flood;
pub mod held;
pub mod history;
pub mod latency;
pub mod pageviews;
pub mod race;
pub mod routing;
pub mod search;
pub mod throughput;

use crate::report::Figures;
use crate::target::Target;
use std::time::Duration;

/// Sizes and durations: `--quick` or full.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub held_visitors: usize,
    pub held_sources: usize,
    pub connect_concurrency: usize,
    /// Longest the held visitors may take to connect (and to reconnect in the storm).
    pub held_budget: Duration,
    pub chats: usize,
    pub chat_agents: usize,
    /// Seconds between two messages of one side of a chat.
    pub period: f64,
    pub latency_secs: f64,
    pub loaded_latency_secs: f64,
    pub tp_chats: usize,
    pub tp_agents: usize,
    /// Offered rates, messages per second (both directions together), stepped up.
    pub tp_rates: Vec<u64>,
    pub tp_step_secs: f64,
    pub fanout_agents: usize,
    pub fanout_visitors: usize,
    pub fanout_secs: f64,
    pub race_agents: usize,
    pub race_visitors: usize,
    pub race_secs: f64,
    pub pv_visitors: usize,
    pub pv_secs: f64,
    /// Flood isolation: honest chats (kept under the shipped per-connection limits).
    pub flood_chats: usize,
    pub flood_agents: usize,
    pub flood_period: f64,
    /// Seconds measured per phase (no flooder, then each count of flooders).
    pub flood_secs: f64,
    pub flood_attackers: Vec<usize>,
    pub history_chats: u64,
    pub history_messages: u32,
    pub history_samples: usize,
    /// Routing: agents On-Line on the chat site; visitors asking in a closed loop for
    /// `routing_secs` per mode (chats/s); chats timed one at a time per mode (request → offer).
    pub routing_agents: usize,
    pub routing_visitors: usize,
    pub routing_secs: f64,
    pub routing_samples: usize,
}

impl Plan {
    pub fn quick() -> Plan {
        Plan {
            quick: true,
            held_visitors: 200,
            held_sources: 4,
            connect_concurrency: 64,
            held_budget: Duration::from_secs(30),
            chats: 20,
            chat_agents: 4,
            period: 0.5,
            latency_secs: 1.0,
            loaded_latency_secs: 0.0,
            tp_chats: 10,
            tp_agents: 5,
            tp_rates: vec![200],
            tp_step_secs: 1.0,
            fanout_agents: 8,
            fanout_visitors: 5,
            fanout_secs: 0.5,
            race_agents: 8,
            race_visitors: 5,
            race_secs: 0.5,
            pv_visitors: 10,
            pv_secs: 0.5,
            flood_chats: 20,
            flood_agents: 4,
            flood_period: 2.0,
            flood_secs: 1.0,
            flood_attackers: vec![1],
            history_chats: 2_000,
            history_messages: 10,
            history_samples: 20,
            routing_agents: 10,
            routing_visitors: 4,
            routing_secs: 0.5,
            routing_samples: 10,
        }
    }

    pub fn full() -> Plan {
        Plan {
            quick: false,
            held_visitors: 100_000,
            held_sources: 32,
            connect_concurrency: 500,
            held_budget: Duration::from_secs(240),
            chats: 2_000,
            chat_agents: 100,
            period: 2.0,
            latency_secs: 20.0,
            loaded_latency_secs: 15.0,
            tp_chats: 200,
            tp_agents: 100,
            tp_rates: vec![
                500, 1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000,
            ],
            tp_step_secs: 5.0,
            fanout_agents: 200,
            fanout_visitors: 50,
            fanout_secs: 10.0,
            race_agents: 50,
            race_visitors: 50,
            race_secs: 10.0,
            pv_visitors: 200,
            pv_secs: 10.0,
            flood_chats: 200,
            flood_agents: 20,
            flood_period: 2.0,
            flood_secs: 15.0,
            flood_attackers: vec![1, 10],
            history_chats: 1_000_000,
            history_messages: 10,
            history_samples: 500,
            routing_agents: 1_000,
            routing_visitors: 20,
            routing_secs: 10.0,
            routing_samples: 300,
        }
    }

    /// Agents the fixture needs for `scenarios` (routing wants many more than the others).
    pub fn agents_for(&self, scenarios: &[&str]) -> usize {
        if scenarios.contains(&"routing") {
            self.agents().max(self.routing_agents)
        } else {
            self.agents()
        }
    }

    /// Agents the fixture needs, routing aside.
    pub fn agents(&self) -> usize {
        [
            self.chat_agents,
            self.tp_agents,
            self.fanout_agents,
            self.race_agents,
            self.flood_agents,
        ]
        .into_iter()
        .max()
        .unwrap_or(1)
    }
}

/// One scenario against one target: figures, failed checks and notes.
pub struct Ctx<'a> {
    pub t: &'a Target,
    pub plan: &'a Plan,
    pub fig: &'a mut Figures,
    pub checks: &'a mut Vec<String>,
    pub notes: &'a mut Vec<String>,
    /// What the scenario did, for the server's CPU per operation (see [`Ctx::ops`]).
    pub ops: Ops,
}

/// Operations a scenario drove through the server: a count and what one is ("message
/// delivered"). The bench divides the server's CPU over the whole scenario by the count.
#[derive(Debug, Default, Clone)]
pub struct Ops {
    pub count: f64,
    pub what: &'static str,
}

impl Ctx<'_> {
    pub fn note(&mut self, s: String) {
        eprintln!("    [{}] {s}", self.t.kind.name());
        self.notes.push(format!("[{}] {s}", self.t.kind.name()));
    }
    /// Counts `n` more operations of kind `what` (one kind per scenario).
    pub fn ops(&mut self, n: f64, what: &'static str) {
        self.ops.count += n;
        self.ops.what = what;
    }
    pub fn fail(&mut self, s: String) {
        eprintln!("    [{}] CHECK FAILED: {s}", self.t.kind.name());
        self.checks.push(format!("[{}] {s}", self.t.kind.name()));
    }
}

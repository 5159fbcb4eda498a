//! `TestApp`: a running server and typed clients for agents and visitors. The server runs on
//! the backend `FRONTDESK_TEST_BACKEND` names (see `backend.rs`): the same tests cover both.
//!
//! * `app.rs`: [`TestApp`], the server (spawn, restart, cluster nodes) and its fixtures (sites,
//!   agents, visitors);
//! * `agent.rs`: [`AgentClient`], a signed-in agent's REST session, and the agent's socket moves;
//! * `visitor.rs`: [`VisitorClient`], a visitor's socket after `hello`;
//! * `process.rs`: the real binary as a child process (for kill -9, backup, restart tests);
//! * `ws.rs`: [`Ws`], the WebSocket client both use, which keeps the frames a wait skipped.

#![allow(dead_code)]

mod agent;
mod app;
pub mod process;
mod visitor;
mod ws;

pub use agent::{AgentClient, accept, agent_say, login};
pub use app::TestApp;
pub use visitor::VisitorClient;
pub use ws::Ws;

use frontdesk_core::Timestamp;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Long enough never to fire on a healthy run; a failing test ends instead of hanging.
pub const WAIT: Duration = Duration::from_secs(20);

/// 2026-11-25T12:00:00Z.
pub const START: Timestamp = Timestamp(1_795_608_000_000);

pub const PASSWORD: &str = "correct horse battery";

static SEQ: AtomicU64 = AtomicU64::new(1);

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

/// The seqs of a `messages` array (of a `chat.history` frame or a REST chat), in its order.
pub fn seqs_of(messages: &Value) -> Vec<i64> {
    messages
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["seq"].as_i64())
        .collect()
}

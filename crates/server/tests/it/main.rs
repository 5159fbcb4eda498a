//! The one integration-test binary: real server on an ephemeral port, a fresh database per
//! test (SQLite; or PostgreSQL and Redis with `FRONTDESK_TEST_BACKEND=cluster`, see
//! `backend.rs`), real WebSocket and HTTP clients. Time moves only by the test's `ManualClock`.

mod backend;
mod bad_input;
mod cli;
mod cluster;
mod cluster_bench;
mod cluster_kill;
mod crash;
mod helpers;
mod lifecycle;
mod messages;
mod rest;
mod security;
mod upgrade;

//! The one integration-test binary: real server on an ephemeral port, a fresh database per
//! test (SQLite; or PostgreSQL and Redis with `FRONTDESK_TEST_BACKEND=cluster`, see
//! `backend.rs`), real WebSocket and HTTP clients. Time moves only by the test's `ManualClock`.

mod archive;
mod backend;
mod backup;
mod bad_input;
mod cli;
mod clock_jumps;
mod cluster;
mod cluster_health;
mod cluster_kill;
mod colleagues;
mod completions;
mod crash;
mod departments;
mod disk_full;
mod doctor;
mod files;
mod fuzz_corpus;
mod helpers;
mod hours;
mod lifecycle;
mod messages;
mod notes;
mod rate_limits;
mod ratings;
mod rest;
mod resume;
mod routing;
mod search_cli;
mod security;
mod slow_clients;
mod supervision;
mod tags;
mod tls;
mod together;
mod unanswered;
mod unread_replies;
mod upgrade;
mod visitor_email;
mod visitor_transcript;

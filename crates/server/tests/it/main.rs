//! The one integration-test binary: real server on an ephemeral port, fresh SQLite file per
//! test, real WebSocket and HTTP clients. Time moves only by the test's `ManualClock`.

mod bad_input;
mod helpers;
mod lifecycle;
mod messages;
mod rest;
mod security;

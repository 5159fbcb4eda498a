//! Frontdesk server: the imperative shell around `frontdesk-core`.
//!
//! HTTP and WebSocket in (`http`, `realtime`), storage and fan-out behind traits
//! (`frontdesk_core::store`, `realtime::bus`), use cases in `services`.

pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod fuzzing;
pub mod http;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod realtime;
pub mod security;
pub mod services;
pub mod startup;
pub mod state;
pub mod tracking;

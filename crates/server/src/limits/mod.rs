//! Every rate limiter and counter of the server, in one place: how a configured [`Rate`]
//! becomes a token bucket (`rate`), the visitor socket's frame limits (`visitor`), the per-IP
//! socket cap (`sockets`) and the sign-in throttles (`login`).
//!
//! This module sits below `state`, `http`, `realtime` and `services`: it knows the settings
//! (`config`) and the error type, nothing of the app, so every layer above can hold and use it.
//! Everything here is counted in memory, so per node.
//!
//! [`Rate`]: crate::config::Rate

pub mod archive;
pub mod login;
pub mod rate;
pub mod sockets;
pub mod tokens;
pub mod visitor;

//! Frontdesk server: the imperative shell around `frontdesk-core`.
//!
//! HTTP and WebSocket in (`http`, `realtime`), storage and fan-out behind traits
//! (`frontdesk_core::store`, `realtime::bus`), use cases in `services`. Dependencies point
//! one way: sockets and HTTP handlers → `services` → the core, the store traits and the
//! low-level `realtime::{hub, bus, presence}` and `hot_chats`; `state::App` holds only the
//! low-level parts.
//!
//! # Reading order: a visitor's message, from the socket to the agent's screen
//!
//! 1. `startup::run` builds the [`state::App`] and `http::router` mounts `/ws/visitor` on
//!    `realtime::visitor_ws::handler`: origin and per-IP checks, then
//!    `realtime::socket::upgrade`.
//! 2. `realtime::visitor_ws::run` starts the connection with `realtime::socket::Socket::start`
//!    (which spawns `realtime::writer::run_writer`, the only code that writes to the socket),
//!    and waits for `hello` (`visitor_ws::welcome` → `services::visits::hello`).
//! 3. Each frame: `Socket::next` → `realtime::decode::decode` → `Visitor::on_frame`
//!    (`realtime/visitor_ws/frames.rs`), which counts it against the rate limits
//!    (`limits::visitor`) and calls the use case
//!    `services::messages::post_by_visitor`.
//! 4. `post_by_visitor` checks the text (`frontdesk_core::text::check_message`) and calls
//!    `Store::append_visitor_message`: one write that finds the visitor's open chat (an ended
//!    chat takes no message), gives the message the chat's next `seq` and commits.
//! 5. `services::messages::deliver` publishes the stored message to the visitor's tabs and to
//!    the agent who holds the chat: [`state::App::publish`] → `realtime::bus::Bus::publish`
//!    (in process, `MemoryBus` → `realtime::bus::dispatch`; in a cluster, Redis first) →
//!    `realtime::hub::Hub::deliver`, which picks the connections by the core's rule
//!    (`frontdesk_core::audience`) and queues the frame on each (`ConnHandle::deliver`).
//! 6. Back in `on_frame`, the sender gets its `ack` with the `seq`, queued after the
//!    message frame (the protocol promises events before the ack on a connection).
//! 7. Each connection's `run_writer` sends queued frames in order, never the same `seq`
//!    twice; a client that missed some catches up through `realtime::replay`.
//!
//! An agent's frames take the same road through `realtime::agent_ws` (`frames.rs`) and the
//! use cases in `services` (`agents`, `chats`, `messages`, `transfer`). Within `services` the
//! imports point one way: `summary`, `capacity` < `presence`, `departments` < `routing` <
//! `chats` < `transfer`, `agents`.

pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod files;
pub mod fuzzing;
pub mod hot_chats;
pub mod http;
pub mod limits;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod realtime;
pub mod security;
pub mod services;
pub mod startup;
pub mod state;
pub mod tls;
pub mod tracking;

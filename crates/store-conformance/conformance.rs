//! The store conformance suite: every storage rule written once, run by both store test
//! binaries (each includes this file with `#[path]` and provides the backend's helpers: see
//! README.md).

use super::*;

mod archive;
mod canned;
mod chats;
mod colleagues;
mod departments;
mod dump;
mod files;
pub mod helpers;
mod integrations;
mod lifecycle;
mod page_loads;
mod people;
mod ratings;
mod reports;
mod routing;
mod tags;
mod unanswered;
mod unread;
mod visitor_messages;
mod visitors;

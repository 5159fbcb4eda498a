//! Frontdesk's functional core: the product's language and rules, with no I/O.
//!
//! The shell (`frontdesk` server crate) moves data in and out; everything here is
//! plain data and pure functions, unit-tested without a database or a socket.

pub mod appearance;
pub mod archive;
pub mod audience;
pub mod audit;
pub mod bulk;
pub mod canned;
pub mod chat;
pub mod colleagues;
pub mod day;
pub mod departments;
pub mod dump;
pub mod error;
pub mod file_serving;
pub mod files;
pub mod hours;
pub mod identity;
pub mod ids;
pub mod invitation_rules;
pub mod latency;
pub mod link;
pub mod model;
pub mod notes;
pub mod privacy;
pub mod protocol;
pub mod rating;
pub mod reports;
pub mod routing;
pub mod search;
pub mod site_settings;
pub mod store;
pub mod tags;
pub mod text;
pub mod tokens;
pub mod unanswered;
pub mod webhooks;
pub mod widget_language;

pub use chat::{ChatCommand, ChatState, EndReason, Party};
pub use error::{ChatError, ErrorCode};
pub use ids::*;

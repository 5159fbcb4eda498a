//! Use cases: each takes the app state, asks the core for a decision, stores it, and
//! publishes who must be told.

pub mod access;
pub mod agent_names;
pub mod agents;
pub mod archive;
pub mod audit;
pub mod auto_invitations;
pub mod capacity;
pub mod chats;
pub mod colleagues;
pub mod departments;
pub mod files;
pub mod hot;
pub mod hours;
pub mod identity;
pub mod messages;
pub mod notes;
pub mod offline;
pub mod presence;
pub mod privacy;
pub mod ratings;
pub mod reports;
pub mod requeue;
pub mod retention;
pub mod routing;
pub mod summary;
pub mod supervision;
pub mod sweeps;
pub mod tags;
pub mod transcript;
pub mod transfer;
pub mod unanswered;
pub mod unread;
pub mod visitor_transcript;
pub mod visits;
pub mod webhooks;

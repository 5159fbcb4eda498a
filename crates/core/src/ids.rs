//! Identifiers and time, as newtypes so that an agent id is never passed where a chat id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

int_id!(
    /// A site (one customer website) registered with Frontdesk.
    SiteId
);
int_id!(
    /// An agent (a person who answers chats in the console).
    AgentId
);
int_id!(
    /// A chat between one visitor and (at most) one agent at a time.
    ChatId
);
int_id!(
    /// One visit: a run of page views without 30 minutes of inactivity.
    VisitId
);
int_id!(
    /// A stored block of a visitor on a site.
    BlockId
);
int_id!(
    /// A canned response.
    CannedId
);
int_id!(
    /// An offline message left while no agent was On-Line.
    OfflineMessageId
);
int_id!(
    /// A department of a site (Sales, Support): chats can be routed to its agents.
    DepartmentId
);

int_id!(
    /// An API token (`Authorization: Bearer fd_...`).
    TokenId
);
int_id!(
    /// One entry of the audit log.
    AuditId
);
int_id!(
    /// A webhook: a URL of the site owner's that receives events (issue 18).
    WebhookId
);
int_id!(
    /// One event on its way to one webhook (a row of the outbox, and of the deliveries log).
    DeliveryId
);

/// Per-chat message sequence number, starting at 1. `Seq(0)` means "nothing seen yet".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seq(pub i64);

impl Seq {
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

/// A visitor's stable id on one site (a random UUID chosen by the server, kept by the widget).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorId(pub String);

impl fmt::Display for VisitorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The public key of a site, used in the embed snippet (`data-site="..."`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteKey(pub String);

impl fmt::Display for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Milliseconds since the Unix epoch, UTC. Order of messages never comes from this:
/// it comes from [`Seq`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
    pub fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

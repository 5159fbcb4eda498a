//! The WebSocket protocol: every frame a client may send and every frame the server sends.
//! JSON text frames, one object each, discriminated by `type`. See `docs/protocol.md`.

use serde::{Deserialize, Serialize};

mod agent_frames;
mod agent_views;
mod departments;
mod views;
mod visitor_frames;
mod visitor_page;
mod visitors;

pub use agent_frames::{AgentFrame, ToAgent};
pub use visitor_frames::{
    ErrorFrame, ToVisitor, VisitorChatView, VisitorFrame, VisitorMessageView, WidgetFeatures,
};

pub use agent_views::{
    AgentMessageView, AgentPresence, ChatColleague, ChatSummary, SiteMembershipView,
};
pub use departments::DepartmentView;
pub use visitor_page::{VisitorCursor, VisitorsPage, newest_page};
pub use visitors::{VisitDetail, VisitorOnSite};

/// A page the visitor is on (reported by the widget).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageInfo {
    pub url: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub referrer: Option<String>,
}

/// `skip_serializing_if` for flags left out when false.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

//! What agents see of chats, messages, other agents and their sites (parts of [`super::ToAgent`]
//! frames and of REST answers).

use super::is_false;
use crate::ids::*;
use crate::model::{AgentStatus, MessageKind};
use serde::{Deserialize, Serialize};

/// A chat as agents see it in lists and pop-ups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatSummary {
    pub chat_id: ChatId,
    pub site_id: SiteId,
    pub site_name: String,
    pub visitor_id: VisitorId,
    pub visitor_name: String,
    /// The email address the visitor gave (asking for this chat, or earlier: an earlier chat, an
    /// offline message). Left out when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_email: Option<String>,
    /// "pending", "active" or "ended".
    pub state: String,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub page_url: Option<String>,
    pub created_at: Timestamp,
    pub queued_at: Timestamp,
    pub last_seq: Seq,
    /// The visitor left before any agent answered (an ended chat, "Missed"). Left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub missed: bool,
    /// When the chat was escalated for waiting too long. Left out when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<Timestamp>,
    /// "Assign automatically": the agent a pending chat is offered to right now, and until
    /// when; both left out when no offer stands. Other agents get no pop-up for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_to: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_expires_at: Option<Timestamp>,
    /// The chat's department; both left out when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<DepartmentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// Colleagues who joined the chat besides its owner ("Invite Agent", a supervisor's
    /// "Join"), in the order they joined. Left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joined: Vec<ChatColleague>,
    /// The chat's "Tags". Left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The "Wrap-up note" written on "End Chat". Left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up: Option<String>,
    /// The visitor's rating ("How was this chat?": score 1–5, "Good" is 5, "Bad" is 1; good
    /// means 4 or more), with its comment. Left out until given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<crate::rating::Rating>,
}

/// A colleague in a chat (not its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatColleague {
    pub agent_id: AgentId,
    pub name: String,
}

/// A message as agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentMessageView {
    pub chat_id: ChatId,
    pub seq: Seq,
    /// "visitor", "agent" or "system".
    pub from: String,
    pub agent_id: Option<AgentId>,
    pub author_name: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    /// The file of a `file` message (download: `GET /api/files/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<crate::files::FileRef>,
}

/// Another agent, as the console's Transfer list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub agent_id: AgentId,
    pub name: String,
    pub status: AgentStatus,
    /// Has at least one connection (or is within the grace period).
    pub connected: bool,
    /// Sites this agent monitors.
    pub monitoring: Vec<SiteId>,
    /// Chats the agent holds now.
    #[serde(default)]
    pub active_chats: u32,
    /// "Most chats at once"; `null` is unlimited.
    #[serde(default)]
    pub max_chats: Option<u32>,
    /// `active_chats >= max_chats`: no pop-ups, no offers ("At capacity").
    #[serde(default)]
    pub at_capacity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteMembershipView {
    pub site_id: SiteId,
    pub name: String,
    pub base_url: String,
    pub monitoring: bool,
    /// The agent supervises the site ("All Chats", "Watch", "Join", "Take over"): an admin
    /// who belongs to it, or a member given the "Supervisor" role there. Left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub supervisor: bool,
    /// The site's "Allow files" is off: the console shows no "Attach". Left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub files_off: bool,
}

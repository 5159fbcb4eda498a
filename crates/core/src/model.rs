//! The product's records: what storage keeps and what the API shows.

use crate::chat::ChatState;
use crate::ids::*;
use crate::site_settings::SiteSettings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: SiteId,
    pub key: SiteKey,
    pub name: String,
    /// The site's base URL (`https://shop.example`): its origin may embed the widget and
    /// relative links resolve against it.
    pub base_url: String,
    /// IANA time zone (`Europe/Berlin`); blocks last until the end of the day here.
    pub timezone: String,
    /// Extra origins allowed to use the site key, besides the base URL's origin.
    pub allowed_origins: Vec<String>,
    /// Where offline messages are emailed (optional).
    pub email: Option<String>,
    pub created_at: Timestamp,
    /// Routing, opening hours, escalation (defaults: the seed's behaviour).
    #[serde(default)]
    pub settings: SiteSettings,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSite {
    pub key: SiteKey,
    pub name: String,
    pub base_url: String,
    pub timezone: String,
    pub allowed_origins: Vec<String>,
    pub email: Option<String>,
}

/// Availability an agent chooses in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgentStatus {
    Online,
    Away,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Online => "online",
            AgentStatus::Away => "away",
        }
    }
    pub fn parse(s: &str) -> Option<AgentStatus> {
        match s {
            "online" => Some(AgentStatus::Online),
            "away" => Some(AgentStatus::Away),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub status: AgentStatus,
    pub created_at: Timestamp,
    /// "Most chats at once": `None` is unlimited (never 0).
    #[serde(default)]
    pub max_chats: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub password_hash: String,
    /// `None`: member of every site (present and future). `Some`: only these.
    pub sites: Option<Vec<SiteId>>,
}

/// An agent's relation to one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub site_id: SiteId,
    /// Whether the agent currently monitors the site (gets its pop-ups).
    pub monitoring: bool,
    /// "Supervisor" of the site: "All Chats", "Watch", "Join", "Take over" (admins are
    /// supervisors of every site they belong to, whatever this says).
    #[serde(default)]
    pub supervisor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: ChatId,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub visit_id: Option<VisitId>,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    #[serde(flatten)]
    pub state: ChatState,
    /// Bumped on every state change; the conditional update compares it.
    pub version: i64,
    pub last_seq: Seq,
    pub created_at: Timestamp,
    /// When the chat (last) entered the queue.
    pub queued_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// The page the visitor was on when they asked for the chat.
    pub page_url: Option<String>,
    /// The department the chat is for (widget choice, snippet, URL prefix, or a transfer).
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    /// The standing automatic offer of a pending chat ("Assign automatically").
    #[serde(default)]
    pub offer: Option<Offer>,
    /// Agents who let this chat pass (their offer timed out, or they went Away or vanished).
    #[serde(default)]
    pub passed: Vec<AgentId>,
    /// When an agent first took the chat; `None` while nobody ever answered.
    #[serde(default)]
    pub answered_at: Option<Timestamp>,
    /// The visitor left before any agent answered ("Missed").
    #[serde(default)]
    pub missed: bool,
    /// When the chat was escalated for waiting too long, if it was.
    #[serde(default)]
    pub escalated_at: Option<Timestamp>,
    /// Colleagues in the chat besides its owner, in the order they joined ("Invite Agent",
    /// a supervisor's "Join"). They read and write in it; the owner stays accountable.
    #[serde(default)]
    pub joined: Vec<AgentId>,
    /// The chat's "Tags" (trimmed, distinct ignoring case, in the order given).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The "Wrap-up note" written on "End Chat" (agents only).
    #[serde(default)]
    pub wrap_up: Option<String>,
    /// The visitor's rating ("How was this chat?"), once given.
    #[serde(default)]
    pub rating: Option<crate::rating::Rating>,
    /// The highest seq the visitor has seen with the widget's panel open (`read` frames).
    #[serde(default)]
    pub visitor_read_seq: Seq,
    /// The highest seq already emailed to the visitor as unread replies.
    #[serde(default)]
    pub replies_emailed_seq: Seq,
}

impl Chat {
    /// A chat for unit tests (the core's and the server's): chat 1 of site 1, visitor "v",
    /// version 1, created and queued at `at`, in `state`, with `joined` colleagues; everything
    /// else empty.
    #[doc(hidden)]
    pub fn fixture(state: ChatState, joined: &[AgentId], at: Timestamp) -> Chat {
        Chat {
            id: ChatId(1),
            site_id: SiteId(1),
            visitor_id: VisitorId("v".into()),
            visit_id: None,
            visitor_name: None,
            visitor_email: None,
            state,
            version: 1,
            last_seq: Seq(0),
            created_at: at,
            queued_at: at,
            ended_at: None,
            page_url: None,
            department_id: None,
            offer: None,
            passed: vec![],
            answered_at: None,
            missed: false,
            escalated_at: None,
            joined: joined.to_vec(),
            tags: vec![],
            wrap_up: None,
            rating: None,
            visitor_read_seq: Seq(0),
            replies_emailed_seq: Seq(0),
        }
    }

    /// The agents a chat's frames go to: its owner (if any) and the colleagues who joined.
    pub fn agents(&self) -> Vec<AgentId> {
        self.state
            .owner()
            .into_iter()
            .chain(self.joined.iter().copied())
            .collect()
    }
}

/// A pending chat offered to one agent until `expires_at` ("Assign automatically").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub agent: AgentId,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChat {
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub visit_id: Option<VisitId>,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub page_url: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub created_at: Timestamp,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Author {
    Visitor,
    Agent {
        agent: AgentId,
    },
    /// Something the system noted in the transcript (e.g. "chat ended").
    System,
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MessageKind {
    Text,
    /// A Send Link: `body` is the absolute URL.
    Link,
    /// A note from the system (not typed by anyone).
    Event,
    /// An internal note ("Note by Anna"): for the chat's agents only, never for the visitor.
    Note,
    /// A file (`Message.file`); `body` is the file's name.
    File,
}

impl MessageKind {
    /// Whether a message of this kind may reach the visitor (by any frame, replay, resync,
    /// transcript or email): every kind but `note`.
    pub fn visitor_may_see(self) -> bool {
        !matches!(self, MessageKind::Note)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Link => "link",
            MessageKind::Event => "event",
            MessageKind::Note => "note",
            MessageKind::File => "file",
        }
    }
    pub fn parse(s: &str) -> Option<MessageKind> {
        match s {
            "text" => Some(MessageKind::Text),
            "link" => Some(MessageKind::Link),
            "event" => Some(MessageKind::Event),
            "note" => Some(MessageKind::Note),
            "file" => Some(MessageKind::File),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub chat_id: ChatId,
    pub seq: Seq,
    #[serde(flatten)]
    pub author: Author,
    /// Display name of the author at the time (agent name; visitor name if given).
    pub author_name: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    /// The sender's own id for the message (idempotency key), if it gave one.
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    /// The file of a `file` message (stored in the same commit as the message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<crate::files::FileRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub chat_id: ChatId,
    pub author: Author,
    pub author_name: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    /// The file of a `file` message: its bytes and row are written in the same commit.
    pub file: Option<crate::files::NewFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    pub site_id: SiteId,
    pub id: VisitorId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
}

impl Location {
    pub fn unknown() -> Location {
        Location {
            country: None,
            country_code: None,
            region: None,
            city: None,
        }
    }
    /// "City, Region, Country" or "Unknown".
    pub fn display(&self) -> String {
        let parts: Vec<&str> = [&self.city, &self.region, &self.country]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            "Unknown".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub ip: String,
    pub user_agent: String,
    pub browser: String,
    pub os: String,
    pub referrer: Option<String>,
    pub location: Location,
    pub started_at: Timestamp,
    pub last_seen: Timestamp,
    /// The widget's language in this visit ("de"; see `crate::widget_language`); None for a
    /// visit recorded before it was (migration 0008).
    pub language: Option<String>,
    /// The name of the "Invitation rules" rule that invited the visitor automatically in this
    /// visit (migration 0012): none comes again in it.
    #[serde(default)]
    pub auto_invitation: Option<String>,
    /// The visitor dismissed an invitation in this visit (migration 0012): no automatic one
    /// comes in it.
    pub invitation_dismissed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub ip: String,
    pub user_agent: String,
    pub browser: String,
    pub os: String,
    pub referrer: Option<String>,
    pub location: Location,
    pub started_at: Timestamp,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageView {
    pub visit_id: VisitId,
    pub url: String,
    pub title: String,
    pub viewed_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedResponse {
    pub id: CannedId,
    pub site_id: SiteId,
    /// `None`: site-wide (managed by admins). `Some`: this agent's own.
    pub agent_id: Option<AgentId>,
    pub title: String,
    pub body: String,
    /// Typed as `/shortcut` in the Message box; lower-case (see `canned::shortcut`).
    #[serde(default)]
    pub shortcut: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Block {
    pub id: BlockId,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub ip: Option<String>,
    pub chat_id: Option<ChatId>,
    pub blocked_by: AgentId,
    pub created_at: Timestamp,
    /// The end of the site's day when the block was made.
    pub until: Timestamp,
    pub lifted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlock {
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub ip: Option<String>,
    pub chat_id: Option<ChatId>,
    pub blocked_by: AgentId,
    pub created_at: Timestamp,
    pub until: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfflineMessage {
    pub id: OfflineMessageId,
    pub site_id: SiteId,
    pub visitor_id: Option<VisitorId>,
    pub name: String,
    pub email: String,
    pub body: String,
    pub page_url: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOfflineMessage {
    pub site_id: SiteId,
    pub visitor_id: Option<VisitorId>,
    pub name: String,
    pub email: String,
    pub body: String,
    pub page_url: Option<String>,
    pub created_at: Timestamp,
}

/// An agent's signed-in session (the cookie holds a random token; storage keeps its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub agent_id: AgentId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

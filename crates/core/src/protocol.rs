//! The WebSocket protocol: every frame a client may send and every frame the server sends.
//! JSON text frames, one object each, discriminated by `type`. See `docs/protocol.md`.

use crate::departments::DepartmentChoice;
use crate::error::ErrorCode;
use crate::ids::*;
use crate::model::{AgentStatus, MessageKind};
use serde::{Deserialize, Serialize};

mod agent_views;
mod departments;
mod views;
mod visitors;

pub use agent_views::{AgentMessageView, AgentPresence, ChatSummary, SiteMembershipView};
pub use departments::DepartmentView;
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

// ───────────────────────────── visitor socket ─────────────────────────────

/// Frames a visitor's widget sends on `/ws/visitor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitorFrame {
    /// First frame: who I am (token from an earlier `welcome`, if any), where I am, and the
    /// last message sequence I saw in my open chat (for replay). `chat_id` names the chat
    /// `last_seq` belongs to: when it is not the open chat, `last_seq` is ignored (replay from 0).
    Hello {
        #[serde(default)]
        token: Option<String>,
        page: PageInfo,
        #[serde(default)]
        last_seq: Option<Seq>,
        #[serde(default)]
        chat_id: Option<ChatId>,
    },
    /// Navigated to another page without reloading (single-page sites).
    PageView {
        page: PageInfo,
    },
    /// Ask for a chat (click-to-chat or accepting an invitation).
    ChatRequest {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
        /// The department chosen in the widget ("Department"); unknown ones are ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department_id: Option<DepartmentId>,
        /// The snippet's `data-department` (a name); unknown ones are ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
    },
    /// Send a message in my open chat. `client_id` makes a resend idempotent.
    Message {
        client_id: String,
        body: String,
    },
    Typing {
        typing: bool,
    },
    /// End my chat.
    ChatEnd {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
    },
    /// Dismiss an agent's invitation.
    InvitationDismiss {},
    /// Leave a message while no agent is On-Line (the "Leave a message" form).
    OfflineMessage {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        #[serde(default)]
        name: String,
        email: String,
        body: String,
    },
    Ping {},
}

/// Frames the server sends to a visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToVisitor {
    /// Answer to `hello`: the (possibly new) token to keep, whether an agent is On-Line,
    /// and the open chat if there is one (its missed messages follow as `message` frames).
    #[serde(rename = "welcome")]
    Welcome {
        visitor_id: VisitorId,
        token: String,
        online: bool,
        chat: Option<VisitorChatView>,
        /// Server instance id: changes when the server restarts.
        epoch: String,
        /// Outside the site's opening hours: when it opens next (ms since the epoch). Omitted
        /// inside them, and when the site never opens again (within a year and more).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opens_at: Option<Timestamp>,
        /// The departments to ask the visitor to choose from ("Department"), when the site
        /// asks and has two or more; omitted otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        departments: Option<Vec<DepartmentChoice>>,
    },
    /// Whether the site takes chats now: an agent is On-Line for it and it is inside its
    /// opening hours (or "Chat outside opening hours" is on). `opens_at` as in `welcome`.
    #[serde(rename = "availability")]
    Availability {
        online: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opens_at: Option<Timestamp>,
    },
    /// The chat waits for an agent; `position` is 1 for the head of the queue. `requeued`:
    /// the chat came back to the queue after an agent had it (Close, agent gone): the widget
    /// says "Connecting you to another agent…" instead of a position. Left out when false.
    #[serde(rename = "chat.queued")]
    ChatQueued {
        chat_id: ChatId,
        position: u32,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        requeued: bool,
    },
    /// An agent answered.
    #[serde(rename = "chat.accepted")]
    ChatAccepted { chat_id: ChatId, agent_name: String },
    #[serde(rename = "message")]
    Message(VisitorMessageView),
    #[serde(rename = "typing")]
    Typing { chat_id: ChatId, typing: bool },
    /// The agent sent a link: open it in a new tab (it is also in the chat as a message).
    #[serde(rename = "open_url")]
    OpenUrl { chat_id: ChatId, url: String },
    #[serde(rename = "chat.ended")]
    ChatEnded { chat_id: ChatId },
    /// The chat has waited longer than the site's "Waiting too long after": the widget offers
    /// "Leave a message instead" (the chat keeps its place in the queue).
    #[serde(rename = "chat.waiting_long")]
    ChatWaitingLong { chat_id: ChatId },
    /// The gap since `hello.last_seq` is beyond the replay window: instead of the missing
    /// messages, the latest ones. Replace the chat's view with `messages`; `complete: false`
    /// means earlier messages exist that are not in it.
    #[serde(rename = "chat.resync")]
    ChatResync {
        chat_id: ChatId,
        last_seq: Seq,
        messages: Vec<VisitorMessageView>,
        complete: bool,
    },
    /// An agent invites the visitor to chat.
    #[serde(rename = "invitation")]
    Invitation {
        agent_name: String,
        greeting: String,
    },
    #[serde(rename = "ack")]
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        chat_id: Option<ChatId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<Seq>,
    },
    #[serde(rename = "error")]
    Error(ErrorFrame),
    #[serde(rename = "pong")]
    Pong {},
}

/// A chat as the visitor sees it: never which agent holds it, only a display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorChatView {
    pub chat_id: ChatId,
    /// "pending" or "active".
    pub state: String,
    pub agent_name: Option<String>,
    pub position: Option<u32>,
    pub last_seq: Seq,
    /// The chat has waited longer than the site's "Waiting too long after" (see
    /// `chat.waiting_long`). Left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub waiting_long: bool,
}

/// A message as the visitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorMessageView {
    pub chat_id: ChatId,
    pub seq: Seq,
    /// "visitor", "agent" or "system".
    pub from: String,
    pub kind: MessageKind,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub created_at: Timestamp,
}

/// An error answer, on either socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFrame {
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<ChatId>,
}

// ────────────────────────────── agent socket ──────────────────────────────

/// Frames the console sends on `/ws/agent`. Every frame may carry `ref`, echoed in the
/// `ack` or `error` that answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgentFrame {
    /// Set my status.
    Status {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        status: AgentStatus,
    },
    /// Monitor a site (get its pop-ups) or stop.
    Monitor {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        site_id: SiteId,
        monitoring: bool,
    },
    /// Open a chat window / catch up: the server answers `chat.history` with the chat and its
    /// messages after `after`.
    Sync {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        #[serde(default)]
        after: Seq,
    },
    /// Take a waiting chat ("Start Chatting").
    Accept {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    Message {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        client_id: String,
        body: String,
    },
    /// Send Link: an absolute http(s) URL or one relative to the site's base URL.
    Link {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        client_id: String,
        url: String,
    },
    Typing {
        chat_id: ChatId,
        typing: bool,
    },
    Transfer {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        to: AgentId,
    },
    /// Hand the chat to a department: back in the queue, for that department's agents.
    TransferToDepartment {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        department_id: DepartmentId,
    },
    /// Close the window without ending: the chat goes back to the queue.
    Close {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    End {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    Block {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    /// Invite a visitor who is on the site to chat.
    Invite {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        site_id: SiteId,
        visitor_id: VisitorId,
        greeting: String,
    },
    Ping {},
}

impl AgentFrame {
    pub fn reference(&self) -> Option<&str> {
        match self {
            AgentFrame::Status { reference, .. }
            | AgentFrame::Monitor { reference, .. }
            | AgentFrame::Sync { reference, .. }
            | AgentFrame::Accept { reference, .. }
            | AgentFrame::Message { reference, .. }
            | AgentFrame::Link { reference, .. }
            | AgentFrame::Transfer { reference, .. }
            | AgentFrame::TransferToDepartment { reference, .. }
            | AgentFrame::Close { reference, .. }
            | AgentFrame::End { reference, .. }
            | AgentFrame::Block { reference, .. }
            | AgentFrame::Invite { reference, .. } => reference.as_deref(),
            AgentFrame::Typing { .. } | AgentFrame::Ping {} => None,
        }
    }

    /// The chat the frame is about, if it names one (echoed in an `error` about it).
    pub fn chat_id(&self) -> Option<ChatId> {
        match self {
            AgentFrame::Sync { chat_id, .. }
            | AgentFrame::Accept { chat_id, .. }
            | AgentFrame::Message { chat_id, .. }
            | AgentFrame::Link { chat_id, .. }
            | AgentFrame::Typing { chat_id, .. }
            | AgentFrame::Transfer { chat_id, .. }
            | AgentFrame::TransferToDepartment { chat_id, .. }
            | AgentFrame::Close { chat_id, .. }
            | AgentFrame::End { chat_id, .. }
            | AgentFrame::Block { chat_id, .. } => Some(*chat_id),
            AgentFrame::Status { .. }
            | AgentFrame::Monitor { .. }
            | AgentFrame::Invite { .. }
            | AgentFrame::Ping {} => None,
        }
    }
}

/// Frames the server sends to an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToAgent {
    /// First frame after connecting: everything the console shows.
    #[serde(rename = "snapshot")]
    Snapshot {
        agent_id: AgentId,
        name: String,
        is_admin: bool,
        status: AgentStatus,
        sites: Vec<SiteMembershipView>,
        chats: Vec<ChatSummary>,
        agents: Vec<AgentPresence>,
        visitors: Vec<VisitorOnSite>,
        epoch: String,
        /// Departments of the agent's sites (the Transfer list); left out when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        departments: Vec<DepartmentView>,
    },
    #[serde(rename = "chat.requested")]
    ChatRequested { chat: ChatSummary },
    /// "Assign automatically": the chat is offered to you alone until `expires_at` (ms);
    /// `seconds` is the site's "Seconds to answer". Answer with `accept`.
    #[serde(rename = "chat.offered")]
    ChatOffered {
        chat: ChatSummary,
        expires_at: Timestamp,
        seconds: u32,
    },
    /// Your offer of this chat ended (timed out, you went Away, or the chat ended or was taken).
    #[serde(rename = "chat.offer_ended")]
    ChatOfferEnded { chat_id: ChatId },
    #[serde(rename = "chat.taken")]
    ChatTaken {
        chat_id: ChatId,
        agent_id: AgentId,
        agent_name: String,
    },
    /// The chat was handed to you; its history follows in `chat.history`.
    #[serde(rename = "chat.transferred")]
    ChatTransferred {
        chat: ChatSummary,
        from_agent_id: AgentId,
        from_agent_name: String,
    },
    /// The chat is no longer yours (you transferred it, or it was requeued).
    #[serde(rename = "chat.released")]
    ChatReleased { chat_id: ChatId },
    #[serde(rename = "chat.history")]
    ChatHistory {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        chat: ChatSummary,
        messages: Vec<AgentMessageView>,
        /// More pages follow: the server sends them as further `chat.history` frames by itself.
        more: bool,
    },
    /// Answer to a `sync` whose gap is beyond the replay window: the latest messages instead
    /// of those after `after`. Replace the chat's messages with these; `complete: false`
    /// means earlier ones exist that are not here (load them over REST).
    #[serde(rename = "chat.resync")]
    ChatResync {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        chat: ChatSummary,
        messages: Vec<AgentMessageView>,
        complete: bool,
    },
    #[serde(rename = "message")]
    Message(AgentMessageView),
    #[serde(rename = "typing")]
    Typing { chat_id: ChatId, typing: bool },
    #[serde(rename = "chat.ended")]
    ChatEnded {
        chat_id: ChatId,
        /// "visitor", "agent" or "blocked".
        reason: String,
        /// The visitor left before any agent answered ("Missed"). Left out when false.
        #[serde(default, skip_serializing_if = "is_false")]
        missed: bool,
    },
    /// A chat has waited longer than the site's "Waiting too long after" (once per chat). Goes
    /// to every agent of the site, Away ones too.
    #[serde(rename = "chat.escalated")]
    ChatEscalated { chat_id: ChatId, chat: ChatSummary },
    #[serde(rename = "agent.presence")]
    AgentPresence(AgentPresence),
    #[serde(rename = "visitor.update")]
    VisitorUpdate(VisitorOnSite),
    #[serde(rename = "visitor.left")]
    VisitorLeft {
        site_id: SiteId,
        visitor_id: VisitorId,
    },
    /// A site's departments changed (an admin edited them): its whole list, for Transfer.
    #[serde(rename = "departments")]
    Departments {
        site_id: SiteId,
        departments: Vec<DepartmentView>,
    },
    #[serde(rename = "offline_message")]
    OfflineMessage {
        site_id: SiteId,
        id: OfflineMessageId,
        name: String,
        email: String,
        body: String,
        created_at: Timestamp,
    },
    #[serde(rename = "ack")]
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        chat_id: Option<ChatId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<Seq>,
    },
    #[serde(rename = "error")]
    Error(ErrorFrame),
    #[serde(rename = "pong")]
    Pong {},
    /// The session ended (signed out, password changed, removed): the socket closes.
    #[serde(rename = "session.ended")]
    SessionEnded {},
}

/// `skip_serializing_if` for flags left out when false.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

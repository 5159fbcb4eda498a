//! The agent socket (`/ws/agent`): the frames the console sends and those it is sent.

use super::{
    AgentMessageView, AgentPresence, ChatSummary, DepartmentView, ErrorFrame, SiteMembershipView,
    VisitorOnSite, is_false,
};
use crate::ids::*;
use crate::model::AgentStatus;
use serde::{Deserialize, Serialize};

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
        /// The optional "Wrap-up note" (agents only; stored with the chat).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wrap_up: Option<String>,
    },
    Block {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    /// An internal note ("Note"): stored in the chat with kind `note`, shown to the chat's
    /// agents (owner, colleagues, watchers), never sent to the visitor.
    Note {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        client_id: String,
        body: String,
    },
    /// "Invite Agent": ask an On-Line colleague of the site into a chat you hold; they get
    /// `chat.join_invite`.
    InviteAgent {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        agent: AgentId,
    },
    /// "Join chat": become a colleague in the chat (invited, or a supervisor of its site).
    Join {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    /// "Leave chat": a colleague leaves; the owner leaving hands the chat to the colleague
    /// who joined first.
    Leave {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
    },
    /// Supervisors: "Watch" a chat read-only and live (answered with `chat.history`, then its
    /// frames as they happen; the visitor is not told). `watching: false` stops.
    Watch {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        watching: bool,
    },
    /// Supervisors: "Take over" a chat (a transfer to yourself).
    TakeOver {
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
    /// The next page of "Visitors on Site": the visitors of the monitored sites older than
    /// `before` (the `visitors_next` of the snapshot or the `next` of the last
    /// `visitors.page`), answered with `visitors.page`.
    #[serde(rename = "visitors.more")]
    VisitorsMore {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        before: String,
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
            | AgentFrame::Invite { reference, .. }
            | AgentFrame::Note { reference, .. }
            | AgentFrame::InviteAgent { reference, .. }
            | AgentFrame::Join { reference, .. }
            | AgentFrame::Leave { reference, .. }
            | AgentFrame::Watch { reference, .. }
            | AgentFrame::TakeOver { reference, .. }
            | AgentFrame::VisitorsMore { reference, .. } => reference.as_deref(),
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
            | AgentFrame::Block { chat_id, .. }
            | AgentFrame::Note { chat_id, .. }
            | AgentFrame::InviteAgent { chat_id, .. }
            | AgentFrame::Join { chat_id, .. }
            | AgentFrame::Leave { chat_id, .. }
            | AgentFrame::Watch { chat_id, .. }
            | AgentFrame::TakeOver { chat_id, .. } => Some(*chat_id),
            AgentFrame::Status { .. }
            | AgentFrame::Monitor { .. }
            | AgentFrame::Invite { .. }
            | AgentFrame::VisitorsMore { .. }
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
        /// The newest visitors of the monitored sites, newest first: at most a page
        /// (`limits.visitors_page`).
        visitors: Vec<VisitorOnSite>,
        /// How many visitors are on the monitored sites in all.
        visitors_total: u64,
        /// The cursor of the next page (`visitors.more`); left out when `visitors` is all.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitors_next: Option<String>,
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
    /// "Invite Agent": a colleague asks you into a chat (the "Join chat" pop-up); answer with
    /// `join`.
    #[serde(rename = "chat.join_invite")]
    ChatJoinInvite {
        chat: ChatSummary,
        from_agent_id: AgentId,
        from_agent_name: String,
    },
    /// A chat you are in (as owner, colleague or watcher) changed without changing hands: a
    /// colleague joined or left, its tags or wrap-up note changed. Its summary as it is now.
    #[serde(rename = "chat.updated")]
    ChatUpdated { chat: ChatSummary },
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
    /// Answer to `visitors.more`: the next page, newest first; `next` (the cursor of the page
    /// after) is left out on the last page.
    #[serde(rename = "visitors.page")]
    VisitorsPage {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        visitors: Vec<VisitorOnSite>,
        total: u64,
        more: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    #[serde(rename = "visitor.left")]
    VisitorLeft {
        site_id: SiteId,
        visitor_id: VisitorId,
    },
    /// The visitor dismissed an invitation ("Dismiss" or Escape on an agent's `invite`).
    #[serde(rename = "visitor.invitation_dismissed")]
    VisitorInvitationDismissed {
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

//! The visitor socket (`/ws/visitor`): the frames a widget sends and those it is sent.

use super::{PageInfo, is_false};
use crate::departments::DepartmentChoice;
use crate::error::ErrorCode;
use crate::files::FileRef;
use crate::ids::*;
use crate::model::MessageKind;
use crate::rating::RatingScale;
use serde::{Deserialize, Serialize};

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
        /// The widget's language ("de"), when the page or the browser named one it has;
        /// else the site's language is recorded (`crate::widget_language`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// Without a `token`: the random key this browser made for itself (16–64 characters
        /// of `A-Za-z0-9-_`), also sent with the page views it reported by beacon before any
        /// socket said hello, so they and this hello are one visitor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        browser_key: Option<String>,
        /// `Frontdesk.identify()`, or the snippet's `data-visitor` (its text: JSON in a
        /// string): who the site says this visitor is, an [`crate::identity::IdentityClaim`].
        /// Kept as JSON here so that a page's malformed claim refuses the identity
        /// (`welcome.identity`), not the hello.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<serde_json::Value>,
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
    /// Dismiss an invitation (an agent's, or an automatic one): no automatic invitation comes
    /// again in this visit.
    InvitationDismiss {},
    /// The loader showed the automatic invitation of the site's "Invitation rules" rule `rule`
    /// (`welcome.invitation_rules`): recorded for the visit (at most one per visit) and shown
    /// to agents as "Invited automatically (rule name)". Answered by `ack` when recorded (then
    /// the widget shows it), else `error` `conflict` (the visit already had one or a dismissal,
    /// or a chat is open: not shown) or `not_found` (no such enabled rule).
    InvitationAuto {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        rule: u32,
    },
    /// Rate a chat of mine ("How was this chat?"): `score` 1–5 ("Good" is 5, "Bad" is 1), an
    /// optional comment. Answered by `ack`; may be sent again to change it for 10 minutes.
    Rate {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        score: u8,
        #[serde(default)]
        comment: Option<String>,
    },
    /// I have seen the messages of my chat up to `seq` (the panel is open and the tab
    /// visible). Replies after it count as unread (badge, email to a visitor who left).
    Read {
        chat_id: ChatId,
        seq: Seq,
    },
    /// "Email me this transcript": send the chat's transcript (without internal notes) to
    /// `email`. Answered by `ack`.
    EmailTranscript {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        chat_id: ChatId,
        email: String,
    },
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
        /// What the widget offers on this site (files, rating, transcript email, sound).
        #[serde(default)]
        features: WidgetFeatures,
        /// The site's "Language": the widget's when neither the page nor the browser names
        /// one it has.
        #[serde(default)]
        language: String,
        /// What became of `hello.identity`: `verified`, `unverified` or `refused` (the visitor
        /// stays anonymous); omitted when the hello had none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<String>,
        /// The site's "Appearance" as far as the widget shows it (accent colour, launcher
        /// position and label, greeting, offline text, name and email fields): only what differs
        /// from the widget's defaults; omitted when nothing does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        appearance: Option<crate::appearance::WidgetAppearance>,
        /// The site's enabled "Invitation rules" for the loader to evaluate, with the pages
        /// viewed in this visit and whether the visitor is returning. Omitted when the site has
        /// none, and when no automatic invitation may come now: a chat is open, the site is
        /// not available (`online` false), this visit already had one, or the visitor
        /// dismissed an invitation in this visit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invitation_rules: Option<crate::invitation_rules::WireRules>,
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

/// The site's settings that change what the widget offers (sent with `welcome`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetFeatures {
    /// "Attach a file": the largest file in bytes; `null` when files are off.
    pub file_max_bytes: Option<u64>,
    /// The rating asked for when a chat ends.
    pub rating: RatingScale,
    /// "Email me this transcript" is offered.
    pub transcripts: bool,
    /// Play a sound on a reply while the panel is closed or the tab hidden.
    pub unread_sound: bool,
}

impl Default for WidgetFeatures {
    fn default() -> Self {
        WidgetFeatures {
            file_max_bytes: None,
            rating: RatingScale::Off,
            transcripts: false,
            unread_sound: false,
        }
    }
}

impl WidgetFeatures {
    /// What a site with `settings` offers (files capped at `file_cap` bytes).
    pub fn of(settings: &crate::site_settings::SiteSettings, file_cap: u64) -> WidgetFeatures {
        WidgetFeatures {
            file_max_bytes: settings
                .files
                .enabled
                .then(|| settings.files.max_bytes.min(file_cap)),
            rating: settings.rating,
            transcripts: settings.visitor_transcripts,
            unread_sound: settings.unread_sound,
        }
    }
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorMessageView {
    pub chat_id: ChatId,
    pub seq: Seq,
    /// "visitor", "agent" or "system".
    pub from: String,
    /// The colleague who wrote it (an agent who joined the chat, not its owner), when the
    /// site shows each agent's name ("Show all agents' names", on by default). Left out for
    /// the owner's replies (shown under the name from `chat.accepted`: a transfer stays
    /// invisible), visitor and system messages, and when the setting is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Never `note`: notes are not sent to visitors (see [`VisitorMessageView::of`]).
    pub kind: MessageKind,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    /// The file of a `file` message (its bytes: `GET /files/{id}?token=…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
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

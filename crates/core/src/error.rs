//! Errors of the chat rules, and the one list of machine-readable error codes that the
//! WebSocket protocol and the REST API share (documented in `docs/protocol.md`).

use crate::ids::AgentId;
use serde::{Deserialize, Serialize};

/// Every error code a client can receive. The wire form is the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// The frame or body is not valid JSON, or not of the expected shape.
    BadRequest,
    /// The frame's `type` is not one the server knows.
    UnknownType,
    /// A text is longer than the configured limit (or empty where text is required).
    TooLong,
    /// A required text is empty.
    Empty,
    /// Not signed in, or the session has ended.
    Unauthorized,
    /// Signed in, but not allowed (e.g. a non-admin calling an admin API).
    Forbidden,
    /// No such object, or not one the caller may see (the two are never told apart).
    NotFound,
    /// Another agent took the chat first.
    ChatTaken,
    /// The chat has ended; it is read-only.
    ChatEnded,
    /// The caller does not hold this chat.
    NotYourChat,
    /// The visitor is blocked on this site until the end of the site's day.
    Blocked,
    /// The site is outside its opening hours: no chat now (an offline message is still taken).
    Closed,
    /// The transfer target is not On-Line, does not monitor the site, or is the caller.
    InvalidTarget,
    /// `accept` of a chat that is offered to another agent while the offer stands.
    OfferedToOther,
    /// The transfer target holds as many chats as their "Most chats at once".
    AtCapacity,
    /// A link that is not http or https, or cannot be parsed.
    InvalidLink,
    /// Too many requests: slow down.
    RateLimited,
    /// The visitor already has an open chat on this site (its id is in the error).
    ChatOpen,
    /// Email or password wrong (never says which).
    BadCredentials,
    /// The origin of the request is not allowed.
    OriginRefused,
    /// A conflicting object exists (e.g. an agent with that email).
    Conflict,
    /// The requested replay is beyond what the server replays: the client must resync.
    /// (Not sent today: a gap beyond the replay window gets the `chat.resync` frame.)
    Resync,
    /// Storage failed; nothing was stored. Try again.
    Unavailable,
    /// A file over the site's "Largest file" (or the server's cap).
    FileTooLarge,
    /// A file whose content is not on the site's allow-list (decided from its bytes).
    FileTypeNotAllowed,
    /// The chat already holds the site's "Files per chat".
    TooManyFiles,
    /// A file whose content cannot be accepted (an image of too many pixels, or damaged).
    FileRefused,
    /// The chat's rating can no longer be given or changed (10 minutes after it was given).
    RatingClosed,
    /// A search while the server keeps no search index (`[search] index = false`).
    SearchOff,
    /// An accent colour with too little contrast with the widget's text on it (WCAG AA, site
    /// settings "Appearance").
    LowContrast,
    /// An unexpected server error.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::TooLong => "too_long",
            ErrorCode::Empty => "empty",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ChatTaken => "chat_taken",
            ErrorCode::ChatEnded => "chat_ended",
            ErrorCode::NotYourChat => "not_your_chat",
            ErrorCode::Blocked => "blocked",
            ErrorCode::Closed => "closed",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::OfferedToOther => "offered_to_other",
            ErrorCode::AtCapacity => "at_capacity",
            ErrorCode::InvalidLink => "invalid_link",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ChatOpen => "chat_open",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::OriginRefused => "origin_refused",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Resync => "resync",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::FileTypeNotAllowed => "file_type_not_allowed",
            ErrorCode::TooManyFiles => "too_many_files",
            ErrorCode::FileRefused => "file_refused",
            ErrorCode::RatingClosed => "rating_closed",
            ErrorCode::SearchOff => "search_off",
            ErrorCode::LowContrast => "low_contrast",
            ErrorCode::Internal => "internal",
        }
    }
}

/// Why the chat rules refuse a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    #[error("another agent has already taken this chat")]
    ChatTaken { by: AgentId },
    #[error("this chat has ended")]
    ChatEnded,
    #[error("you do not hold this chat")]
    NotYourChat,
    #[error("the chat cannot be transferred to that agent")]
    InvalidTarget,
}

impl ChatError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ChatError::ChatTaken { .. } => ErrorCode::ChatTaken,
            ChatError::ChatEnded => ErrorCode::ChatEnded,
            ChatError::NotYourChat => ErrorCode::NotYourChat,
            ChatError::InvalidTarget => ErrorCode::InvalidTarget,
        }
    }
}

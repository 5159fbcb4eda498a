//! The "Archive" (issue 15): every chat of an agent's sites, newest first, filtered and
//! searched, paged with a cursor. The types here are the contract between the REST API
//! (`GET /api/archive`), the console page and the stores; the search query language itself
//! is in [`crate::search`].
//!
//! Membership is decided by the shell before a query reaches a store: `ArchiveQuery::sites`
//! holds exactly the sites the agent may read, and a store never returns a chat outside them.

use crate::chat::{ChatState, EndReason};
use crate::ids::*;
use crate::model::Chat;
use crate::protocol::ChatSummary;
use crate::search::SearchQuery;
use serde::{Deserialize, Serialize};

/// Largest page the API serves (`limit`); the default is [`DEFAULT_PAGE`].
pub const MAX_PAGE: u32 = 100;
/// Page size when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 25;
/// `GET /api/archive/count` counts at most this many chats, then answers "more than".
pub const COUNT_CAP: u64 = 10_000;

/// The "State" filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ArchiveState {
    /// Ended with an answer (not missed, not blocked).
    Ended,
    /// Ended before any agent answered.
    Missed,
    /// Ended by "Block".
    Blocked,
    /// Still pending or active.
    Open,
}

impl ArchiveState {
    /// The state a chat is listed under: what the "State" filter matches and the page shows.
    pub fn of(chat: &Chat) -> ArchiveState {
        match chat.state {
            ChatState::Pending | ChatState::Active { .. } => ArchiveState::Open,
            ChatState::Ended {
                reason: EndReason::Blocked { .. },
            } => ArchiveState::Blocked,
            ChatState::Ended { .. } if chat.missed => ArchiveState::Missed,
            ChatState::Ended { .. } => ArchiveState::Ended,
        }
    }
}

/// Where the next page starts: strictly older than this chat (chats are ordered by id,
/// newest first; ids grow with time, so a chat that arrives while paging never shifts a
/// page that was already served). Opaque to clients (a decimal string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCursor {
    /// The last chat of the previous page.
    pub before: ChatId,
    /// With a search: the last matching document's order key within that chat, when the
    /// store needs it (FTS rowid); 0 otherwise.
    #[serde(default)]
    pub key: i64,
}

impl ArchiveCursor {
    /// The cursor as the API sends it: `"<chat id>"` or `"<chat id>.<key>"`.
    pub fn encode(&self) -> String {
        if self.key == 0 {
            self.before.0.to_string()
        } else {
            format!("{}.{}", self.before.0, self.key)
        }
    }

    /// Parses what [`ArchiveCursor::encode`] wrote; `None` for anything else.
    pub fn decode(s: &str) -> Option<Self> {
        let (id, key) = match s.split_once('.') {
            Some((id, key)) => (id, key.parse().ok()?),
            None => (s, 0),
        };
        let id: i64 = id.parse().ok()?;
        (id > 0 && key >= 0).then_some(Self {
            before: ChatId(id),
            key,
        })
    }
}

/// One archive request, after the shell checked membership and parsed the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveQuery {
    /// The sites the agent may read (already narrowed to the "Site" filter when one is
    /// given). Never empty: the shell answers an empty page itself.
    pub sites: Vec<SiteId>,
    /// "Agent": chats this agent held (owner now or when it ended).
    pub agent: Option<AgentId>,
    /// "From" / "To": chats created in `[from, to)`.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub state: Option<ArchiveState>,
    /// "Tag": chats carrying this tag (compared ignoring case).
    pub tag: Option<String>,
    /// "Rating": chats rated with exactly this score (1–5; "Good" is 5, "Bad" 1).
    pub rating: Option<u8>,
    /// "Search chats".
    pub search: Option<SearchQuery>,
    pub cursor: Option<ArchiveCursor>,
    /// 1..=[`MAX_PAGE`].
    pub limit: u32,
}

/// Where a search matched, for the snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchedIn {
    Message,
    /// An internal note (agents only; a visitor never searches).
    Note,
    VisitorName,
    VisitorEmail,
    PageTitle,
    Tag,
    WrapUp,
}

/// A short extract of the matching text with the matched words marked. The console renders
/// `text` as text and wraps each `highlights` range in a `<mark>` made with `textContent`:
/// nothing in a snippet is ever HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    pub matched_in: MatchedIn,
    /// The message's seq when `matched_in` is `message` or `note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<Seq>,
    /// At most ~160 characters around the first match ("…" where it was cut).
    pub text: String,
    /// `[start, end)` ranges of `text`, in UTF-16 code units (what JavaScript's
    /// `String.prototype.slice` counts), sorted, not overlapping.
    pub highlights: Vec<[u32; 2]>,
}

/// One chat in a page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveHit {
    #[serde(flatten)]
    pub chat: ChatSummary,
    /// The chat's end, when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// What the "State" filter calls the chat (`ended`, `missed`, `blocked`, `open`).
    pub archive_state: ArchiveState,
    /// Present for a search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

/// A page of results (`GET /api/archive`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivePage {
    pub chats: Vec<ArchiveHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /api/archive/count`: how many chats match, counted apart from the page so that the
/// first page never waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveCount {
    /// Exact when `more` is false; otherwise [`COUNT_CAP`] ("10,000+").
    pub count: u64,
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_chat_has_one_archive_state() {
        let agent = AgentId(3);
        let at = Timestamp(1);
        let ended = |reason| ChatState::Ended { reason };
        for (state, missed, want) in [
            (ChatState::Pending, false, ArchiveState::Open),
            (ChatState::Active { agent }, false, ArchiveState::Open),
            (ended(EndReason::Visitor), true, ArchiveState::Missed),
            (ended(EndReason::Visitor), false, ArchiveState::Ended),
            (
                ended(EndReason::Agent { agent }),
                false,
                ArchiveState::Ended,
            ),
            (
                ended(EndReason::Blocked { agent }),
                false,
                ArchiveState::Blocked,
            ),
        ] {
            let mut chat = Chat::fixture(state, &[], at);
            chat.missed = missed;
            assert_eq!(ArchiveState::of(&chat), want, "{state:?} missed={missed}");
        }
    }

    #[test]
    fn cursor_round_trips_and_refuses_junk() {
        for c in [
            ArchiveCursor {
                before: ChatId(42),
                key: 0,
            },
            ArchiveCursor {
                before: ChatId(7),
                key: 123_456_789,
            },
        ] {
            assert_eq!(ArchiveCursor::decode(&c.encode()), Some(c));
        }
        for junk in ["", "x", "0", "-3", "5.", "5.x", "5.-1", "1.2.3", " 5"] {
            assert_eq!(ArchiveCursor::decode(junk), None, "{junk:?}");
        }
    }
}

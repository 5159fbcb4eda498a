//! Mapping between SQLite rows/errors and the core model.
//!
//! Column lists are macros so that `SELECT`s can be built with `concat!` as `&'static str`
//! (the prepared-statement cache is keyed by the SQL text).

use frontdesk_core::chat::{ChatState, EndReason};
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::rating::Rating;
use frontdesk_core::site_settings::SiteSettings;
use frontdesk_core::store::{StoreError, StoreResult};
use rusqlite::types::Type;
use rusqlite::{Error, ErrorCode, Row, ffi};

/// `rusqlite::Result` → `StoreResult`.
pub(crate) trait Db<T> {
    fn db(self) -> StoreResult<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> StoreResult<T> {
        self.map_err(store_error)
    }
}

/// No row → `NotFound`; unique/primary key violation → `Conflict(columns)`; foreign key
/// violation (the referenced site/agent/chat/visit does not exist) → `NotFound`;
/// anything else → `Unavailable`.
pub(crate) fn store_error(e: Error) -> StoreError {
    match &e {
        Error::QueryReturnedNoRows => StoreError::NotFound,
        Error::SqliteFailure(f, msg) if f.code == ErrorCode::ConstraintViolation => {
            match f.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    StoreError::Conflict(conflict_subject(msg.as_deref()))
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::NotFound,
                _ => StoreError::Unavailable(e.to_string()),
            }
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

/// "UNIQUE constraint failed: agents.email" → "email";
/// "... messages.chat_id, messages.client_id" → "chat_id, client_id".
fn conflict_subject(msg: Option<&str>) -> String {
    let Some(cols) = msg
        .and_then(|m| m.split_once("constraint failed: "))
        .map(|p| p.1)
    else {
        return "duplicate".into();
    };
    cols.split(", ")
        .map(|c| c.rsplit_once('.').map_or(c, |(_, col)| col))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Ok(())` when a statement changed a row, `NotFound` when it changed none.
pub(crate) fn changed(rows: usize) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The answer of a conditional update of a chat: the updated chat, `Ok(None)` when the update
/// lost the race (the chat moved on), `NotFound` when there is no such chat.
pub(crate) fn chat_cas<T>(
    c: &rusqlite::Connection,
    chat: ChatId,
    updated: Option<T>,
) -> StoreResult<Option<T>> {
    if updated.is_none() {
        c.prepare_cached("SELECT 1 FROM chats WHERE id = ?1")
            .db()?
            .query_row([chat.0], |_| Ok(()))
            .db()?;
    }
    Ok(updated)
}

/// Collects mapped rows.
pub(crate) fn all<T>(rows: impl Iterator<Item = rusqlite::Result<T>>) -> StoreResult<Vec<T>> {
    rows.collect::<rusqlite::Result<Vec<T>>>().db()
}

/// A stored value this build cannot read (reported as `Unavailable`, never a panic).
fn bad(col: usize, what: String) -> Error {
    Error::FromSqlConversionFailure(col, Type::Text, what.into())
}

/// A list of ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
pub(crate) fn json_ids(ids: impl Iterator<Item = i64>) -> String {
    let ids: Vec<String> = ids.map(|i| i.to_string()).collect();
    format!("[{}]", ids.join(","))
}

macro_rules! site_cols {
    () => {
        "id, key, name, base_url, timezone, allowed_origins, email, created_at, settings"
    };
}
pub(crate) use site_cols;

pub(crate) fn site_row(r: &Row<'_>) -> rusqlite::Result<Site> {
    let origins: String = r.get(5)?;
    let allowed_origins =
        serde_json::from_str(&origins).map_err(|e| bad(5, format!("allowed_origins: {e}")))?;
    Ok(Site {
        id: SiteId(r.get(0)?),
        key: SiteKey(r.get(1)?),
        name: r.get(2)?,
        base_url: r.get(3)?,
        timezone: r.get(4)?,
        allowed_origins,
        email: r.get(6)?,
        created_at: Timestamp(r.get(7)?),
        settings: SiteSettings::from_json(&r.get::<_, String>(8)?)
            .map_err(|e| bad(8, format!("settings: {e}")))?,
    })
}

macro_rules! agent_cols {
    () => {
        "id, email, name, is_admin, status, created_at, max_chats"
    };
}
pub(crate) use agent_cols;

pub(crate) fn agent_row(r: &Row<'_>) -> rusqlite::Result<Agent> {
    let status: String = r.get(4)?;
    Ok(Agent {
        id: AgentId(r.get(0)?),
        email: r.get(1)?,
        name: r.get(2)?,
        is_admin: r.get(3)?,
        status: AgentStatus::parse(&status)
            .ok_or_else(|| bad(4, format!("agent status {status:?}")))?,
        created_at: Timestamp(r.get(5)?),
        max_chats: r
            .get::<_, Option<i64>>(6)?
            .map(|n| u32::try_from(n).map_err(|_| bad(6, format!("max_chats {n}"))))
            .transpose()?,
    })
}

macro_rules! visitor_cols {
    () => {
        "site_id, visitor_id, name, email, first_seen, last_seen"
    };
}
pub(crate) use visitor_cols;

pub(crate) fn visitor_row(r: &Row<'_>) -> rusqlite::Result<Visitor> {
    Ok(Visitor {
        site_id: SiteId(r.get(0)?),
        id: VisitorId(r.get(1)?),
        name: r.get(2)?,
        email: r.get(3)?,
        first_seen: Timestamp(r.get(4)?),
        last_seen: Timestamp(r.get(5)?),
    })
}

macro_rules! visit_cols {
    () => {
        "id, site_id, visitor_id, ip, user_agent, browser, os, referrer, \
         country, country_code, region, city, started_at, last_seen, language, \
         auto_invitation, invitation_dismissed"
    };
}
pub(crate) use visit_cols;

pub(crate) fn visit_row(r: &Row<'_>) -> rusqlite::Result<Visit> {
    Ok(Visit {
        id: VisitId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        visitor_id: VisitorId(r.get(2)?),
        ip: r.get(3)?,
        user_agent: r.get(4)?,
        browser: r.get(5)?,
        os: r.get(6)?,
        referrer: r.get(7)?,
        location: Location {
            country: r.get(8)?,
            country_code: r.get(9)?,
            region: r.get(10)?,
            city: r.get(11)?,
        },
        started_at: Timestamp(r.get(12)?),
        last_seen: Timestamp(r.get(13)?),
        language: r.get(14)?,
        auto_invitation: r.get(15)?,
        invitation_dismissed: r.get(16)?,
    })
}

macro_rules! chat_cols {
    () => {
        "id, site_id, visitor_id, visit_id, visitor_name, visitor_email, state, agent_id, \
         end_reason, ended_by, version, last_seq, created_at, queued_at, ended_at, page_url, \
         department_id, offered_to, offer_expires_at, passed, answered_at, missed, escalated_at, \
         joined, tags, wrap_up, rating, rating_comment, rated_at, visitor_read_seq, \
         replies_emailed_seq"
    };
}
pub(crate) use chat_cols;

pub(crate) fn chat_row(r: &Row<'_>) -> rusqlite::Result<Chat> {
    let state: String = r.get(6)?;
    let agent: Option<i64> = r.get(7)?;
    let reason: Option<String> = r.get(8)?;
    let ended_by: Option<i64> = r.get(9)?;
    let state = match state.as_str() {
        "pending" => ChatState::Pending,
        "active" => ChatState::Active {
            agent: AgentId(agent.ok_or_else(|| bad(7, "active chat without agent".into()))?),
        },
        "ended" => ChatState::Ended {
            reason: match (reason.as_deref(), ended_by) {
                (Some("visitor"), _) => EndReason::Visitor,
                (Some("agent"), Some(a)) => EndReason::Agent { agent: AgentId(a) },
                (Some("blocked"), Some(a)) => EndReason::Blocked { agent: AgentId(a) },
                _ => return Err(bad(8, format!("end reason {reason:?} by {ended_by:?}"))),
            },
        },
        other => return Err(bad(6, format!("chat state {other:?}"))),
    };
    Ok(Chat {
        id: ChatId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        visitor_id: VisitorId(r.get(2)?),
        visit_id: r.get::<_, Option<i64>>(3)?.map(VisitId),
        visitor_name: r.get(4)?,
        visitor_email: r.get(5)?,
        state,
        version: r.get(10)?,
        last_seq: Seq(r.get(11)?),
        created_at: Timestamp(r.get(12)?),
        queued_at: Timestamp(r.get(13)?),
        ended_at: r.get::<_, Option<i64>>(14)?.map(Timestamp),
        page_url: r.get(15)?,
        department_id: r.get::<_, Option<i64>>(16)?.map(DepartmentId),
        offer: match (r.get::<_, Option<i64>>(17)?, r.get::<_, Option<i64>>(18)?) {
            (Some(agent), Some(expires_at)) => Some(Offer {
                agent: AgentId(agent),
                expires_at: Timestamp(expires_at),
            }),
            _ => None,
        },
        passed: serde_json::from_str::<Vec<i64>>(&r.get::<_, String>(19)?)
            .map_err(|e| bad(19, format!("passed: {e}")))?
            .into_iter()
            .map(AgentId)
            .collect(),
        answered_at: r.get::<_, Option<i64>>(20)?.map(Timestamp),
        missed: r.get(21)?,
        escalated_at: r.get::<_, Option<i64>>(22)?.map(Timestamp),
        joined: serde_json::from_str::<Vec<i64>>(&r.get::<_, String>(23)?)
            .map_err(|e| bad(23, format!("joined: {e}")))?
            .into_iter()
            .map(AgentId)
            .collect(),
        tags: serde_json::from_str::<Vec<String>>(&r.get::<_, String>(24)?)
            .map_err(|e| bad(24, format!("tags: {e}")))?,
        wrap_up: r.get(25)?,
        rating: match (r.get::<_, Option<u8>>(26)?, r.get::<_, Option<i64>>(28)?) {
            (Some(score), Some(rated_at)) => Some(Rating {
                score,
                comment: r.get(27)?,
                rated_at: Timestamp(rated_at),
            }),
            _ => None,
        },
        visitor_read_seq: Seq(r.get(29)?),
        replies_emailed_seq: Seq(r.get(30)?),
    })
}

/// How a [`ChatState`] is stored.
pub(crate) struct StateColumns {
    pub(crate) state: &'static str,
    /// The new holder (active); `None` otherwise (an ended chat keeps its last holder).
    pub(crate) agent: Option<i64>,
    pub(crate) end_reason: Option<&'static str>,
    pub(crate) ended_by: Option<i64>,
}

pub(crate) fn state_columns(state: ChatState) -> StateColumns {
    let (state, agent, end_reason, ended_by) = match state {
        ChatState::Pending => ("pending", None, None, None),
        ChatState::Active { agent } => ("active", Some(agent.0), None, None),
        ChatState::Ended { reason } => match reason {
            EndReason::Visitor => ("ended", None, Some("visitor"), None),
            EndReason::Agent { agent } => ("ended", None, Some("agent"), Some(agent.0)),
            EndReason::Blocked { agent } => ("ended", None, Some("blocked"), Some(agent.0)),
        },
    };
    StateColumns {
        state,
        agent,
        end_reason,
        ended_by,
    }
}

macro_rules! message_cols {
    () => {
        "chat_id, seq, author, agent_id, author_name, kind, body, client_id, created_at"
    };
}
pub(crate) use message_cols;

pub(crate) fn message_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    let author: String = r.get(2)?;
    let agent: Option<i64> = r.get(3)?;
    let kind: String = r.get(5)?;
    let author = match (author.as_str(), agent) {
        ("visitor", _) => Author::Visitor,
        ("agent", Some(a)) => Author::Agent { agent: AgentId(a) },
        ("system", _) => Author::System,
        (other, _) => return Err(bad(2, format!("author {other:?}"))),
    };
    Ok(Message {
        chat_id: ChatId(r.get(0)?),
        seq: Seq(r.get(1)?),
        author,
        author_name: r.get(4)?,
        kind: MessageKind::parse(&kind).ok_or_else(|| bad(5, format!("kind {kind:?}")))?,
        body: r.get(6)?,
        client_id: r.get(7)?,
        created_at: Timestamp(r.get(8)?),
        // Read with a second query, only for `file` messages (see `files::attach_files`).
        file: None,
    })
}

/// A file's size (`CHECK (size > 0)`).
pub(crate) fn size(r: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let n: i64 = r.get(i)?;
    u64::try_from(n).map_err(|e| bad(i, format!("size: {e}")))
}

/// How an [`Author`] is stored: (author, agent_id).
pub(crate) fn author_columns(author: Author) -> (&'static str, Option<i64>) {
    match author {
        Author::Visitor => ("visitor", None),
        Author::Agent { agent } => ("agent", Some(agent.0)),
        Author::System => ("system", None),
    }
}

macro_rules! canned_cols {
    () => {
        "id, site_id, agent_id, title, body, shortcut"
    };
}
pub(crate) use canned_cols;

pub(crate) fn canned_row(r: &Row<'_>) -> rusqlite::Result<CannedResponse> {
    Ok(CannedResponse {
        id: CannedId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        agent_id: r.get::<_, Option<i64>>(2)?.map(AgentId),
        title: r.get(3)?,
        body: r.get(4)?,
        shortcut: r.get(5)?,
    })
}

macro_rules! block_cols {
    () => {
        "id, site_id, visitor_id, ip, chat_id, blocked_by, created_at, until, lifted"
    };
}
pub(crate) use block_cols;

pub(crate) fn block_row(r: &Row<'_>) -> rusqlite::Result<Block> {
    Ok(Block {
        id: BlockId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        visitor_id: VisitorId(r.get(2)?),
        ip: r.get(3)?,
        chat_id: r.get::<_, Option<i64>>(4)?.map(ChatId),
        blocked_by: AgentId(r.get(5)?),
        created_at: Timestamp(r.get(6)?),
        until: Timestamp(r.get(7)?),
        lifted: r.get(8)?,
    })
}

macro_rules! offline_cols {
    () => {
        "id, site_id, visitor_id, name, email, body, page_url, created_at"
    };
}
pub(crate) use offline_cols;

pub(crate) fn offline_row(r: &Row<'_>) -> rusqlite::Result<OfflineMessage> {
    Ok(OfflineMessage {
        id: OfflineMessageId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        visitor_id: r.get::<_, Option<String>>(2)?.map(VisitorId),
        name: r.get(3)?,
        email: r.get(4)?,
        body: r.get(5)?,
        page_url: r.get(6)?,
        created_at: Timestamp(r.get(7)?),
    })
}

#[cfg(test)]
mod tests {
    use super::conflict_subject;

    #[test]
    fn conflict_names_the_columns() {
        assert_eq!(
            conflict_subject(Some("UNIQUE constraint failed: agents.email")),
            "email"
        );
        assert_eq!(
            conflict_subject(Some(
                "UNIQUE constraint failed: messages.chat_id, messages.client_id"
            )),
            "chat_id, client_id"
        );
        assert_eq!(conflict_subject(None), "duplicate");
    }
}

//! Mapping between PostgreSQL rows/errors and the core model.
//!
//! Column lists are macros so that `SELECT`s can be built with `concat!` as `&'static str`
//! (statements are prepared once per connection, keyed by their text).

use frontdesk_core::chat::{ChatState, EndReason};
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::rating::Rating;
use frontdesk_core::site_settings::SiteSettings;
use frontdesk_core::store::{StoreError, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

/// How long write transactions took to commit (and single-statement writes that commit by
/// themselves, the text message append), for every store of this process (`/metrics`:
/// `frontdesk_store_commit_seconds`).
pub static COMMIT_LATENCY: frontdesk_core::latency::LatencyHistogram =
    frontdesk_core::latency::LatencyHistogram::new();

/// Commits `tx`, timing it into [`COMMIT_LATENCY`].
pub(crate) async fn commit(tx: deadpool_postgres::Transaction<'_>) -> StoreResult<()> {
    let started = std::time::Instant::now();
    let result = tx.commit().await.db();
    COMMIT_LATENCY.observe(started.elapsed());
    result
}

/// Runs a write that commits by itself (autocommit), timing it into [`COMMIT_LATENCY`].
pub(crate) async fn timed<T>(write: impl std::future::Future<Output = T>) -> T {
    let started = std::time::Instant::now();
    let out = write.await;
    COMMIT_LATENCY.observe(started.elapsed());
    out
}

/// `Result<_, tokio_postgres::Error>` → `StoreResult`.
pub(crate) trait Db<T> {
    fn db(self) -> StoreResult<T>;
}

impl<T> Db<T> for Result<T, tokio_postgres::Error> {
    fn db(self) -> StoreResult<T> {
        self.map_err(store_error)
    }
}

/// Unique violation → `Conflict(columns)`; foreign key violation (the referenced
/// site/agent/chat/visit does not exist) → `NotFound`; anything else (connection lost,
/// server gone, bad data) → `Unavailable`.
pub(crate) fn store_error(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if *db.code() == SqlState::UNIQUE_VIOLATION => {
            StoreError::Conflict(conflict_subject(db.detail()))
        }
        Some(db) if *db.code() == SqlState::FOREIGN_KEY_VIOLATION => StoreError::NotFound,
        _ => StoreError::Unavailable(format!("postgres: {e}")),
    }
}

/// Whether `e` is a unique violation.
pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}

/// "Key (chat_id, client_id)=(1, c-1) already exists." → "chat_id, client_id";
/// "Key (lower(email))=(ann@example.com) already exists." → "email".
fn conflict_subject(detail: Option<&str>) -> String {
    let Some(cols) = detail
        .and_then(|d| d.strip_prefix("Key ("))
        .and_then(|d| d.split_once(")=("))
        .map(|p| p.0)
    else {
        return "duplicate".into();
    };
    cols.trim_start_matches("lower(")
        .trim_end_matches(')')
        .into()
}

/// `Ok(())` when a statement changed a row, `NotFound` when it changed none.
pub(crate) fn changed(rows: u64) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// A stored value this build cannot read (reported as `Unavailable`, never a panic).
pub(crate) fn bad(what: String) -> StoreError {
    StoreError::Unavailable(format!("unreadable row: {what}"))
}

/// Maps every row with `f`.
pub(crate) fn all<T>(rows: Vec<Row>, f: fn(&Row) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect()
}

/// A column of `r`, converted.
pub(crate) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a Row,
    idx: usize,
) -> StoreResult<T> {
    r.try_get(idx)
        .map_err(|e| bad(format!("column {idx}: {e}")))
}

macro_rules! site_cols {
    () => {
        "id, key, name, base_url, timezone, allowed_origins::text, email, created_at, \
         settings::text"
    };
}
pub(crate) use site_cols;

pub(crate) fn site_row(r: &Row) -> StoreResult<Site> {
    let origins: String = get(r, 5)?;
    let allowed_origins =
        serde_json::from_str(&origins).map_err(|e| bad(format!("allowed_origins: {e}")))?;
    Ok(Site {
        id: SiteId(get(r, 0)?),
        key: SiteKey(get(r, 1)?),
        name: get(r, 2)?,
        base_url: get(r, 3)?,
        timezone: get(r, 4)?,
        allowed_origins,
        email: get(r, 6)?,
        created_at: Timestamp(get(r, 7)?),
        settings: SiteSettings::from_json(&get::<String>(r, 8)?)
            .map_err(|e| bad(format!("settings: {e}")))?,
    })
}

macro_rules! agent_cols {
    () => {
        "id, email, name, is_admin, status, created_at, max_chats"
    };
}
pub(crate) use agent_cols;

pub(crate) fn agent_row(r: &Row) -> StoreResult<Agent> {
    let status: String = get(r, 4)?;
    Ok(Agent {
        id: AgentId(get(r, 0)?),
        email: get(r, 1)?,
        name: get(r, 2)?,
        is_admin: get(r, 3)?,
        status: AgentStatus::parse(&status)
            .ok_or_else(|| bad(format!("agent status {status:?}")))?,
        created_at: Timestamp(get(r, 5)?),
        max_chats: get::<Option<i64>>(r, 6)?
            .map(|n| u32::try_from(n).map_err(|_| bad(format!("max_chats {n}"))))
            .transpose()?,
    })
}

macro_rules! visitor_cols {
    () => {
        "site_id, visitor_id, name, email, first_seen, last_seen"
    };
}
pub(crate) use visitor_cols;

pub(crate) fn visitor_row(r: &Row) -> StoreResult<Visitor> {
    Ok(Visitor {
        site_id: SiteId(get(r, 0)?),
        id: VisitorId(get(r, 1)?),
        name: get(r, 2)?,
        email: get(r, 3)?,
        first_seen: Timestamp(get(r, 4)?),
        last_seen: Timestamp(get(r, 5)?),
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

pub(crate) fn visit_row(r: &Row) -> StoreResult<Visit> {
    Ok(Visit {
        id: VisitId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        visitor_id: VisitorId(get(r, 2)?),
        ip: get(r, 3)?,
        user_agent: get(r, 4)?,
        browser: get(r, 5)?,
        os: get(r, 6)?,
        referrer: get(r, 7)?,
        location: Location {
            country: get(r, 8)?,
            country_code: get(r, 9)?,
            region: get(r, 10)?,
            city: get(r, 11)?,
        },
        started_at: Timestamp(get(r, 12)?),
        last_seen: Timestamp(get(r, 13)?),
        language: get(r, 14)?,
        auto_invitation: get(r, 15)?,
        invitation_dismissed: get(r, 16)?,
    })
}

macro_rules! chat_cols {
    () => {
        "id, site_id, visitor_id, visit_id, visitor_name, visitor_email, state, agent_id, \
         end_reason, ended_by, version, last_seq, created_at, queued_at, ended_at, page_url, \
         department_id, offered_to, offer_expires_at, passed::text, answered_at, missed, \
         escalated_at, joined::text, tags::text, wrap_up, rating, rating_comment, rated_at, \
         visitor_read_seq, replies_emailed_seq"
    };
}
pub(crate) use chat_cols;

pub(crate) fn chat_row(r: &Row) -> StoreResult<Chat> {
    let state: String = get(r, 6)?;
    let agent: Option<i64> = get(r, 7)?;
    let reason: Option<String> = get(r, 8)?;
    let ended_by: Option<i64> = get(r, 9)?;
    let state = match state.as_str() {
        "pending" => ChatState::Pending,
        "active" => ChatState::Active {
            agent: AgentId(agent.ok_or_else(|| bad("active chat without agent".into()))?),
        },
        "ended" => ChatState::Ended {
            reason: match (reason.as_deref(), ended_by) {
                (Some("visitor"), _) => EndReason::Visitor,
                (Some("agent"), Some(a)) => EndReason::Agent { agent: AgentId(a) },
                (Some("blocked"), Some(a)) => EndReason::Blocked { agent: AgentId(a) },
                _ => return Err(bad(format!("end reason {reason:?} by {ended_by:?}"))),
            },
        },
        other => return Err(bad(format!("chat state {other:?}"))),
    };
    Ok(Chat {
        id: ChatId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        visitor_id: VisitorId(get(r, 2)?),
        visit_id: get::<Option<i64>>(r, 3)?.map(VisitId),
        visitor_name: get(r, 4)?,
        visitor_email: get(r, 5)?,
        state,
        version: get(r, 10)?,
        last_seq: Seq(get(r, 11)?),
        created_at: Timestamp(get(r, 12)?),
        queued_at: Timestamp(get(r, 13)?),
        ended_at: get::<Option<i64>>(r, 14)?.map(Timestamp),
        page_url: get(r, 15)?,
        department_id: get::<Option<i64>>(r, 16)?.map(DepartmentId),
        offer: match (get::<Option<i64>>(r, 17)?, get::<Option<i64>>(r, 18)?) {
            (Some(agent), Some(expires_at)) => Some(Offer {
                agent: AgentId(agent),
                expires_at: Timestamp(expires_at),
            }),
            _ => None,
        },
        passed: serde_json::from_str::<Vec<i64>>(&get::<String>(r, 19)?)
            .map_err(|e| bad(format!("passed: {e}")))?
            .into_iter()
            .map(AgentId)
            .collect(),
        answered_at: get::<Option<i64>>(r, 20)?.map(Timestamp),
        missed: get(r, 21)?,
        escalated_at: get::<Option<i64>>(r, 22)?.map(Timestamp),
        joined: serde_json::from_str::<Vec<i64>>(&get::<String>(r, 23)?)
            .map_err(|e| bad(format!("joined: {e}")))?
            .into_iter()
            .map(AgentId)
            .collect(),
        tags: serde_json::from_str::<Vec<String>>(&get::<String>(r, 24)?)
            .map_err(|e| bad(format!("tags: {e}")))?,
        wrap_up: get(r, 25)?,
        rating: match (get::<Option<i16>>(r, 26)?, get::<Option<i64>>(r, 28)?) {
            (Some(score), Some(rated_at)) => Some(Rating {
                score: u8::try_from(score).map_err(|e| bad(format!("rating: {e}")))?,
                comment: get(r, 27)?,
                rated_at: Timestamp(rated_at),
            }),
            _ => None,
        },
        visitor_read_seq: Seq(get(r, 29)?),
        replies_emailed_seq: Seq(get(r, 30)?),
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

pub(crate) fn message_row(r: &Row) -> StoreResult<Message> {
    let author: String = get(r, 2)?;
    let agent: Option<i64> = get(r, 3)?;
    let kind: String = get(r, 5)?;
    let author = match (author.as_str(), agent) {
        ("visitor", _) => Author::Visitor,
        ("agent", Some(a)) => Author::Agent { agent: AgentId(a) },
        ("system", _) => Author::System,
        (other, _) => return Err(bad(format!("author {other:?}"))),
    };
    Ok(Message {
        chat_id: ChatId(get(r, 0)?),
        seq: Seq(get(r, 1)?),
        author,
        author_name: get(r, 4)?,
        kind: MessageKind::parse(&kind).ok_or_else(|| bad(format!("kind {kind:?}")))?,
        body: get(r, 6)?,
        client_id: get(r, 7)?,
        created_at: Timestamp(get(r, 8)?),
        // Read with a second query, only for `file` messages (see `files::attach_files`).
        file: None,
    })
}

/// An `INTEGER` pixel size.
pub(crate) fn opt_u32(v: Option<i32>) -> StoreResult<Option<u32>> {
    v.map(|n| u32::try_from(n).map_err(|e| bad(format!("pixels: {e}"))))
        .transpose()
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

pub(crate) fn canned_row(r: &Row) -> StoreResult<CannedResponse> {
    Ok(CannedResponse {
        id: CannedId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        agent_id: get::<Option<i64>>(r, 2)?.map(AgentId),
        title: get(r, 3)?,
        body: get(r, 4)?,
        shortcut: get(r, 5)?,
    })
}

macro_rules! block_cols {
    () => {
        "id, site_id, visitor_id, ip, chat_id, blocked_by, created_at, until, lifted"
    };
}
pub(crate) use block_cols;

pub(crate) fn block_row(r: &Row) -> StoreResult<Block> {
    Ok(Block {
        id: BlockId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        visitor_id: VisitorId(get(r, 2)?),
        ip: get(r, 3)?,
        chat_id: get::<Option<i64>>(r, 4)?.map(ChatId),
        blocked_by: AgentId(get(r, 5)?),
        created_at: Timestamp(get(r, 6)?),
        until: Timestamp(get(r, 7)?),
        lifted: get(r, 8)?,
    })
}

macro_rules! offline_cols {
    () => {
        "id, site_id, visitor_id, name, email, body, page_url, created_at"
    };
}
pub(crate) use offline_cols;

pub(crate) fn offline_row(r: &Row) -> StoreResult<OfflineMessage> {
    Ok(OfflineMessage {
        id: OfflineMessageId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        visitor_id: get::<Option<String>>(r, 2)?.map(VisitorId),
        name: get(r, 3)?,
        email: get(r, 4)?,
        body: get(r, 5)?,
        page_url: get(r, 6)?,
        created_at: Timestamp(get(r, 7)?),
    })
}

#[cfg(test)]
mod tests {
    use super::conflict_subject;

    #[test]
    fn conflict_names_the_columns() {
        assert_eq!(
            conflict_subject(Some("Key (lower(email))=(ann@example.com) already exists.")),
            "email"
        );
        assert_eq!(
            conflict_subject(Some("Key (chat_id, client_id)=(1, c-1) already exists.")),
            "chat_id, client_id"
        );
        assert_eq!(conflict_subject(None), "duplicate");
    }
}

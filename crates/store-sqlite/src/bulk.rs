//! Bulk loading of synthetic history, for benchmarks (a large database to query).

use crate::SqliteStore;
use crate::map::Db;
use frontdesk_core::ids::*;
use frontdesk_core::model::MessageKind;
use frontdesk_core::store::StoreResult;
use rusqlite::{Connection, params};

/// Chats written per write job (one savepoint); keeps each batch's WAL growth modest.
const CHATS_PER_JOB: u64 = 500;

/// What [`SqliteStore::bulk_insert_history`] generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkHistory {
    /// The site all chats belong to (must exist).
    pub site: SiteId,
    /// The agent who answered; `None`: visitor and system messages only.
    pub agent: Option<AgentId>,
    /// Ended chats to create (with real report figures: see `shape`).
    pub chats: u64,
    /// Messages per chat, alternating visitor / agent (or system).
    pub messages_per_chat: u32,
    /// Time of the first chat; chats are one second apart, messages one second apart.
    pub start: Timestamp,
    /// Distinct visitors the chats are spread over (at least 1).
    pub visitors: u64,
}

impl SqliteStore {
    /// Inserts `spec.chats` ended chats with their messages (and their visitors), through
    /// the normal writer, in chunks. For benchmark set-up; not used by the server.
    pub async fn bulk_insert_history(&self, spec: BulkHistory) -> StoreResult<()> {
        let mut done = 0;
        while done < spec.chats {
            let n = CHATS_PER_JOB.min(spec.chats - done);
            let (spec, first) = (spec.clone(), done);
            let index = self.search_index();
            self.write(move |tx| insert_chunk(tx, &spec, first, n, index))
                .await?;
            done += n;
        }
        Ok(())
    }
}

/// The figures of generated chat `i` (deterministic, spread like real traffic): every 20th
/// chat is missed; the others are answered after 3–92 s, first replied to 2–59 s later, and
/// every 3rd of them is rated (one in 7 of those "Bad").
struct Shape {
    missed: bool,
    wait_ms: i64,
    first_reply_ms: i64,
    rating: Option<u8>,
}

fn shape(i: i64, agent: bool) -> Shape {
    Shape {
        missed: !agent || i % 20 == 0,
        wait_ms: (3 + (i * 7_919) % 90) * 1000,
        first_reply_ms: (2 + (i * 31) % 58) * 1000,
        rating: (i % 3 == 0).then_some(if i % 7 == 0 { 1 } else { 5 }),
    }
}

/// Writes chats `first..first + count`; with `index`, their search documents in the same
/// chunk (so the index is complete when the history is).
fn insert_chunk(
    c: &Connection,
    spec: &BulkHistory,
    first: u64,
    count: u64,
    index: bool,
) -> StoreResult<()> {
    let visitors = spec.visitors.max(1);
    let per_chat = i64::from(spec.messages_per_chat);
    for i in first..first + count {
        let i = i64::try_from(i).unwrap_or(i64::MAX);
        let visitor = format!("bulk-{}", i % i64::try_from(visitors).unwrap_or(i64::MAX));
        let created = spec.start.0 + i * 1000;
        let sh = shape(i, spec.agent.is_some());
        let agent = spec.agent.filter(|_| !sh.missed);
        let answered = agent.map(|_| created + sh.wait_ms);
        // The visitor writes first; agent messages start at the first reply.
        let at = |seq: i64| match answered {
            Some(a) if seq > 1 => a + sh.first_reply_ms + (seq - 2) * 1000,
            _ => created + seq * 1000,
        };
        let ended = at(per_chat.max(1)) + 1000;
        c.prepare_cached(
            "INSERT INTO visitors (site_id, visitor_id, first_seen, last_seen) \
             VALUES (?1, ?2, ?3, ?3) ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen",
        )
        .db()?
        .execute(params![spec.site.0, visitor, created])
        .db()?;
        let (reason, by) = match agent {
            Some(a) => ("agent", Some(a.0)),
            None => ("visitor", None),
        };
        let rating = agent.and(sh.rating);
        let chat: i64 = c
            .prepare_cached(
                "INSERT INTO chats (site_id, visitor_id, state, agent_id, end_reason, ended_by, \
                 version, last_seq, created_at, queued_at, ended_at, answered_at, missed, \
                 rating, rated_at) \
                 VALUES (?1, ?2, 'ended', ?3, ?4, ?3, 3, ?5, ?6, ?6, ?7, ?8, ?9, ?10, \
                 CASE WHEN ?10 IS NULL THEN NULL ELSE ?7 END) RETURNING id",
            )
            .db()?
            .query_row(
                params![
                    spec.site.0,
                    visitor,
                    by,
                    reason,
                    per_chat,
                    created,
                    ended,
                    answered,
                    agent.is_none(),
                    rating
                ],
                |r| r.get(0),
            )
            .db()?;
        if index {
            crate::archive::index_chat(c, ChatId(chat))?;
        }
        let mut insert = c
            .prepare_cached(
                "INSERT INTO messages (chat_id, seq, author, agent_id, kind, body, created_at) \
                 VALUES (?1, ?2, ?3, ?4, 'text', ?5, ?6)",
            )
            .db()?;
        for seq in 1..=per_chat {
            let (author, agent) = match (seq % 2, agent) {
                (1, _) => ("visitor", None),
                (_, Some(a)) => ("agent", Some(a.0)),
                (_, None) => ("system", None),
            };
            let body = format!("message {seq} of chat {chat}: lorem ipsum dolor sit amet");
            insert
                .execute(params![chat, seq, author, agent, body, at(seq)])
                .db()?;
            if index {
                crate::archive::index_message(c, ChatId(chat), seq, MessageKind::Text, &body)?;
            }
        }
    }
    Ok(())
}

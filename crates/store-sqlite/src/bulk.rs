//! Bulk loading of synthetic history, for benchmarks (a large database to query): the
//! chats [`frontdesk_core::bulk`] describes, written through the normal writer.

use crate::SqliteStore;
use crate::map::Db;
use frontdesk_core::bulk::{BulkChat, BulkHistory};
use frontdesk_core::ids::ChatId;
use frontdesk_core::model::MessageKind;
use frontdesk_core::store::StoreResult;
use rusqlite::{Connection, params};

/// Chats written per write job (one savepoint); keeps each batch's WAL growth modest.
const CHATS_PER_JOB: u64 = 2_000;

impl SqliteStore {
    /// Inserts `spec.chats` ended chats with their messages (and their visitors), through
    /// the normal writer, in chunks. For benchmark set-up; not used by the server. The
    /// chats get ids 1..=chats when the store has none.
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

fn json_ids(ids: impl IntoIterator<Item = i64>) -> String {
    let v: Vec<String> = ids.into_iter().map(|i| i.to_string()).collect();
    format!("[{}]", v.join(","))
}

fn json_strs(tags: &[&str]) -> String {
    let v: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    format!("[{}]", v.join(","))
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
    let per_chat = i64::from(spec.messages_per_chat);
    let mut visitor = c
        .prepare_cached(
            "INSERT INTO visitors (site_id, visitor_id, name, email, first_seen, last_seen) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
             ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen",
        )
        .db()?;
    let mut chat_stmt = c
        .prepare_cached(
            "INSERT INTO chats (id, site_id, visitor_id, visitor_name, visitor_email, state, \
             agent_id, end_reason, ended_by, version, last_seq, created_at, queued_at, \
             answered_at, ended_at, missed, joined, tags, wrap_up, rating, rated_at, \
             visitor_read_seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'ended', ?6, ?7, ?8, 3, ?9, ?10, ?10, ?11, ?12, ?13, \
             ?14, ?15, ?16, ?17, ?18, ?9)",
        )
        .db()?;
    let mut insert = c
        .prepare_cached(
            "INSERT INTO messages (chat_id, seq, author, agent_id, kind, body, created_at) \
             VALUES (?1, ?2, ?3, ?4, 'text', ?5, ?6)",
        )
        .db()?;
    for i in first..first + count {
        let ch: BulkChat = spec.chat(i);
        let id = i64::try_from(i + 1).unwrap_or(i64::MAX);
        let vid = ch.visitor_id();
        visitor
            .execute(params![
                ch.site.0,
                vid,
                ch.visitor_name,
                ch.visitor_email,
                ch.created.0
            ])
            .db()?;
        let joined = json_ids(ch.joined.map(|a| a.0));
        chat_stmt
            .execute(params![
                id,
                ch.site.0,
                vid,
                ch.visitor_name,
                ch.visitor_email,
                ch.agent.map(|a| a.0),
                ch.end_reason(),
                ch.ended_by().map(|a| a.0),
                per_chat,
                ch.created.0,
                ch.answered.map(|t| t.0),
                ch.ended.0,
                i64::from(ch.agent.is_none()),
                joined,
                json_strs(&ch.tags),
                ch.wrap_up,
                ch.rating,
                ch.rated_at.map(|t| t.0),
            ])
            .db()?;
        if index {
            crate::archive::index_chat(c, ChatId(id))?;
        }
        for m in spec.messages(&ch) {
            let author = if m.agent.is_some() {
                "agent"
            } else {
                "visitor"
            };
            insert
                .execute(params![
                    id,
                    m.seq,
                    author,
                    m.agent.map(|a| a.0),
                    m.body,
                    m.created.0
                ])
                .db()?;
            if index {
                crate::archive::index_message(c, ChatId(id), m.seq, MessageKind::Text, &m.body)?;
            }
        }
    }
    Ok(())
}

//! The Archive (issue 15): filtered pages of chats newest first, and full-text search on the
//! FTS5 table `search` (migrations/0005_search.sql: one document per message at rowid
//! `chat_id << 20 | seq`, the chat's header at `chat_id << 20`).

use crate::SqliteStore;
use crate::map::{Db, chat_cols, chat_row, json_ids};
use async_trait::async_trait;
use frontdesk_core::archive::{
    ArchiveCount, ArchiveCursor, ArchiveQuery, ArchiveState, MatchedIn, Snippet,
};
use frontdesk_core::ids::*;
use frontdesk_core::model::{Chat, MessageKind};
use frontdesk_core::search::{SearchQuery, SnippetField, Term, header_fields, snippet};
use frontdesk_core::store::{ArchiveRows, ArchiveStore, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// Bits of an FTS rowid that hold the seq (the chat id is above them).
const SEQ_BITS: u32 = 20;
/// Messages with a seq at or above this are not indexed (no chat comes near).
pub(crate) const MAX_SEQ: i64 = 1 << SEQ_BITS;
/// Most page titles of a visit indexed in a chat's header.
const MAX_TITLES: i64 = 50;
/// Columns of `chat_cols!()` (the FTS rowid follows them).
const CHAT_COLUMNS: usize = 31;

const INDEX_MESSAGE: &str = "INSERT INTO search (rowid, body) VALUES (?1, ?2)";
const INDEX_CHAT: &str = "INSERT OR REPLACE INTO search (rowid, h_name, h_email, h_titles, h_tags, h_wrap_up) \
     SELECT id << 20, visitor_name, visitor_email, \
            (SELECT group_concat(title, ' ') FROM \
                (SELECT DISTINCT title FROM page_views WHERE visit_id = chats.visit_id LIMIT 50)), \
            (SELECT group_concat(value, ' ') FROM json_each(chats.tags)), wrap_up \
     FROM chats WHERE id = ?1";
/// Which messages are searchable, as SQL on `messages` (the rule of [`searchable`], and no
/// seq at or above [`MAX_SEQ`]): the rebuild, the check and the search queue's flush.
macro_rules! searchable_messages {
    () => {
        "kind IN ('text', 'link', 'note', 'file') AND seq < 1048576"
    };
}
pub(crate) use searchable_messages;

pub(crate) const REBUILD: &str = concat!(
    "INSERT INTO search (search) VALUES ('delete-all'); \
     DELETE FROM search_queue; \
     INSERT INTO search (rowid, body) SELECT (chat_id << 20) | seq, body FROM messages WHERE ",
    searchable_messages!(),
    "; INSERT INTO search (rowid, h_name, h_email, h_titles, h_tags, h_wrap_up) \
         SELECT id << 20, visitor_name, visitor_email, \
            (SELECT group_concat(title, ' ') FROM \
                (SELECT DISTINCT title FROM page_views WHERE visit_id = chats.visit_id LIMIT 50)), \
            (SELECT group_concat(value, ' ') FROM json_each(chats.tags)), wrap_up \
         FROM chats;"
);
/// The rowids the index must hold, as a query (for the check).
const EXPECTED: &str = concat!(
    "SELECT (chat_id << 20) | seq FROM messages WHERE ",
    searchable_messages!(),
    " UNION ALL SELECT id << 20 FROM chats"
);

/// Whether a message of this kind is searchable (events are not; a file by its name).
pub(crate) fn searchable(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::Text | MessageKind::Link | MessageKind::Note | MessageKind::File
    )
}

/// Indexes a message at once, in the caller's transaction (the bulk history generator; a new
/// message is queued instead: `search_queue.rs`).
pub(crate) fn index_message(
    c: &Connection,
    chat: ChatId,
    seq: i64,
    kind: MessageKind,
    body: &str,
) -> StoreResult<()> {
    if searchable(kind) && seq < MAX_SEQ {
        c.prepare_cached(INDEX_MESSAGE)
            .db()?
            .execute(params![(chat.0 << SEQ_BITS) | seq, body])
            .db()?;
    }
    Ok(())
}

/// (Re)indexes the chat's header, in the writer's transaction.
pub(crate) fn index_chat(c: &Connection, chat: ChatId) -> StoreResult<()> {
    c.prepare_cached(INDEX_CHAT)
        .db()?
        .execute([chat.0])
        .db()
        .map(|_| ())
}

/// The query in FTS5 syntax: every term a quoted string (so that nothing a user typed is
/// an FTS5 operator), required terms joined with AND, excluded ones after NOT; each prefix
/// expanded to the index's terms that start with it where that is faster (`("refund")`,
/// search_terms.rs says why), else FTS5's own prefix query (`"refun" *`).
pub(crate) fn engine_query(c: &Connection, q: &SearchQuery) -> StoreResult<String> {
    let mut expanded = std::collections::HashMap::new();
    for clause in &q.clauses {
        if let Term::Prefix { prefix } = &clause.term
            && !expanded.contains_key(prefix)
        {
            expanded.insert(prefix.clone(), crate::search_terms::expand(c, prefix)?);
        }
    }
    Ok(render(q, &|prefix| match expanded.get(prefix) {
        Some(Some(terms)) => {
            let terms: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
            format!("({})", terms.join(" OR "))
        }
        _ => native_prefix(prefix),
    }))
}

/// FTS5's own prefix query.
pub(crate) fn native_prefix(prefix: &str) -> String {
    format!("{} *", quoted(prefix))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub(crate) fn render(q: &SearchQuery, prefix: &dyn Fn(&str) -> String) -> String {
    let term = |t: &Term| match t {
        Term::Word { word } => quoted(word),
        Term::Prefix { prefix: p } => prefix(p),
        Term::Phrase { words } => quoted(&words.join(" ")),
    };
    let required: Vec<String> = q
        .clauses
        .iter()
        .filter(|c| !c.exclude)
        .map(|c| term(&c.term))
        .collect();
    let excluded: Vec<String> = q
        .clauses
        .iter()
        .filter(|c| c.exclude)
        .map(|c| term(&c.term))
        .collect();
    let mut out = format!("({})", required.join(" AND "));
    if !excluded.is_empty() {
        out = format!("{out} NOT ({})", excluded.join(" OR "));
    }
    out
}

/// The filters of `q` (all but the search and the cursor) as SQL on `chats AS c`.
pub(crate) fn filters(q: &ArchiveQuery, params: &mut Vec<Value>) -> String {
    // The `+` keeps SQLite from an index on site_id (chats_visitor): it would read every
    // chat of the sites to sort them. The table's rowid order, newest first, stops at the
    // page's end.
    // Open chats are the exception: few among many, so the partial index `chats_open` (its
    // condition is exactly the "open" filter's) finds them without walking the history.
    let site = if q.state == Some(ArchiveState::Open) {
        "c.site_id"
    } else {
        "+c.site_id"
    };
    let mut sql = match q.sites.as_slice() {
        [one] => {
            params.push(one.0.into());
            format!("{site} = ?")
        }
        many => {
            params.push(json_ids(many.iter().map(|s| s.0)).into());
            format!("{site} IN (SELECT value FROM json_each(?))")
        }
    };
    if let Some(agent) = q.agent {
        sql.push_str(" AND c.agent_id = ?");
        params.push(agent.0.into());
    }
    if let Some(from) = q.from {
        sql.push_str(" AND c.created_at >= ?");
        params.push(from.0.into());
    }
    if let Some(to) = q.to {
        sql.push_str(" AND c.created_at < ?");
        params.push(to.0.into());
    }
    sql.push_str(match q.state {
        None => "",
        Some(ArchiveState::Ended) => {
            " AND c.state = 'ended' AND c.missed = 0 AND c.end_reason <> 'blocked'"
        }
        Some(ArchiveState::Missed) => " AND c.state = 'ended' AND c.missed = 1",
        Some(ArchiveState::Blocked) => " AND c.end_reason = 'blocked'",
        Some(ArchiveState::Open) => " AND c.state IN ('pending', 'active')",
    });
    if let Some(tag) = &q.tag {
        sql.push_str(
            " AND c.tags <> '[]' AND EXISTS (SELECT 1 FROM json_each(c.tags) \
             WHERE lower(value) = lower(?))",
        );
        params.push(tag.clone().into());
    }
    if let Some(rating) = q.rating {
        sql.push_str(" AND c.rating = ?");
        params.push(i64::from(rating).into());
    }
    sql
}

/// The snippet of the document at `rowid` of `chat`.
fn snippet_of(c: &Connection, q: &SearchQuery, chat: &Chat, rowid: i64) -> StoreResult<Snippet> {
    let seq = rowid & (MAX_SEQ - 1);
    let fallback = || Snippet {
        matched_in: MatchedIn::Message,
        seq: None,
        text: String::new(),
        highlights: Vec::new(),
    };
    if seq > 0 {
        let row: Option<(String, String)> = c
            .prepare_cached("SELECT kind, body FROM messages WHERE chat_id = ?1 AND seq = ?2")
            .db()?
            .query_row(params![chat.id.0, seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .db()?;
        let Some((kind, body)) = row else {
            return Ok(fallback());
        };
        let matched_in = if kind == "note" {
            MatchedIn::Note
        } else {
            MatchedIn::Message
        };
        let field = SnippetField {
            matched_in,
            seq: Some(Seq(seq)),
            text: &body,
        };
        return Ok(snippet(q, &[field]).unwrap_or_else(fallback));
    }
    let titles: Vec<String> = match chat.visit_id {
        Some(visit) => {
            let mut stmt = c
                .prepare_cached(
                    "SELECT DISTINCT title FROM page_views WHERE visit_id = ?1 LIMIT ?2",
                )
                .db()?;
            let rows = stmt
                .query_map(params![visit.0, MAX_TITLES], |r| r.get(0))
                .db()?;
            crate::map::all(rows)?
        }
        None => Vec::new(),
    };
    let tags = chat.tags.join(", ");
    Ok(snippet(q, &header_fields(chat, &titles, &tags)).unwrap_or_else(fallback))
}

fn page(c: &Connection, q: &ArchiveQuery) -> StoreResult<ArchiveRows> {
    let limit = usize::try_from(q.limit.max(1)).unwrap_or(1);
    let mut params = Vec::new();
    let mut hits: Vec<(Chat, i64)> = Vec::with_capacity(limit + 1);
    match &q.search {
        None => {
            let mut sql = format!(
                concat!("SELECT ", chat_cols!(), " FROM chats AS c WHERE {}"),
                filters(q, &mut params)
            );
            if let Some(cursor) = q.cursor {
                sql.push_str(" AND c.id < ?");
                params.push(cursor.before.0.into());
            }
            sql.push_str(" ORDER BY c.id DESC LIMIT ?");
            params.push(i64::try_from(limit + 1).unwrap_or(i64::MAX).into());
            let mut stmt = c.prepare_cached(&sql).db()?;
            let rows = stmt.query_map(params_from_iter(params), chat_row).db()?;
            for chat in rows {
                hits.push((chat.db()?, 0));
            }
        }
        Some(search) => {
            // Walks the matching documents newest first (FTS5 serves rowid order from its
            // index) and stops once one more chat than the page holds was found.
            params.push(engine_query(c, search)?.into());
            let bound = q.cursor.map_or(i64::MAX, |c| c.before.0 << SEQ_BITS);
            params.push(bound.into());
            let sql = format!(
                concat!(
                    "SELECT ",
                    chat_cols!(),
                    ", s.rowid FROM search AS s CROSS JOIN chats AS c ON c.id = (s.rowid >> 20) \
                     WHERE search MATCH ? AND s.rowid < ? AND {} ORDER BY s.rowid DESC"
                ),
                filters(q, &mut params)
            );
            let mut stmt = c.prepare_cached(&sql).db()?;
            let mut rows = stmt.query(params_from_iter(params)).db()?;
            while hits.len() <= limit {
                let Some(row) = rows.next().db()? else { break };
                let rowid: i64 = row.get(CHAT_COLUMNS).db()?;
                if hits.last().is_some_and(|h| h.0.id.0 == rowid >> SEQ_BITS) {
                    continue;
                }
                let chat = chat_row(row).db()?;
                hits.push((chat, rowid));
            }
        }
    }
    let next = (hits.len() > limit).then(|| {
        hits.truncate(limit);
        hits.last().map(|h| ArchiveCursor {
            before: h.0.id,
            key: 0,
        })
    });
    let mut out = Vec::with_capacity(hits.len());
    for (chat, rowid) in hits {
        let snip = match &q.search {
            Some(s) => Some(snippet_of(c, s, &chat, rowid)?),
            None => None,
        };
        out.push((chat, snip));
    }
    Ok((out, next.flatten()))
}

fn count(c: &Connection, q: &ArchiveQuery, cap: u64) -> StoreResult<ArchiveCount> {
    let mut params = Vec::new();
    let inner = match &q.search {
        None => format!("SELECT 1 FROM chats AS c WHERE {}", filters(q, &mut params)),
        Some(search) => {
            params.push(engine_query(c, search)?.into());
            format!(
                "SELECT DISTINCT s.rowid >> 20 FROM search AS s \
                 CROSS JOIN chats AS c ON c.id = (s.rowid >> 20) WHERE search MATCH ? AND {}",
                filters(q, &mut params)
            )
        }
    };
    let sql = format!("SELECT count(*) FROM ({inner} LIMIT ?)");
    params.push(
        i64::try_from(cap.saturating_add(1))
            .unwrap_or(i64::MAX)
            .into(),
    );
    let n: i64 = c
        .prepare_cached(&sql)
        .db()?
        .query_row(params_from_iter(params), |r| r.get(0))
        .db()?;
    let n = u64::try_from(n).unwrap_or(0);
    Ok(ArchiveCount {
        count: n.min(cap),
        more: n > cap,
    })
}

/// Refills the index from the stored text; the number of documents.
pub(crate) fn rebuild(c: &Connection) -> StoreResult<u64> {
    c.execute_batch(REBUILD).db()?;
    let n: i64 = c
        .query_row(&format!("SELECT count(*) FROM ({EXPECTED})"), [], |r| {
            r.get(0)
        })
        .db()?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// FTS5's own structure check, then the documents: exactly those the text makes.
pub(crate) fn check(c: &Connection) -> StoreResult<()> {
    c.execute("INSERT INTO search (search) VALUES ('integrity-check')", [])
        .map_err(|e| StoreError::Conflict(format!("search index damaged: {e}")))?;
    let missing: i64 = c
        .query_row(
            &format!(
                "SELECT count(*) FROM (SELECT * FROM ({EXPECTED}) EXCEPT SELECT rowid FROM search)"
            ),
            [],
            |r| r.get(0),
        )
        .db()?;
    let extra: i64 = c
        .query_row(
            &format!(
                "SELECT count(*) FROM (SELECT rowid FROM search EXCEPT SELECT * FROM ({EXPECTED}))"
            ),
            [],
            |r| r.get(0),
        )
        .db()?;
    if missing > 0 || extra > 0 {
        return Err(StoreError::Conflict(format!(
            "search index out of step: {missing} documents missing, {extra} stale"
        )));
    }
    Ok(())
}

#[async_trait]
impl ArchiveStore for SqliteStore {
    async fn archive_page(&self, query: &ArchiveQuery) -> StoreResult<ArchiveRows> {
        if query.sites.is_empty() {
            return Ok((Vec::new(), None));
        }
        if query.search.is_some() {
            self.flush_search_queue().await?;
        }
        let query = query.clone();
        self.read(move |c| page(c, &query)).await
    }

    async fn archive_count(&self, query: &ArchiveQuery, cap: u64) -> StoreResult<ArchiveCount> {
        if query.sites.is_empty() {
            return Ok(ArchiveCount {
                count: 0,
                more: false,
            });
        }
        if query.search.is_some() {
            self.flush_search_queue().await?;
        }
        let query = query.clone();
        self.read(move |c| count(c, &query, cap)).await
    }

    async fn rebuild_search_index(&self) -> StoreResult<u64> {
        self.write(|tx| rebuild(tx)).await
    }

    async fn check_search_index(&self) -> StoreResult<()> {
        // On the write connection: the integrity-check command writes nothing but is an
        // INSERT, which a read-only connection refuses. Queued messages are indexed first
        // (they are not missing, only not yet written).
        let backlog = self.search_backlog();
        self.write(move |tx| {
            crate::search_queue::flush(tx, &backlog)?;
            check(tx)
        })
        .await
    }
}

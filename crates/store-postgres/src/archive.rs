//! The Archive (issue 15) on PostgreSQL: filtered pages of chats newest first, and full-text
//! search on the GIN-indexed `tsvector`s of messages and chat headers
//! (migrations/0005_search.sql).
//!
//! The tsquery is built here from the parsed [`SearchQuery`], never by
//! `websearch_to_tsquery` (whose semantics differ): every term is a bind parameter, folded
//! and normalised by PostgreSQL itself (`phraseto_tsquery` for words and phrases, a quoted
//! lexeme with `:*` for a prefix, `!!` for an exclusion), so nothing a user typed is ever
//! tsquery syntax or SQL. The text search configuration is the site's; sites of different
//! languages are queried per configuration and the results merged.

use crate::PgStore;
use crate::map::{Db, chat_cols, chat_row, get};
use async_trait::async_trait;
use frontdesk_core::archive::{
    ArchiveCount, ArchiveCursor, ArchiveQuery, ArchiveState, MatchedIn, Snippet,
};
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::search::{SearchQuery, SnippetField, Term, header_fields, snippet};
use frontdesk_core::store::{ArchiveRows, ArchiveStore, StoreError, StoreResult};
use tokio_postgres::types::ToSql;

type Param = Box<dyn ToSql + Sync + Send>;

/// The text search configurations `frontdesk_search_config` answers (anything else is
/// refused before it reaches SQL text).
const CONFIGS: &[&str] = &[
    "simple",
    "english",
    "german",
    "french",
    "spanish",
    "portuguese",
    "italian",
    "dutch",
    "swedish",
    "danish",
    "finnish",
    "norwegian",
    "russian",
    "hungarian",
    "romanian",
    "turkish",
];

/// A query under construction: SQL text with `$n` placeholders and their values.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    /// Adds a parameter; its placeholder.
    fn bind(&mut self, p: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(p));
        format!("${}", self.params.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The tsquery of `q` in configuration `cfg` (one of [`CONFIGS`]), terms bound in `sql`.
fn tsquery(sql: &mut Sql, cfg: &str, q: &SearchQuery) -> String {
    let cfg = format!("'{cfg}'::regconfig");
    let parts: Vec<String> = q
        .clauses
        .iter()
        .map(|c| {
            let term = match &c.term {
                Term::Word { word } => {
                    let p = sql.bind(word.clone());
                    format!("phraseto_tsquery({cfg}, frontdesk_fold({p}::text))")
                }
                Term::Phrase { words } => {
                    let p = sql.bind(words.join(" "));
                    format!("phraseto_tsquery({cfg}, frontdesk_fold({p}::text))")
                }
                Term::Prefix { prefix } => {
                    let p = sql.bind(prefix.clone());
                    format!("to_tsquery({cfg}, quote_literal(frontdesk_fold({p}::text)) || ':*')")
                }
            };
            if c.exclude {
                format!("!!({term})")
            } else {
                format!("({term})")
            }
        })
        .collect();
    format!("({})", parts.join(" && "))
}

/// The filters of `q` but the search and the cursor, on `chats AS c`, for `sites`.
fn filters(sql: &mut Sql, q: &ArchiveQuery, sites: Vec<i64>) -> String {
    // One site: the index `chats_site` (site_id, id) serves newest first with no sort.
    let mut out = match sites.as_slice() {
        [one] => format!("c.site_id = {}::bigint", sql.bind(*one)),
        _ => format!("c.site_id = ANY({}::bigint[])", sql.bind(sites)),
    };
    if let Some(agent) = q.agent {
        out += &format!(" AND c.agent_id = {}::bigint", sql.bind(agent.0));
    }
    if let Some(from) = q.from {
        out += &format!(" AND c.created_at >= {}::bigint", sql.bind(from.0));
    }
    if let Some(to) = q.to {
        out += &format!(" AND c.created_at < {}::bigint", sql.bind(to.0));
    }
    out += match q.state {
        None => "",
        Some(ArchiveState::Ended) => {
            " AND c.state = 'ended' AND NOT c.missed AND c.end_reason <> 'blocked'"
        }
        Some(ArchiveState::Missed) => " AND c.state = 'ended' AND c.missed",
        Some(ArchiveState::Blocked) => " AND c.end_reason = 'blocked'",
        Some(ArchiveState::Open) => " AND c.state IN ('pending', 'active')",
    };
    if let Some(tag) = &q.tag {
        out += &format!(
            " AND c.tags <> '[]'::jsonb AND EXISTS (SELECT 1 FROM \
             jsonb_array_elements_text(c.tags) AS t(v) WHERE lower(t.v) = lower({}::text))",
            sql.bind(tag.clone())
        );
    }
    if let Some(rating) = q.rating {
        out += &format!(" AND c.rating = {}::bigint", sql.bind(i64::from(rating)));
    }
    out
}

/// Messages a search may match for the page to start from the GIN index (the matching
/// chats, then sorted) rather than walk the chats newest first and probe each.
const RARE: i64 = 1000;

/// Where `q` matches a chat when few messages match (see [`RARE`]): the candidates come from
/// the GIN indexes and are looked up by id (an array, so that no plan walks every chat).
fn rare_matches(sql: &mut Sql, cfg: &str, q: &SearchQuery) -> String {
    let header = tsquery(sql, cfg, q);
    let message = tsquery(sql, cfg, q);
    format!(
        "c.id = ANY(ARRAY(SELECT m.chat_id FROM messages AS m WHERE m.search @@ {message} \
         UNION SELECT h.id FROM chats AS h WHERE h.search @@ {header}))"
    )
}

/// Where `q` matches a chat: its header, or one of its messages (each one document).
///
/// `OFFSET 0` keeps the EXISTS a per-chat probe: without it PostgreSQL may turn it into a
/// "hashed SubPlan" that first collects every matching message's chat (for `refund*` at 1 M
/// chats: 200,000 of them, 1.6 s) before the walk returns its first row (0.75 ms with it).
fn matches(sql: &mut Sql, cfg: &str, q: &SearchQuery) -> String {
    let header = tsquery(sql, cfg, q);
    let message = tsquery(sql, cfg, q);
    format!(
        "(c.search @@ {header} OR EXISTS (SELECT 1 FROM messages AS m \
         WHERE m.chat_id = c.id AND m.search @@ {message} OFFSET 0))"
    )
}

impl PgStore {
    async fn query_dyn(&self, sql: &Sql) -> StoreResult<Vec<tokio_postgres::Row>> {
        let client = self.client().await?;
        // Not cached: the text varies with the filters and terms given.
        client.query(sql.text.as_str(), &sql.refs()).await.db()
    }

    /// Whether at most [`RARE`] messages match `q` (an index probe that stops early).
    async fn is_rare(&self, cfg: &str, q: &SearchQuery) -> StoreResult<bool> {
        let mut sql = Sql::default();
        let tsq = tsquery(&mut sql, cfg, q);
        let cap = sql.bind(RARE + 1);
        sql.text = format!(
            "SELECT count(*) FROM (SELECT 1 FROM messages WHERE search @@ {tsq} \
             LIMIT {cap}::bigint) AS t"
        );
        let rows = self.query_dyn(&sql).await?;
        let n: i64 = rows.first().map_or(Ok(0), |r| get(r, 0))?;
        Ok(n <= RARE)
    }

    /// `(config, sites)` groups of the query's sites; one group without a search.
    async fn config_groups(&self, q: &ArchiveQuery) -> StoreResult<Vec<(String, Vec<i64>)>> {
        let sites: Vec<i64> = q.sites.iter().map(|s| s.0).collect();
        if q.search.is_none() {
            return Ok(vec![("simple".into(), sites)]);
        }
        let rows = self
            .rows(
                "SELECT frontdesk_search_config(id)::text, array_agg(id) FROM sites \
                 WHERE id = ANY($1) GROUP BY 1",
                &[&sites],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let cfg: String = get(&r, 0)?;
            if !CONFIGS.contains(&cfg.as_str()) {
                return Err(StoreError::Unavailable(format!("search config {cfg}")));
            }
            out.push((cfg, get(&r, 1)?));
        }
        Ok(out)
    }

    async fn snippet_of(&self, cfg: &str, q: &SearchQuery, chat: &Chat) -> StoreResult<Snippet> {
        let mut sql = Sql::default();
        let id = sql.bind(chat.id.0);
        let tsq = tsquery(&mut sql, cfg, q);
        sql.text = format!(
            "SELECT seq, kind, body FROM messages WHERE chat_id = {id}::bigint \
             AND search @@ {tsq} ORDER BY seq DESC LIMIT 1"
        );
        let fallback = || Snippet {
            matched_in: MatchedIn::Message,
            seq: None,
            text: String::new(),
            highlights: Vec::new(),
        };
        if let Some(r) = self.query_dyn(&sql).await?.first() {
            let (seq, kind, body): (i64, String, String) = (get(r, 0)?, get(r, 1)?, get(r, 2)?);
            let field = SnippetField {
                matched_in: if kind == "note" {
                    MatchedIn::Note
                } else {
                    MatchedIn::Message
                },
                seq: Some(Seq(seq)),
                text: &body,
            };
            return Ok(snippet(q, &[field]).unwrap_or_else(fallback));
        }
        let titles: Vec<String> = match chat.visit_id {
            Some(visit) => self
                .rows(
                    "SELECT DISTINCT title FROM page_views WHERE visit_id = $1 LIMIT 50",
                    &[&visit.0],
                )
                .await?
                .iter()
                .map(|r| get(r, 0))
                .collect::<StoreResult<_>>()?,
            None => Vec::new(),
        };
        let tags = chat.tags.join(", ");
        let fields = header_fields(chat, &titles, &tags);
        Ok(snippet(q, &fields).unwrap_or_else(fallback))
    }
}

#[async_trait]
impl ArchiveStore for PgStore {
    async fn archive_page(&self, q: &ArchiveQuery) -> StoreResult<ArchiveRows> {
        if q.sites.is_empty() {
            return Ok((Vec::new(), None));
        }
        let limit = usize::try_from(q.limit.max(1)).unwrap_or(1);
        let mut hits: Vec<(Chat, String)> = Vec::new();
        for (cfg, sites) in self.config_groups(q).await? {
            let mut sql = Sql::default();
            let mut cond = filters(&mut sql, q, sites);
            if let Some(cursor) = q.cursor {
                cond += &format!(" AND c.id < {}::bigint", sql.bind(cursor.before.0));
            }
            if let Some(search) = &q.search {
                // A common word: walk the chats newest first, probing each (stops at the
                // page's end). A rare one: start from the GIN indexes.
                let found = if self.is_rare(&cfg, search).await? {
                    rare_matches(&mut sql, &cfg, search)
                } else {
                    matches(&mut sql, &cfg, search)
                };
                cond += &format!(" AND {found}");
            }
            let n = sql.bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
            sql.text = format!(
                concat!(
                    "SELECT ",
                    chat_cols!(),
                    " FROM chats AS c WHERE {} ORDER BY c.id DESC LIMIT {}::bigint"
                ),
                cond, n
            );
            for r in self.query_dyn(&sql).await? {
                hits.push((chat_row(&r)?, cfg.clone()));
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.0.id.0));
        let next = if hits.len() > limit {
            hits.truncate(limit);
            hits.last().map(|h| ArchiveCursor {
                before: h.0.id,
                key: 0,
            })
        } else {
            None
        };
        let mut out = Vec::with_capacity(hits.len());
        for (chat, cfg) in hits {
            let snip = match &q.search {
                Some(s) => Some(self.snippet_of(&cfg, s, &chat).await?),
                None => None,
            };
            out.push((chat, snip));
        }
        Ok((out, next))
    }

    async fn archive_count(&self, q: &ArchiveQuery, cap: u64) -> StoreResult<ArchiveCount> {
        if q.sites.is_empty() {
            return Ok(ArchiveCount {
                count: 0,
                more: false,
            });
        }
        let mut total: u64 = 0;
        for (cfg, sites) in self.config_groups(q).await? {
            let mut sql = Sql::default();
            let mut cond = filters(&mut sql, q, sites);
            if let Some(search) = &q.search {
                cond += &format!(" AND {}", matches(&mut sql, &cfg, search));
            }
            let n = sql.bind(i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX));
            sql.text = format!(
                "SELECT count(*) FROM (SELECT 1 FROM chats AS c WHERE {cond} LIMIT {n}::bigint) t"
            );
            let rows = self.query_dyn(&sql).await?;
            let counted: i64 = rows.first().map_or(Ok(0), |r| get(r, 0))?;
            total = total.saturating_add(u64::try_from(counted).unwrap_or(0));
        }
        Ok(ArchiveCount {
            count: total.min(cap),
            more: total > cap,
        })
    }

    async fn rebuild_search_index(&self) -> StoreResult<u64> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE messages AS m SET search = frontdesk_message_tsv(c.site_id, m.kind, m.body) \
                 FROM chats AS c WHERE c.id = m.chat_id",
                &[],
            )
            .await
            .db()?;
        let chats = client
            .execute(
                "UPDATE chats SET search = frontdesk_chat_tsv(site_id, visit_id, visitor_name, \
                 visitor_email, tags, wrap_up)",
                &[],
            )
            .await
            .db()?;
        // The UPDATEs left a dead copy of every row in front of the live ones, and the
        // planner has no statistics of the new lexemes: a common word's first matches were
        // 1.4 s of dead rows away (10 M messages), and a GIN bitmap was built for a capped
        // count that a sequential scan answers in 3 ms. One statement per call: VACUUM cannot
        // run in a transaction block.
        for table in ["messages", "chats"] {
            client
                .batch_execute(&format!("VACUUM ANALYZE {table}"))
                .await
                .db()?;
        }
        let searchable: i64 = client
            .query_one(
                "SELECT count(*) FROM messages WHERE kind IN ('text', 'link', 'note', 'file')",
                &[],
            )
            .await
            .db()?
            .get(0);
        Ok(u64::try_from(searchable).unwrap_or(0) + chats)
    }

    async fn check_search_index(&self) -> StoreResult<()> {
        let client = self.client().await?;
        let messages: i64 = client
            .query_one(
                "SELECT count(*) FROM messages AS m JOIN chats AS c ON c.id = m.chat_id \
                 WHERE m.search IS DISTINCT FROM frontdesk_message_tsv(c.site_id, m.kind, m.body)",
                &[],
            )
            .await
            .db()?
            .get(0);
        let chats: i64 = client
            .query_one(
                // Missing only: an open chat's page titles rightly lag (taken at the end).
                "SELECT count(*) FROM chats WHERE search IS NULL",
                &[],
            )
            .await
            .db()?
            .get(0);
        if messages > 0 || chats > 0 {
            return Err(StoreError::Conflict(format!(
                "search index out of step: {messages} messages, {chats} chats"
            )));
        }
        Ok(())
    }
}

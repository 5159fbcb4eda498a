//! Chats and their messages.

use crate::SqliteStore;
use crate::map::{
    Db, all, author_columns, chat_cas, chat_cols, chat_row, json_ids, message_cols, message_row,
    state_columns,
};
use crate::search_queue::Backlog;
use async_trait::async_trait;
use frontdesk_core::chat::ChatState;
use frontdesk_core::files::NewFile;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{Appended, ChatStore, Posted, StoreResult, VisitorMessage};
use frontdesk_core::webhooks::{self as hooks, EventKind, Subscriptions};
use rusqlite::{Connection, OptionalExtension, params};

// Hot-path statements (their query plans are checked in `unit_tests`).

pub(crate) const CLIENT_ID_LOOKUP: &str = concat!(
    "SELECT ",
    message_cols!(),
    " FROM messages WHERE chat_id = ?1 AND client_id = ?2"
);
pub(crate) const NEXT_SEQ: &str =
    "UPDATE chats SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq";
pub(crate) const UPDATE_STATE: &str = concat!(
    "UPDATE chats SET state = ?3, \
                     agent_id = CASE WHEN ?3 = 'ended' THEN agent_id ELSE ?4 END, \
                     end_reason = ?5, ended_by = ?6, \
                     ended_at = ?7, version = version + 1, \
                     answered_at = CASE WHEN ?3 = 'active' THEN coalesce(answered_at, ?8) \
                                   ELSE answered_at END, \
                     missed = CASE WHEN ?5 = 'visitor' AND answered_at IS NULL THEN 1 \
                              ELSE missed END, \
                     offered_to = NULL, offer_expires_at = NULL, \
                     joined = CASE WHEN ?3 = 'pending' THEN '[]' \
                              WHEN ?3 = 'active' THEN (SELECT json_group_array(value) \
                                   FROM json_each(chats.joined) WHERE value <> ?4) \
                              ELSE joined END \
                     WHERE id = ?1 AND version = ?2 RETURNING ",
    chat_cols!()
);
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO chat_events (chat_id, at, state, agent_id) VALUES (?1, ?2, ?3, ?4)";
pub(crate) const OPEN_CHATS: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE state IN ('pending', 'active') \
             AND site_id IN (SELECT value FROM json_each(?1)) ORDER BY queued_at, id"
);
// `state IN (...)` is repeated so that the partial index `chats_open` applies.
pub(crate) const WAITING_CHATS: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = ?1 AND state IN ('pending', 'active') \
             AND state = 'pending' ORDER BY queued_at, id"
);
pub(crate) const CHATS_OF_AGENT: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE agent_id = ?1 AND state = 'active' ORDER BY queued_at, id"
);
pub(crate) const OPEN_CHAT_OF_VISITOR: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = ?1 AND visitor_id = ?2 \
             AND state IN ('pending', 'active') ORDER BY created_at DESC, id DESC LIMIT 1"
);
pub(crate) const CHATS_OF_VISITOR: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = ?1 AND visitor_id = ?2 \
             ORDER BY created_at DESC, id DESC LIMIT ?3"
);
pub(crate) const MESSAGES_AFTER: &str = concat!(
    "SELECT ",
    message_cols!(),
    " FROM messages WHERE chat_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
);

/// Appends in the writer's transaction: idempotent on `client_id`, numbered without gaps.
fn append(
    c: &Connection,
    m: &NewMessage,
    index: Option<&Backlog>,
    subs: &Subscriptions,
) -> StoreResult<Appended> {
    if let Some(client_id) = &m.client_id {
        let stored = c
            .prepare_cached(CLIENT_ID_LOOKUP)
            .db()?
            .query_row(params![m.chat_id.0, client_id], message_row)
            .optional()
            .db()?;
        if let Some(mut message) = stored {
            crate::files::attach_files(c, std::slice::from_mut(&mut message))?;
            return Ok(Appended {
                message,
                duplicate: true,
            });
        }
    }
    // Takes the next number and proves the chat exists in one statement.
    let seq: i64 = c
        .prepare_cached(NEXT_SEQ)
        .db()?
        .query_row([m.chat_id.0], |r| r.get(0))
        .db()?;
    let (author, agent) = author_columns(m.author);
    c.prepare_cached(
        "INSERT INTO messages (chat_id, seq, author, agent_id, author_name, kind, body, \
         client_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .db()?
    .execute(params![
        m.chat_id.0,
        seq,
        author,
        agent,
        m.author_name,
        m.kind.as_str(),
        m.body,
        m.client_id,
        m.created_at.0
    ])
    .db()?;
    if let Some(file) = &m.file {
        insert_file(c, m, seq, file)?;
    }
    if let Some(backlog) = index {
        crate::search_queue::queue_message(c, backlog, m.chat_id, seq, m.kind)?;
    }
    let message = Message {
        chat_id: m.chat_id,
        seq: Seq(seq),
        author: m.author,
        author_name: m.author_name.clone(),
        kind: m.kind,
        body: m.body.clone(),
        client_id: m.client_id.clone(),
        created_at: m.created_at,
        file: m.file.as_ref().map(|f| f.meta.clone()),
    };
    if !subs.is_empty() {
        let site = SiteId(
            c.prepare_cached("SELECT site_id FROM chats WHERE id = ?1")
                .db()?
                .query_row([m.chat_id.0], |r| r.get(0))
                .db()?,
        );
        crate::webhooks::emit(c, subs, site, EventKind::MessageCreated, || {
            hooks::message_event(site, &message)
        })?;
    }
    Ok(Appended {
        message,
        duplicate: false,
    })
}

/// A file message's row and bytes, in the message's transaction (never one without the other).
fn insert_file(c: &Connection, m: &NewMessage, seq: i64, f: &NewFile) -> StoreResult<()> {
    let site: i64 = c
        .prepare_cached("SELECT site_id FROM chats WHERE id = ?1")
        .db()?
        .query_row([m.chat_id.0], |r| r.get(0))
        .db()?;
    c.prepare_cached(
        "INSERT INTO files (id, chat_id, seq, site_id, name, mime, size, sha256, width, height, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .db()?
    .execute(params![
        f.meta.id.0,
        m.chat_id.0,
        seq,
        site,
        f.meta.name,
        f.meta.mime,
        i64::try_from(f.meta.size).unwrap_or(i64::MAX),
        f.sha256,
        f.meta.width,
        f.meta.height,
        m.created_at.0
    ])
    .db()?;
    c.prepare_cached("INSERT INTO file_data (id, data, thumb) VALUES (?1, ?2, ?3)")
        .db()?
        .execute(params![f.meta.id.0, f.data, f.thumb])
        .db()?;
    Ok(())
}

/// A visitor's message in the writer's transaction: the open chat is read and appended to
/// under the same write lock, so a chat that ended meanwhile takes no message.
fn append_visitor(
    c: &Connection,
    m: VisitorMessage,
    index: Option<&Backlog>,
    subs: &Subscriptions,
) -> StoreResult<Option<Posted>> {
    let chat = c
        .prepare_cached(OPEN_CHAT_OF_VISITOR)
        .db()?
        .query_row(params![m.site.0, m.visitor.0], chat_row)
        .optional()
        .db()?;
    let Some(chat) = chat else {
        return Ok(None);
    };
    let appended = append(
        c,
        &NewMessage {
            chat_id: chat.id,
            author: Author::Visitor,
            author_name: chat.visitor_name.clone(),
            kind: m.kind,
            body: m.body,
            client_id: m.client_id,
            created_at: m.created_at,
            file: m.file,
        },
        index,
        subs,
    )?;
    Ok(Some(Posted { chat, appended }))
}

impl SqliteStore {
    async fn chat_list(
        &self,
        sql: &'static str,
        params: Vec<rusqlite::types::Value>,
    ) -> StoreResult<Vec<Chat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(sql).db()?;
            all(stmt
                .query_map(rusqlite::params_from_iter(params), chat_row)
                .db()?)
        })
        .await
    }
}

#[async_trait]
impl ChatStore for SqliteStore {
    /// A new pending chat: version 1, `last_seq` 0, `queued_at = created_at`.
    /// An unknown site is `NotFound`.
    async fn create_chat(&self, chat: NewChat) -> StoreResult<Chat> {
        let index = self.search_index();
        self.write_events(move |tx, subs| {
            let created = tx.prepare_cached(concat!(
                "INSERT INTO chats (site_id, visitor_id, visit_id, visitor_name, visitor_email, \
                 state, created_at, queued_at, page_url, department_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6, ?7, ?8) RETURNING ",
                chat_cols!()
            ))
            .db()?
            .query_row(
                params![
                    chat.site_id.0,
                    chat.visitor_id.0,
                    chat.visit_id.map(|v| v.0),
                    chat.visitor_name,
                    chat.visitor_email,
                    chat.created_at.0,
                    chat.page_url,
                    chat.department_id.map(|d| d.0)
                ],
                chat_row,
            )
            .db()?;
            if index {
                crate::archive::index_chat(tx, created.id)?;
            }
            crate::webhooks::emit(tx, subs, created.site_id, EventKind::ChatStarted, || {
                hooks::chat_event(EventKind::ChatStarted, &created, created.created_at)
            })?;
            Ok(created)
        })
        .await
    }

    async fn chat(&self, id: ChatId) -> StoreResult<Chat> {
        self.read_point(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], chat_row)
            .db()
        })
        .await
    }

    /// Pending: back in the queue (no agent; `queued_at` kept, so a requeued chat keeps its
    /// place). Active: held by the agent.
    /// Ended: `ended_at = now`, the last holder is kept in `agent_id`.
    /// `Ok(None)` when the version moved on; `NotFound` when there is no such chat.
    async fn update_chat_state(
        &self,
        id: ChatId,
        expected_version: i64,
        state: ChatState,
        now: Timestamp,
    ) -> StoreResult<Option<Chat>> {
        let cols = state_columns(state);
        let ended_at = matches!(state, ChatState::Ended { .. }).then_some(now.0);
        // The header's page titles are taken again when the chat ends (not on every view).
        let index = self.search_index() && ended_at.is_some();
        self.write_events(move |tx, subs| {
            // The state before, to tell which event the change is: read only when some
            // webhook wants anything (a point read in the same transaction).
            let before = if subs.is_empty() {
                None
            } else {
                tx.prepare_cached(concat!(
                    "SELECT ",
                    chat_cols!(),
                    " FROM chats WHERE id = ?1"
                ))
                .db()?
                .query_row([id.0], chat_row)
                .optional()
                .db()?
            };
            let updated = tx
                .prepare_cached(UPDATE_STATE)
                .db()?
                .query_row(
                    params![
                        id.0,
                        expected_version,
                        cols.state,
                        cols.agent,
                        cols.end_reason,
                        cols.ended_by,
                        ended_at,
                        now.0
                    ],
                    chat_row,
                )
                .optional()
                .db()?;
            if let Some(chat) = &updated {
                // Who took the chat when (reports): in the update's transaction.
                tx.prepare_cached(INSERT_EVENT)
                    .db()?
                    .execute(params![
                        chat.id.0,
                        now.0,
                        cols.state,
                        cols.agent.or(cols.ended_by)
                    ])
                    .db()?;
            }
            if index && updated.is_some() {
                crate::archive::index_chat(tx, id)?;
            }
            if let (Some(before), Some(after)) = (&before, &updated)
                && let Some(kind) = hooks::classify(&before.state, &after.state)
            {
                crate::webhooks::emit(tx, subs, after.site_id, kind, || {
                    hooks::chat_event(kind, after, now)
                })?;
            }
            chat_cas(tx, id, updated)
        })
        .await
    }

    /// Oldest in the queue first.
    async fn open_chats(&self, sites: &[SiteId]) -> StoreResult<Vec<Chat>> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_ids(sites.iter().map(|s| s.0));
        self.chat_list(OPEN_CHATS, vec![ids.into()]).await
    }

    async fn waiting_chats(&self, site: SiteId) -> StoreResult<Vec<Chat>> {
        self.chat_list(WAITING_CHATS, vec![site.0.into()]).await
    }

    /// Oldest in the queue first.
    async fn chats_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>> {
        self.chat_list(CHATS_OF_AGENT, vec![agent.0.into()]).await
    }

    /// The newest open chat, should there ever be more than one.
    async fn open_chat_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<Chat>> {
        let visitor = visitor.0.clone();
        // By the (site_id, visitor_id) index, one row: a point read.
        self.read_point(move |c| {
            c.prepare_cached(OPEN_CHAT_OF_VISITOR)
                .db()?
                .query_row(params![site.0, visitor], chat_row)
                .optional()
                .db()
        })
        .await
    }

    async fn chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        let params = vec![
            site.0.into(),
            visitor.0.clone().into(),
            i64::from(limit).into(),
        ];
        self.chat_list(CHATS_OF_VISITOR, params).await
    }

    /// `NotFound` when the chat does not exist. Does not check the chat's state: whether
    /// one may post is the caller's rule ([`ChatState::may_post`]).
    async fn append_message(&self, message: NewMessage) -> StoreResult<Appended> {
        let index = self.search_queue();
        self.write_events(move |tx, subs| append(tx, &message, index.as_deref(), subs))
            .await
    }

    async fn append_visitor_message(&self, message: VisitorMessage) -> StoreResult<Option<Posted>> {
        let index = self.search_queue();
        self.write_events(move |tx, subs| append_visitor(tx, message, index.as_deref(), subs))
            .await
    }

    /// An unknown chat has no messages (empty list, not `NotFound`).
    async fn messages_after(
        &self,
        chat: ChatId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(MESSAGES_AFTER).db()?;
            let mut messages = all(stmt
                .query_map(params![chat.0, after.0, i64::from(limit)], message_row)
                .db()?)?;
            crate::files::attach_files(c, &mut messages)?;
            Ok(messages)
        })
        .await
    }
}

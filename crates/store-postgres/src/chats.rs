//! Chats and their messages.

use crate::PgStore;
use crate::map::{
    Db, all, author_columns, chat_cols, chat_row, get, is_unique_violation, message_cols,
    message_row, state_columns,
};
use async_trait::async_trait;
use frontdesk_core::chat::ChatState;
use frontdesk_core::files::NewFile;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{Appended, ChatStore, Posted, StoreError, StoreResult, VisitorMessage};
use frontdesk_core::webhooks::{self as hooks, EventKind, Subscriptions};

/// One statement, so one transaction: takes the chat's next number (the row lock on the
/// chat serializes appends to it, across nodes) and inserts the message under it. If the
/// insert fails, the number is not taken. No row when the chat does not exist, or when a
/// message with this `client_id` was already committed when the statement started; a
/// concurrent twin with the same `client_id` makes the insert fail with a unique violation.
const APPEND: &str = "WITH bump AS ( \
         UPDATE chats SET last_seq = last_seq + 1 \
         WHERE id = $1 AND ($8::text IS NULL OR NOT EXISTS \
             (SELECT 1 FROM messages WHERE chat_id = $1 AND client_id = $8)) \
         RETURNING last_seq) \
     INSERT INTO messages (chat_id, seq, author, agent_id, author_name, kind, body, \
         client_id, created_at) \
     SELECT $1, last_seq, $2, $3, $4, $5, $6, $8, $7 FROM bump RETURNING seq";

/// The visitor's open chat, locked for the rest of the transaction: an end, accept or
/// another append waits for it, and this append waits for them.
const OPEN_CHAT_OF_VISITOR_LOCKED: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = $1 AND visitor_id = $2 \
     AND state IN ('pending', 'active') ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE"
);

const CLIENT_ID_LOOKUP: &str = concat!(
    "SELECT ",
    message_cols!(),
    " FROM messages WHERE chat_id = $1 AND client_id = $2"
);

// The update and its chat event (who took the chat when, for reports) in one statement.
const UPDATE_STATE: &str = concat!(
    "WITH u AS (UPDATE chats SET state = $3, \
         agent_id = CASE WHEN $3 = 'ended' THEN agent_id ELSE $4 END, \
         end_reason = $5, ended_by = $6, \
         ended_at = $7, version = version + 1, \
         answered_at = CASE WHEN $3 = 'active' THEN coalesce(answered_at, $8) \
                       ELSE answered_at END, \
         missed = CASE WHEN $5 = 'visitor' AND answered_at IS NULL THEN true \
                  ELSE missed END, \
         offered_to = NULL, offer_expires_at = NULL, \
         joined = CASE WHEN $3 = 'pending' THEN '[]'::jsonb \
                  WHEN $3 = 'active' THEN (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) \
                       FROM jsonb_array_elements(joined) WITH ORDINALITY AS t(e, i) \
                       WHERE e <> to_jsonb($4::bigint)) \
                  ELSE joined END \
     WHERE id = $1 AND version = $2 RETURNING ",
    chat_cols!(),
    "), ev AS (INSERT INTO chat_events (chat_id, at, state, agent_id) \
     SELECT id, $8, $3, coalesce($4, $6) FROM u) SELECT * FROM u"
);

impl PgStore {
    /// The answer of a conditional update of a chat: the updated chat, `Ok(None)` when the
    /// update lost the race (the chat moved on), `NotFound` when there is no such chat.
    pub(crate) async fn chat_cas(
        &self,
        chat: ChatId,
        updated: Option<tokio_postgres::Row>,
    ) -> StoreResult<Option<Chat>> {
        match updated {
            Some(row) => chat_row(&row).map(Some),
            None => self
                .one("SELECT 1 FROM chats WHERE id = $1", &[&chat.0])
                .await
                .map(|_| None),
        }
    }

    async fn chat_list(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<Chat>> {
        let rows = self.rows(sql, params).await?;
        all(rows, chat_row)
    }

    /// The answer when `APPEND` inserted nothing (`Ok(None)`: a resend, or no such chat) or
    /// failed (a concurrent twin with the same client id committed first: unique violation).
    async fn resent(
        &self,
        m: &NewMessage,
        inserted: StoreResult<Option<tokio_postgres::Row>>,
    ) -> StoreResult<Appended> {
        let cid = match (inserted, m.client_id.as_deref()) {
            (Ok(_), Some(cid)) => cid,
            (Ok(_), None) => return Err(StoreError::NotFound),
            (Err(e), Some(cid)) if is_unique_violation(&e) => cid,
            (Err(e), _) => return Err(e),
        };
        match self.by_client_id(m.chat_id, cid).await? {
            Some(message) => Ok(Appended {
                message,
                duplicate: true,
            }),
            None => Err(StoreError::NotFound),
        }
    }

    /// The stored message with this client id, if any.
    async fn by_client_id(&self, chat: ChatId, client_id: &str) -> StoreResult<Option<Message>> {
        let row = self.row(CLIENT_ID_LOOKUP, &[&chat.0, &client_id]).await?;
        let Some(message) = row.as_ref().map(message_row).transpose()? else {
            return Ok(None);
        };
        Ok(self.with_files(vec![message]).await?.pop())
    }
}

mod append;
use append::{append_visitor, insert_file, message_of};

#[async_trait]
impl ChatStore for PgStore {
    /// A new pending chat: version 1, `last_seq` 0, `queued_at = created_at`.
    /// An unknown site is `NotFound`; a second open chat of the visitor is `Conflict`.
    async fn create_chat(&self, chat: NewChat) -> StoreResult<Chat> {
        let sql = concat!(
            "INSERT INTO chats (site_id, visitor_id, visit_id, visitor_name, \
             visitor_email, state, created_at, queued_at, page_url, department_id) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $7, $8) RETURNING ",
            chat_cols!()
        );
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] = [
            &chat.site_id.0,
            &chat.visitor_id.0,
            &chat.visit_id.map(|v| v.0),
            &chat.visitor_name,
            &chat.visitor_email,
            &chat.created_at.0,
            &chat.page_url,
            &chat.department_id.map(|d| d.0),
        ];
        let subs = self.subscriptions();
        let row = if subs
            .targets(chat.site_id, EventKind::ChatStarted)
            .is_empty()
        {
            self.one(sql, &params).await?
        } else {
            self.row_with_events(sql, &params, |row| {
                let created = chat_row(row)?;
                let event = hooks::chat_event(EventKind::ChatStarted, &created, created.created_at);
                Ok(Some((created.site_id, EventKind::ChatStarted, event)))
            })
            .await?
            .ok_or(StoreError::NotFound)?
        };
        chat_row(&row)
    }

    async fn chat(&self, id: ChatId) -> StoreResult<Chat> {
        let row = self
            .one(
                concat!("SELECT ", chat_cols!(), " FROM chats WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        chat_row(&row)
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
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] = [
            &id.0,
            &expected_version,
            &cols.state,
            &cols.agent,
            &cols.end_reason,
            &cols.ended_by,
            &ended_at,
            &now.0,
        ];
        let subs = self.subscriptions();
        if subs.is_empty() {
            let updated = self.row(UPDATE_STATE, &params).await?;
            return self.chat_cas(id, updated).await;
        }
        // Some webhook wants events: the state before (locked), the update and the outbox
        // rows in one transaction.
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let stmt = tx
            .prepare_cached(concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE id = $1 FOR UPDATE"
            ))
            .await
            .db()?;
        let before = tx
            .query_opt(&stmt, &[&id.0])
            .await
            .db()?
            .as_ref()
            .map(chat_row)
            .transpose()?;
        let stmt = tx.prepare_cached(UPDATE_STATE).await.db()?;
        let updated = tx.query_opt(&stmt, &params).await.db()?;
        if let (Some(before), Some(row)) = (&before, &updated) {
            let after = chat_row(row)?;
            if let Some(kind) = hooks::classify(&before.state, &after.state) {
                crate::webhooks::emit(&tx, &subs, after.site_id, kind, || {
                    hooks::chat_event(kind, &after, now)
                })
                .await?;
            }
        }
        crate::map::commit(tx).await?;
        subs.wake();
        self.chat_cas(id, updated).await
    }

    /// Oldest in the queue first.
    async fn open_chats(&self, sites: &[SiteId]) -> StoreResult<Vec<Chat>> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = sites.iter().map(|s| s.0).collect();
        self.chat_list(
            concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE state IN ('pending', 'active') AND site_id = ANY($1) \
                 ORDER BY queued_at, id"
            ),
            &[&ids],
        )
        .await
    }

    async fn waiting_chats(&self, site: SiteId) -> StoreResult<Vec<Chat>> {
        self.chat_list(
            concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE site_id = $1 AND state IN ('pending', 'active') \
                 AND state = 'pending' ORDER BY queued_at, id"
            ),
            &[&site.0],
        )
        .await
    }

    /// Oldest in the queue first.
    async fn chats_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>> {
        self.chat_list(
            concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE agent_id = $1 AND state = 'active' ORDER BY queued_at, id"
            ),
            &[&agent.0],
        )
        .await
    }

    /// The newest open chat, should there ever be more than one.
    async fn open_chat_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<Chat>> {
        let chats = self
            .chat_list(
                concat!(
                    "SELECT ",
                    chat_cols!(),
                    " FROM chats WHERE site_id = $1 AND visitor_id = $2 \
                     AND state IN ('pending', 'active') ORDER BY created_at DESC, id DESC LIMIT 1"
                ),
                &[&site.0, &visitor.0],
            )
            .await?;
        Ok(chats.into_iter().next())
    }

    async fn chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        self.chat_list(
            concat!(
                "SELECT ",
                chat_cols!(),
                " FROM chats WHERE site_id = $1 AND visitor_id = $2 \
                 ORDER BY created_at DESC, id DESC LIMIT $3"
            ),
            &[&site.0, &visitor.0, &i64::from(limit)],
        )
        .await
    }

    /// `NotFound` when the chat does not exist. Does not check the chat's state: whether
    /// one may post is the caller's rule ([`ChatState::may_post`]).
    async fn append_message(&self, m: NewMessage) -> StoreResult<Appended> {
        let (author, agent) = author_columns(m.author);
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] = [
            &m.chat_id.0,
            &author,
            &agent,
            &m.author_name,
            &m.kind.as_str(),
            &m.body,
            &m.created_at.0,
            &m.client_id,
        ];
        let subs = self.subscriptions();
        let seq: i64 = match &m.file {
            // A text: one statement, one round trip (no explicit transaction).
            None if subs.is_empty() => match crate::map::timed(self.row(APPEND, &params)).await {
                Ok(Some(row)) => get(&row, 0)?,
                other => return self.resent(&m, other).await,
            },
            // A file, or some webhook wants events: the message, the file's row and bytes,
            // and the outbox rows in one transaction.
            file => {
                let mut client = self.client().await?;
                let tx = client.transaction().await.db()?;
                let stmt = tx.prepare_cached(APPEND).await.db()?;
                let seq = match tx.query_opt(&stmt, &params).await.db() {
                    Ok(Some(row)) => get(&row, 0)?,
                    other => {
                        drop(tx);
                        return self.resent(&m, other).await;
                    }
                };
                if let Some(file) = file {
                    insert_file(&tx, m.chat_id, seq, m.created_at, file).await?;
                }
                if !subs.is_empty() {
                    let stmt = tx
                        .prepare_cached("SELECT site_id FROM chats WHERE id = $1")
                        .await
                        .db()?;
                    let row = tx.query_one(&stmt, &[&m.chat_id.0]).await.db()?;
                    let site = SiteId(get(&row, 0)?);
                    let message = message_of(&m, seq);
                    crate::webhooks::emit(&tx, &subs, site, EventKind::MessageCreated, || {
                        hooks::message_event(site, &message)
                    })
                    .await?;
                }
                crate::map::commit(tx).await?;
                if !subs.is_empty() {
                    subs.wake();
                }
                seq
            }
        };
        Ok(Appended {
            message: message_of(&m, seq),
            duplicate: false,
        })
    }

    async fn append_visitor_message(&self, message: VisitorMessage) -> StoreResult<Option<Posted>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let subs = self.subscriptions();
        let posted = append_visitor(&tx, message, &subs).await?;
        crate::map::commit(tx).await?;
        if !subs.is_empty() {
            subs.wake();
        }
        Ok(posted)
    }

    /// An unknown chat has no messages (empty list, not `NotFound`).
    async fn messages_after(
        &self,
        chat: ChatId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    message_cols!(),
                    " FROM messages WHERE chat_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                ),
                &[&chat.0, &after.0, &i64::from(limit)],
            )
            .await?;
        self.with_files(all(rows, message_row)?).await
    }
}

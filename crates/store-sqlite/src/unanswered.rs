//! Chats nobody answered: escalation (a conditional update) and the day's "Missed" chats.

use crate::SqliteStore;
use crate::map::{Db, all, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{StoreResult, UnansweredStore};
use rusqlite::{OptionalExtension, params};

const ESCALATE: &str = concat!(
    "UPDATE chats SET escalated_at = ?2 \
     WHERE id = ?1 AND state = 'pending' AND escalated_at IS NULL RETURNING ",
    chat_cols!()
);
// `state IN (...)` is repeated so that the partial index `chats_open` applies.
const UNESCALATED: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE state IN ('pending', 'active') AND state = 'pending' \
     AND escalated_at IS NULL AND queued_at <= ?1 ORDER BY queued_at, id LIMIT ?2"
);
// `missed = 1` so that the partial index `chats_missed` applies.
const MISSED_SINCE: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = ?1 AND missed = 1 AND ended_at >= ?2 \
     ORDER BY ended_at DESC, id DESC LIMIT ?3"
);

#[async_trait]
impl UnansweredStore for SqliteStore {
    async fn escalate_chat(&self, id: ChatId, now: Timestamp) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            tx.prepare_cached(ESCALATE)
                .db()?
                .query_row(params![id.0, now.0], chat_row)
                .optional()
                .db()
        })
        .await
    }

    async fn unescalated_waiting_chats(
        &self,
        queued_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(UNESCALATED).db()?;
            all(stmt
                .query_map(params![queued_before.0, limit], chat_row)
                .db()?)
        })
        .await
    }

    async fn missed_chats_since(
        &self,
        site: SiteId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(MISSED_SINCE).db()?;
            all(stmt
                .query_map(params![site.0, since.0, limit], chat_row)
                .db()?)
        })
        .await
    }
}

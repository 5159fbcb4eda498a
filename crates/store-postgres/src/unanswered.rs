//! Chats nobody answered: escalation (a conditional update: one node wins) and the day's
//! "Missed" chats.

use crate::PgStore;
use crate::map::{all, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{StoreResult, UnansweredStore};

const ESCALATE: &str = concat!(
    "UPDATE chats SET escalated_at = $2 \
     WHERE id = $1 AND state = 'pending' AND escalated_at IS NULL RETURNING ",
    chat_cols!()
);
const UNESCALATED: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE state IN ('pending', 'active') AND state = 'pending' \
     AND escalated_at IS NULL AND queued_at <= $1 ORDER BY queued_at, id LIMIT $2"
);
const MISSED_SINCE: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = $1 AND missed AND ended_at >= $2 \
     ORDER BY ended_at DESC, id DESC LIMIT $3"
);

#[async_trait]
impl UnansweredStore for PgStore {
    async fn escalate_chat(&self, id: ChatId, now: Timestamp) -> StoreResult<Option<Chat>> {
        let row = self.row(ESCALATE, &[&id.0, &now.0]).await?;
        row.as_ref().map(chat_row).transpose()
    }

    async fn unescalated_waiting_chats(
        &self,
        queued_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        let rows = self
            .rows(UNESCALATED, &[&queued_before.0, &i64::from(limit)])
            .await?;
        all(rows, chat_row)
    }

    async fn missed_chats_since(
        &self,
        site: SiteId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        let rows = self
            .rows(MISSED_SINCE, &[&site.0, &since.0, &i64::from(limit)])
            .await?;
        all(rows, chat_row)
    }
}

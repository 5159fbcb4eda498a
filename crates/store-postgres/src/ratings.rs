//! The visitor's rating of a chat (columns `rating`, `rating_comment`, `rated_at` of
//! `chats`): one conditional update, and the site's ratings through the partial index
//! `chats_rated`.

use crate::PgStore;
use crate::map::{all, bad, chat_cols, get};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::rating::Rating;
use frontdesk_core::store::{RatedChat, RatingStore, StoreResult};
use tokio_postgres::Row;

// Only an ended chat; the first rating sets `rated_at`, a change keeps it and is written only
// while `now` < `rated_at` + window (the row lock orders concurrent writers). The version is
// not bumped: a rating is no state change.
const RATE: &str = concat!(
    "UPDATE chats SET rating = $2, rating_comment = $3, rated_at = coalesce(rated_at, $4) \
     WHERE id = $1 AND state = 'ended' AND (rated_at IS NULL OR $4 < rated_at + $5) \
     RETURNING ",
    chat_cols!()
);
// `rated_at IS NOT NULL` so that the partial index `chats_rated` applies.
const RATINGS: &str = "SELECT id, site_id, agent_id, rating, rating_comment, rated_at \
     FROM chats WHERE site_id = $1 AND rated_at IS NOT NULL AND rated_at >= $2 AND rated_at < $3 \
     ORDER BY rated_at, id LIMIT $4";

fn rated_row(r: &Row) -> StoreResult<RatedChat> {
    let score: i16 = get(r, 3)?;
    Ok(RatedChat {
        chat_id: ChatId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        agent_id: get::<Option<i64>>(r, 2)?.map(AgentId),
        rating: Rating {
            score: u8::try_from(score).map_err(|e| bad(format!("rating: {e}")))?,
            comment: get(r, 4)?,
            rated_at: Timestamp(get(r, 5)?),
        },
    })
}

#[async_trait]
impl RatingStore for PgStore {
    async fn rate_chat(
        &self,
        chat: ChatId,
        score: u8,
        comment: Option<&str>,
        now: Timestamp,
        window_ms: i64,
    ) -> StoreResult<Option<Chat>> {
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&chat.0, &i16::from(score), &comment, &now.0, &window_ms];
        let updated = if self.subscriptions().is_empty() {
            self.row(RATE, &params).await?
        } else {
            self.row_with_events(RATE, &params, |row| {
                let rated = crate::map::chat_row(row)?;
                Ok(Some((
                    rated.site_id,
                    frontdesk_core::webhooks::EventKind::ChatRated,
                    frontdesk_core::webhooks::rated_event(&rated, now),
                )))
            })
            .await?
        };
        self.chat_cas(chat, updated).await
    }

    async fn ratings(
        &self,
        site: SiteId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<RatedChat>> {
        let rows = self
            .rows(RATINGS, &[&site.0, &from.0, &to.0, &i64::from(limit)])
            .await?;
        all(rows, rated_row)
    }
}

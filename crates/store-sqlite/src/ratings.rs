//! The visitor's rating of a chat (columns `rating`, `rating_comment`, `rated_at` of
//! `chats`): one conditional update, and the site's ratings through the partial index
//! `chats_rated`.

use crate::SqliteStore;
use crate::map::{Db, all, chat_cas, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::rating::Rating;
use frontdesk_core::store::{RatedChat, RatingStore, StoreResult};
use rusqlite::params;

// Only an ended chat; the first rating sets `rated_at`, a change keeps it and is written only
// while `now` < `rated_at` + window. The version is not bumped: a rating is no state change.
const RATE: &str = concat!(
    "UPDATE chats SET rating = ?2, rating_comment = ?3, rated_at = coalesce(rated_at, ?4) \
     WHERE id = ?1 AND state = 'ended' AND (rated_at IS NULL OR ?4 < rated_at + ?5) \
     RETURNING ",
    chat_cols!()
);
// `rated_at IS NOT NULL` so that the partial index `chats_rated` applies.
const RATINGS: &str = "SELECT id, site_id, agent_id, rating, rating_comment, rated_at \
     FROM chats WHERE site_id = ?1 AND rated_at IS NOT NULL AND rated_at >= ?2 AND rated_at < ?3 \
     ORDER BY rated_at, id LIMIT ?4";

fn rated_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RatedChat> {
    Ok(RatedChat {
        chat_id: ChatId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        agent_id: r.get::<_, Option<i64>>(2)?.map(AgentId),
        rating: Rating {
            score: r.get(3)?,
            comment: r.get(4)?,
            rated_at: Timestamp(r.get(5)?),
        },
    })
}

#[async_trait]
impl RatingStore for SqliteStore {
    async fn rate_chat(
        &self,
        chat: ChatId,
        score: u8,
        comment: Option<&str>,
        now: Timestamp,
        window_ms: i64,
    ) -> StoreResult<Option<Chat>> {
        let comment = comment.map(str::to_string);
        self.write_events(move |tx, subs| {
            let updated = match tx
                .prepare_cached(RATE)
                .db()?
                .query_row(params![chat.0, score, comment, now.0, window_ms], chat_row)
            {
                Ok(c) => Some(c),
                Err(rusqlite::Error::QueryReturnedNoRows) => None,
                Err(e) => return Err(e).db(),
            };
            if let Some(rated) = &updated {
                crate::webhooks::emit(
                    tx,
                    subs,
                    rated.site_id,
                    frontdesk_core::webhooks::EventKind::ChatRated,
                    || frontdesk_core::webhooks::rated_event(rated, now),
                )?;
            }
            chat_cas(tx, chat, updated)
        })
        .await
    }

    async fn ratings(
        &self,
        site: SiteId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<RatedChat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(RATINGS).db()?;
            all(stmt
                .query_map(params![site.0, from.0, to.0, limit], rated_row)
                .db()?)
        })
        .await
    }
}

//! A chat's tags and wrap-up note, and a site's tags (the suggestions). `chats.tags` is a JSONB
//! array of strings; the site's tags are read from its tagged chats only (the partial index
//! `chats_tagged`).

use crate::PgStore;
use crate::map::{all, chat_cols, chat_row, get};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{StoreError, StoreResult, TagStore};
use frontdesk_core::tags::SiteTag;
use tokio_postgres::Row;

const SET_TAGS: &str = concat!(
    "UPDATE chats SET tags = $2::text::jsonb WHERE id = $1 RETURNING ",
    chat_cols!()
);
const SET_WRAP_UP: &str = concat!(
    "UPDATE chats SET wrap_up = $2 WHERE id = $1 RETURNING ",
    chat_cols!()
);
// `tags <> '[]'` so that the partial index `chats_tagged` applies. Tags that differ only in
// case are one; the spelling shown is the smallest by code point (`COLLATE "C"`, as SQLite).
const SITE_TAGS: &str = "SELECT min(t.value COLLATE \"C\"), count(*) AS n \
     FROM chats AS c, jsonb_array_elements_text(c.tags) AS t(value) \
     WHERE c.site_id = $1 AND c.tags <> '[]'::jsonb \
     GROUP BY lower(t.value) ORDER BY n DESC, lower(t.value), 1 LIMIT $2";

fn site_tag(r: &Row) -> StoreResult<SiteTag> {
    Ok(SiteTag {
        tag: get(r, 0)?,
        chats: u64::try_from(get::<i64>(r, 1)?).unwrap_or_default(),
    })
}

#[async_trait]
impl TagStore for PgStore {
    async fn set_chat_tags(&self, chat: ChatId, tags: &[String]) -> StoreResult<Chat> {
        let json = serde_json::to_string(tags)
            .map_err(|e| StoreError::Unavailable(format!("tags: {e}")))?;
        let row = self.row(SET_TAGS, &[&chat.0, &json]).await?;
        row.as_ref().map(chat_row).ok_or(StoreError::NotFound)?
    }

    async fn set_wrap_up(&self, chat: ChatId, wrap_up: Option<&str>) -> StoreResult<Chat> {
        let row = self.row(SET_WRAP_UP, &[&chat.0, &wrap_up]).await?;
        row.as_ref().map(chat_row).ok_or(StoreError::NotFound)?
    }

    async fn site_tags(&self, site: SiteId, limit: u32) -> StoreResult<Vec<SiteTag>> {
        let rows = self.rows(SITE_TAGS, &[&site.0, &i64::from(limit)]).await?;
        all(rows, site_tag)
    }
}

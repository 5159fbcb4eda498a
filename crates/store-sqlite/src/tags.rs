//! A chat's tags and wrap-up note, and a site's tags (the suggestions). `chats.tags` is a JSON
//! array of strings; the site's tags are read through `json_each` from its tagged chats only
//! (the partial index `chats_tagged`).

use crate::SqliteStore;
use crate::map::{Db, all, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{StoreError, StoreResult, TagStore};
use frontdesk_core::tags::SiteTag;
use rusqlite::params;

const SET_TAGS: &str = concat!(
    "UPDATE chats SET tags = ?2 WHERE id = ?1 RETURNING ",
    chat_cols!()
);
const SET_WRAP_UP: &str = concat!(
    "UPDATE chats SET wrap_up = ?2 WHERE id = ?1 RETURNING ",
    chat_cols!()
);
// `tags <> '[]'` so that the partial index `chats_tagged` applies. Tags that differ only in
// case are one (`lower`; the chat's own tags are already distinct ignoring case).
const SITE_TAGS: &str = "SELECT min(t.value), count(*) AS n \
     FROM chats AS c, json_each(c.tags) AS t \
     WHERE c.site_id = ?1 AND c.tags <> '[]' \
     GROUP BY lower(t.value) ORDER BY n DESC, lower(t.value), min(t.value) LIMIT ?2";

#[async_trait]
impl TagStore for SqliteStore {
    async fn set_chat_tags(&self, chat: ChatId, tags: &[String]) -> StoreResult<Chat> {
        let json = serde_json::to_string(tags)
            .map_err(|e| StoreError::Unavailable(format!("tags: {e}")))?;
        let index = self.search_index();
        self.write(move |tx| {
            let chat = tx
                .prepare_cached(SET_TAGS)
                .db()?
                .query_row(params![chat.0, json], chat_row)
                .db()?;
            if index {
                crate::archive::index_chat(tx, chat.id)?;
            }
            Ok(chat)
        })
        .await
    }

    async fn set_wrap_up(&self, chat: ChatId, wrap_up: Option<&str>) -> StoreResult<Chat> {
        let wrap_up = wrap_up.map(str::to_string);
        let index = self.search_index();
        self.write(move |tx| {
            let chat = tx
                .prepare_cached(SET_WRAP_UP)
                .db()?
                .query_row(params![chat.0, wrap_up], chat_row)
                .db()?;
            if index {
                crate::archive::index_chat(tx, chat.id)?;
            }
            Ok(chat)
        })
        .await
    }

    async fn site_tags(&self, site: SiteId, limit: u32) -> StoreResult<Vec<SiteTag>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(SITE_TAGS).db()?;
            all(stmt
                .query_map(params![site.0, limit], |r| {
                    Ok(SiteTag {
                        tag: r.get(0)?,
                        chats: u64::try_from(r.get::<_, i64>(1)?).unwrap_or_default(),
                    })
                })
                .db()?)
        })
        .await
    }
}

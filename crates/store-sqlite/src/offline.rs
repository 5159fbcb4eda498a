//! Offline messages (left while no agent was On-Line).

use crate::SqliteStore;
use crate::map::{Db, all, offline_cols, offline_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{OfflineStore, StoreResult};
use rusqlite::params;

pub(crate) const OFFLINE_MESSAGES: &str = concat!(
    "SELECT ",
    offline_cols!(),
    " FROM offline_messages WHERE site_id = ?1 \
                     ORDER BY created_at DESC, id DESC LIMIT ?2"
);

#[async_trait]
impl OfflineStore for SqliteStore {
    /// An unknown site is `NotFound`.
    async fn create_offline_message(&self, msg: NewOfflineMessage) -> StoreResult<OfflineMessage> {
        self.write_events(move |tx, subs| {
            let created = tx.prepare_cached(concat!(
                "INSERT INTO offline_messages (site_id, visitor_id, name, email, body, page_url, \
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING ",
                offline_cols!()
            ))
            .db()?
            .query_row(
                params![
                    msg.site_id.0,
                    msg.visitor_id.map(|v| v.0),
                    msg.name,
                    msg.email,
                    msg.body,
                    msg.page_url,
                    msg.created_at.0
                ],
                offline_row,
            )
            .db()?;
            crate::webhooks::emit(
                tx,
                subs,
                created.site_id,
                frontdesk_core::webhooks::EventKind::OfflineMessageCreated,
                || frontdesk_core::webhooks::offline_event(&created),
            )?;
            Ok(created)
        })
        .await
    }

    /// Newest first, at most `limit`.
    async fn offline_messages(&self, site: SiteId, limit: u32) -> StoreResult<Vec<OfflineMessage>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(OFFLINE_MESSAGES).db()?;
            all(stmt
                .query_map(params![site.0, i64::from(limit)], offline_row)
                .db()?)
        })
        .await
    }
}

//! Offline messages: what visitors leave while no agent is on-line.

use crate::PgStore;
use crate::map::{all, offline_cols, offline_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{OfflineStore, StoreResult};
use frontdesk_core::webhooks::EventKind;

#[async_trait]
impl OfflineStore for PgStore {
    /// An unknown site is `NotFound`.
    async fn create_offline_message(&self, msg: NewOfflineMessage) -> StoreResult<OfflineMessage> {
        let sql = concat!(
            "INSERT INTO offline_messages (site_id, visitor_id, name, email, body, \
             page_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            offline_cols!()
        );
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 7] = [
            &msg.site_id.0,
            &msg.visitor_id.as_ref().map(|v| v.0.as_str()),
            &msg.name,
            &msg.email,
            &msg.body,
            &msg.page_url,
            &msg.created_at.0,
        ];
        let subs = self.subscriptions();
        if !subs
            .targets(msg.site_id, EventKind::OfflineMessageCreated)
            .is_empty()
        {
            let row = self
                .row_with_events(sql, &params, |row| {
                    let m = offline_row(row)?;
                    Ok(Some((
                        m.site_id,
                        EventKind::OfflineMessageCreated,
                        frontdesk_core::webhooks::offline_event(&m),
                    )))
                })
                .await?
                .ok_or(frontdesk_core::store::StoreError::NotFound)?;
            return offline_row(&row);
        }
        let row = self
            .one(
                concat!(
                    "INSERT INTO offline_messages (site_id, visitor_id, name, email, body, \
                     page_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
                    offline_cols!()
                ),
                &[
                    &msg.site_id.0,
                    &msg.visitor_id.as_ref().map(|v| v.0.as_str()),
                    &msg.name,
                    &msg.email,
                    &msg.body,
                    &msg.page_url,
                    &msg.created_at.0,
                ],
            )
            .await?;
        offline_row(&row)
    }

    /// Newest first, at most `limit`.
    async fn offline_messages(&self, site: SiteId, limit: u32) -> StoreResult<Vec<OfflineMessage>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    offline_cols!(),
                    " FROM offline_messages WHERE site_id = $1 \
                     ORDER BY created_at DESC, id DESC LIMIT $2"
                ),
                &[&site.0, &i64::from(limit)],
            )
            .await?;
        all(rows, offline_row)
    }
}

//! Canned responses, blocks, offline messages, server-wide settings.

use crate::PgStore;
use crate::map::{
    all, block_cols, block_row, canned_cols, canned_row, get, offline_cols, offline_row,
};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{BlockStore, CannedStore, OfflineStore, SettingStore, StoreResult};

#[async_trait]
impl CannedStore for PgStore {
    /// Site-wide ones and the agent's own, by title (case-insensitive), then id.
    async fn canned_for(&self, site: SiteId, agent: AgentId) -> StoreResult<Vec<CannedResponse>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    canned_cols!(),
                    " FROM canned_responses WHERE site_id = $1 \
                     AND (agent_id IS NULL OR agent_id = $2) ORDER BY lower(title), id"
                ),
                &[&site.0, &agent.0],
            )
            .await?;
        all(rows, canned_row)
    }

    async fn canned(&self, id: CannedId) -> StoreResult<CannedResponse> {
        let row = self
            .one(
                concat!(
                    "SELECT ",
                    canned_cols!(),
                    " FROM canned_responses WHERE id = $1"
                ),
                &[&id.0],
            )
            .await?;
        canned_row(&row)
    }

    /// An unknown site or agent is `NotFound`.
    async fn create_canned(
        &self,
        site: SiteId,
        agent: Option<AgentId>,
        title: &str,
        body: &str,
    ) -> StoreResult<CannedResponse> {
        let row = self
            .one(
                concat!(
                    "INSERT INTO canned_responses (site_id, agent_id, title, body) \
                     VALUES ($1, $2, $3, $4) RETURNING ",
                    canned_cols!()
                ),
                &[&site.0, &agent.map(|a| a.0), &title, &body],
            )
            .await?;
        canned_row(&row)
    }

    async fn update_canned(&self, id: CannedId, title: &str, body: &str) -> StoreResult<()> {
        self.exec_one(
            "UPDATE canned_responses SET title = $2, body = $3 WHERE id = $1",
            &[&id.0, &title, &body],
        )
        .await
    }

    async fn delete_canned(&self, id: CannedId) -> StoreResult<()> {
        self.exec_one("DELETE FROM canned_responses WHERE id = $1", &[&id.0])
            .await
    }
}

#[async_trait]
impl BlockStore for PgStore {
    /// An unknown site is `NotFound`.
    async fn create_block(&self, block: NewBlock) -> StoreResult<Block> {
        let row = self
            .one(
                concat!(
                    "INSERT INTO blocks (site_id, visitor_id, ip, chat_id, blocked_by, \
                     created_at, until) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
                    block_cols!()
                ),
                &[
                    &block.site_id.0,
                    &block.visitor_id.0,
                    &block.ip,
                    &block.chat_id.map(|c| c.0),
                    &block.blocked_by.0,
                    &block.created_at.0,
                    &block.until.0,
                ],
            )
            .await?;
        block_row(&row)
    }

    /// A block not lifted, with `until > now`, for this visitor id or (if given) this IP.
    /// When several apply, the one lasting longest.
    async fn active_block(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        ip: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Option<Block>> {
        let row = self
            .row(
                concat!(
                    "SELECT ",
                    block_cols!(),
                    " FROM blocks WHERE site_id = $1 AND NOT lifted AND until > $4 \
                     AND (visitor_id = $2 OR (ip IS NOT NULL AND ip = $3)) \
                     ORDER BY until DESC, id DESC LIMIT 1"
                ),
                &[&site.0, &visitor.0, &ip, &now.0],
            )
            .await?;
        row.as_ref().map(block_row).transpose()
    }

    /// The blocks in force at `now` (not lifted, not expired), newest first.
    async fn blocks_of_site(&self, site: SiteId, now: Timestamp) -> StoreResult<Vec<Block>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    block_cols!(),
                    " FROM blocks WHERE site_id = $1 AND until > $2 AND NOT lifted \
                     ORDER BY created_at DESC, id DESC"
                ),
                &[&site.0, &now.0],
            )
            .await?;
        all(rows, block_row)
    }

    async fn block(&self, id: BlockId) -> StoreResult<Block> {
        let row = self
            .one(
                concat!("SELECT ", block_cols!(), " FROM blocks WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        block_row(&row)
    }

    /// Lifting a lifted block again is fine; an unknown block is `NotFound`.
    async fn lift_block(&self, id: BlockId) -> StoreResult<()> {
        self.exec_one("UPDATE blocks SET lifted = true WHERE id = $1", &[&id.0])
            .await
    }
}

#[async_trait]
impl OfflineStore for PgStore {
    /// An unknown site is `NotFound`.
    async fn create_offline_message(&self, msg: NewOfflineMessage) -> StoreResult<OfflineMessage> {
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

#[async_trait]
impl SettingStore for PgStore {
    /// Atomic: the first caller's `init` is stored (on any node); every caller gets the
    /// stored value.
    async fn secret(&self, name: &str, init: Vec<u8>) -> StoreResult<Vec<u8>> {
        self.exec(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &init],
        )
        .await?;
        let row = self
            .one("SELECT value FROM settings WHERE name = $1", &[&name])
            .await?;
        get(&row, 0)
    }
}

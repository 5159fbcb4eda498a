//! Blocks: a visitor id or an IP address kept out of a site until a time.

use crate::PgStore;
use crate::map::{all, block_cols, block_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{BlockStore, StoreResult};

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

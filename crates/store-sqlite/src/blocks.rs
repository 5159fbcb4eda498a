//! Blocks of visitors (by visitor id and, optionally, IP).

use crate::SqliteStore;
use crate::map::{Db, all, block_cols, block_row, changed};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{BlockStore, StoreResult};
use rusqlite::{OptionalExtension, params};

pub(crate) const ACTIVE_BLOCK: &str = concat!(
    "SELECT * FROM (SELECT ",
    block_cols!(),
    " FROM blocks WHERE site_id = ?1 AND visitor_id = ?2 AND lifted = 0 \
                 AND until > ?4 UNION SELECT ",
    block_cols!(),
    " FROM blocks WHERE site_id = ?1 AND ip = ?3 AND lifted = 0 AND ip IS NOT NULL \
                 AND until > ?4) ORDER BY until DESC, id DESC LIMIT 1"
);
pub(crate) const BLOCKS_OF_SITE: &str = concat!(
    "SELECT ",
    block_cols!(),
    " FROM blocks WHERE site_id = ?1 AND until > ?2 AND lifted = 0 \
                     ORDER BY created_at DESC, id DESC"
);

#[async_trait]
impl BlockStore for SqliteStore {
    /// An unknown site is `NotFound`.
    async fn create_block(&self, block: NewBlock) -> StoreResult<Block> {
        self.write(move |tx| {
            tx.prepare_cached(concat!(
                "INSERT INTO blocks (site_id, visitor_id, ip, chat_id, blocked_by, created_at, \
                 until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING ",
                block_cols!()
            ))
            .db()?
            .query_row(
                params![
                    block.site_id.0,
                    block.visitor_id.0,
                    block.ip,
                    block.chat_id.map(|c| c.0),
                    block.blocked_by.0,
                    block.created_at.0,
                    block.until.0
                ],
                block_row,
            )
            .db()
        })
        .await
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
        let visitor = visitor.0.clone();
        let ip = ip.map(str::to_owned);
        self.read(move |c| {
            // Two indexed lookups (by visitor, by IP); `ip = NULL` matches nothing.
            c.prepare_cached(ACTIVE_BLOCK)
                .db()?
                .query_row(params![site.0, visitor, ip, now.0], block_row)
                .optional()
                .db()
        })
        .await
    }

    /// The blocks in force at `now` (not lifted, not expired), newest first.
    async fn blocks_of_site(&self, site: SiteId, now: Timestamp) -> StoreResult<Vec<Block>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(BLOCKS_OF_SITE).db()?;
            all(stmt.query_map(params![site.0, now.0], block_row).db()?)
        })
        .await
    }

    async fn block(&self, id: BlockId) -> StoreResult<Block> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                block_cols!(),
                " FROM blocks WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], block_row)
            .db()
        })
        .await
    }

    /// Lifting a lifted block again is fine; an unknown block is `NotFound`.
    async fn lift_block(&self, id: BlockId) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE blocks SET lifted = 1 WHERE id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            changed(n)
        })
        .await
    }
}

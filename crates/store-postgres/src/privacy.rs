//! Privacy (issue 18): a visitor's offline messages and blocks for the export, the retention
//! task's deletes and a visitor's erasure. Each delete is one short transaction of at most
//! `limit` rows of its kind. The rows to delete are picked `FOR UPDATE SKIP LOCKED`: two
//! nodes running the retention task at once delete different rows instead of waiting on
//! each other.

use crate::PgStore;
use crate::map::{Db, all, block_cols, block_row, commit, get, offline_cols, offline_row};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use frontdesk_core::ids::*;
use frontdesk_core::model::{Block, OfflineMessage};
use frontdesk_core::store::{PrivacyStore, StoreResult};
use tokio_postgres::types::ToSql;

/// Each deleted chat or offline message bumped its hour's `report_dirty.mark` by one (the
/// triggers of migration 0006); take those bumps back, so the reports' rollups of those hours
/// stay as they are. A mark something else made stays (its hour is recounted).
async fn take_back_marks(tx: &Transaction<'_>, gone: &[tokio_postgres::Row]) -> StoreResult<()> {
    let mut marks: std::collections::BTreeMap<(i64, i64), i64> = Default::default();
    for r in gone {
        *marks.entry((get(r, 0)?, get(r, 1)?)).or_default() += 1;
    }
    for ((site, hour), n) in marks {
        tx.execute(
            "UPDATE report_dirty SET mark = mark - $3 WHERE site_id = $1 AND hour = $2",
            &[&site, &hour, &n],
        )
        .await
        .db()?;
        tx.execute(
            "DELETE FROM report_dirty WHERE site_id = $1 AND hour = $2 AND mark <= 0",
            &[&site, &hour],
        )
        .await
        .db()?;
    }
    Ok(())
}

/// Deletes the chats `ids` whole (files' bytes and rows, messages with their search
/// vectors, state history, the chat with its own) and takes back their recount marks.
async fn delete_chats(tx: &Transaction<'_>, ids: &[i64]) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    for sql in [
        "DELETE FROM file_data WHERE id IN (SELECT id FROM files WHERE chat_id = ANY($1))",
        "DELETE FROM files WHERE chat_id = ANY($1)",
        "DELETE FROM messages WHERE chat_id = ANY($1)",
        "DELETE FROM chat_events WHERE chat_id = ANY($1)",
        "DELETE FROM webhook_deliveries WHERE chat_id = ANY($1)",
    ] {
        tx.execute(sql, &[&ids]).await.db()?;
    }
    let gone = tx
        .query(
            "DELETE FROM chats WHERE id = ANY($1) \
             RETURNING site_id, created_at / 3600000, visitor_id",
            &[&ids],
        )
        .await
        .db()?;
    take_back_marks(tx, &gone).await?;
    let mut visitors: Vec<(i64, String)> = gone
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 2)?)))
        .collect::<StoreResult<_>>()?;
    visitors.sort();
    visitors.dedup();
    for (site, visitor) in visitors {
        forget_if_nothing_left(tx, site, &[visitor], i64::MAX).await?;
    }
    Ok(gone.len() as u64)
}

/// Deletes those of `visitors` last seen before `before` who have no visit and no chat
/// left on the site (their name and email would otherwise outlive everything else).
async fn forget_if_nothing_left(
    tx: &Transaction<'_>,
    site: i64,
    visitors: &[String],
    before: i64,
) -> StoreResult<u64> {
    tx.execute(
        "DELETE FROM visitors v WHERE v.site_id = $1 AND v.visitor_id = ANY($2) \
         AND v.last_seen < $3 \
         AND NOT EXISTS (SELECT 1 FROM visits WHERE site_id = $1 AND visitor_id = v.visitor_id) \
         AND NOT EXISTS (SELECT 1 FROM chats WHERE site_id = $1 AND visitor_id = v.visitor_id)",
        &[&site, &visitors, &before],
    )
    .await
    .db()
}

async fn delete_offline(tx: &Transaction<'_>, ids: &[i64]) -> StoreResult<u64> {
    let gone = tx
        .query(
            "DELETE FROM offline_messages WHERE id = ANY($1) \
             RETURNING site_id, created_at / 3600000",
            &[&ids],
        )
        .await
        .db()?;
    take_back_marks(tx, &gone).await?;
    Ok(gone.len() as u64)
}

async fn ids(tx: &Transaction<'_>, sql: &str, p: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<i64>> {
    tx.query(sql, p)
        .await
        .db()?
        .iter()
        .map(|r| get(r, 0))
        .collect()
}

impl PgStore {
    /// Picks ids with `pick`, then deletes with `delete`, in one transaction.
    async fn delete_picked(
        &self,
        pick: &str,
        p: &[&(dyn ToSql + Sync)],
        chats: bool,
    ) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let found = ids(&tx, pick, p).await?;
        let n = if chats {
            delete_chats(&tx, &found).await?
        } else {
            delete_offline(&tx, &found).await?
        };
        commit(tx).await?;
        Ok(n)
    }
}

#[async_trait]
impl PrivacyStore for PgStore {
    async fn offline_messages_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Vec<OfflineMessage>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    offline_cols!(),
                    " FROM offline_messages WHERE site_id = $1 AND visitor_id = $2 \
                     ORDER BY created_at, id"
                ),
                &[&site.0, &visitor.0],
            )
            .await?;
        all(rows, offline_row)
    }

    async fn blocks_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Vec<Block>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    block_cols!(),
                    " FROM blocks WHERE site_id = $1 AND visitor_id = $2 ORDER BY created_at, id"
                ),
                &[&site.0, &visitor.0],
            )
            .await?;
        all(rows, block_row)
    }

    async fn delete_ended_chats(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.delete_picked(
            "SELECT id FROM chats WHERE site_id = $1 AND state = 'ended' AND ended_at < $2 \
             ORDER BY ended_at LIMIT $3 FOR UPDATE SKIP LOCKED",
            &[&site.0, &before.0, &i64::from(limit)],
            true,
        )
        .await
    }

    async fn delete_old_offline_messages(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.delete_picked(
            "SELECT id FROM offline_messages WHERE site_id = $1 AND created_at < $2 \
             ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED",
            &[&site.0, &before.0, &i64::from(limit)],
            false,
        )
        .await
    }

    async fn delete_old_visits(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let found = ids(
            &tx,
            "SELECT id FROM visits WHERE site_id = $1 AND last_seen < $2 \
             ORDER BY last_seen LIMIT $3 FOR UPDATE SKIP LOCKED",
            &[&site.0, &before.0, &i64::from(limit)],
        )
        .await?;
        tx.execute("DELETE FROM page_views WHERE visit_id = ANY($1)", &[&found])
            .await
            .db()?;
        let visitors: Vec<String> = tx
            .query(
                "DELETE FROM visits WHERE id = ANY($1) RETURNING visitor_id",
                &[&found],
            )
            .await
            .db()?
            .iter()
            .map(|r| get(r, 0))
            .collect::<StoreResult<_>>()?;
        let mut deleted = visitors.len() as u64;
        deleted += forget_if_nothing_left(&tx, site.0, &visitors, before.0).await?;
        // Blocks over before the cut-off hold a visitor id and an address too.
        deleted += tx
            .execute(
                "DELETE FROM blocks WHERE id IN (SELECT id FROM blocks \
                 WHERE site_id = $1 AND until < $2 ORDER BY until LIMIT $3 FOR UPDATE SKIP LOCKED)",
                &[&site.0, &before.0, &i64::from(limit)],
            )
            .await
            .db()?;
        commit(tx).await?;
        Ok(deleted)
    }

    async fn delete_chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<u64> {
        self.delete_picked(
            "SELECT id FROM chats WHERE site_id = $1 AND visitor_id = $2 AND state = 'ended' \
             LIMIT $3 FOR UPDATE",
            &[&site.0, &visitor.0, &i64::from(limit)],
            true,
        )
        .await
    }

    async fn erase_visitor_rows(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let p: [&(dyn ToSql + Sync); 2] = [&site.0, &visitor.0];
        let mut n = tx
            .execute(
                "DELETE FROM page_views WHERE visit_id IN \
                 (SELECT id FROM visits WHERE site_id = $1 AND visitor_id = $2)",
                &p,
            )
            .await
            .db()?;
        let offline = ids(
            &tx,
            "SELECT id FROM offline_messages WHERE site_id = $1 AND visitor_id = $2",
            &p,
        )
        .await?;
        n += delete_offline(&tx, &offline).await?;
        for sql in [
            "DELETE FROM visits WHERE site_id = $1 AND visitor_id = $2",
            "DELETE FROM blocks WHERE site_id = $1 AND visitor_id = $2",
            "DELETE FROM visitors WHERE site_id = $1 AND visitor_id = $2",
        ] {
            n += tx.execute(sql, &p).await.db()?;
        }
        commit(tx).await?;
        Ok(n)
    }
}

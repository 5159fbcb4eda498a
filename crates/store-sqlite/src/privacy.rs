//! Privacy (issue 18): a visitor's offline messages and blocks for the export, the retention
//! task's deletes and a visitor's erasure. Each delete is one writer job of at most `limit`
//! rows of its kind (one short transaction: chats keep flowing between batches).

use crate::SqliteStore;
use crate::map::{Db, all, block_cols, block_row, offline_cols, offline_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::{Block, OfflineMessage};
use frontdesk_core::store::{PrivacyStore, StoreResult};
use rusqlite::{Transaction, params};
use std::collections::BTreeMap;

/// Search index rowids of one chat: `chat_id << 20` (its header) to `(chat_id << 20) |
/// 0xFFFFF` (its messages), see migration 0005.
const CHAT_ROWIDS: i64 = 1 << 20;

/// Deletes the chats `ids` whole (files' bytes and rows, search entries, messages, state
/// history, the chat) and takes back the recount marks the deletes' trigger made, so the
/// reports' rollups of those hours stay as they are. How many chats it deleted.
pub(crate) fn delete_chats(tx: &Transaction<'_>, ids: &[i64]) -> StoreResult<u64> {
    let mut marks: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut visitors: Vec<(i64, String)> = Vec::new();
    let mut deleted = 0;
    for &id in ids {
        let Some((site, hour, visitor)) = tx
            .prepare_cached(
                "SELECT site_id, created_at / 3600000, visitor_id FROM chats WHERE id = ?1",
            )
            .db()?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .db()?
        else {
            continue;
        };
        for sql in [
            "DELETE FROM file_data WHERE id IN (SELECT id FROM files WHERE chat_id = ?1)",
            "DELETE FROM files WHERE chat_id = ?1",
            "DELETE FROM messages WHERE chat_id = ?1",
            "DELETE FROM chat_events WHERE chat_id = ?1",
            "DELETE FROM webhook_deliveries WHERE chat_id = ?1",
        ] {
            tx.prepare_cached(sql).db()?.execute([id]).db()?;
        }
        delete_search_entries(tx, id)?;
        deleted += tx
            .prepare_cached("DELETE FROM chats WHERE id = ?1")
            .db()?
            .execute([id])
            .db()? as u64;
        *marks.entry((site, hour)).or_default() += 1;
        visitors.push((site, visitor));
    }
    take_back_marks(tx, &marks)?;
    visitors.sort();
    visitors.dedup();
    for (site, visitor) in visitors {
        forget_if_nothing_left(tx, site, &visitor, i64::MAX)?;
    }
    Ok(deleted)
}

/// Deletes the visitor's row when they were last seen before `before` and have no visit and
/// no chat left on the site (their name and email would otherwise outlive everything else).
fn forget_if_nothing_left(
    tx: &Transaction<'_>,
    site: i64,
    visitor: &str,
    before: i64,
) -> StoreResult<u64> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM visitors WHERE site_id = ?1 AND visitor_id = ?2 AND last_seen < ?3 \
             AND NOT EXISTS (SELECT 1 FROM visits WHERE site_id = ?1 AND visitor_id = ?2) \
             AND NOT EXISTS (SELECT 1 FROM chats WHERE site_id = ?1 AND visitor_id = ?2)",
        )
        .db()?
        .execute(params![site, visitor, before])
        .db()? as u64)
}

/// The chat's documents in the search index (header and messages), by rowid range.
pub(crate) fn delete_search_entries(tx: &Transaction<'_>, chat: i64) -> StoreResult<()> {
    tx.prepare_cached("DELETE FROM search WHERE rowid >= ?1 AND rowid < ?2")
        .db()?
        .execute(params![chat * CHAT_ROWIDS, (chat + 1) * CHAT_ROWIDS])
        .db()?;
    Ok(())
}

/// Each deleted chat or offline message bumped its hour's `report_dirty.mark` by one (the
/// triggers of migration 0006); take those bumps back, removing a mark that only they made.
/// A mark something else made stays (its hour is recounted, from what is left).
fn take_back_marks(tx: &Transaction<'_>, marks: &BTreeMap<(i64, i64), i64>) -> StoreResult<()> {
    for (&(site, hour), &n) in marks {
        tx.prepare_cached(
            "UPDATE report_dirty SET mark = mark - ?3 WHERE site_id = ?1 AND hour = ?2",
        )
        .db()?
        .execute(params![site, hour, n])
        .db()?;
        tx.prepare_cached(
            "DELETE FROM report_dirty WHERE site_id = ?1 AND hour = ?2 AND mark <= 0",
        )
        .db()?
        .execute(params![site, hour])
        .db()?;
    }
    Ok(())
}

fn ids(tx: &Transaction<'_>, sql: &str, p: impl rusqlite::Params) -> StoreResult<Vec<i64>> {
    let mut stmt = tx.prepare_cached(sql).db()?;
    all(stmt.query_map(p, |r| r.get(0)).db()?)
}

/// Deletes the offline messages `ids`, taking back their recount marks.
fn delete_offline(tx: &Transaction<'_>, ids: &[i64]) -> StoreResult<u64> {
    let mut marks: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut deleted = 0;
    for &id in ids {
        let gone: Option<(i64, i64)> = tx
            .prepare_cached(
                "DELETE FROM offline_messages WHERE id = ?1 \
                 RETURNING site_id, created_at / 3600000",
            )
            .db()?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .db()?
            .next()
            .transpose()
            .db()?;
        if let Some(key) = gone {
            deleted += 1;
            *marks.entry(key).or_default() += 1;
        }
    }
    take_back_marks(tx, &marks)?;
    Ok(deleted)
}

#[async_trait]
impl PrivacyStore for SqliteStore {
    async fn offline_messages_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Vec<OfflineMessage>> {
        let visitor = visitor.0.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(concat!(
                    "SELECT ",
                    offline_cols!(),
                    " FROM offline_messages WHERE site_id = ?1 AND visitor_id = ?2 \
                     ORDER BY created_at, id"
                ))
                .db()?;
            all(stmt.query_map(params![site.0, visitor], offline_row).db()?)
        })
        .await
    }

    async fn blocks_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Vec<Block>> {
        let visitor = visitor.0.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(concat!(
                    "SELECT ",
                    block_cols!(),
                    " FROM blocks WHERE site_id = ?1 AND visitor_id = ?2 ORDER BY created_at, id"
                ))
                .db()?;
            all(stmt.query_map(params![site.0, visitor], block_row).db()?)
        })
        .await
    }

    async fn delete_ended_chats(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.write(move |tx| {
            let found = ids(
                tx,
                "SELECT id FROM chats WHERE site_id = ?1 AND state = 'ended' AND ended_at < ?2 \
                 ORDER BY ended_at LIMIT ?3",
                params![site.0, before.0, limit],
            )?;
            delete_chats(tx, &found)
        })
        .await
    }

    async fn delete_old_offline_messages(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.write(move |tx| {
            let found = ids(
                tx,
                "SELECT id FROM offline_messages WHERE site_id = ?1 AND created_at < ?2 \
                 ORDER BY created_at LIMIT ?3",
                params![site.0, before.0, limit],
            )?;
            delete_offline(tx, &found)
        })
        .await
    }

    async fn delete_old_visits(
        &self,
        site: SiteId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        self.write(move |tx| {
            let mut visitors: Vec<String> = Vec::new();
            let mut deleted = 0;
            let found = ids(
                tx,
                "SELECT id FROM visits WHERE site_id = ?1 AND last_seen < ?2 \
                 ORDER BY last_seen LIMIT ?3",
                params![site.0, before.0, limit],
            )?;
            for id in found {
                tx.prepare_cached("DELETE FROM page_views WHERE visit_id = ?1")
                    .db()?
                    .execute([id])
                    .db()?;
                let mut stmt = tx
                    .prepare_cached("DELETE FROM visits WHERE id = ?1 RETURNING visitor_id")
                    .db()?;
                for v in stmt.query_map([id], |r| r.get::<_, String>(0)).db()? {
                    visitors.push(v.db()?);
                    deleted += 1;
                }
            }
            visitors.sort();
            visitors.dedup();
            for v in visitors {
                deleted += forget_if_nothing_left(tx, site.0, &v, before.0)?;
            }
            // Blocks over before the cut-off hold a visitor id and an address too.
            deleted += tx
                .prepare_cached(
                    "DELETE FROM blocks WHERE id IN (SELECT id FROM blocks \
                     WHERE site_id = ?1 AND until < ?2 ORDER BY until LIMIT ?3)",
                )
                .db()?
                .execute(params![site.0, before.0, limit])
                .db()? as u64;
            Ok(deleted)
        })
        .await
    }

    async fn delete_chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<u64> {
        let visitor = visitor.0.clone();
        self.write(move |tx| {
            let found = ids(
                tx,
                "SELECT id FROM chats WHERE site_id = ?1 AND visitor_id = ?2 \
                 AND state = 'ended' LIMIT ?3",
                params![site.0, visitor, limit],
            )?;
            delete_chats(tx, &found)
        })
        .await
    }

    async fn erase_visitor_rows(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<u64> {
        let visitor = visitor.0.clone();
        self.write(move |tx| {
            let mut n = tx
                .prepare_cached(
                    "DELETE FROM page_views WHERE visit_id IN \
                     (SELECT id FROM visits WHERE site_id = ?1 AND visitor_id = ?2)",
                )
                .db()?
                .execute(params![site.0, visitor])
                .db()? as u64;
            let offline = ids(
                tx,
                "SELECT id FROM offline_messages WHERE site_id = ?1 AND visitor_id = ?2",
                params![site.0, visitor],
            )?;
            n += delete_offline(tx, &offline)?;
            for sql in [
                "DELETE FROM visits WHERE site_id = ?1 AND visitor_id = ?2",
                "DELETE FROM blocks WHERE site_id = ?1 AND visitor_id = ?2",
                "DELETE FROM visitors WHERE site_id = ?1 AND visitor_id = ?2",
            ] {
                n += tx
                    .prepare_cached(sql)
                    .db()?
                    .execute(params![site.0, visitor])
                    .db()? as u64;
            }
            Ok(n)
        })
        .await
    }
}

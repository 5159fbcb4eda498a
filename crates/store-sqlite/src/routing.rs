//! Automatic assignment (issue 12): offers of pending chats, decided in the single writer's
//! transaction (so the capacity check and the offer are one atomic step), and agents' loads.

use crate::SqliteStore;
use crate::map::{Db, all, changed, chat_cols, chat_row, json_ids};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{AgentLoad, RoutingStore, StoreResult};
use rusqlite::{OptionalExtension, Transaction, params};

const OFFER: &str = concat!(
    "UPDATE chats SET offered_to = ?3, offer_expires_at = ?4, version = version + 1 \
     WHERE id = ?1 AND version = ?2 AND state = 'pending' RETURNING ",
    chat_cols!()
);
const END_OFFER: &str = concat!(
    "UPDATE chats SET offered_to = NULL, offer_expires_at = NULL, passed = ?3, \
     version = version + 1 WHERE id = ?1 AND version = ?2 AND state = 'pending' RETURNING ",
    chat_cols!()
);
const EXPIRED_OFFERS: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE state = 'pending' AND offer_expires_at IS NOT NULL \
     AND offer_expires_at <= ?1 ORDER BY offer_expires_at, id LIMIT ?2"
);
const OFFERS_OF_AGENT: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE offered_to = ?1 AND state = 'pending' AND offered_to IS NOT NULL \
     ORDER BY queued_at, id"
);
const LOADS: &str = "SELECT a.id, a.max_chats, a.last_assigned_at, \
     (SELECT count(*) FROM chats c WHERE c.agent_id = a.id AND c.state = 'active'), \
     (SELECT count(*) FROM chats c WHERE c.offered_to = a.id AND c.state = 'pending' \
         AND c.offered_to IS NOT NULL AND c.offer_expires_at > ?2) \
     FROM agents a WHERE a.id IN (SELECT value FROM json_each(?1))";

/// `NotFound` unless the chat exists.
fn chat_exists(tx: &Transaction<'_>, chat: ChatId) -> StoreResult<()> {
    tx.prepare_cached("SELECT 1 FROM chats WHERE id = ?1")
        .db()?
        .query_row([chat.0], |_| Ok(()))
        .db()
}

/// Is the agent below their capacity, counting the standing offers of chats other than `chat`?
/// `NotFound` when there is no such agent.
fn has_room(
    tx: &Transaction<'_>,
    agent: AgentId,
    chat: ChatId,
    now: Timestamp,
) -> StoreResult<bool> {
    let max: Option<i64> = tx
        .prepare_cached("SELECT max_chats FROM agents WHERE id = ?1")
        .db()?
        .query_row([agent.0], |r| r.get(0))
        .db()?;
    let Some(max) = max else {
        return Ok(true);
    };
    let load: i64 = tx
        .prepare_cached(
            "SELECT (SELECT count(*) FROM chats WHERE agent_id = ?1 AND state = 'active') + \
             (SELECT count(*) FROM chats WHERE offered_to = ?1 AND state = 'pending' \
              AND offered_to IS NOT NULL AND offer_expires_at > ?2 AND id <> ?3)",
        )
        .db()?
        .query_row(params![agent.0, now.0, chat.0], |r| r.get(0))
        .db()?;
    Ok(load < max)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[async_trait]
impl RoutingStore for SqliteStore {
    async fn offer_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
        offer: Offer,
        now: Timestamp,
    ) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            chat_exists(tx, chat)?;
            if !has_room(tx, offer.agent, chat, now)? {
                return Ok(None);
            }
            let offered = tx
                .prepare_cached(OFFER)
                .db()?
                .query_row(
                    params![chat.0, expected_version, offer.agent.0, offer.expires_at.0],
                    chat_row,
                )
                .optional()
                .db()?;
            if offered.is_some() {
                let n = tx
                    .prepare_cached("UPDATE agents SET last_assigned_at = ?2 WHERE id = ?1")
                    .db()?
                    .execute(params![offer.agent.0, now.0])
                    .db()?;
                changed(n)?;
            }
            Ok(offered)
        })
        .await
    }

    async fn end_offer(
        &self,
        chat: ChatId,
        expected_version: i64,
        passed: Vec<AgentId>,
    ) -> StoreResult<Option<Chat>> {
        let passed = json_ids(passed.iter().map(|a| a.0));
        self.write(move |tx| {
            chat_exists(tx, chat)?;
            tx.prepare_cached(END_OFFER)
                .db()?
                .query_row(params![chat.0, expected_version, passed], chat_row)
                .optional()
                .db()
        })
        .await
    }

    async fn expired_offers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Chat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(EXPIRED_OFFERS).db()?;
            all(stmt
                .query_map(params![now.0, i64::from(limit)], chat_row)
                .db()?)
        })
        .await
    }

    async fn offers_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(OFFERS_OF_AGENT).db()?;
            all(stmt.query_map([agent.0], chat_row).db()?)
        })
        .await
    }

    async fn agent_loads(&self, agents: &[AgentId], now: Timestamp) -> StoreResult<Vec<AgentLoad>> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_ids(agents.iter().map(|a| a.0));
        self.read(move |c| {
            let mut stmt = c.prepare_cached(LOADS).db()?;
            all(stmt
                .query_map(params![ids, now.0], |r| {
                    Ok(AgentLoad {
                        agent: AgentId(r.get(0)?),
                        max_chats: r.get::<_, Option<i64>>(1)?.map(count),
                        last_assigned_at: r.get::<_, Option<i64>>(2)?.map(Timestamp),
                        active_chats: count(r.get(3)?),
                        offered_chats: count(r.get(4)?),
                    })
                })
                .db()?)
        })
        .await
    }

    async fn set_last_assigned_at(&self, agent: AgentId, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE agents SET last_assigned_at = ?2 WHERE id = ?1")
                .db()?
                .execute(params![agent.0, now.0])
                .db()?;
            changed(n)
        })
        .await
    }
}

//! Automatic assignment (issue 12): offers of pending chats as conditional updates, with the
//! offered agent's row locked (`FOR UPDATE`) while their capacity is checked, so that two
//! nodes offering chats to the same agent at once cannot both fill the agent's last place.

use crate::PgStore;
use crate::map::{Db, all, chat_cols, chat_row, get};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{AgentLoad, RoutingStore, StoreError, StoreResult};

const OFFER: &str = concat!(
    "UPDATE chats SET offered_to = $3, offer_expires_at = $4, version = version + 1 \
     WHERE id = $1 AND version = $2 AND state = 'pending' RETURNING ",
    chat_cols!()
);
const END_OFFER: &str = concat!(
    "UPDATE chats SET offered_to = NULL, offer_expires_at = NULL, passed = $3::text::jsonb, \
     version = version + 1 WHERE id = $1 AND version = $2 AND state = 'pending' RETURNING ",
    chat_cols!()
);
/// The agent's capacity, locking their row until the transaction ends.
const LOCK_AGENT: &str = "SELECT max_chats FROM agents WHERE id = $1 FOR UPDATE";
/// Active chats plus standing offers of chats other than $3 (read after the lock).
const LOAD_OF: &str = "SELECT (SELECT count(*) FROM chats WHERE agent_id = $1 AND state = 'active') + \
     (SELECT count(*) FROM chats WHERE offered_to = $1 AND state = 'pending' \
      AND offered_to IS NOT NULL AND offer_expires_at > $2 AND id <> $3)";
const LOADS: &str = "SELECT a.id, a.max_chats, a.last_assigned_at, \
     (SELECT count(*) FROM chats c WHERE c.agent_id = a.id AND c.state = 'active'), \
     (SELECT count(*) FROM chats c WHERE c.offered_to = a.id AND c.state = 'pending' \
         AND c.offered_to IS NOT NULL AND c.offer_expires_at > $2) \
     FROM agents a WHERE a.id = ANY($1)";

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[async_trait]
impl RoutingStore for PgStore {
    async fn offer_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
        offer: Offer,
        now: Timestamp,
    ) -> StoreResult<Option<Chat>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        tx.query_opt("SELECT 1 FROM chats WHERE id = $1", &[&chat.0])
            .await
            .db()?
            .ok_or(StoreError::NotFound)?;
        let max: Option<i64> = tx
            .query_opt(LOCK_AGENT, &[&offer.agent.0])
            .await
            .db()?
            .ok_or(StoreError::NotFound)
            .and_then(|row| get(&row, 0))?;
        if let Some(max) = max {
            let row = tx
                .query_one(LOAD_OF, &[&offer.agent.0, &now.0, &chat.0])
                .await
                .db()?;
            let load: i64 = get(&row, 0)?;
            if load >= max {
                return Ok(None); // rolled back on drop: nothing written
            }
        }
        let stmt = tx.prepare_cached(OFFER).await.db()?;
        let row = tx
            .query_opt(
                &stmt,
                &[
                    &chat.0,
                    &expected_version,
                    &offer.agent.0,
                    &offer.expires_at.0,
                ],
            )
            .await
            .db()?;
        let Some(row) = row else {
            return Ok(None);
        };
        let offered = chat_row(&row)?;
        tx.execute(
            "UPDATE agents SET last_assigned_at = $2 WHERE id = $1",
            &[&offer.agent.0, &now.0],
        )
        .await
        .db()?;
        crate::map::commit(tx).await?;
        Ok(Some(offered))
    }

    async fn end_offer(
        &self,
        chat: ChatId,
        expected_version: i64,
        passed: Vec<AgentId>,
    ) -> StoreResult<Option<Chat>> {
        let ids: Vec<i64> = passed.iter().map(|a| a.0).collect();
        let passed =
            serde_json::to_string(&ids).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let updated = self
            .row(END_OFFER, &[&chat.0, &expected_version, &passed])
            .await?;
        match updated {
            Some(row) => chat_row(&row).map(Some),
            None => self
                .one("SELECT 1 FROM chats WHERE id = $1", &[&chat.0])
                .await
                .map(|_| None),
        }
    }

    async fn expired_offers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Chat>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    chat_cols!(),
                    " FROM chats WHERE state = 'pending' AND offer_expires_at IS NOT NULL \
                     AND offer_expires_at <= $1 ORDER BY offer_expires_at, id LIMIT $2"
                ),
                &[&now.0, &i64::from(limit)],
            )
            .await?;
        all(rows, chat_row)
    }

    async fn offers_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    chat_cols!(),
                    " FROM chats WHERE offered_to = $1 AND state = 'pending' \
                     AND offered_to IS NOT NULL ORDER BY queued_at, id"
                ),
                &[&agent.0],
            )
            .await?;
        all(rows, chat_row)
    }

    async fn agent_loads(&self, agents: &[AgentId], now: Timestamp) -> StoreResult<Vec<AgentLoad>> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = agents.iter().map(|a| a.0).collect();
        let rows = self.rows(LOADS, &[&ids, &now.0]).await?;
        rows.iter()
            .map(|r| {
                Ok(AgentLoad {
                    agent: AgentId(get(r, 0)?),
                    max_chats: get::<Option<i64>>(r, 1)?.map(count),
                    last_assigned_at: get::<Option<i64>>(r, 2)?.map(Timestamp),
                    active_chats: count(get(r, 3)?),
                    offered_chats: count(get(r, 4)?),
                })
            })
            .collect()
    }

    async fn set_last_assigned_at(&self, agent: AgentId, now: Timestamp) -> StoreResult<()> {
        self.exec_one(
            "UPDATE agents SET last_assigned_at = $2 WHERE id = $1",
            &[&agent.0, &now.0],
        )
        .await
    }
}

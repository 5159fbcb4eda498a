//! Colleagues in a chat: joins, leaves and hand-overs, each one conditional write.

use crate::SqliteStore;
use crate::map::{Db, chat_cas, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{ColleagueStore, StoreResult};
use rusqlite::{OptionalExtension, params};

const JOIN: &str = concat!(
    "UPDATE chats SET joined = json_insert(joined, '$[#]', ?2), version = version + 1 \
     WHERE id = ?1 AND state = 'active' AND agent_id <> ?2 \
       AND NOT EXISTS (SELECT 1 FROM json_each(chats.joined) WHERE value = ?2) \
       AND json_array_length(joined) < ?3 RETURNING ",
    chat_cols!()
);

const LEAVE: &str = concat!(
    "UPDATE chats SET joined = (SELECT json_group_array(value) FROM json_each(chats.joined) \
                                WHERE value <> ?2), version = version + 1 \
     WHERE id = ?1 AND state = 'active' \
       AND EXISTS (SELECT 1 FROM json_each(chats.joined) WHERE value = ?2) RETURNING ",
    chat_cols!()
);

// Every right-hand side reads the row as it was: the first colleague becomes the owner and
// leaves the list in the same write.
const HAND_OVER: &str = concat!(
    "UPDATE chats SET agent_id = json_extract(joined, '$[0]'), \
                      joined = json_remove(joined, '$[0]'), version = version + 1 \
     WHERE id = ?1 AND version = ?2 AND state = 'active' AND json_array_length(joined) > 0 \
     RETURNING ",
    chat_cols!()
);

#[async_trait]
impl ColleagueStore for SqliteStore {
    async fn join_chat(&self, chat: ChatId, agent: AgentId, cap: u32) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(JOIN)
                .db()?
                .query_row(params![chat.0, agent.0, i64::from(cap)], chat_row)
                .optional()
                .db()?;
            chat_cas(tx, chat, updated)
        })
        .await
    }

    async fn leave_chat(&self, chat: ChatId, agent: AgentId) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(LEAVE)
                .db()?
                .query_row(params![chat.0, agent.0], chat_row)
                .optional()
                .db()?;
            chat_cas(tx, chat, updated)
        })
        .await
    }

    async fn hand_over_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
    ) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(HAND_OVER)
                .db()?
                .query_row(params![chat.0, expected_version], chat_row)
                .optional()
                .db()?;
            chat_cas(tx, chat, updated)
        })
        .await
    }
}

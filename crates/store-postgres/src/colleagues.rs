//! Colleagues in a chat: joins, leaves and hand-overs, each one conditional write.

use crate::PgStore;
use crate::map::chat_cols;
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{ColleagueStore, StoreResult};

const JOIN: &str = concat!(
    "UPDATE chats SET joined = joined || jsonb_build_array($2::bigint), version = version + 1 \
     WHERE id = $1 AND state = 'active' AND agent_id <> $2 \
       AND NOT joined @> jsonb_build_array($2::bigint) \
       AND jsonb_array_length(joined) < $3::bigint RETURNING ",
    chat_cols!()
);

const LEAVE: &str = concat!(
    "UPDATE chats SET joined = (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) \
                                FROM jsonb_array_elements(joined) WITH ORDINALITY AS t(e, i) \
                                WHERE e <> to_jsonb($2::bigint)), \
                      version = version + 1 \
     WHERE id = $1 AND state = 'active' AND joined @> jsonb_build_array($2::bigint) RETURNING ",
    chat_cols!()
);

// Every right-hand side reads the row as it was: the first colleague becomes the owner and
// leaves the list in the same write.
const HAND_OVER: &str = concat!(
    "UPDATE chats SET agent_id = (joined->>0)::bigint, joined = joined - 0, \
                      version = version + 1 \
     WHERE id = $1 AND version = $2 AND state = 'active' AND jsonb_array_length(joined) > 0 \
     RETURNING ",
    chat_cols!()
);

#[async_trait]
impl ColleagueStore for PgStore {
    async fn join_chat(&self, chat: ChatId, agent: AgentId, cap: u32) -> StoreResult<Option<Chat>> {
        let updated = self
            .row(JOIN, &[&chat.0, &agent.0, &i64::from(cap)])
            .await?;
        self.chat_cas(chat, updated).await
    }

    async fn leave_chat(&self, chat: ChatId, agent: AgentId) -> StoreResult<Option<Chat>> {
        let updated = self.row(LEAVE, &[&chat.0, &agent.0]).await?;
        self.chat_cas(chat, updated).await
    }

    async fn hand_over_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
    ) -> StoreResult<Option<Chat>> {
        let updated = self.row(HAND_OVER, &[&chat.0, &expected_version]).await?;
        self.chat_cas(chat, updated).await
    }
}

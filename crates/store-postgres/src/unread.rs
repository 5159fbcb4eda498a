//! What the visitor has read (`chats.visitor_read_seq`), the replies emailed to a visitor who
//! left (`chats.replies_emailed_seq`), and the chats with unread replies (`unread_reply_at`,
//! kept by the trigger `messages_unread_reply` of migration 0004, indexed where set).

use crate::PgStore;
use crate::map::{all, chat_cols, chat_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{StoreResult, UnreadStore};

/// The oldest agent reply after `$after` (an SQL expression over the chat's old row), or NULL.
macro_rules! oldest_reply_after {
    ($after:literal) => {
        concat!(
            "(SELECT MIN(m.created_at) FROM messages m WHERE m.chat_id = chats.id \
             AND m.seq > ",
            $after,
            " AND m.author = 'agent' AND m.kind IN ('text', 'link', 'file'))"
        )
    };
}

// Never beyond the chat's last message; never lowered (the WHERE).
const MARK_READ: &str = concat!(
    "UPDATE chats SET visitor_read_seq = LEAST($2, last_seq), unread_reply_at = ",
    oldest_reply_after!("GREATEST(LEAST($2, chats.last_seq), chats.replies_emailed_seq)"),
    " WHERE id = $1 AND visitor_read_seq < LEAST($2, last_seq)"
);
const MARK_EMAILED: &str = concat!(
    "UPDATE chats SET replies_emailed_seq = $3, unread_reply_at = ",
    oldest_reply_after!("GREATEST($3, chats.visitor_read_seq)"),
    " WHERE id = $1 AND replies_emailed_seq = $2 AND $3 > $2"
);
// `unread_reply_at IS NOT NULL` so that the partial index `chats_unread_replies` applies.
const UNREAD: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE unread_reply_at IS NOT NULL AND unread_reply_at <= $1 \
     ORDER BY unread_reply_at, id LIMIT $2"
);

#[async_trait]
impl UnreadStore for PgStore {
    async fn mark_read(&self, chat: ChatId, seq: Seq) -> StoreResult<()> {
        self.exec(MARK_READ, &[&chat.0, &seq.0]).await.map(|_| ())
    }

    async fn mark_replies_emailed(&self, chat: ChatId, from: Seq, to: Seq) -> StoreResult<bool> {
        let n = self.exec(MARK_EMAILED, &[&chat.0, &from.0, &to.0]).await?;
        Ok(n == 1)
    }

    async fn unread_reply_chats(
        &self,
        sent_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>> {
        let rows = self
            .rows(UNREAD, &[&sent_before.0, &i64::from(limit)])
            .await?;
        all(rows, chat_row)
    }
}

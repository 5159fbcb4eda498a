//! Files in chats: read back, counted, deleted with their chat. A file's row and bytes are
//! written with their message, in its transaction (see `insert_file` in chats.rs).

use crate::PgStore;
use crate::map::{Db, bad, get, opt_u32};
use async_trait::async_trait;
use frontdesk_core::files::{FileId, FileRef};
use frontdesk_core::ids::*;
use frontdesk_core::model::{Message, MessageKind};
use frontdesk_core::store::{FileStore, StoreError, StoreResult, StoredFile};
use std::collections::HashMap;
use tokio_postgres::Row;

/// The files of one chat's messages from seq `$2` to `$3` (the `files (chat_id, seq)` index).
pub(crate) const FILES_OF_MESSAGES: &str = "SELECT seq, id, name, mime, size, width, height \
     FROM files WHERE chat_id = $1 AND seq BETWEEN $2 AND $3";

/// The chat and the seq range of the `file` messages among `messages` (of one chat); `None`
/// when there is none (then no query is made at all).
pub(crate) fn file_span(messages: &[Message]) -> Option<(i64, i64, i64)> {
    let mut files = messages.iter().filter(|m| m.kind == MessageKind::File);
    let first = files.next()?;
    let (mut lo, mut hi) = (first.seq.0, first.seq.0);
    for m in files {
        (lo, hi) = (lo.min(m.seq.0), hi.max(m.seq.0));
    }
    Some((first.chat_id.0, lo, hi))
}

/// Fills in the file of each `file` message from the rows of [`FILES_OF_MESSAGES`].
pub(crate) fn attach(messages: &mut [Message], rows: &[Row]) -> StoreResult<()> {
    let mut found = HashMap::new();
    for r in rows {
        let file = FileRef {
            id: FileId(get(r, 1)?),
            name: get(r, 2)?,
            mime: get(r, 3)?,
            size: u64::try_from(get::<i64>(r, 4)?).map_err(|e| bad(format!("size: {e}")))?,
            width: opt_u32(get(r, 5)?)?,
            height: opt_u32(get(r, 6)?)?,
        };
        found.insert(get::<i64>(r, 0)?, file);
    }
    for m in messages.iter_mut().filter(|m| m.kind == MessageKind::File) {
        m.file = found.get(&m.seq.0).cloned();
    }
    Ok(())
}

impl PgStore {
    /// `messages` (of one chat) with their files: one more query, made only when one of
    /// them is a `file` message, so reading a chat without files costs what it did before.
    pub(crate) async fn with_files(&self, mut messages: Vec<Message>) -> StoreResult<Vec<Message>> {
        if let Some((chat, lo, hi)) = file_span(&messages) {
            let rows = self.rows(FILES_OF_MESSAGES, &[&chat, &lo, &hi]).await?;
            attach(&mut messages, &rows)?;
        }
        Ok(messages)
    }
}

fn stored_file(r: &Row) -> StoreResult<StoredFile> {
    Ok(StoredFile {
        meta: FileRef {
            id: FileId(get(r, 0)?),
            name: get(r, 4)?,
            mime: get(r, 5)?,
            size: u64::try_from(get::<i64>(r, 6)?).map_err(|e| bad(format!("size: {e}")))?,
            width: opt_u32(get(r, 8)?)?,
            height: opt_u32(get(r, 9)?)?,
        },
        chat_id: ChatId(get(r, 1)?),
        seq: Seq(get(r, 2)?),
        site_id: SiteId(get(r, 3)?),
        sha256: get(r, 7)?,
        created_at: Timestamp(get(r, 10)?),
    })
}

#[async_trait]
impl FileStore for PgStore {
    async fn file(&self, id: &FileId) -> StoreResult<StoredFile> {
        let row = self
            .one(
                "SELECT id, chat_id, seq, site_id, name, mime, size, sha256, width, height, \
                 created_at FROM files WHERE id = $1",
                &[&id.0],
            )
            .await?;
        stored_file(&row)
    }

    async fn file_data(&self, id: &FileId, thumb: bool) -> StoreResult<Vec<u8>> {
        let sql = if thumb {
            "SELECT thumb FROM file_data WHERE id = $1"
        } else {
            "SELECT data FROM file_data WHERE id = $1"
        };
        let row = self.one(sql, &[&id.0]).await?;
        get::<Option<Vec<u8>>>(&row, 0)?.ok_or(StoreError::NotFound)
    }

    async fn files_in_chat(&self, chat: ChatId) -> StoreResult<u32> {
        let row = self
            .one("SELECT count(*) FROM files WHERE chat_id = $1", &[&chat.0])
            .await?;
        u32::try_from(get::<i64>(&row, 0)?).map_err(|e| bad(format!("count: {e}")))
    }

    /// Deleted child first, in one transaction: the bytes, the files' rows, the messages,
    /// the chat (the foreign keys would cascade the same way). `NotFound` when there is no
    /// such chat.
    async fn delete_chat(&self, chat: ChatId) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        tx.execute(
            "DELETE FROM file_data WHERE id IN (SELECT id FROM files WHERE chat_id = $1)",
            &[&chat.0],
        )
        .await
        .db()?;
        tx.execute("DELETE FROM files WHERE chat_id = $1", &[&chat.0])
            .await
            .db()?;
        tx.execute("DELETE FROM messages WHERE chat_id = $1", &[&chat.0])
            .await
            .db()?;
        let n = tx
            .execute("DELETE FROM chats WHERE id = $1", &[&chat.0])
            .await
            .db()?;
        crate::map::changed(n)?;
        crate::map::commit(tx).await?;
        Ok(())
    }
}

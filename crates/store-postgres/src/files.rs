//! Files in chats: read back, counted, deleted with their chat. A file's row and bytes are
//! written with their message, in its transaction (see `insert_file` in chats.rs).

use crate::PgStore;
use crate::map::{Db, bad, get, opt_u32};
use async_trait::async_trait;
use frontdesk_core::files::{FileId, FileRef};
use frontdesk_core::ids::*;
use frontdesk_core::store::{FileStore, StoreError, StoreResult, StoredFile};
use tokio_postgres::Row;

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
        tx.commit().await.db()?;
        Ok(())
    }
}

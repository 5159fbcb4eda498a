//! Files in chats: read back, counted, deleted with their chat. A file's row and bytes are
//! written with their message, in the writer's transaction (see `insert_file` in chats.rs).

use crate::SqliteStore;
use crate::map::{Db, all};
use async_trait::async_trait;
use frontdesk_core::files::{FileId, FileRef};
use frontdesk_core::ids::*;
use frontdesk_core::model::{Message, MessageKind};
use frontdesk_core::store::{FileStore, StoreError, StoreResult, StoredFile};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;

/// The files of one chat's messages from seq `?2` to `?3` (the `files (chat_id, seq)` index).
pub(crate) const FILES_OF_MESSAGES: &str = "SELECT seq, id, name, mime, size, width, height \
     FROM files WHERE chat_id = ?1 AND seq BETWEEN ?2 AND ?3";

/// Fills in the file of each `file` message among `messages` (of one chat) with one more
/// query, made only when there is such a message: reading a chat without files costs
/// exactly what it did before files existed.
pub(crate) fn attach_files(c: &Connection, messages: &mut [Message]) -> StoreResult<()> {
    let mut files = messages.iter().filter(|m| m.kind == MessageKind::File);
    let Some(first) = files.next() else {
        return Ok(());
    };
    let (chat, mut lo, mut hi) = (first.chat_id, first.seq.0, first.seq.0);
    for m in files {
        (lo, hi) = (lo.min(m.seq.0), hi.max(m.seq.0));
    }
    let mut stmt = c.prepare_cached(FILES_OF_MESSAGES).db()?;
    let found: HashMap<i64, FileRef> = all(stmt
        .query_map(params![chat.0, lo, hi], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                FileRef {
                    id: FileId(r.get(1)?),
                    name: r.get(2)?,
                    mime: r.get(3)?,
                    size: crate::map::size(r, 4)?,
                    width: r.get(5)?,
                    height: r.get(6)?,
                },
            ))
        })
        .db()?)?
    .into_iter()
    .collect();
    for m in messages.iter_mut().filter(|m| m.kind == MessageKind::File) {
        m.file = found.get(&m.seq.0).cloned();
    }
    Ok(())
}

fn stored_file(r: &Row<'_>) -> rusqlite::Result<StoredFile> {
    Ok(StoredFile {
        meta: FileRef {
            id: FileId(r.get(0)?),
            name: r.get(4)?,
            mime: r.get(5)?,
            size: crate::map::size(r, 6)?,
            width: r.get(8)?,
            height: r.get(9)?,
        },
        chat_id: ChatId(r.get(1)?),
        seq: Seq(r.get(2)?),
        site_id: SiteId(r.get(3)?),
        sha256: r.get(7)?,
        created_at: Timestamp(r.get(10)?),
    })
}

#[async_trait]
impl FileStore for SqliteStore {
    async fn file(&self, id: &FileId) -> StoreResult<StoredFile> {
        let id = id.0.clone();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, chat_id, seq, site_id, name, mime, size, sha256, width, height, \
                 created_at FROM files WHERE id = ?1",
            )
            .db()?
            .query_row([id], stored_file)
            .db()
        })
        .await
    }

    async fn file_data(&self, id: &FileId, thumb: bool) -> StoreResult<Vec<u8>> {
        let id = id.0.clone();
        let sql = if thumb {
            "SELECT thumb FROM file_data WHERE id = ?1"
        } else {
            "SELECT data FROM file_data WHERE id = ?1"
        };
        self.read(move |c| {
            c.prepare_cached(sql)
                .db()?
                .query_row([id], |r| r.get::<_, Option<Vec<u8>>>(0))
                .optional()
                .db()?
                .flatten()
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    async fn files_in_chat(&self, chat: ChatId) -> StoreResult<u32> {
        self.read(move |c| {
            c.prepare_cached("SELECT count(*) FROM files WHERE chat_id = ?1")
                .db()?
                .query_row([chat.0], |r| r.get(0))
                .db()
        })
        .await
    }

    /// Deleted child first, in one transaction: the bytes, the files' rows, the messages,
    /// the search entries, the chat. (The foreign keys cascade the same way; the explicit order does not rely
    /// on `PRAGMA foreign_keys`.) `NotFound` when there is no such chat.
    async fn delete_chat(&self, chat: ChatId) -> StoreResult<()> {
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM file_data WHERE id IN (SELECT id FROM files WHERE chat_id = ?1)",
                [chat.0],
            )
            .db()?;
            tx.execute("DELETE FROM files WHERE chat_id = ?1", [chat.0])
                .db()?;
            tx.execute("DELETE FROM messages WHERE chat_id = ?1", [chat.0])
                .db()?;
            // Its documents in the search index go with it (the index is contentless: nothing
            // else removes them).
            crate::privacy::delete_search_entries(tx, chat.0)?;
            crate::map::changed(
                tx.execute("DELETE FROM chats WHERE id = ?1", [chat.0])
                    .db()?,
            )
        })
        .await
    }
}

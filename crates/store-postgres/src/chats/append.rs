//! Writing a message: the statement that numbers and stores it, its file, and a visitor's
//! message into their open chat (one transaction, outbox rows included).

use super::*;

/// The message `m` stored under `seq`.
pub(super) fn message_of(m: &NewMessage, seq: i64) -> Message {
    Message {
        chat_id: m.chat_id,
        seq: Seq(seq),
        author: m.author,
        author_name: m.author_name.clone(),
        kind: m.kind,
        body: m.body.clone(),
        client_id: m.client_id.clone(),
        created_at: m.created_at,
        file: m.file.as_ref().map(|f| f.meta.clone()),
    }
}

/// A file message's row and bytes, in the message's transaction.
pub(super) async fn insert_file(
    tx: &deadpool_postgres::Transaction<'_>,
    chat: ChatId,
    seq: i64,
    at: Timestamp,
    f: &NewFile,
) -> StoreResult<()> {
    let size = i64::try_from(f.meta.size).unwrap_or(i64::MAX);
    let pixels = |n: Option<u32>| n.and_then(|n| i32::try_from(n).ok());
    let stmt = tx
        .prepare_cached(
            "INSERT INTO files (id, chat_id, seq, site_id, name, mime, size, sha256, width, \
             height, created_at) SELECT $1, $2, $3, site_id, $4, $5, $6, $7, $8, $9, $10 \
             FROM chats WHERE id = $2",
        )
        .await
        .db()?;
    let n = tx
        .execute(
            &stmt,
            &[
                &f.meta.id.0,
                &chat.0,
                &seq,
                &f.meta.name,
                &f.meta.mime,
                &size,
                &f.sha256,
                &pixels(f.meta.width),
                &pixels(f.meta.height),
                &at.0,
            ],
        )
        .await
        .db()?;
    crate::map::changed(n)?;
    let stmt = tx
        .prepare_cached("INSERT INTO file_data (id, data, thumb) VALUES ($1, $2, $3)")
        .await
        .db()?;
    tx.execute(&stmt, &[&f.meta.id.0, &f.data, &f.thumb])
        .await
        .db()?;
    Ok(())
}

/// The visitor's file (if any) written under the message's `seq`; returns `seq`.
async fn insert_file_of(
    tx: &deadpool_postgres::Transaction<'_>,
    chat: &Chat,
    seq: i64,
    m: &VisitorMessage,
) -> StoreResult<i64> {
    if let Some(f) = &m.file {
        insert_file(tx, chat.id, seq, m.created_at, f).await?;
    }
    Ok(seq)
}

/// A visitor's message in one transaction: lock the open chat (re-read after the lock, so a
/// chat ended meanwhile is not found), then append. The lock serializes twins with the same
/// `client_id`, so the second one finds the first through `APPEND`'s check.
pub(super) async fn append_visitor(
    tx: &deadpool_postgres::Transaction<'_>,
    m: VisitorMessage,
    subs: &Subscriptions,
) -> StoreResult<Option<Posted>> {
    let stmt = tx.prepare_cached(OPEN_CHAT_OF_VISITOR_LOCKED).await.db()?;
    let row = tx.query_opt(&stmt, &[&m.site.0, &m.visitor.0]).await.db()?;
    let Some(chat) = row.as_ref().map(chat_row).transpose()? else {
        return Ok(None);
    };
    let (author, agent) = author_columns(Author::Visitor);
    let stmt = tx.prepare_cached(APPEND).await.db()?;
    let inserted = tx
        .query_opt(
            &stmt,
            &[
                &chat.id.0,
                &author,
                &agent,
                &chat.visitor_name,
                &m.kind.as_str(),
                &m.body,
                &m.created_at.0,
                &m.client_id,
            ],
        )
        .await
        .db()?;
    let appended = match (inserted, &m.client_id) {
        (Some(row), _) => Appended {
            message: Message {
                chat_id: chat.id,
                seq: Seq(insert_file_of(tx, &chat, get(&row, 0)?, &m).await?),
                author: Author::Visitor,
                author_name: chat.visitor_name.clone(),
                kind: m.kind,
                body: m.body,
                client_id: m.client_id,
                created_at: m.created_at,
                file: m.file.map(|f| f.meta),
            },
            duplicate: false,
        },
        // Nothing inserted in a chat that exists: a resend; the stored message answers.
        (None, Some(cid)) => {
            let stmt = tx.prepare_cached(CLIENT_ID_LOOKUP).await.db()?;
            let row = tx
                .query_opt(&stmt, &[&chat.id.0, cid])
                .await
                .db()?
                .ok_or(StoreError::NotFound)?;
            let mut message = [message_row(&row)?];
            if let Some((chat, lo, hi)) = crate::files::file_span(&message) {
                let stmt = tx
                    .prepare_cached(crate::files::FILES_OF_MESSAGES)
                    .await
                    .db()?;
                let rows = tx.query(&stmt, &[&chat, &lo, &hi]).await.db()?;
                crate::files::attach(&mut message, &rows)?;
            }
            let [message] = message;
            Appended {
                message,
                duplicate: true,
            }
        }
        (None, None) => return Err(StoreError::NotFound),
    };
    if !appended.duplicate {
        crate::webhooks::emit(tx, subs, chat.site_id, EventKind::MessageCreated, || {
            hooks::message_event(chat.site_id, &appended.message)
        })
        .await?;
    }
    Ok(Some(Posted { chat, appended }))
}

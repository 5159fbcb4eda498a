//! Messages batched into the group commit (issue 16), as page views are (`page_loads.rs`).
//! Consecutive appends in the writer's queue (`append_message`, `append_visitor_message`) run
//! as one group in ONE savepoint of the writer's transaction: each message is checked
//! (a resent `client_id` answers the stored message; a visitor's message goes to their open
//! chat, read under the write lock, or is refused when there is none) and numbered in memory
//! from its chat's `last_seq`, read once per chat per group; then each chat's `last_seq` is
//! written once, ONE multi-row insert adds all the group's messages, and their files, search
//! entries and webhook outbox rows follow. Each caller is answered after the commit, as every
//! write is.
//!
//! The queue's order is kept: a group holds only appends queued one after the other, so a job
//! queued between two messages (a chat ending) runs between them. Within a group nothing but
//! messages is written, so every read of the group sees the state that a write of its own
//! would have seen, apart from the group's own messages, which are kept in memory (numbers,
//! `client_id`s).
//!
//! If a statement of the group fails (not a refusal such as an unknown chat, which answers that
//! message alone), the group is rolled back and each message runs again on its own, in its own
//! savepoint, exactly as a single write would: one failing message never costs another.

use crate::map::{Db, author_columns, chat_row, message_cols, message_row};
use frontdesk_core::files::NewFile;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{Appended, Posted, StoreError, StoreResult, VisitorMessage};
use frontdesk_core::webhooks::{self as hooks, EventKind, Subscriptions};
use rusqlite::{Connection, OptionalExtension, ToSql, Transaction, params, params_from_iter};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;

pub(crate) const CLIENT_ID_LOOKUP: &str = concat!(
    "SELECT ",
    message_cols!(),
    " FROM messages WHERE chat_id = ?1 AND client_id = ?2"
);
pub(crate) const OPEN_CHAT_OF_VISITOR: &str = crate::chats::OPEN_CHAT_OF_VISITOR;
/// The chat's last number and site, in one point read (no row: no such chat).
pub(crate) const CHAT_SEQ: &str = "SELECT last_seq, site_id FROM chats WHERE id = ?1";
pub(crate) const SET_SEQ: &str = "UPDATE chats SET last_seq = ?2 WHERE id = ?1";

/// What to append.
pub(crate) enum What {
    /// [`frontdesk_core::store::ChatStore::append_message`].
    Chat(NewMessage),
    /// [`frontdesk_core::store::ChatStore::append_visitor_message`].
    Visitor(VisitorMessage),
}

/// What an append came to: the message appended (or found stored), with the chat it went to
/// for a visitor's message; `None` when the visitor had no open chat.
pub(crate) type Outcome = Option<(Appended, Option<Box<Chat>>)>;

/// Where the answer goes.
pub(crate) enum Reply {
    Chat(oneshot::Sender<StoreResult<Appended>>),
    Visitor(oneshot::Sender<StoreResult<Option<Posted>>>),
}

/// A message queued for the writer, and where its answer goes.
pub(crate) struct PendingAppend {
    what: What,
    index: bool,
    subs: Arc<Subscriptions>,
    result: Option<StoreResult<Outcome>>,
    reply: Reply,
}

impl PendingAppend {
    pub(crate) fn new(what: What, index: bool, subs: Arc<Subscriptions>, reply: Reply) -> Self {
        PendingAppend {
            what,
            index,
            subs,
            result: None,
            reply,
        }
    }

    /// Answers the caller: its own result when the batch committed, else `outcome`'s error.
    pub(crate) fn finish(self, outcome: Result<(), StoreError>) {
        let result = match outcome {
            Ok(()) => self
                .result
                .unwrap_or_else(|| Err(StoreError::Unavailable("message did not run".into()))),
            Err(e) => Err(e),
        };
        let mismatch = || StoreError::Unavailable("message answered out of kind".into());
        // The caller may have stopped waiting; the write stands either way.
        match self.reply {
            Reply::Chat(reply) => {
                let _ = reply.send(result.and_then(|o| o.map(|(a, _)| a).ok_or_else(mismatch)));
            }
            Reply::Visitor(reply) => {
                let _ = reply.send(result.and_then(|o| match o {
                    None => Ok(None),
                    Some((appended, Some(chat))) => Ok(Some(Posted {
                        chat: *chat,
                        appended,
                    })),
                    Some((_, None)) => Err(mismatch()),
                }));
            }
        }
    }
}

/// Rows per multi-row insert (largest first): at most three cached statements.
const CHUNKS: [usize; 3] = [64, 8, 1];

fn insert_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        CHUNKS
            .iter()
            .map(|&n| {
                let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; n].join(", ");
                format!(
                    "INSERT INTO messages (chat_id, seq, author, agent_id, author_name, kind, \
                     body, client_id, created_at) VALUES {values}"
                )
            })
            .collect()
    });
    let at = CHUNKS
        .iter()
        .position(|&n| n == rows)
        .unwrap_or(CHUNKS.len() - 1);
    all.get(at).map_or("", String::as_str)
}

/// Runs every append of `group` in the open transaction (see the module's doc). `Err` only
/// when the transaction itself failed (then the whole batch is answered with it).
pub(crate) fn run(tx: &Transaction<'_>, group: &mut [PendingAppend]) -> StoreResult<()> {
    let unavailable = |e: rusqlite::Error| StoreError::Unavailable(format!("savepoint: {e}"));
    savepoint(tx, "SAVEPOINT appends").map_err(unavailable)?;
    match together(tx, group) {
        Ok(done) => {
            savepoint(tx, "RELEASE appends").map_err(unavailable)?;
            for (pending, result) in group.iter_mut().zip(done) {
                pending.result = Some(result);
            }
        }
        Err(_) => {
            #[cfg(test)]
            tests::FALLBACKS.with(|n| n.set(n.get() + 1));
            savepoint(tx, "ROLLBACK TO appends")
                .and_then(|()| savepoint(tx, "RELEASE appends"))
                .map_err(unavailable)?;
            for pending in group.iter_mut() {
                savepoint(tx, "SAVEPOINT append").map_err(unavailable)?;
                let result = together(tx, std::slice::from_ref(pending))
                    .and_then(|mut done| done.pop().unwrap_or(Err(StoreError::NotFound)));
                let end = if result.is_ok() {
                    savepoint(tx, "RELEASE append")
                } else {
                    savepoint(tx, "ROLLBACK TO append")
                        .and_then(|()| savepoint(tx, "RELEASE append"))
                };
                end.map_err(unavailable)?;
                pending.result = Some(result);
            }
        }
    }
    if tx.is_autocommit() {
        return Err(StoreError::Unavailable(
            "transaction rolled back by sqlite".into(),
        ));
    }
    Ok(())
}

/// A chat's numbers within the group.
struct Seqs {
    last: i64,
    site: i64,
    bumped: bool,
}

/// A message of the group to insert.
struct Row<'a> {
    message: Message,
    file: Option<&'a NewFile>,
    site: i64,
    pending: &'a PendingAppend,
}

/// How one append of the group ends.
enum Slot {
    /// Refused, or found stored (rare: boxed).
    Done(Box<StoreResult<Outcome>>),
    /// Appended as `rows[row]`; a visitor's message with its chat.
    Fresh { row: usize, chat: Option<Box<Chat>> },
}

/// Every append of the group, then one multi-row insert (in chunks) of the new messages.
/// The outer `Err` is a failed statement (the caller rolls the group back); the inner results
/// are each append's own answer.
fn together(c: &Connection, group: &[PendingAppend]) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let mut chats: HashMap<i64, Seqs> = HashMap::new();
    let mut fresh: HashMap<(i64, &str), usize> = HashMap::new();
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(group.len());
    let mut slots = Vec::with_capacity(group.len());
    for pending in group {
        let (chat, m) = match &pending.what {
            What::Chat(m) => (None, Draft::of(m)),
            What::Visitor(v) => {
                let chat = c
                    .prepare_cached(OPEN_CHAT_OF_VISITOR)
                    .db()?
                    .query_row(params![v.site.0, v.visitor.0], chat_row)
                    .optional()
                    .db()?;
                let Some(mut chat) = chat else {
                    slots.push(Slot::Done(Box::new(Ok(None))));
                    continue;
                };
                // As a write of its own would have read it: after the group's messages so far.
                if let Some(seqs) = chats.get(&chat.id.0) {
                    chat.last_seq = Seq(seqs.last);
                }
                let draft = Draft::visitor(&chat, v);
                (Some(Box::new(chat)), draft)
            }
        };
        if let Some(client_id) = m.client_id {
            if let Some(&row) = fresh.get(&(m.chat_id.0, client_id.as_str())) {
                let message = rows.get(row).map(|r| r.message.clone());
                let slot = message.map_or(Err(StoreError::NotFound), |message| {
                    let appended = Appended {
                        message,
                        duplicate: true,
                    };
                    Ok(Some((appended, chat)))
                });
                slots.push(Slot::Done(Box::new(slot)));
                continue;
            }
            let stored = c
                .prepare_cached(CLIENT_ID_LOOKUP)
                .db()?
                .query_row(params![m.chat_id.0, client_id], message_row)
                .optional()
                .db()?;
            if let Some(mut message) = stored {
                crate::files::attach_files(c, std::slice::from_mut(&mut message))?;
                let appended = Appended {
                    message,
                    duplicate: true,
                };
                slots.push(Slot::Done(Box::new(Ok(Some((appended, chat))))));
                continue;
            }
        }
        let seqs = match chats.entry(m.chat_id.0) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let read = c
                    .prepare_cached(CHAT_SEQ)
                    .db()?
                    .query_row([m.chat_id.0], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .db()?;
                // No such chat: refused alone, as the single write's numbering refused it.
                let Some((last, site)) = read else {
                    slots.push(Slot::Done(Box::new(Err(StoreError::NotFound))));
                    continue;
                };
                e.insert(Seqs {
                    last,
                    site,
                    bumped: false,
                })
            }
        };
        seqs.last += 1;
        seqs.bumped = true;
        if let Some(client_id) = m.client_id {
            fresh.insert((m.chat_id.0, client_id.as_str()), rows.len());
        }
        slots.push(Slot::Fresh {
            row: rows.len(),
            chat,
        });
        rows.push(Row {
            message: Message {
                chat_id: m.chat_id,
                seq: Seq(seqs.last),
                author: m.author,
                author_name: m.author_name,
                kind: m.kind,
                body: m.body.clone(),
                client_id: m.client_id.cloned(),
                created_at: m.created_at,
                file: m.file.map(|f| f.meta.clone()),
            },
            file: m.file,
            site: seqs.site,
            pending,
        });
    }
    for (id, seqs) in &chats {
        if seqs.bumped {
            c.prepare_cached(SET_SEQ)
                .db()?
                .execute(params![id, seqs.last])
                .db()?;
        }
    }
    insert_rows(c, &rows)?;
    for row in &rows {
        after_insert(c, row)?;
    }
    let mut rows: Vec<Option<Row<'_>>> = rows.into_iter().map(Some).collect();
    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Done(result) => *result,
            Slot::Fresh { row, chat } => {
                let message = rows.get_mut(row).and_then(Option::take).map(|r| r.message);
                message.ok_or(StoreError::NotFound).map(|message| {
                    let appended = Appended {
                        message,
                        duplicate: false,
                    };
                    Some((appended, chat))
                })
            }
        })
        .collect())
}

/// The message's fields, borrowed from what was queued.
struct Draft<'a> {
    chat_id: ChatId,
    author: Author,
    author_name: Option<String>,
    kind: MessageKind,
    body: &'a String,
    client_id: Option<&'a String>,
    created_at: Timestamp,
    file: Option<&'a NewFile>,
}

impl<'a> Draft<'a> {
    fn of(m: &'a NewMessage) -> Self {
        Draft {
            chat_id: m.chat_id,
            author: m.author,
            author_name: m.author_name.clone(),
            kind: m.kind,
            body: &m.body,
            client_id: m.client_id.as_ref(),
            created_at: m.created_at,
            file: m.file.as_ref(),
        }
    }

    /// A visitor's message to `chat`, their open chat, named as in the chat.
    fn visitor(chat: &Chat, m: &'a VisitorMessage) -> Self {
        Draft {
            chat_id: chat.id,
            author: Author::Visitor,
            author_name: chat.visitor_name.clone(),
            kind: m.kind,
            body: &m.body,
            client_id: m.client_id.as_ref(),
            created_at: m.created_at,
            file: m.file.as_ref(),
        }
    }
}

/// The group's messages in statements of 64, 8 and 1 rows.
fn insert_rows(c: &Connection, rows: &[Row<'_>]) -> StoreResult<()> {
    let mut left = rows;
    for &size in &CHUNKS {
        while left.len() >= size {
            let (now, rest) = left.split_at(size);
            let mut values: Vec<&dyn ToSql> = Vec::with_capacity(size * 9);
            let mut columns = Vec::with_capacity(size);
            for row in now {
                let (author, agent) = author_columns(row.message.author);
                columns.push((author, agent, row.message.kind.as_str()));
            }
            for (row, (author, agent, kind)) in now.iter().zip(&columns) {
                let m = &row.message;
                values.extend_from_slice(&[
                    &m.chat_id.0 as &dyn ToSql,
                    &m.seq.0,
                    author,
                    agent,
                    &m.author_name,
                    kind,
                    &m.body,
                    &m.client_id,
                    &m.created_at.0,
                ]);
            }
            c.prepare_cached(insert_sql(size))
                .db()?
                .execute(params_from_iter(values))
                .db()?;
            left = rest;
        }
    }
    Ok(())
}

/// A new message's file, search entry and webhook rows (after its row: the file refers to it).
fn after_insert(c: &Connection, row: &Row<'_>) -> StoreResult<()> {
    let m = &row.message;
    if let Some(file) = row.file {
        crate::chats::insert_file(c, m.chat_id, m.seq.0, row.site, m.created_at, file)?;
    }
    if row.pending.index {
        crate::archive::index_message(c, m.chat_id, m.seq.0, m.kind, &m.body)?;
    }
    let subs = &row.pending.subs;
    if !subs.is_empty() {
        let site = SiteId(row.site);
        crate::webhooks::emit(c, subs, site, EventKind::MessageCreated, || {
            hooks::message_event(site, m)
        })?;
    }
    Ok(())
}

fn savepoint(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(|_| ())
}

#[cfg(test)]
#[path = "appends_tests.rs"]
mod tests;

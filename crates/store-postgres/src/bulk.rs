//! Bulk loading of synthetic history, for benchmarks: the chats
//! [`frontdesk_core::bulk`] describes (the same the SQLite store's generator writes), sent
//! with `COPY ... FROM STDIN` on a connection of its own, then `VACUUM ANALYZE` so that the
//! planner knows the tables as a long-running database would.
//!
//! The chats get ids 1..=chats: the database must hold no chats yet. As a superuser the
//! load runs with `session_replication_role = replica` (no foreign-key or trigger work per
//! row: the rows are consistent by construction); otherwise the triggers run (each chat is
//! marked read up to its last message, so the unread-reply trigger changes nothing).

use frontdesk_core::bulk::{BulkChat, BulkHistory};
use frontdesk_core::store::{StoreError, StoreResult};
use futures_util::SinkExt;
use std::fmt::Write;
use std::io::Cursor;
use tokio_postgres::{Client, NoTls};

/// The server's message, not just "db error".
fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Unavailable(match e.as_db_error() {
        Some(d) => format!("postgres: {} ({})", d.message(), d.code().code()),
        None => format!("postgres: {e}"),
    })
}

/// Chats per round of COPY statements.
const CHATS_PER_BATCH: u64 = 10_000;

/// Writes `spec` into the (migrated, chat-less) database at `url`.
pub async fn bulk_insert_history(url: &str, spec: &BulkHistory) -> StoreResult<()> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
    let conn = tokio::spawn(async move {
        let _ = conn.await;
    });
    let superuser: bool = client
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map_err(pg)?
        .get(0);
    if superuser {
        client
            .batch_execute("SET session_replication_role = replica")
            .await
            .map_err(pg)?;
    }
    let mut done = 0;
    while done < spec.chats {
        let n = CHATS_PER_BATCH.min(spec.chats - done);
        batch(&client, spec, done, n).await?;
        done += n;
    }
    // One statement per call: VACUUM cannot run in the implicit transaction of a batch.
    for sql in [
        "RESET session_replication_role",
        "SELECT setval(pg_get_serial_sequence('chats', 'id'), \
         GREATEST((SELECT max(id) FROM chats), 1))",
        "VACUUM ANALYZE chats",
        "VACUUM ANALYZE messages",
        "VACUUM ANALYZE visitors",
    ] {
        client.batch_execute(sql).await.map_err(pg)?;
    }
    drop(client);
    let _ = conn.await;
    Ok(())
}

/// `\N` for none, else the text (the generated text never needs escaping, but be safe).
fn field(out: &mut String, v: Option<&str>) {
    match v {
        None => out.push_str("\\N"),
        Some(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

fn row(out: &mut String, cells: &[Option<String>]) {
    for (k, c) in cells.iter().enumerate() {
        if k > 0 {
            out.push('\t');
        }
        field(out, c.as_deref());
    }
    out.push('\n');
}

async fn copy(client: &Client, sql: &str, data: String) -> StoreResult<()> {
    let sink = client
        .copy_in::<_, Cursor<Vec<u8>>>(sql)
        .await
        .map_err(pg)?;
    futures_util::pin_mut!(sink);
    sink.send(Cursor::new(data.into_bytes()))
        .await
        .map_err(pg)?;
    sink.finish().await.map_err(pg)?;
    Ok(())
}

async fn batch(client: &Client, spec: &BulkHistory, first: u64, count: u64) -> StoreResult<()> {
    let visitors = spec.visitors.max(1);
    let per_chat = i64::from(spec.messages_per_chat);
    let (mut vis, mut chats, mut msgs) = (String::new(), String::new(), String::new());
    for i in first..first + count {
        let ch: BulkChat = spec.chat(i);
        let id = i + 1;
        if i < visitors {
            // Each visitor once, at its first chat; last seen at its last one.
            let last = i + (spec.chats - 1 - i) / visitors * visitors;
            let s = |v: &dyn ToString| Some(v.to_string());
            row(
                &mut vis,
                &[
                    s(&ch.site.0),
                    Some(ch.visitor_id()),
                    ch.visitor_name.clone(),
                    ch.visitor_email.clone(),
                    s(&ch.created.0),
                    s(&spec.chat(last).created.0),
                ],
            );
        }
        let joined = match ch.joined {
            Some(a) => format!("[{}]", a.0),
            None => "[]".to_string(),
        };
        let tags: Vec<String> = ch.tags.iter().map(|t| format!("\"{t}\"")).collect();
        row(
            &mut chats,
            &[
                Some(id.to_string()),
                Some(ch.site.0.to_string()),
                Some(ch.visitor_id()),
                ch.visitor_name.clone(),
                ch.visitor_email.clone(),
                Some("ended".into()),
                opt(ch.agent.map(|a| a.0)),
                Some(ch.end_reason().into()),
                opt(ch.ended_by().map(|a| a.0)),
                Some("3".into()),
                Some(per_chat.to_string()),
                Some(ch.created.0.to_string()),
                Some(ch.created.0.to_string()),
                opt(ch.answered.map(|t| t.0)),
                Some(ch.ended.0.to_string()),
                Some(ch.agent.is_none().to_string()),
                Some(joined),
                Some(format!("[{}]", tags.join(","))),
                ch.wrap_up.clone(),
                opt(ch.rating),
                opt(ch.rated_at.map(|t| t.0)),
                Some(per_chat.to_string()),
            ],
        );
        for m in spec.messages(&ch) {
            let author = if m.agent.is_some() {
                "agent"
            } else {
                "visitor"
            };
            let _ = write!(msgs, "{id}\t{}\t{author}\t", m.seq);
            field(&mut msgs, opt(m.agent.map(|a| a.0)).as_deref());
            msgs.push_str("\ttext\t");
            field(&mut msgs, Some(&m.body));
            let _ = writeln!(msgs, "\t{}", m.created.0);
        }
    }
    if !vis.is_empty() {
        copy(
            client,
            "COPY visitors (site_id, visitor_id, name, email, first_seen, last_seen) FROM STDIN",
            vis,
        )
        .await?;
    }
    copy(
        client,
        "COPY chats (id, site_id, visitor_id, visitor_name, visitor_email, state, agent_id, \
         end_reason, ended_by, version, last_seq, created_at, queued_at, answered_at, ended_at, \
         missed, joined, tags, wrap_up, rating, rated_at, visitor_read_seq) FROM STDIN",
        chats,
    )
    .await?;
    copy(
        client,
        "COPY messages (chat_id, seq, author, agent_id, kind, body, created_at) FROM STDIN",
        msgs,
    )
    .await
    .map_err(|e| match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(format!("messages: {m}")),
        e => e,
    })
}

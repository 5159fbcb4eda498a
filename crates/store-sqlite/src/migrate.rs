//! Schema migrations: SQL files embedded at build time, applied in order at open.
//!
//! `PRAGMA user_version` holds the number of the last applied migration. Each pending
//! migration runs in its own `BEGIN IMMEDIATE` transaction together with the
//! `user_version` bump, so a failed migration leaves the previous version intact.

use crate::OpenError;
use rusqlite::{Connection, TransactionBehavior};

/// A schema step: `migrations/NNNN_name.sql`.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// Every migration, in order; `version` is the file's number and counts up from 1.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "teams",
        sql: include_str!("../migrations/0002_teams.sql"),
    },
    Migration {
        version: 3,
        name: "together",
        sql: include_str!("../migrations/0003_together.sql"),
    },
    Migration {
        version: 4,
        name: "files_ratings",
        sql: include_str!("../migrations/0004_files_ratings.sql"),
    },
    Migration {
        version: 5,
        name: "search",
        sql: include_str!("../migrations/0005_search.sql"),
    },
    Migration {
        version: 6,
        name: "reports",
        sql: include_str!("../migrations/0006_reports.sql"),
    },
    Migration {
        version: 7,
        name: "integrations",
        sql: include_str!("../migrations/0007_integrations.sql"),
    },
    Migration {
        version: 8,
        name: "visit_language",
        sql: include_str!("../migrations/0008_visit_language.sql"),
    },
    Migration {
        version: 9,
        name: "identity",
        sql: include_str!("../migrations/0009_identity.sql"),
    },
    Migration {
        version: 10,
        name: "webhooks",
        sql: include_str!("../migrations/0010_webhooks.sql"),
    },
    Migration {
        version: 11,
        name: "privacy",
        sql: include_str!("../migrations/0011_privacy.sql"),
    },
    Migration {
        version: 12,
        name: "visit_invitations",
        sql: include_str!("../migrations/0012_visit_invitations.sql"),
    },
    Migration {
        version: 13,
        name: "search_queue",
        sql: include_str!("../migrations/0013_search_queue.sql"),
    },
    Migration {
        version: 14,
        name: "lean_message_triggers",
        sql: include_str!("../migrations/0014_lean_message_triggers.sql"),
    },
];

/// The schema version this build writes.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings the database up to [`latest`]. Refuses a database newer than this build.
pub(crate) fn apply(conn: &mut Connection) -> Result<(), OpenError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = latest();
    if found > known {
        return Err(OpenError::TooNew { found, known });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let failed = |source| OpenError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        tx.execute_batch(m.sql).map_err(failed)?;
        // PRAGMA takes no bound parameters; the version is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", m.version))
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied schema migration"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, apply};
    use rusqlite::Connection;

    /// 0003 rebuilds `messages` (a wider CHECK for notes): a database written at version 2
    /// keeps every message, and takes notes afterwards.
    #[test]
    fn version_two_messages_survive_the_notes_rebuild() {
        let mut conn = Connection::open_in_memory().expect("test database");
        for m in &MIGRATIONS[..2] {
            conn.execute_batch(m.sql).expect("test database");
        }
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO sites (id, key, name, base_url, timezone, created_at)
                 VALUES (1, 'k', 'Shop', 'https://shop.example', 'UTC', 0);
             INSERT INTO chats (id, site_id, visitor_id, created_at, queued_at, last_seq)
                 VALUES (1, 1, 'v', 0, 0, 2);
             INSERT INTO messages (chat_id, seq, author, kind, body, client_id, created_at)
                 VALUES (1, 1, 'visitor', 'text', 'hello', 'c-1', 1),
                        (1, 2, 'system', 'event', 'ended', NULL, 2);",
        )
        .expect("test database");
        apply(&mut conn).expect("test database");
        let bodies: Vec<String> = conn
            .prepare("SELECT body FROM messages WHERE chat_id = 1 ORDER BY seq")
            .expect("test database")
            .query_map([], |r| r.get(0))
            .expect("test database")
            .collect::<Result<_, _>>()
            .expect("test database");
        assert_eq!(bodies, ["hello", "ended"]);
        conn.execute(
            "INSERT INTO messages (chat_id, seq, author, agent_id, kind, body, created_at)
             VALUES (1, 3, 'agent', 7, 'note', 'psst', 3)",
            [],
        )
        .expect("test database");
        assert!(
            conn.execute(
                "INSERT INTO messages (chat_id, seq, author, kind, body, created_at)
                 VALUES (1, 4, 'visitor', 'note', 'forged', 4)",
                [],
            )
            .is_err(),
            "only an agent writes a note"
        );
        assert!(
            conn.execute(
                "INSERT INTO messages (chat_id, seq, author, kind, body, client_id, created_at)
                 VALUES (1, 5, 'visitor', 'text', 'again', 'c-1', 5)",
                [],
            )
            .is_err(),
            "the client-id index came back"
        );
    }

    #[test]
    fn versions_count_up_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {}", m.name);
        }
    }
}

//! Schema migrations: SQL files embedded at build time, applied in order.
//!
//! `frontdesk_migrations` records every applied version. All of it runs under a
//! transaction-scoped advisory lock, so that nodes starting at the same moment apply each
//! migration exactly once; each migration commits together with its record, so a failed one
//! leaves the previous version intact.

use crate::{OpenError, PgOptions};
use tokio_postgres::Client;

/// A schema step: `migrations/NNNN_name.sql`.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, in order; `version` is the file's number and counts up from 1.
const MIGRATIONS: &[Migration] = &[
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

/// Any fixed number: the advisory lock that serializes migrations between nodes.
const LOCK_KEY: i64 = 0x00F2_0DE5_C000_0001;

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Connects to `url` and brings its schema up to date. Returns the versions applied now
/// (empty when it already was). This is `frontdesk migrate`.
pub async fn migrate(url: &str) -> Result<Vec<i64>, OpenError> {
    let pool = crate::pool(url, PgOptions::default())?;
    let mut client = pool
        .get()
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    apply(&mut client).await
}

/// Applies pending migrations. Refuses a database newer than this build.
pub(crate) async fn apply(client: &mut Client) -> Result<Vec<i64>, OpenError> {
    // Under the lock: two nodes racing to create the table would make one of them fail.
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    let missing: bool = tx
        .query_one("SELECT to_regclass('frontdesk_migrations') IS NULL", &[])
        .await?
        .try_get(0)?;
    if missing {
        tx.batch_execute(
            "CREATE TABLE frontdesk_migrations (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT   NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await?;
    }
    tx.commit().await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let failed = |source| OpenError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        let tx = client.transaction().await.map_err(failed)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(failed)?;
        let found: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM frontdesk_migrations",
                &[],
            )
            .await
            .map_err(failed)?
            .try_get(0)
            .map_err(failed)?;
        if found > latest_version() {
            return Err(OpenError::TooNew {
                found,
                known: latest_version(),
            });
        }
        if found >= m.version {
            continue; // rolled back on drop: nothing was written
        }
        tx.batch_execute(m.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO frontdesk_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied schema migration"
        );
        applied.push(m.version);
    }
    // Also refuse a newer database when this build has nothing left to apply.
    let found: i64 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM frontdesk_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    if found > latest_version() {
        return Err(OpenError::TooNew {
            found,
            known: latest_version(),
        });
    }
    Ok(applied)
}

/// The schema version of the database at `url` (0: not migrated yet), without migrating it:
/// the rolling-upgrade test watches the first node of a new release move it forward.
pub async fn applied_version(url: &str) -> Result<i64, OpenError> {
    let pool = crate::pool(url, PgOptions::default())?;
    let client = pool
        .get()
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('frontdesk_migrations') IS NOT NULL",
            &[],
        )
        .await?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM frontdesk_migrations",
            &[],
        )
        .await?
        .try_get(0)?)
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn versions_count_up_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {}", m.name);
        }
    }
}

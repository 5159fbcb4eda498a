//! Server-wide settings and secrets.

use crate::SqliteStore;
use crate::map::Db;
use async_trait::async_trait;
use frontdesk_core::store::{SettingStore, StoreResult};
use rusqlite::params;

#[async_trait]
impl SettingStore for SqliteStore {
    /// Atomic: the first caller's `init` is stored; every caller gets the stored value.
    async fn secret(&self, name: &str, init: Vec<u8>) -> StoreResult<Vec<u8>> {
        let name = name.to_owned();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            )
            .db()?
            .execute(params![name, init])
            .db()?;
            tx.prepare_cached("SELECT value FROM settings WHERE name = ?1")
                .db()?
                .query_row([name], |r| r.get(0))
                .db()
        })
        .await
    }

    /// Only a background check that found damage counts (see [`crate::check`]).
    fn integrity_problem(&self) -> Option<String> {
        match self.integrity() {
            crate::Integrity::Corrupt(detail) => Some(format!("database is corrupt: {detail}")),
            _ => None,
        }
    }
}

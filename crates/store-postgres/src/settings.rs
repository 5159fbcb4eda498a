//! Server-wide settings (secrets made once, shared by every node).

use crate::PgStore;
use crate::map::get;
use async_trait::async_trait;
use frontdesk_core::store::{SettingStore, StoreResult};

#[async_trait]
impl SettingStore for PgStore {
    /// Atomic: the first caller's `init` is stored (on any node); every caller gets the
    /// stored value.
    async fn secret(&self, name: &str, init: Vec<u8>) -> StoreResult<Vec<u8>> {
        self.exec(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &init],
        )
        .await?;
        let row = self
            .one("SELECT value FROM settings WHERE name = $1", &[&name])
            .await?;
        get(&row, 0)
    }
}

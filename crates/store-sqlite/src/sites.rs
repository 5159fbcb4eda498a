//! Sites.

use crate::SqliteStore;
use crate::map::{Db, all, changed, site_cols, site_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{SiteStore, StoreError, StoreResult};
use rusqlite::params;

fn origins_json(origins: &[String]) -> StoreResult<String> {
    serde_json::to_string(origins).map_err(|e| StoreError::Unavailable(e.to_string()))
}

#[async_trait]
impl SiteStore for SqliteStore {
    /// A duplicate key is `Conflict("key")`.
    async fn create_site(&self, site: NewSite, now: Timestamp) -> StoreResult<Site> {
        let origins = origins_json(&site.allowed_origins)?;
        self.write(move |tx| {
            tx.prepare_cached(concat!(
                "INSERT INTO sites (key, name, base_url, timezone, allowed_origins, email, \
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING ",
                site_cols!()
            ))
            .db()?
            .query_row(
                params![
                    site.key.0,
                    site.name,
                    site.base_url,
                    site.timezone,
                    origins,
                    site.email,
                    now.0
                ],
                site_row,
            )
            .db()
        })
        .await
    }

    async fn list_sites(&self) -> StoreResult<Vec<Site>> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(concat!("SELECT ", site_cols!(), " FROM sites ORDER BY id"))
                .db()?;
            all(stmt.query_map([], site_row).db()?)
        })
        .await
    }

    async fn site(&self, id: SiteId) -> StoreResult<Site> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                site_cols!(),
                " FROM sites WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], site_row)
            .db()
        })
        .await
    }

    async fn site_by_key(&self, key: &SiteKey) -> StoreResult<Site> {
        let key = key.0.clone();
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                site_cols!(),
                " FROM sites WHERE key = ?1"
            ))
            .db()?
            .query_row([key], site_row)
            .db()
        })
        .await
    }

    /// Updates everything but `id` and `created_at`. A key taken by another site is
    /// `Conflict("key")`.
    async fn update_site(&self, site: &Site) -> StoreResult<()> {
        let origins = origins_json(&site.allowed_origins)?;
        let site = site.clone();
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE sites SET key = ?2, name = ?3, base_url = ?4, timezone = ?5, \
                     allowed_origins = ?6, email = ?7, settings = ?8 WHERE id = ?1",
                )
                .db()?
                .execute(params![
                    site.id.0,
                    site.key.0,
                    site.name,
                    site.base_url,
                    site.timezone,
                    origins,
                    site.email,
                    site.settings.to_json()
                ])
                .db()?;
            changed(n)
        })
        .await
    }
}

//! Sites.

use crate::PgStore;
use crate::map::{all, site_cols, site_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{SiteStore, StoreError, StoreResult};

fn origins_json(origins: &[String]) -> StoreResult<String> {
    serde_json::to_string(origins).map_err(|e| StoreError::Unavailable(e.to_string()))
}

#[async_trait]
impl SiteStore for PgStore {
    /// A duplicate key is `Conflict("key")`.
    async fn create_site(&self, site: NewSite, now: Timestamp) -> StoreResult<Site> {
        let origins = origins_json(&site.allowed_origins)?;
        let row = self
            .one(
                concat!(
                    "INSERT INTO sites (key, name, base_url, timezone, allowed_origins, email, \
                     created_at) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7) RETURNING ",
                    site_cols!()
                ),
                &[
                    &site.key.0,
                    &site.name,
                    &site.base_url,
                    &site.timezone,
                    &origins,
                    &site.email,
                    &now.0,
                ],
            )
            .await?;
        site_row(&row)
    }

    async fn list_sites(&self) -> StoreResult<Vec<Site>> {
        let rows = self
            .rows(
                concat!("SELECT ", site_cols!(), " FROM sites ORDER BY id"),
                &[],
            )
            .await?;
        all(rows, site_row)
    }

    async fn site(&self, id: SiteId) -> StoreResult<Site> {
        let row = self
            .one(
                concat!("SELECT ", site_cols!(), " FROM sites WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        site_row(&row)
    }

    async fn site_by_key(&self, key: &SiteKey) -> StoreResult<Site> {
        let row = self
            .one(
                concat!("SELECT ", site_cols!(), " FROM sites WHERE key = $1"),
                &[&key.0],
            )
            .await?;
        site_row(&row)
    }

    /// Updates everything but `id` and `created_at`. A key taken by another site is
    /// `Conflict("key")`.
    async fn update_site(&self, site: &Site) -> StoreResult<()> {
        let origins = origins_json(&site.allowed_origins)?;
        self.exec_one(
            "UPDATE sites SET key = $2, name = $3, base_url = $4, timezone = $5, \
             allowed_origins = $6::text::jsonb, email = $7, settings = $8::text::jsonb \
             WHERE id = $1",
            &[
                &site.id.0,
                &site.key.0,
                &site.name,
                &site.base_url,
                &site.timezone,
                &origins,
                &site.email,
                &site.settings.to_json(),
            ],
        )
        .await
    }
}

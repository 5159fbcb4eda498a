//! Demo data: a site whose pages are served by this server at `/demo`, and an admin agent.

use frontdesk_core::model::{NewAgent, NewSite};
use frontdesk_core::store::{Store, StoreError};
use frontdesk_core::{SiteKey, Timestamp};

pub const DEMO_EMAIL: &str = "demo@frontdesk.local";
pub const DEMO_PASSWORD: &str = "frontdesk-demo";
pub const DEMO_SITE_NAME: &str = "Demo Site";

/// Creates the demo site and agent when the database has no site yet; returns the demo
/// site's key (the first site's, when sites exist).
pub async fn ensure_demo(
    store: &dyn Store,
    public_base: &str,
    now: Timestamp,
) -> Result<String, StoreError> {
    let sites = store.list_sites().await?;
    if let Some(site) = sites
        .iter()
        .find(|s| s.name == DEMO_SITE_NAME)
        .or(sites.first())
    {
        return Ok(site.key.0.clone());
    }
    let mut origins = vec![];
    if let Some(port) = public_base
        .rsplit(':')
        .next()
        .filter(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        origins.push(format!("http://localhost:{port}"));
        origins.push(format!("http://127.0.0.1:{port}"));
    }
    let site = store
        .create_site(
            NewSite {
                key: SiteKey(crate::cli::new_site_key()),
                name: DEMO_SITE_NAME.to_string(),
                base_url: public_base.to_string(),
                timezone: "UTC".to_string(),
                allowed_origins: origins,
                email: None,
            },
            now,
        )
        .await?;
    if store.agent_by_email(DEMO_EMAIL).await.is_err() {
        let hash = tokio::task::spawn_blocking(|| crate::security::hash_password(DEMO_PASSWORD))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .map_err(StoreError::Unavailable)?;
        store
            .create_agent(
                NewAgent {
                    email: DEMO_EMAIL.to_string(),
                    name: "Demo Agent".to_string(),
                    is_admin: true,
                    password_hash: hash,
                    sites: None,
                },
                now,
            )
            .await?;
    }
    Ok(site.key.0)
}

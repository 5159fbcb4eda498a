//! Builders the crate's own unit tests share.

#![allow(clippy::unwrap_used)]

use crate::SqliteStore;
use frontdesk_core::model::NewSite;
use frontdesk_core::store::SiteStore;
use frontdesk_core::{SiteId, SiteKey, Timestamp};

/// A site "shop" (https://shop.example, no allowed origins, no email).
pub(crate) async fn shop(s: &SqliteStore) -> SiteId {
    s.create_site(
        NewSite {
            key: SiteKey("shop".into()),
            name: "Shop".into(),
            base_url: "https://shop.example".into(),
            timezone: "Europe/Berlin".into(),
            allowed_origins: vec![],
            email: None,
        },
        Timestamp(1),
    )
    .await
    .unwrap()
    .id
}

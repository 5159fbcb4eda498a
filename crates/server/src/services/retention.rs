//! The privacy retention task (issue 18, docs/privacy.md): for each site, deletes the chats
//! that ended (and offline messages left) longer ago than "Keep chats for", and the visits
//! last seen longer ago than "Keep visits and page views for" (with their page views, the
//! visitors left with nothing, and blocks over by then). "Now" comes from the injectable
//! clock.
//!
//! Each delete is one short write of at most `retention_batch` rows, and the task yields
//! between writes, so chats keep flowing while it catches up (on SQLite each batch is one job
//! of the single writer, queued like any other). Every node runs the task; in cluster mode the
//! batches pick their rows `FOR UPDATE SKIP LOCKED`, so two nodes delete different rows and
//! what one deleted the other simply does not find. The reports' rollups stay as they are.

use super::audit::{self, Who};
use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::audit::{Actor, AuditAction};
use frontdesk_core::{SiteId, Timestamp};
use serde::Serialize;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the task runs (real time; "now" comes from the injectable clock).
const EVERY: Duration = Duration::from_secs(600);

/// What one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub chats: u64,
    pub offline_messages: u64,
    /// Visits (with their page views), visitors left with nothing, and old blocks.
    pub visits: u64,
}

impl Deleted {
    fn is_empty(&self) -> bool {
        *self == Deleted::default()
    }
}

/// Runs `batch` until it deletes fewer than `limit` rows; the total.
async fn drain<F, Fut>(limit: u32, mut batch: F) -> AppResult<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = frontdesk_core::store::StoreResult<u64>>,
{
    let mut total = 0;
    loop {
        let n = batch().await?;
        total += n;
        if n < u64::from(limit) {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

async fn run_site(
    app: &App,
    site: SiteId,
    privacy: frontdesk_core::privacy::PrivacySettings,
    now: Timestamp,
) -> AppResult<Deleted> {
    let limit = app.settings.retention_batch.max(1);
    let store = &app.store;
    let mut deleted = Deleted::default();
    if let Some(before) = privacy.chats_cutoff(now) {
        let chats = drain(limit, || store.delete_ended_chats(site, before, limit)).await;
        // This node may keep some as recently ended (`hot_chats`): storage no longer has them
        // (also when a later batch failed: the earlier ones are gone).
        app.hot.forget_ended();
        deleted.chats = chats?;
        deleted.offline_messages = drain(limit, || {
            store.delete_old_offline_messages(site, before, limit)
        })
        .await?;
    }
    if let Some(before) = privacy.visits_cutoff(now) {
        deleted.visits = drain(limit, || store.delete_old_visits(site, before, limit)).await?;
    }
    Ok(deleted)
}

/// One run over every site; what it deleted per site is audited (a site with nothing to
/// delete is not).
pub async fn run(app: &App) -> AppResult<Deleted> {
    let now = app.now();
    let mut total = Deleted::default();
    for site in app.store.list_sites().await? {
        let deleted = run_site(app, site.id, site.settings.privacy, now).await?;
        if deleted.is_empty() {
            continue;
        }
        tracing::info!(
            site = site.id.0,
            chats = deleted.chats,
            offline_messages = deleted.offline_messages,
            visits = deleted.visits,
            "privacy retention deleted data past the site's keep periods"
        );
        let who = Who {
            actor: Actor::Anonymous,
            ip: None,
        };
        let detail = serde_json::to_value(deleted).unwrap_or_default();
        audit::record(
            app,
            &who,
            AuditAction::RetentionRun,
            Some("Retention task"),
            Some(site.id),
            detail,
        )
        .await;
        total.chats += deleted.chats;
        total.offline_messages += deleted.offline_messages;
        total.visits += deleted.visits;
    }
    Ok(total)
}

/// Runs [`run`] at start and then every ten minutes (by the injectable clock) on this node.
pub fn spawn(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = run(&app).await {
                tracing::warn!(error = %e, "privacy retention failed");
            }
            app.clock.sleep(EVERY).await;
        }
    })
}

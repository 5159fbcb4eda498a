//! The audit log (issue 18): [`record`] appends an entry for each audited action (the list is
//! `frontdesk_core::audit::AuditAction`); [`prune`] is the only delete, run by the retention
//! task ([`spawn_retention`]) with the injectable clock: entries older than `audit_keep_days`
//! go, in bounded batches.
//!
//! Recording never fails the action it records: the action already happened (an agent was
//! created, a sign-in refused), so a failed append is logged as an error and counted, not
//! turned into an error answer.

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::SiteId;
use frontdesk_core::audit::{Actor, AuditAction, NewAuditEntry, clean_target, keep_cutoff};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Who acted, and from which address.
#[derive(Debug, Clone)]
pub struct Who {
    pub actor: Actor,
    pub ip: Option<String>,
}

/// Entries removed per delete statement by retention.
const PRUNE_BATCH: u32 = 1_000;
/// Most batches one retention run removes (the next run goes on).
const PRUNE_BATCHES: u32 = 50;
/// How often retention runs (real time; "now" comes from the injectable clock).
const RETENTION_EVERY: Duration = Duration::from_secs(600);

/// Appends an entry: `who` did `action` to `target` (words a person reads) on `site`.
pub async fn record(
    app: &App,
    who: &Who,
    action: AuditAction,
    target: Option<&str>,
    site: Option<SiteId>,
    detail: serde_json::Value,
) {
    let entry = NewAuditEntry {
        at: app.now(),
        actor_kind: who.actor.kind(),
        actor_id: who.actor.id(),
        actor_name: who.actor.name().map(str::to_owned),
        action,
        target: target.map(clean_target),
        site_id: site,
        ip: who.ip.clone(),
        detail: if detail.is_object() {
            detail
        } else {
            serde_json::json!({})
        },
    };
    if let Err(e) = app.store.append_audit(entry).await {
        tracing::error!(error = %e, action = action.as_str(), "audit entry not recorded");
    }
}

/// One retention run: removes entries older than `audit_keep_days` (none when it is 0), in
/// batches of [`PRUNE_BATCH`]. Returns how many it removed.
pub async fn prune(app: &App) -> AppResult<u64> {
    let Some(before) = keep_cutoff(app.now(), app.settings.audit_keep_days) else {
        return Ok(0);
    };
    let mut removed = 0;
    for _ in 0..PRUNE_BATCHES {
        let n = app.store.prune_audit(before, PRUNE_BATCH).await?;
        removed += n;
        if n < u64::from(PRUNE_BATCH) {
            break;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "audit log entries past audit_keep_days removed");
    }
    Ok(removed)
}

/// Runs [`prune`] at start and then every ten minutes on this node (several nodes pruning
/// the same old rows is harmless: a delete of what is gone removes nothing).
pub fn spawn_retention(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = prune(&app).await {
                tracing::warn!(error = %e, "audit retention failed");
            }
            app.clock.sleep(RETENTION_EVERY).await;
        }
    })
}

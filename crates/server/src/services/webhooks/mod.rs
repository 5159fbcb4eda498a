//! Webhooks (issue 18): the subscription set the stores consult ([`reload`], on every change
//! here and, through the bus, on every node), the test event, and the tasks ([`spawn`]): the
//! delivery worker ([`worker`]) and the deliveries log's retention.

pub mod send;
pub mod worker;

use crate::error::AppResult;
use crate::realtime::bus::BusEvent;
use crate::state::App;
use frontdesk_core::webhooks::{self, Webhook};
use frontdesk_core::{DeliveryId, Timestamp};
use rand::RngCore;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the set is reloaded even without a change announced (a lost bus event).
const RELOAD_EVERY: Duration = Duration::from_secs(60);
/// How often the deliveries log's retention runs (real time).
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Rows removed per delete statement by retention.
const PRUNE_BATCH: u32 = 1_000;

/// Reads every webhook and replaces the in-memory subscription set the store writes by.
pub async fn reload(app: &App) -> AppResult<()> {
    let hooks = app.store.webhooks().await?;
    app.store.webhook_subscriptions().replace(&hooks);
    Ok(())
}

/// A webhook changed: reload here at once (so the next write on this node sees it), and
/// tell the other nodes.
pub async fn changed(app: &App) -> AppResult<()> {
    reload(app).await?;
    app.bus.publish(BusEvent::WebhooksChanged).await;
    Ok(())
}

/// A new signing secret: `whsec_` and 32 random bytes, hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}{}", webhooks::SECRET_PREFIX, hex::encode(bytes))
}

/// "Send test event": one `webhook.test` delivery to `hook`, due at once.
pub async fn send_test(app: &App, hook: &Webhook) -> AppResult<DeliveryId> {
    let mut id = [0u8; 8];
    rand::rng().fill_bytes(&mut id);
    let event = webhooks::test_event(
        hook.site_id,
        format!("webhook.test:{}", hex::encode(id)),
        app.now(),
    );
    let ids = app.store.enqueue_event(vec![hook.id], event).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| crate::error::AppError::internal("the test event was not queued"))
}

/// Removes delivered and failed deliveries older than `keep_deliveries_days` (none when 0).
pub async fn prune(app: &App) -> AppResult<u64> {
    let days = app.settings.webhooks.keep_deliveries_days;
    if days == 0 {
        return Ok(0);
    }
    let before = Timestamp(app.now().0 - i64::from(days) * 86_400_000);
    let mut removed = 0;
    for _ in 0..50 {
        let n = app.store.prune_deliveries(before, PRUNE_BATCH).await?;
        removed += n;
        if n < u64::from(PRUNE_BATCH) {
            break;
        }
    }
    Ok(removed)
}

/// Starts this node's webhook tasks: the set is loaded first, then kept current (bus
/// announcements, and a reload every minute), the worker delivers, retention prunes.
pub async fn spawn(app: App) -> AppResult<Vec<JoinHandle<()>>> {
    reload(&app).await?;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    {
        let wake = wake.clone();
        app.store
            .webhook_subscriptions()
            .set_waker(move || wake.notify_one());
    }
    let reloader = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = app.hub.webhooks_changed.notified() => {}
                    () = tokio::time::sleep(RELOAD_EVERY) => {}
                }
                if let Err(e) = reload(&app).await {
                    tracing::warn!(error = %e, "webhook subscriptions not reloaded");
                }
            }
        })
    };
    let pruner = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = prune(&app).await {
                    tracing::warn!(error = %e, "webhook deliveries retention failed");
                }
                tokio::time::sleep(PRUNE_EVERY).await;
            }
        })
    };
    Ok(vec![reloader, pruner, worker::spawn(app, wake)])
}

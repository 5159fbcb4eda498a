//! The delivery worker: claims due deliveries (a lease, so that in cluster mode each is sent
//! by one node), sends each in its own task (at most `webhooks.concurrency` at once), and
//! stores how it went. Chats never wait for it: it only reads the outbox they wrote.
//!
//! It wakes when a write put rows into the outbox on this node, and every
//! `webhooks.poll_ms` otherwise (retries falling due, other nodes' events). "Now" is the
//! injectable clock's: a test moves it an hour on and the retries are due.

use super::send::{Request, Sender};
use crate::state::App;
use frontdesk_core::webhooks::outbox::{Outcome, after_attempt};
use frontdesk_core::webhooks::{self, Delivery};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;

/// A lease outlives the longest attempt by this much (clock differences between nodes); a
/// node killed mid-attempt leaves its rows to the others (or to itself restarted) after it.
const LEASE_MARGIN_MS: i64 = 5_000;

pub fn spawn(app: App, wake: Arc<Notify>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let limits = app.settings.webhooks.clone();
        let sender = Arc::new(Sender::new(limits.clone()));
        let slots = Arc::new(Semaphore::new(limits.concurrency.max(1)));
        let owner = format!("node-{}", app.epoch);
        let lease_ms = i64::try_from(limits.connect_timeout_ms + limits.timeout_ms)
            .unwrap_or(i64::MAX / 4)
            + LEASE_MARGIN_MS;
        let poll = Duration::from_millis(limits.poll_ms.max(10));
        loop {
            let free = slots.available_permits();
            let mut full = false;
            if free > 0 {
                let now = app.now();
                match app
                    .store
                    .claim_deliveries(now, now.plus_millis(lease_ms), &owner, free as u32)
                    .await
                {
                    Ok(claimed) => {
                        full = claimed.len() == free;
                        for d in claimed {
                            let Ok(slot) = slots.clone().acquire_owned().await else {
                                return;
                            };
                            let (app, sender, owner) = (app.clone(), sender.clone(), owner.clone());
                            tokio::spawn(async move {
                                deliver(&app, &sender, &owner, d).await;
                                drop(slot);
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "webhook deliveries not claimed"),
                }
            }
            if full {
                // Every slot was filled: wait for one to free, then claim again.
                if let Ok(slot) = slots.clone().acquire_owned().await {
                    drop(slot);
                }
                continue;
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    })
}

/// One attempt of `d`, and its result stored.
async fn deliver(app: &App, sender: &Sender, owner: &str, d: Delivery) {
    let hook = match app.store.webhook(d.webhook_id).await {
        Ok(h) => h,
        // Deleted meanwhile: its rows went with it.
        Err(e) => {
            tracing::debug!(error = %e, delivery = d.id.0, "webhook gone");
            return;
        }
    };
    let signed_at = app.now().0.div_euclid(1000);
    let signature = webhooks::signature(&hook.secret, signed_at, &d.payload);
    let started = Instant::now();
    let outcome = sender
        .send(Request {
            url: &hook.url,
            body: d.payload.clone(),
            headers: vec![
                (webhooks::SIGNATURE_HEADER, signature),
                ("Frontdesk-Event", d.event.as_str().to_owned()),
                ("Frontdesk-Delivery", d.id.0.to_string()),
            ],
        })
        .await;
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    if let Outcome::NoAnswer { error } = &outcome {
        tracing::info!(delivery = d.id.0, webhook = hook.id.0, error = %error, "webhook delivery failed");
    }
    let result = after_attempt(
        d.created_at,
        d.attempts + 1,
        outcome,
        app.now(),
        latency_ms,
        rand::random::<f64>(),
    );
    match app.store.finish_delivery(d.id, owner, result).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(delivery = d.id.0, "webhook delivery lease lost"),
        Err(e) => tracing::warn!(error = %e, delivery = d.id.0, "webhook delivery not recorded"),
    }
}

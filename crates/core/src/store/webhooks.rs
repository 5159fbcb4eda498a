//! Webhooks and their outbox (issue 18, migration 0010).
//!
//! The store writes the outbox itself: each write that may cause an event (a chat created,
//! a state change, a message, an offline message, a rating) asks
//! [`WebhookStore::webhook_subscriptions`] which webhooks of the site want it and inserts one
//! pending delivery per webhook IN THE SAME TRANSACTION. With no subscriber nothing is written.

use crate::ids::{DeliveryId, Timestamp, WebhookId};
use crate::store::StoreResult;
use crate::webhooks::outbox::AttemptResult;
use crate::webhooks::{Delivery, Event, NewWebhook, Subscriptions, Webhook};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// The set the store consults on every write that may cause an event; the shell
    /// replaces it (from [`WebhookStore::webhooks`]) whenever a webhook changes.
    fn webhook_subscriptions(&self) -> Arc<Subscriptions>;

    /// An unknown site is `NotFound`.
    async fn create_webhook(&self, hook: NewWebhook) -> StoreResult<Webhook>;
    /// Every webhook of every site, by id.
    async fn webhooks(&self) -> StoreResult<Vec<Webhook>>;
    async fn webhook(&self, id: WebhookId) -> StoreResult<Webhook>;
    /// Writes url, events, enabled, secret and updated_at. `NotFound` when gone.
    async fn update_webhook(&self, hook: &Webhook) -> StoreResult<()>;
    /// Removes the webhook and its deliveries (pending ones are never sent). `NotFound`
    /// when gone.
    async fn delete_webhook(&self, id: WebhookId) -> StoreResult<()>;

    /// Puts `event` into the outbox for each of `webhooks` (the test event; events the
    /// shell raises itself). One pending row each, due at once; their ids.
    async fn enqueue_event(
        &self,
        webhooks: Vec<WebhookId>,
        event: Event,
    ) -> StoreResult<Vec<DeliveryId>>;
    /// Leases up to `limit` due deliveries to `owner` until `lease_until`: pending, due
    /// (`next_attempt_at <= now`), not leased to anyone (or the lease ran out), and with no
    /// older pending row of the same webhook and chat (order per chat). Several workers
    /// (nodes) never get the same row while its lease stands.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// Stores an attempt's result (attempts + 1, lease released), only while `owner` holds
    /// the lease; false when it did not (the lease ran out and another worker took the row).
    async fn finish_delivery(
        &self,
        id: DeliveryId,
        owner: &str,
        result: AttemptResult,
    ) -> StoreResult<bool>;
    /// The webhook's deliveries, newest first, with `id < before` when given, at most `limit`.
    async fn deliveries(
        &self,
        webhook: WebhookId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// Removes at most `limit` delivered or failed rows created before `before`; how many.
    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> StoreResult<u64>;
}

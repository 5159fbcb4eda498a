//! Webhooks and their outbox (migration 0010). The writes that cause events run in a
//! transaction with [`emit`] when some webhook wants anything ([`PgStore::row_with_events`]);
//! otherwise they keep their one-statement path.

use crate::map::{Db, all, bad, changed, get};
use crate::{Params, PgStore};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use frontdesk_core::ids::*;
use frontdesk_core::store::{StoreResult, WebhookStore};
use frontdesk_core::webhooks::outbox::AttemptResult;
use frontdesk_core::webhooks::{
    Delivery, DeliveryStatus, Event, EventKind, NewWebhook, Subscriptions, Webhook,
    events_from_text, events_text,
};
use std::sync::Arc;
use tokio_postgres::Row;

const HOOK_COLS: &str = "id, site_id, url, events, enabled, secret, created_at, updated_at";
const DELIVERY_COLS: &str = "id, webhook_id, event_id, event, chat_id, created_at, status, \
     attempts, next_attempt_at, last_attempt_at, response_code, latency_ms, last_error, payload";
const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (webhook_id, event_id, event, \
     chat_id, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
     RETURNING id";

fn hook_row(r: &Row) -> StoreResult<Webhook> {
    let events: String = get(r, 3)?;
    Ok(Webhook {
        id: WebhookId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        url: get(r, 2)?,
        events: events_from_text(&events),
        enabled: get(r, 4)?,
        secret: get(r, 5)?,
        created_at: Timestamp(get(r, 6)?),
        updated_at: Timestamp(get(r, 7)?),
    })
}

fn delivery_row(r: &Row) -> StoreResult<Delivery> {
    let event: String = get(r, 3)?;
    let status: String = get(r, 6)?;
    let attempts: i32 = get(r, 7)?;
    let code: Option<i32> = get(r, 10)?;
    Ok(Delivery {
        id: DeliveryId(get(r, 0)?),
        webhook_id: WebhookId(get(r, 1)?),
        event_id: get(r, 2)?,
        event: EventKind::parse(&event).ok_or_else(|| bad(format!("event {event}")))?,
        chat_id: get::<Option<i64>>(r, 4)?.map(ChatId),
        created_at: Timestamp(get(r, 5)?),
        status: DeliveryStatus::parse(&status).ok_or_else(|| bad(format!("status {status}")))?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        next_attempt_at: get::<Option<i64>>(r, 8)?.map(Timestamp),
        last_attempt_at: get::<Option<i64>>(r, 9)?.map(Timestamp),
        response_code: code.and_then(|c| u16::try_from(c).ok()),
        latency_ms: get(r, 11)?,
        last_error: get(r, 12)?,
        payload: get(r, 13)?,
    })
}

async fn insert(
    tx: &Transaction<'_>,
    hooks: &[WebhookId],
    e: &Event,
) -> StoreResult<Vec<DeliveryId>> {
    let stmt = tx.prepare_cached(INSERT_DELIVERY).await.db()?;
    let mut ids = Vec::with_capacity(hooks.len());
    for h in hooks {
        let row = tx
            .query_one(
                &stmt,
                &[
                    &h.0,
                    &e.id,
                    &e.kind.as_str(),
                    &e.chat_id.map(|c| c.0),
                    &e.payload,
                    &e.at.0,
                ],
            )
            .await
            .db()?;
        ids.push(DeliveryId(get(&row, 0)?));
    }
    Ok(ids)
}

/// In the caller's transaction: one pending delivery per webhook of `site` that wants
/// `kind`; nothing (and `make` is not called) when none does.
pub(crate) async fn emit(
    tx: &Transaction<'_>,
    subs: &Subscriptions,
    site: SiteId,
    kind: EventKind,
    make: impl FnOnce() -> Event,
) -> StoreResult<()> {
    let hooks = subs.targets(site, kind);
    if hooks.is_empty() {
        return Ok(());
    }
    insert(tx, &hooks, &make()).await.map(|_| ())
}

/// An event a write causes: its site, kind, and how to make it.
pub(crate) type Caused = Option<(SiteId, EventKind, Event)>;

impl PgStore {
    /// Runs `sql` (one row or none), then writes the outbox rows of the event `caused`
    /// derives from the row, in ONE transaction; the row. Used only when some webhook wants
    /// anything: otherwise callers run `sql` alone.
    pub(crate) async fn row_with_events(
        &self,
        sql: &str,
        params: Params<'_>,
        caused: impl FnOnce(&Row) -> StoreResult<Caused> + Send,
    ) -> StoreResult<Option<Row>> {
        let subs = self.subscriptions();
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let stmt = tx.prepare_cached(sql).await.db()?;
        let row = tx.query_opt(&stmt, params).await.db()?;
        if let Some(row) = &row
            && let Some((site, kind, event)) = caused(row)?
        {
            emit(&tx, &subs, site, kind, || event).await?;
        }
        crate::map::commit(tx).await?;
        subs.wake();
        Ok(row)
    }
}

#[async_trait]
impl WebhookStore for PgStore {
    fn webhook_subscriptions(&self) -> Arc<Subscriptions> {
        self.subscriptions()
    }

    async fn create_webhook(&self, h: NewWebhook) -> StoreResult<Webhook> {
        let row = self
            .one(
                &format!(
                    "INSERT INTO webhooks (site_id, url, events, enabled, secret, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {HOOK_COLS}"
                ),
                &[
                    &h.site_id.0,
                    &h.url,
                    &events_text(&h.events),
                    &h.enabled,
                    &h.secret,
                    &h.created_at.0,
                ],
            )
            .await?;
        hook_row(&row)
    }

    async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        let rows = self
            .rows(
                &format!("SELECT {HOOK_COLS} FROM webhooks ORDER BY id"),
                &[],
            )
            .await?;
        all(rows, hook_row)
    }

    async fn webhook(&self, id: WebhookId) -> StoreResult<Webhook> {
        let row = self
            .one(
                &format!("SELECT {HOOK_COLS} FROM webhooks WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        hook_row(&row)
    }

    async fn update_webhook(&self, h: &Webhook) -> StoreResult<()> {
        self.exec_one(
            "UPDATE webhooks SET url = $2, events = $3, enabled = $4, secret = $5, \
             updated_at = $6 WHERE id = $1",
            &[
                &h.id.0,
                &h.url,
                &events_text(&h.events),
                &h.enabled,
                &h.secret,
                &h.updated_at.0,
            ],
        )
        .await
    }

    async fn delete_webhook(&self, id: WebhookId) -> StoreResult<()> {
        let n = self
            .exec("DELETE FROM webhooks WHERE id = $1", &[&id.0])
            .await?;
        changed(n)
    }

    async fn enqueue_event(
        &self,
        webhooks: Vec<WebhookId>,
        event: Event,
    ) -> StoreResult<Vec<DeliveryId>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let ids = insert(&tx, &webhooks, &event).await?;
        crate::map::commit(tx).await?;
        self.subscriptions().wake();
        Ok(ids)
    }

    /// `FOR UPDATE SKIP LOCKED`: nodes claiming at once take different rows, and none
    /// waits for another.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        let rows = self
            .rows(
                &format!(
                    "UPDATE webhook_deliveries SET lease_owner = $3, lease_until = $2 \
                     WHERE id IN (SELECT d.id FROM webhook_deliveries d \
                       WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
                       AND (d.lease_until IS NULL OR d.lease_until <= $1) \
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o \
                         WHERE o.status = 'pending' AND o.webhook_id = d.webhook_id \
                         AND o.chat_id = d.chat_id AND o.id < d.id) \
                       ORDER BY d.next_attempt_at, d.id LIMIT $4 FOR UPDATE SKIP LOCKED) \
                     AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $1) \
                     RETURNING {DELIVERY_COLS}"
                ),
                &[&now.0, &lease_until.0, &owner, &i64::from(limit)],
            )
            .await?;
        let mut rows = all(rows, delivery_row)?;
        rows.sort_by_key(|d| d.id);
        Ok(rows)
    }

    async fn finish_delivery(
        &self,
        id: DeliveryId,
        owner: &str,
        r: AttemptResult,
    ) -> StoreResult<bool> {
        let n = self
            .exec(
                "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, \
                 response_code = $5, last_error = $6, latency_ms = $7, last_attempt_at = $8, \
                 attempts = attempts + 1, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2 AND status = 'pending'",
                &[
                    &id.0,
                    &owner,
                    &r.status.as_str(),
                    &r.next_attempt_at.map(|t| t.0),
                    &r.response_code.map(i32::from),
                    &r.last_error,
                    &r.latency_ms,
                    &r.at.0,
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn deliveries(
        &self,
        webhook: WebhookId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        let rows = self
            .rows(
                &format!(
                    "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE webhook_id = $1 \
                     AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
                ),
                &[&webhook.0, &before.map(|b| b.0), &i64::from(limit)],
            )
            .await?;
        all(rows, delivery_row)
    }

    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.exec(
            "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
             WHERE created_at < $1 AND status <> 'pending' ORDER BY created_at LIMIT $2)",
            &[&before.0, &i64::from(limit)],
        )
        .await
    }
}

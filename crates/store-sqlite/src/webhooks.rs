//! Webhooks and their outbox (migration 0010). [`emit`] is called by the writes that cause
//! events, in their own transaction.

use crate::SqliteStore;
use crate::map::{Db, all, changed};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::store::{StoreResult, WebhookStore};
use frontdesk_core::webhooks::outbox::AttemptResult;
use frontdesk_core::webhooks::{
    Delivery, DeliveryStatus, Event, EventKind, NewWebhook, Subscriptions, Webhook,
    events_from_text, events_text,
};
use rusqlite::types::Type;
use rusqlite::{Connection, Error, Row, params};
use std::sync::Arc;

const HOOK_COLS: &str = "id, site_id, url, events, enabled, secret, created_at, updated_at";
const DELIVERY_COLS: &str = "id, webhook_id, event_id, event, chat_id, created_at, status, \
     attempts, next_attempt_at, last_attempt_at, response_code, latency_ms, last_error, payload";
const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (webhook_id, event_id, event, \
     chat_id, payload, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) \
     RETURNING id";

fn bad(col: usize, what: String) -> Error {
    Error::FromSqlConversionFailure(col, Type::Text, what.into())
}

fn hook_row(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    let events: String = r.get(3)?;
    Ok(Webhook {
        id: WebhookId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        url: r.get(2)?,
        events: events_from_text(&events),
        enabled: r.get(4)?,
        secret: r.get(5)?,
        created_at: Timestamp(r.get(6)?),
        updated_at: Timestamp(r.get(7)?),
    })
}

fn delivery_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    let event: String = r.get(3)?;
    let status: String = r.get(6)?;
    Ok(Delivery {
        id: DeliveryId(r.get(0)?),
        webhook_id: WebhookId(r.get(1)?),
        event_id: r.get(2)?,
        event: EventKind::parse(&event).ok_or_else(|| bad(3, event.clone()))?,
        chat_id: r.get::<_, Option<i64>>(4)?.map(ChatId),
        created_at: Timestamp(r.get(5)?),
        status: DeliveryStatus::parse(&status).ok_or_else(|| bad(6, status.clone()))?,
        attempts: r.get(7)?,
        next_attempt_at: r.get::<_, Option<i64>>(8)?.map(Timestamp),
        last_attempt_at: r.get::<_, Option<i64>>(9)?.map(Timestamp),
        response_code: r.get(10)?,
        latency_ms: r.get(11)?,
        last_error: r.get(12)?,
        payload: r.get(13)?,
    })
}

fn insert(c: &Connection, hooks: &[WebhookId], e: &Event) -> StoreResult<Vec<DeliveryId>> {
    let mut stmt = c.prepare_cached(INSERT_DELIVERY).db()?;
    hooks
        .iter()
        .map(|h| {
            stmt.query_row(
                params![
                    h.0,
                    e.id,
                    e.kind.as_str(),
                    e.chat_id.map(|c| c.0),
                    e.payload,
                    e.at.0
                ],
                |r| r.get(0).map(DeliveryId),
            )
            .db()
        })
        .collect()
}

/// In the caller's transaction: one pending delivery of the event per webhook of `site` that
/// wants `kind`; nothing (and `make` is not called) when none does.
pub(crate) fn emit(
    c: &Connection,
    subs: &Subscriptions,
    site: SiteId,
    kind: EventKind,
    make: impl FnOnce() -> Event,
) -> StoreResult<()> {
    let hooks = subs.targets(site, kind);
    if hooks.is_empty() {
        return Ok(());
    }
    insert(c, &hooks, &make()).map(|_| ())
}

#[async_trait]
impl WebhookStore for SqliteStore {
    fn webhook_subscriptions(&self) -> Arc<Subscriptions> {
        self.subscriptions()
    }

    async fn create_webhook(&self, h: NewWebhook) -> StoreResult<Webhook> {
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO webhooks (site_id, url, events, enabled, secret, created_at, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING {HOOK_COLS}"
            ))
            .db()?
            .query_row(
                params![
                    h.site_id.0,
                    h.url,
                    events_text(&h.events),
                    h.enabled,
                    h.secret,
                    h.created_at.0
                ],
                hook_row,
            )
            .db()
        })
        .await
    }

    async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(&format!("SELECT {HOOK_COLS} FROM webhooks ORDER BY id"))
                .db()?;
            all(stmt.query_map([], hook_row).db()?)
        })
        .await
    }

    async fn webhook(&self, id: WebhookId) -> StoreResult<Webhook> {
        self.read(move |c| {
            c.prepare_cached(&format!("SELECT {HOOK_COLS} FROM webhooks WHERE id = ?1"))
                .db()?
                .query_row([id.0], hook_row)
                .db()
        })
        .await
    }

    async fn update_webhook(&self, h: &Webhook) -> StoreResult<()> {
        let h = h.clone();
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE webhooks SET url = ?2, events = ?3, enabled = ?4, secret = ?5, \
                     updated_at = ?6 WHERE id = ?1",
                )
                .db()?
                .execute(params![
                    h.id.0,
                    h.url,
                    events_text(&h.events),
                    h.enabled,
                    h.secret,
                    h.updated_at.0
                ])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn delete_webhook(&self, id: WebhookId) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("DELETE FROM webhooks WHERE id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn enqueue_event(
        &self,
        webhooks: Vec<WebhookId>,
        event: Event,
    ) -> StoreResult<Vec<DeliveryId>> {
        let ids = self.write(move |tx| insert(tx, &webhooks, &event)).await;
        self.subscriptions().wake();
        ids
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        // A read first (the reader pool): most polls find nothing due and need no write.
        let due: bool = self
            .read(move |c| {
                c.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE status = 'pending' \
                     AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1))",
                )
                .db()?
                .query_row([now.0], |r| r.get(0))
                .db()
            })
            .await?;
        if !due {
            return Ok(Vec::new());
        }
        let owner = owner.to_owned();
        self.write(move |tx| {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "UPDATE webhook_deliveries SET lease_owner = ?3, lease_until = ?2 \
                     WHERE id IN (SELECT d.id FROM webhook_deliveries d \
                       WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 \
                       AND (d.lease_until IS NULL OR d.lease_until <= ?1) \
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o \
                         WHERE o.status = 'pending' AND o.webhook_id = d.webhook_id \
                         AND o.chat_id = d.chat_id AND o.id < d.id) \
                       ORDER BY d.next_attempt_at, d.id LIMIT ?4) \
                     RETURNING {DELIVERY_COLS}"
                ))
                .db()?;
            let mut rows = all(stmt
                .query_map(params![now.0, lease_until.0, owner, limit], delivery_row)
                .db()?)?;
            rows.sort_by_key(|d| d.id);
            Ok(rows)
        })
        .await
    }

    async fn finish_delivery(
        &self,
        id: DeliveryId,
        owner: &str,
        r: AttemptResult,
    ) -> StoreResult<bool> {
        let owner = owner.to_owned();
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE webhook_deliveries SET status = ?3, next_attempt_at = ?4, \
                     response_code = ?5, last_error = ?6, latency_ms = ?7, \
                     last_attempt_at = ?8, attempts = attempts + 1, lease_owner = NULL, \
                     lease_until = NULL WHERE id = ?1 AND lease_owner = ?2 \
                     AND status = 'pending'",
                )
                .db()?
                .execute(params![
                    id.0,
                    owner,
                    r.status.as_str(),
                    r.next_attempt_at.map(|t| t.0),
                    r.response_code,
                    r.last_error,
                    r.latency_ms,
                    r.at.0
                ])
                .db()?;
            Ok(n == 1)
        })
        .await
    }

    async fn deliveries(
        &self,
        webhook: WebhookId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE webhook_id = ?1 \
                     AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3"
                ))
                .db()?;
            all(stmt
                .query_map(params![webhook.0, before.map(|b| b.0), limit], delivery_row)
                .db()?)
        })
        .await
    }

    async fn prune_deliveries(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM \
                     webhook_deliveries WHERE created_at < ?1 AND status <> 'pending' \
                     ORDER BY created_at LIMIT ?2)",
                )
                .db()?
                .execute(params![before.0, limit])
                .db()?;
            Ok(n as u64)
        })
        .await
    }
}

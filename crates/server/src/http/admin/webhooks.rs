//! REST: webhooks of a site (admins; tokens with the `admin` scope). The signing secret is in
//! the answer of the creation (and of a rotation) and nowhere else. Rules in
//! `frontdesk_core::webhooks`; delivery in `services::webhooks`.

use crate::error::{AppError, AppResult};
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, JsonBody, QueryParams, parse_id};
use crate::services::{audit, webhooks as service};
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::webhooks::{
    self, Delivery, EventKind, NewWebhook, PER_SITE_MAX, Webhook, WebhookError,
};
use frontdesk_core::{DeliveryId, SiteId, WebhookId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/api/admin/sites/{id}/webhooks",
            get(list_webhooks).post(create_webhook),
        )
        .route(
            "/api/admin/webhooks/{id}",
            put(update_webhook).delete(delete_webhook),
        )
        .route("/api/admin/webhooks/{id}/test", post(test_webhook))
        .route("/api/admin/webhooks/{id}/deliveries", get(list_deliveries))
}

/// A new webhook.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookInput {
    /// Where to POST: an absolute `http://` or `https://` URL.
    pub url: String,
    /// The events to send (at least one).
    pub events: Vec<EventKind>,
    /// Off: nothing is queued for it (default on).
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Changes to a webhook (each optional).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<EventKind>>,
    pub enabled: Option<bool>,
    /// A new secret (answered once, as at creation); the old one stops signing at once.
    #[serde(default)]
    pub rotate_secret: bool,
}

/// A webhook, with its secret when it was just made.
#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// `whsec_...`: verifies `Frontdesk-Signature`. Shown only in this answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(flatten)]
    pub webhook: Webhook,
}

/// The test event queued.
#[derive(Serialize, ToSchema)]
pub struct TestQueued {
    /// Its line in the deliveries log.
    #[schema(value_type = i64)]
    pub delivery_id: DeliveryId,
}

/// A page of the deliveries log.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Deliveries with a smaller id (the last id of the previous page).
    before: Option<i64>,
    /// Per page (1 to 200; 50 when absent).
    limit: Option<u32>,
}

fn invalid(e: WebhookError) -> AppError {
    AppError::bad_request(e.to_string())
}

async fn hook_of(app: &App, raw: &str) -> AppResult<Webhook> {
    Ok(app.store.webhook(WebhookId(parse_id(raw)?)).await?)
}

#[utoipa::path(get, path = "/api/admin/sites/{id}/webhooks", tag = "admin",
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site's webhooks, oldest first (never their secrets)", body = [Webhook]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_webhooks(
    State(app): State<App>,
    _admin: AdminAgent,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Webhook>>> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let hooks = app.store.webhooks().await?;
    Ok(Json(
        hooks.into_iter().filter(|h| h.site_id == site.id).collect(),
    ))
}

#[utoipa::path(post, path = "/api/admin/sites/{id}/webhooks", tag = "admin",
    request_body = NewWebhookInput,
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 201, description = "Created; the answer holds the secret, shown only now", body = WebhookWithSecret),
        (status = 400, description = "Not an http(s) URL, credentials in it, no event, or the \
         site's most webhooks (20) reached", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_webhook(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NewWebhookInput>,
) -> AppResult<(StatusCode, Json<WebhookWithSecret>)> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let url = webhooks::check_url(&input.url).map_err(invalid)?;
    let events = webhooks::check_events(&input.events).map_err(invalid)?;
    let count = app
        .store
        .webhooks()
        .await?
        .iter()
        .filter(|h| h.site_id == site.id)
        .count();
    if count >= PER_SITE_MAX {
        return Err(AppError::bad_request(format!(
            "A site has at most {PER_SITE_MAX} webhooks."
        )));
    }
    let secret = service::new_secret();
    let created = app
        .store
        .create_webhook(NewWebhook {
            site_id: site.id,
            url: url.to_string(),
            events,
            enabled: input.enabled.unwrap_or(true),
            secret: secret.clone(),
            created_at: app.now(),
        })
        .await?;
    service::changed(&app).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::WebhookCreated,
        Some(&created.url),
        Some(site.id),
        json!({
            "webhook_id": created.id,
            "events": webhooks::events_text(&created.events),
            "enabled": created.enabled,
        }),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(WebhookWithSecret {
            secret: Some(secret),
            webhook: created,
        }),
    ))
}

#[utoipa::path(put, path = "/api/admin/webhooks/{id}", tag = "admin",
    request_body = WebhookChanges,
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Changed; `secret` only when rotated", body = WebhookWithSecret),
        (status = 400, description = "Not an http(s) URL, credentials in it, or no event", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such webhook", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_webhook(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<WebhookChanges>,
) -> AppResult<Json<WebhookWithSecret>> {
    let mut hook = hook_of(&app, &id).await?;
    let mut changed = Vec::new();
    if let Some(url) = &input.url {
        let url = webhooks::check_url(url).map_err(invalid)?.to_string();
        if url != hook.url {
            hook.url = url;
            changed.push("url");
        }
    }
    if let Some(events) = &input.events {
        let events = webhooks::check_events(events).map_err(invalid)?;
        if events != hook.events {
            hook.events = events;
            changed.push("events");
        }
    }
    if let Some(enabled) = input.enabled
        && enabled != hook.enabled
    {
        hook.enabled = enabled;
        changed.push("enabled");
    }
    let secret = input.rotate_secret.then(service::new_secret);
    if let Some(s) = &secret {
        hook.secret = s.clone();
        changed.push("secret");
    }
    if !changed.is_empty() {
        hook.updated_at = app.now();
        app.store.update_webhook(&hook).await?;
        service::changed(&app).await?;
        audit::record(
            &app,
            &admin.who(),
            AuditAction::WebhookUpdated,
            Some(&hook.url),
            Some(hook.site_id),
            json!({
                "webhook_id": hook.id,
                "changed": changed,
                "events": webhooks::events_text(&hook.events),
                "enabled": hook.enabled,
            }),
        )
        .await;
    }
    Ok(Json(WebhookWithSecret {
        secret,
        webhook: hook,
    }))
}

#[utoipa::path(delete, path = "/api/admin/webhooks/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted, with its deliveries (pending ones are not sent)"),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such webhook", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn delete_webhook(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let hook = hook_of(&app, &id).await?;
    app.store.delete_webhook(hook.id).await?;
    service::changed(&app).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::WebhookDeleted,
        Some(&hook.url),
        Some(hook.site_id),
        json!({ "webhook_id": hook.id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/admin/webhooks/{id}/test", tag = "admin",
    params(("id" = i64, Path, description = "Webhook id")),
    responses(
        (status = 202, description = "A `webhook.test` event is queued for it (sent even when \
         the webhook is off); follow it in the deliveries log", body = TestQueued),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such webhook", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn test_webhook(
    State(app): State<App>,
    _admin: AdminAgent,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<TestQueued>)> {
    let hook = hook_of(&app, &id).await?;
    let delivery_id = service::send_test(&app, &hook).await?;
    Ok((StatusCode::ACCEPTED, Json(TestQueued { delivery_id })))
}

#[utoipa::path(get, path = "/api/admin/webhooks/{id}/deliveries", tag = "admin",
    params(("id" = i64, Path, description = "Webhook id"), DeliveriesQuery),
    responses(
        (status = 200, description = "The deliveries log, newest first: status, attempts, \
         latency, response code, last error", body = [Delivery]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such webhook", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_deliveries(
    State(app): State<App>,
    _admin: AdminAgent,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<DeliveriesQuery>,
) -> AppResult<Json<Vec<Delivery>>> {
    let hook = hook_of(&app, &id).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = app
        .store
        .deliveries(hook.id, q.before.map(DeliveryId), limit)
        .await?;
    Ok(Json(rows))
}

//! REST: a site's "Identity secret" (admins only): "Rotate identity secret" makes a new one
//! and answers it ONCE; no route ever returns it again (verified visitor identity, issue 18,
//! docs/integrations.md "Verified identity").

use crate::error::AppResult;
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, parse_id};
use crate::services::{audit, identity};
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::{SiteId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new().route(
        "/api/admin/sites/{id}/identity-secret",
        post(rotate_identity_secret),
    )
}

/// The new secret, shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    /// 32 random bytes, URL-safe base64 (43 characters). The site's server signs visitor ids
    /// with it: lowercase hex HMAC-SHA256 of the id, keyed with this text.
    pub secret: String,
    /// Until when (ms since the epoch) hashes made with the previous secret, if there was
    /// one, stay valid (`limits.identity.secret_grace_secs`, default 24 h).
    pub previous_valid_until: Timestamp,
}

#[utoipa::path(post, path = "/api/admin/sites/{id}/identity-secret", tag = "admin",
    description = "\"Rotate identity secret\": a new secret for verifying visitor identity. \
    The answer is the only place it is ever shown; the previous one stays valid for the grace \
    period.",
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 201, description = "Made; shown once", body = RotatedSecret),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn rotate_identity_secret(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<RotatedSecret>)> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let (secret, previous_valid_until) = identity::rotate_secret(&app, &site).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::IdentitySecretRotated,
        Some(&site.name),
        Some(site.id),
        serde_json::json!({ "previous_valid_until": previous_valid_until }),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(RotatedSecret {
            secret,
            previous_valid_until,
        }),
    ))
}

//! REST: API tokens (admins, with the session cookie only: a token never manages tokens).
//! The token itself is in the answer of its creation and nowhere else: storage keeps its
//! SHA-256. Rules in `frontdesk_core::tokens`.

use crate::error::{AppError, AppResult};
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::security::{random_token, token_hash};
use crate::services::{access, audit};
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::tokens::{self, ApiToken, NewApiToken};
use frontdesk_core::{ErrorCode, SiteId, Timestamp, TokenId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/admin/tokens", get(list_tokens).post(create_token))
        .route("/api/admin/tokens/{id}", delete(revoke_token))
}

/// A new token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenInput {
    /// What it is for ("CRM sync").
    pub name: String,
    /// Any of `read`, `write`, `admin` (at least one).
    pub scopes: Vec<String>,
    /// When it stops working (milliseconds since the epoch); none: never.
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub expires_at: Option<i64>,
    /// The sites it reaches (of yours); none: every site. A token with `admin` is for every site.
    #[serde(default)]
    #[schema(value_type = Option<Vec<SiteId>>)]
    pub sites: Option<Vec<i64>>,
}

/// A token just created: `token` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// `fd_...`: send it as `Authorization: Bearer fd_...`. Not retrievable later.
    pub token: String,
    #[serde(flatten)]
    pub stored: ApiToken,
}

#[utoipa::path(get, path = "/api/admin/tokens", tag = "admin",
    responses(
        (status = 200, description = "Every token (revoked and expired too), newest first; \
         never the token itself", body = [ApiToken]),
        (status = 403, description = "Not an admin, or a request with a token", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_tokens(
    State(app): State<App>,
    _admin: AdminAgent,
) -> AppResult<Json<Vec<ApiToken>>> {
    Ok(Json(app.store.tokens().await?))
}

#[utoipa::path(post, path = "/api/admin/tokens", tag = "admin", request_body = NewTokenInput,
    responses(
        (status = 201, description = "Created; the answer holds the token, shown only now", body = CreatedToken),
        (status = 400, description = "Empty name, no or unknown scope, an expiry in the past, \
         no site, or `admin` on a token for some sites only", body = ApiErrorBody),
        (status = 403, description = "Not an admin, bad Origin, or a request with a token", body = ApiErrorBody),
        (status = 404, description = "A site that is not one of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_token(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    JsonBody(input): JsonBody<NewTokenInput>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let now = app.now();
    let bad = |e: tokens::TokenRuleError| AppError::bad_request(e.to_string());
    let scopes = tokens::parse_scopes(&input.scopes).map_err(bad)?;
    let mut sites: Option<Vec<SiteId>> = input.sites.map(|s| s.into_iter().map(SiteId).collect());
    if let Some(sites) = &mut sites {
        sites.sort();
        sites.dedup();
    }
    let expires_at = input.expires_at.map(Timestamp);
    let name =
        tokens::check_new(&input.name, &scopes, expires_at, sites.as_deref(), now).map_err(bad)?;
    for site in sites.iter().flatten() {
        access::require_site(&app, admin.agent.id, *site).await?;
    }
    let token = format!("{}{}", tokens::PREFIX, random_token());
    let stored = app
        .store
        .create_token(NewApiToken {
            name,
            scopes,
            token_hash: token_hash(&token),
            created_by: admin.agent.id,
            created_at: now,
            expires_at,
            sites,
        })
        .await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::TokenCreated,
        Some(&stored.name),
        None,
        json!({
            "token_id": stored.id,
            "scopes": tokens::scopes_text(&stored.scopes),
            "sites": stored.sites,
            "expires_at": stored.expires_at,
        }),
    )
    .await;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, stored })))
}

#[utoipa::path(delete, path = "/api/admin/tokens/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked: the next request with it is refused (401)"),
        (status = 403, description = "Not an admin, bad Origin, or a request with a token", body = ApiErrorBody),
        (status = 404, description = "No such token", body = ApiErrorBody),
        (status = 409, description = "Already revoked (`conflict`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn revoke_token(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let token = app.store.token(TokenId(parse_id(&id)?)).await?;
    if token.revoked_at.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "This token is already revoked.",
        ));
    }
    app.store.revoke_token(token.id, app.now()).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::TokenRevoked,
        Some(&token.name),
        None,
        json!({ "token_id": token.id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

//! REST: canned responses. Each is either site-wide (`agent_id` null; managed by admins who
//! belong to the site) or one agent's own (seen and managed by that agent only). Another
//! agent's own response, or one of a site the caller does not belong to, reads as missing.
//!
//! A response may have a shortcut (`hours`, typed `/hours` in the Message box): checked by
//! `frontdesk_core::canned::shortcut`; unique among the site's site-wide responses and among
//! an agent's own (an own one may reuse a site-wide shortcut and shadows it): `409 conflict`.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::error::{AppError, AppResult};
use crate::services::access;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::canned::shortcut as checked_shortcut;
use frontdesk_core::model::CannedResponse;
use frontdesk_core::store::StoreError;
use frontdesk_core::text::{check_message, clean_line};
use frontdesk_core::{CannedId, ErrorCode, SiteId};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// Longest title, in characters.
pub const TITLE_MAX: usize = 100;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/sites/{site_id}/canned", get(list).post(create))
        .route("/api/canned/{id}", put(update).delete(remove))
}

/// Who a new response is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CannedScope {
    /// The caller's own.
    #[default]
    Own,
    /// Every agent of the site (admins only).
    Site,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCanned {
    /// At most 100 characters.
    pub title: String,
    /// At most the server's message length limit.
    pub body: String,
    #[serde(default)]
    pub scope: CannedScope,
    /// Optional: 1 to 32 letters, digits, `-` or `_` (case-insensitive, stored lower-case; a
    /// leading `/` is dropped). Blank or null: none.
    #[serde(default)]
    pub shortcut: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CannedEdit {
    pub title: String,
    pub body: String,
    /// As in `NewCanned`. Absent: kept as it is; null or blank: removed.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub shortcut: Option<Option<String>>,
}

/// A field that is present (maybe null) becomes `Some`; an absent one stays `None` (default).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The stored form of a typed shortcut (`bad_request` / `too_long` otherwise).
fn shortcut_of(raw: Option<&str>) -> AppResult<Option<String>> {
    checked_shortcut(raw.unwrap_or("")).map_err(|e| AppError::new(e.code(), e.to_string()))
}

/// A store conflict here is a shortcut already in use.
fn shortcut_taken(e: StoreError, shortcut: Option<&str>) -> AppError {
    match (e, shortcut) {
        (StoreError::Conflict(_), Some(taken)) => AppError::new(
            ErrorCode::Conflict,
            format!("Another response already has the shortcut /{taken}."),
        ),
        (e, _) => e.into(),
    }
}

/// A clean title and a checked body (`empty` / `too_long` otherwise).
fn checked(app: &App, title: &str, body: &str) -> AppResult<(String, String)> {
    let title = check_message(title, TITLE_MAX)?;
    let title = clean_line(title, TITLE_MAX)
        .ok_or_else(|| AppError::new(ErrorCode::Empty, "The title is empty."))?;
    let body = check_message(body, app.settings.message_max_chars)?;
    Ok((title, body.to_string()))
}

/// The response, if the caller may change it: their own, or a site-wide one when they are an
/// admin. Not theirs (or not of their site): NotFound; site-wide for a non-admin: Forbidden.
async fn editable(app: &App, auth: &AuthAgent, raw_id: &str) -> AppResult<CannedResponse> {
    let id = CannedId(parse_id(raw_id)?);
    let canned = app.store.canned(id).await?;
    access::require_site(app, auth.agent.id, canned.site_id).await?;
    match canned.agent_id {
        Some(owner) if owner == auth.agent.id => Ok(canned),
        Some(_) => Err(AppError::not_found()),
        None if auth.agent.is_admin => Ok(canned),
        None => Err(AppError::forbidden()),
    }
}

#[utoipa::path(
    get,
    operation_id = "list_canned",
    path = "/api/sites/{site_id}/canned",
    tag = "canned",
    params(("site_id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Site-wide responses and the caller's own", body = [CannedResponse]),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
) -> AppResult<Json<Vec<CannedResponse>>> {
    let site = SiteId(parse_id(&site_id)?);
    access::require_site(&app, auth.agent.id, site).await?;
    Ok(Json(app.store.canned_for(site, auth.agent.id).await?))
}

#[utoipa::path(
    post,
    operation_id = "create_canned",
    path = "/api/sites/{site_id}/canned",
    tag = "canned",
    params(("site_id" = i64, Path, description = "Site id")),
    request_body = NewCanned,
    responses(
        (status = 201, description = "Created", body = CannedResponse),
        (status = 400, description = "`empty`, `too_long` (title, body, or a shortcut over 32 \
         characters) or `bad_request` (also a shortcut with other than letters, digits, `-`, `_`)",
         body = ApiErrorBody),
        (status = 403, description = "Site-wide by a non-admin (`forbidden`), or a missing or \
         foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
        (status = 409, description = "`conflict`: the shortcut is taken (among the site-wide \
         responses, or among your own)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
    JsonBody(body): JsonBody<NewCanned>,
) -> AppResult<(StatusCode, Json<CannedResponse>)> {
    let site = SiteId(parse_id(&site_id)?);
    access::require_site(&app, auth.agent.id, site).await?;
    let owner = match body.scope {
        CannedScope::Own => Some(auth.agent.id),
        CannedScope::Site if auth.agent.is_admin => None,
        CannedScope::Site => return Err(AppError::forbidden()),
    };
    let (title, text) = checked(&app, &body.title, &body.body)?;
    let shortcut = shortcut_of(body.shortcut.as_deref())?;
    let created = app
        .store
        .create_canned(site, owner, &title, &text, shortcut.as_deref())
        .await
        .map_err(|e| shortcut_taken(e, shortcut.as_deref()))?;
    record(&app, &auth, AuditAction::CannedCreated, &created).await;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    put,
    operation_id = "update_canned",
    path = "/api/canned/{id}",
    tag = "canned",
    params(("id" = i64, Path, description = "Canned response id")),
    request_body = CannedEdit,
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "`empty`, `too_long` or `bad_request` (as for create)",
         body = ApiErrorBody),
        (status = 403, description = "Site-wide by a non-admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such response, or not yours", body = ApiErrorBody),
        (status = 409, description = "`conflict`: the shortcut is taken", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn update(
    State(app): State<App>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CannedEdit>,
) -> AppResult<StatusCode> {
    let canned = editable(&app, &auth, &id).await?;
    let (title, text) = checked(&app, &body.title, &body.body)?;
    let shortcut = match &body.shortcut {
        None => canned.shortcut.clone(),
        Some(raw) => shortcut_of(raw.as_deref())?,
    };
    app.store
        .update_canned(canned.id, &title, &text, shortcut.as_deref())
        .await
        .map_err(|e| shortcut_taken(e, shortcut.as_deref()))?;
    let saved = CannedResponse { title, ..canned };
    record(&app, &auth, AuditAction::CannedUpdated, &saved).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    operation_id = "delete_canned",
    path = "/api/canned/{id}",
    tag = "canned",
    params(("id" = i64, Path, description = "Canned response id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Site-wide by a non-admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such response, or not yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn remove(
    State(app): State<App>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let canned = editable(&app, &auth, &id).await?;
    app.store.delete_canned(canned.id).await?;
    record(&app, &auth, AuditAction::CannedDeleted, &canned).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit entry of a canned response change: its title, its site, its id and whether it
/// is site-wide.
async fn record(app: &App, auth: &AuthAgent, action: AuditAction, canned: &CannedResponse) {
    let detail =
        serde_json::json!({ "canned_id": canned.id, "site_wide": canned.agent_id.is_none() });
    crate::services::audit::record(
        app,
        &auth.who(),
        action,
        Some(&canned.title),
        Some(canned.site_id),
        detail,
    )
    .await;
}

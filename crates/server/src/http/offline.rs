//! REST: offline messages ("Leave a message") of a site, for agents of that site.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, QueryParams, parse_id};
use crate::error::AppResult;
use crate::services::access;
use crate::state::App;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::SiteId;
use frontdesk_core::model::OfflineMessage;
use serde::Deserialize;
use utoipa::IntoParams;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;

pub fn router() -> Router<App> {
    Router::new().route("/api/sites/{site_id}/offline-messages", get(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// How many, newest first (default 100, at most 500).
    pub limit: Option<u32>,
}

#[utoipa::path(
    get,
    operation_id = "list_offline_messages",
    path = "/api/sites/{site_id}/offline-messages",
    tag = "offline",
    params(("site_id" = i64, Path, description = "Site id"), ListParams),
    responses(
        (status = 200, description = "Offline messages of the site", body = [OfflineMessage]),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
    QueryParams(q): QueryParams<ListParams>,
) -> AppResult<Json<Vec<OfflineMessage>>> {
    let site = SiteId(parse_id(&site_id)?);
    access::require_site(&app, auth.agent.id, site).await?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    Ok(Json(app.store.offline_messages(site, limit).await?))
}

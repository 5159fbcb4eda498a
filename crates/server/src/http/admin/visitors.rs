//! REST: a visitor's data (admins of the visitor's site): "Export visitor data" and "Erase
//! visitor" (issue 18, docs/privacy.md). Under `/api/admin`, so an API token needs the
//! `admin` scope for either.

use crate::error::AppResult;
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, parse_id};
use crate::services::access;
use crate::services::privacy::{self, Erased, VisitorExport};
use crate::state::App;
use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use frontdesk_core::{SiteId, VisitorId};

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/api/admin/sites/{id}/visitors/{visitor_id}/export",
            get(export_visitor),
        )
        .route(
            "/api/admin/sites/{id}/visitors/{visitor_id}",
            delete(erase_visitor),
        )
}

#[utoipa::path(get, path = "/api/admin/sites/{id}/visitors/{visitor_id}/export", tag = "admin",
    params(("id" = i64, Path, description = "Site id"),
           ("visitor_id" = String, Path, description = "Visitor id")),
    responses(
        (status = 200, description = "Everything held about the visitor (\"Export visitor data\")",
            body = VisitorExport),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such visitor, or not of a site of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn export_visitor(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path((id, visitor)): Path<(String, String)>,
) -> AppResult<Json<VisitorExport>> {
    let site = SiteId(parse_id(&id)?);
    access::require_site(&app, admin.agent.id, site).await?;
    let export = privacy::export(&app, &admin.who(), site, &VisitorId(visitor)).await?;
    Ok(Json(export))
}

#[utoipa::path(delete, path = "/api/admin/sites/{id}/visitors/{visitor_id}", tag = "admin",
    params(("id" = i64, Path, description = "Site id"),
           ("visitor_id" = String, Path, description = "Visitor id")),
    responses(
        (status = 200, description = "Erased (\"Erase visitor\"): their chats deleted whole, \
            with every message, file and search entry; their visits, page views, offline \
            messages, blocks and the visitor", body = Erased),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such visitor, or not of a site of yours", body = ApiErrorBody),
        (status = 409, description = "`chat_open`: the visitor has an open chat; end it first",
            body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn erase_visitor(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path((id, visitor)): Path<(String, String)>,
) -> AppResult<Json<Erased>> {
    let site = SiteId(parse_id(&id)?);
    access::require_site(&app, admin.agent.id, site).await?;
    let erased = privacy::erase(&app, &admin.who(), site, &VisitorId(visitor)).await?;
    Ok(Json(erased))
}

//! REST: blocks (admins only): the blocks in force on a site, and lifting one.

use crate::error::AppResult;
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, parse_id};
use crate::services::access;
use crate::services::audit;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::model::Block;
use frontdesk_core::{BlockId, SiteId};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/admin/sites/{id}/blocks", get(list_blocks))
        .route("/api/admin/blocks/{id}", delete(lift_block))
}

#[utoipa::path(get, path = "/api/admin/sites/{id}/blocks", tag = "admin",
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Blocks in force now", body = [Block]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_blocks(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Block>>> {
    let site = SiteId(parse_id(&id)?);
    access::require_site(&app, admin.agent.id, site).await?;
    Ok(Json(app.store.blocks_of_site(site, app.now()).await?))
}

#[utoipa::path(delete, path = "/api/admin/blocks/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Block id")),
    responses(
        (status = 204, description = "Lifted: the visitor may chat again"),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such block, or not of a site of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn lift_block(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let block = app.store.block(BlockId(parse_id(&id)?)).await?;
    access::require_site(&app, admin.agent.id, block.site_id).await?;
    app.store.lift_block(block.id).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::BlockLifted,
        Some(&block.visitor_id.0),
        Some(block.site_id),
        serde_json::json!({ "block_id": block.id, "ip": block.ip }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

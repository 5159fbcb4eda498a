//! REST: the audit log (admins): newest first, filtered, paged by a cursor. Read-only: the
//! log has no update or delete route (retention is the only delete, `services::audit`).

use crate::error::{AppError, AppResult};
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, QueryParams};
use crate::state::App;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::audit::{
    ActorKind, AuditAction, AuditEntry, AuditFilter, next_cursor, page_limit,
};
use frontdesk_core::{AuditId, SiteId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<App> {
    Router::new().route("/api/admin/audit", get(audit_page))
}

/// Filters of the audit log (all optional, ANDed).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// One action (`sign_in`, `sign_in_failed`, `agent_created`, `token_revoked`, ...).
    action: Option<String>,
    /// `agent`, `token` or `anonymous`.
    actor_kind: Option<String>,
    /// The agent's or token's id (with `actor_kind`).
    actor_id: Option<i64>,
    site_id: Option<i64>,
    /// Entries at or after this time (milliseconds since the epoch).
    since: Option<i64>,
    /// Entries before this time.
    until: Option<i64>,
    /// The cursor: `next_before` of the previous page.
    before: Option<i64>,
    /// Entries per page (1 to 200; 50 when absent).
    limit: Option<u32>,
}

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_before: Option<AuditId>,
}

#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = AuditPage),
        (status = 400, description = "An unknown action or actor kind", body = ApiErrorBody),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
    ),
    security(("session" = []), ("bearer" = [])))]
pub async fn audit_page(
    State(app): State<App>,
    _admin: AdminAgent,
    QueryParams(q): QueryParams<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let action = q
        .action
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|a| AuditAction::parse(a).ok_or_else(|| AppError::bad_request("Unknown action.")))
        .transpose()?;
    let actor_kind = q
        .actor_kind
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|k| ActorKind::parse(k).ok_or_else(|| AppError::bad_request("Unknown actor kind.")))
        .transpose()?;
    let filter = AuditFilter {
        action,
        actor_kind,
        actor_id: q.actor_id,
        site_id: q.site_id.map(SiteId),
        since: q.since.map(Timestamp),
        until: q.until.map(Timestamp),
        before: q.before.map(AuditId),
        limit: page_limit(q.limit),
    };
    let entries = app.store.audit_page(&filter).await?;
    let next_before = next_cursor(&entries, filter.limit);
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}

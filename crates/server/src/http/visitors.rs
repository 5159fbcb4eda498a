//! REST: visitors of a site, for agents of that site: Visit Detail (the visitor, their
//! current and previous visits, their chats) and who is on the site now.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, QueryParams, parse_id};
use crate::error::AppResult;
use crate::services::visits;
use crate::services::{access, summary};
use crate::state::App;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::protocol::{ChatSummary, VisitDetail, VisitorOnSite};
use frontdesk_core::{ChatId, SiteId, Timestamp, VisitorId};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};

/// Previous visits shown, at most.
const PREVIOUS_VISITS: u32 = 20;
/// Chats listed, at most.
const CHATS: u32 = 50;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/sites/{site_id}/visitors", get(on_site))
        .route("/api/sites/{site_id}/visitors/{visitor_id}", get(detail))
}

#[derive(Serialize, ToSchema)]
pub struct VisitorInfo {
    pub visitor_id: VisitorId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
}

/// Visit Detail.
#[derive(Serialize, ToSchema)]
pub struct VisitorDetail {
    pub visitor: VisitorInfo,
    /// The latest visit (null if none was recorded).
    pub current_visit: Option<VisitDetail>,
    /// The visits before it, newest first (at most 20).
    pub previous_visits: Vec<VisitDetail>,
    /// The visitor's chats on this site, newest first (at most 50).
    pub chats: Vec<ChatSummary>,
    /// True when `chats` holds a chat other than the one in the agent's window (`chat_id`),
    /// so "Chat History" has something to list; without `chat_id`, other than the open one.
    pub has_chat_history: bool,
    /// Who the site says the visitor is (`Frontdesk.identify()`), "Verified" or "Unverified";
    /// null when the site never identified them.
    pub identity: Option<frontdesk_core::identity::VisitorProfile>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailParams {
    /// The chat the agent's window shows: `has_chat_history` then excludes this chat (open
    /// or ended) instead of the open one.
    pub chat_id: Option<i64>,
}

/// The site id, if it parses and the agent belongs to the site.
async fn site_of(app: &App, auth: &AuthAgent, raw: &str) -> AppResult<SiteId> {
    let site = SiteId(parse_id(raw)?);
    access::require_site(app, auth.agent.id, site).await?;
    Ok(site)
}

#[utoipa::path(
    get,
    operation_id = "visitor_detail",
    path = "/api/sites/{site_id}/visitors/{visitor_id}",
    tag = "visitors",
    params(
        ("site_id" = i64, Path, description = "Site id"),
        ("visitor_id" = String, Path, description = "Visitor id"),
        DetailParams,
    ),
    responses(
        (status = 200, description = "Visit Detail", body = VisitorDetail),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "No such visitor, or not of a site of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn detail(
    State(app): State<App>,
    auth: AuthAgent,
    Path((site_id, visitor_id)): Path<(String, String)>,
    QueryParams(q): QueryParams<DetailParams>,
) -> AppResult<Json<VisitorDetail>> {
    let site = site_of(&app, &auth, &site_id).await?;
    let visitor_id = VisitorId(visitor_id);
    let visitor = app.store.visitor(site, &visitor_id).await?;
    let identity = app.store.visitor_profile(site, &visitor_id).await?;

    let mut visit_list = app
        .store
        .visits_of(site, &visitor_id, PREVIOUS_VISITS + 1)
        .await?
        .into_iter();
    let current_visit = match visit_list.next() {
        Some(v) => Some(visits::detail(&app, v).await?),
        None => None,
    };
    let mut previous_visits = Vec::new();
    for v in visit_list {
        previous_visits.push(visits::detail(&app, v).await?);
    }

    let chat_list = app.store.chats_of_visitor(site, &visitor_id, CHATS).await?;
    let shown = match q.chat_id {
        Some(id) => Some(ChatId(id)),
        None => app
            .store
            .open_chat_of_visitor(site, &visitor_id)
            .await?
            .map(|c| c.id),
    };
    let has_chat_history = chat_list.iter().any(|c| Some(c.id) != shown);
    let mut summaries = Vec::with_capacity(chat_list.len());
    for c in &chat_list {
        summaries.push(summary::chat_summary(&app, c).await?);
    }

    Ok(Json(VisitorDetail {
        visitor: VisitorInfo {
            visitor_id: visitor.id,
            name: visitor.name,
            email: visitor.email,
            first_seen: visitor.first_seen,
            last_seen: visitor.last_seen,
        },
        current_visit,
        previous_visits,
        chats: summaries,
        has_chat_history,
        identity,
    }))
}

#[utoipa::path(
    get,
    operation_id = "visitors_on_site",
    path = "/api/sites/{site_id}/visitors",
    tag = "visitors",
    params(("site_id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Visitors on the site now", body = [VisitorOnSite]),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn on_site(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
) -> AppResult<Json<Vec<VisitorOnSite>>> {
    let site = site_of(&app, &auth, &site_id).await?;
    Ok(Json(app.presence.visitors_on(&HashSet::from([site])).await))
}

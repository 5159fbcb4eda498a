//! REST: the "Archive" (issue 15). `GET /api/archive` is one page of the chats of the
//! caller's sites, newest first, filtered and searched, paged with an opaque cursor;
//! `GET /api/archive/count` is how many match, asked for apart so that the first page never
//! waits for the count. Both need an agent's session.
//!
//! A `site` that is not one of the agent's (or not an id) answers 404 `not_found`, exactly like
//! a missing one (the same rule as every REST call: `services::access`). Bad filters answer 400
//! `bad_request` with a message naming the parameter; a search (`q`) is counted per agent
//! (`limits.archive_searches`, 429 `rate_limited`) and refused with 409 `search_off` when the
//! server keeps no search index. The snippet of a hit is text: its
//! `highlights` are ranges to mark, never markup.

pub mod params;

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, QueryParams};
use crate::error::AppResult;
use crate::services::archive;
use crate::state::App;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::archive::{ArchiveCount, ArchivePage};
use params::ArchiveParams;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/archive", get(archive_page))
        .route("/api/archive/count", get(archive_count))
}

#[utoipa::path(
    get,
    path = "/api/archive",
    tag = "archive",
    params(ArchiveParams),
    responses(
        (status = 200, description = "Up to `limit` chats of your sites, newest first (by chat \
         id), matching every filter given; with `q`, each with the `snippet` that matched \
         (`highlights`: UTF-16 ranges of `text` to mark; render the text as text). \
         `next_cursor` is absent on the last page. Chats that arrive while paging never shift \
         a later page: the cursor means \"older than the last chat shown\"", body = ArchivePage),
        (status = 400, description = "A filter is not valid: `agent`, `from`, `to`, `state`, \
         `rating` (1–5), `limit` (1–100), a `cursor` this server did not give, or a search \
         `q` refused (empty, only exclusions, too many words, too long) (`bad_request`)",
         body = ApiErrorBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "`site` is not one of your sites (`not_found`)",
         body = ApiErrorBody),
        (status = 409, description = "A search while the server keeps no search index \
         (`[search] index = false`, `search_off`); filters without `q` still answer",
         body = ApiErrorBody),
        (status = 429, description = "Too many searches (`limits.archive_searches`, \
         `rate_limited`)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn archive_page(
    State(app): State<App>,
    auth: AuthAgent,
    QueryParams(q): QueryParams<ArchiveParams>,
) -> AppResult<Json<ArchivePage>> {
    let filters = q.check()?;
    Ok(Json(archive::page(&app, auth.agent.id, filters).await?))
}

#[utoipa::path(
    get,
    path = "/api/archive/count",
    tag = "archive",
    params(ArchiveParams),
    responses(
        (status = 200, description = "How many chats match the same filters as \
         `/api/archive` (`cursor` and `limit` are ignored): exact up to 10 000; beyond, \
         `count` is 10 000 and `more` is true (\"10,000+\")", body = ArchiveCount),
        (status = 400, description = "A filter is not valid (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "`site` is not one of your sites (`not_found`)",
         body = ApiErrorBody),
        (status = 409, description = "A search while the server keeps no search index \
         (`search_off`)", body = ApiErrorBody),
        (status = 429, description = "Too many searches (`rate_limited`)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn archive_count(
    State(app): State<App>,
    auth: AuthAgent,
    QueryParams(q): QueryParams<ArchiveParams>,
) -> AppResult<Json<ArchiveCount>> {
    let filters = q.check()?;
    Ok(Json(archive::count(&app, auth.agent.id, filters).await?))
}

//! REST: a chat's "Tags" and "Wrap-up note" (also after the chat ended, from Chat History),
//! and a site's tags as suggestions. Another site's chat or site answers 404 like a missing one.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::error::AppResult;
use crate::services::{summary, tags};
use crate::state::App;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use frontdesk_core::protocol::ChatSummary;
use frontdesk_core::tags::SiteTag;
use frontdesk_core::{ChatId, SiteId};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/chats/{chat_id}/tags", put(put_tags))
        .route("/api/chats/{chat_id}/wrap-up", put(put_wrap_up))
        .route("/api/sites/{site_id}/tags", get(site_tags))
}

/// The chat's tags, replacing the ones it has.
#[derive(Deserialize, ToSchema)]
pub struct TagsEdit {
    /// Each trimmed; none empty, none longer than `limits.tag_max_chars` (default 40), no
    /// control characters; duplicates ignoring case are dropped (the first spelling kept);
    /// at most `limits.tags_per_chat` (default 20). `[]` removes them all.
    pub tags: Vec<String>,
}

/// The chat's wrap-up note.
#[derive(Deserialize, ToSchema)]
pub struct WrapUpEdit {
    /// At most `message_max_chars`; empty, blank or null removes it.
    #[serde(default)]
    pub wrap_up: Option<String>,
}

#[utoipa::path(
    put,
    operation_id = "set_chat_tags",
    path = "/api/chats/{chat_id}/tags",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    request_body = TagsEdit,
    responses(
        (status = 200, description = "Stored; the chat's agents got `chat.updated`", body = ChatSummary),
        (status = 400, description = "A tag is empty (`empty`), too long or too many (`too_long`), \
         has a control character, or the body is not `{\"tags\": [strings]}` (`bad_request`)",
         body = ApiErrorBody),
        (status = 403, description = "Missing or foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 404, description = "No such chat, or not of a site of yours", body = ApiErrorBody),
        (status = 409, description = "Not a chat you are in, nor one of a site you supervise \
         (`not_your_chat`)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn put_tags(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    JsonBody(body): JsonBody<TagsEdit>,
) -> AppResult<Json<ChatSummary>> {
    let id = ChatId(parse_id(&chat_id)?);
    let chat = tags::set_tags(&app, auth.agent.id, id, &body.tags).await?;
    Ok(Json(summary::chat_summary(&app, &chat).await?))
}

#[utoipa::path(
    put,
    operation_id = "set_chat_wrap_up",
    path = "/api/chats/{chat_id}/wrap-up",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    request_body = WrapUpEdit,
    responses(
        (status = 200, description = "Stored; the chat's agents got `chat.updated`", body = ChatSummary),
        (status = 400, description = "Longer than `message_max_chars` (`too_long`), or not \
         `{\"wrap_up\": string|null}` (`bad_request`)", body = ApiErrorBody),
        (status = 403, description = "Missing or foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 404, description = "No such chat, or not of a site of yours", body = ApiErrorBody),
        (status = 409, description = "Not a chat you are in, nor one of a site you supervise \
         (`not_your_chat`)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn put_wrap_up(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    JsonBody(body): JsonBody<WrapUpEdit>,
) -> AppResult<Json<ChatSummary>> {
    let id = ChatId(parse_id(&chat_id)?);
    let chat = tags::set_wrap_up(&app, auth.agent.id, id, body.wrap_up.as_deref()).await?;
    Ok(Json(summary::chat_summary(&app, &chat).await?))
}

#[utoipa::path(
    get,
    operation_id = "site_tags",
    path = "/api/sites/{site_id}/tags",
    tag = "chats",
    params(("site_id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site's tags (distinct ignoring case), most used first, \
         at most `limits.tag_suggestions`", body = [SiteTag]),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn site_tags(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
) -> AppResult<Json<Vec<SiteTag>>> {
    let site = SiteId(parse_id(&site_id)?);
    Ok(Json(tags::site_tags(&app, auth.agent.id, site).await?))
}

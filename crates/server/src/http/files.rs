//! Files in chats over HTTP (issue 14).
//!
//! - [`router`], agents (cookie session, under the CSRF check): `POST /api/chats/{id}/files`
//!   (upload), `GET /api/files/{id}` and `/thumb` (agents who may see the chat), and
//!   `DELETE /api/chats/{id}` ("Delete chat", admins).
//! - [`visitor_router`], the widget (cross-origin, by the visitor's token):
//!   `POST /api/visitor/files` (the `Origin` checked against the site like `/ws/visitor`,
//!   answered with CORS headers for it) and `GET /files/{id}[/thumb]?token=…`.
//!
//! An upload's body is capped at `limits.file_max_bytes` plus the multipart overhead
//! ([`DefaultBodyLimit`] on the upload routes only): beyond it, 413 `file_too_large`. The
//! answer 201 is the acknowledgement, sent after the commit holding the file and its message.

pub mod download;
pub mod form;

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, parse_id};
use crate::error::{AppError, AppResult};
use crate::realtime::visitor_ws::origin_allowed;
use crate::services::{agent_names, files};
use crate::state::App;
use crate::tracking::ip::client_ip;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use frontdesk_core::protocol::{AgentMessageView, VisitorMessageView};
use frontdesk_core::{ChatId, ErrorCode, SiteKey};
use std::net::SocketAddr;

use download::{agent_file, agent_thumb, visitor_file, visitor_thumb};
pub use form::UploadForm;

/// What a multipart upload may carry besides the file (field names, boundaries, the
/// site key, the token, the client id).
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;

fn body_limit(app: &App) -> DefaultBodyLimit {
    let cap = usize::try_from(app.settings.limits.file_max_bytes).unwrap_or(usize::MAX);
    DefaultBodyLimit::max(cap.saturating_add(MULTIPART_OVERHEAD))
}

/// The agents' routes (cookie session, same origin).
pub fn router(app: &App) -> Router<App> {
    Router::new()
        .route(
            "/api/chats/{chat_id}/files",
            post(agent_upload).layer(body_limit(app)),
        )
        .route("/api/chats/{chat_id}", delete(delete_chat))
        .route("/api/files/{file_id}", get(agent_file))
        .route("/api/files/{file_id}/thumb", get(agent_thumb))
}

/// The visitor's routes (token, cross-origin).
pub fn visitor_router(app: &App) -> Router<App> {
    Router::new()
        .route(
            "/api/visitor/files",
            post(visitor_upload)
                .options(preflight)
                .layer(body_limit(app)),
        )
        .route("/files/{file_id}", get(visitor_file))
        .route("/files/{file_id}/thumb", get(visitor_thumb))
}

/// A refused upload is counted under its code, then answered.
fn refused(app: &App, e: AppError) -> AppError {
    files::count_refusal(app, &e);
    e
}

#[utoipa::path(
    post,
    path = "/api/chats/{chat_id}/files",
    tag = "files",
    params(("chat_id" = i64, Path, description = "Chat id")),
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "`file` (the file), optional `client_id` (a resend with the same one \
        answers the stored message)"),
    responses(
        (status = 201, description = "Stored with its message (the acknowledgement), then \
         delivered as a `message` frame of kind `file`", body = AgentMessageView),
        (status = 400, description = "No `file` field (`bad_request`), or an empty file \
         (`empty`)", body = ApiErrorBody),
        (status = 403, description = "The chat is not yours to write in (`not_your_chat`)",
         body = ApiErrorBody),
        (status = 404, description = "No such chat, or not of a site of yours", body = ApiErrorBody),
        (status = 409, description = "The chat already has its most files (`too_many_files`)",
         body = ApiErrorBody),
        (status = 413, description = "Larger than the site's \"Largest file\" or the server's \
         cap (`file_too_large`)", body = ApiErrorBody),
        (status = 415, description = "A type not on the site's allow-list, decided from the \
         content (`file_type_not_allowed`), or an image that cannot be accepted (`file_refused`)",
         body = ApiErrorBody),
        (status = 429, description = "Too many uploads (`rate_limited`)", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn agent_upload(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<AgentMessageView>), AppError> {
    let result = async {
        let chat_id = ChatId(parse_id(&chat_id)?);
        let form = form::read(multipart).await?;
        let upload = form.upload()?;
        files::upload_by_agent(&app, auth.agent.id, chat_id, upload).await
    }
    .await;
    match result {
        Ok(appended) => Ok((StatusCode::CREATED, Json((&appended.message).into()))),
        Err(e) => Err(refused(&app, e)),
    }
}

/// `Access-Control-Allow-Origin` for `origin` (an allowed one) and `Vary: Origin`.
fn cors(resp: &mut Response, origin: Option<&str>) {
    let headers = resp.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
}

#[utoipa::path(
    post,
    path = "/api/visitor/files",
    tag = "files",
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "`site` (the site key), `token` (the visitor's token from `welcome`), \
        `file`, optional `client_id`. The `Origin` must be one the site allows (as for \
        `/ws/visitor`); the answer carries `Access-Control-Allow-Origin` for it."),
    responses(
        (status = 201, description = "Stored in the visitor's open chat with its message (the \
         acknowledgement), then delivered", body = VisitorMessageView),
        (status = 400, description = "A field is missing (`bad_request`), or an empty file \
         (`empty`)", body = ApiErrorBody),
        (status = 403, description = "Origin not allowed for the site (`origin_refused`), or \
         the visitor is blocked (`blocked`)", body = ApiErrorBody),
        (status = 404, description = "Unknown site key, a token not of this site, or no open \
         chat (`not_found`)", body = ApiErrorBody),
        (status = 409, description = "`too_many_files`", body = ApiErrorBody),
        (status = 413, description = "`file_too_large`", body = ApiErrorBody),
        (status = 415, description = "`file_type_not_allowed` or `file_refused`", body = ApiErrorBody),
        (status = 429, description = "Too many uploads from this visitor or address", body = ApiErrorBody),
    )
)]
pub async fn visitor_upload(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut allowed = None;
    let result = async {
        let form = form::read(multipart).await?;
        let site = app
            .store
            .site_by_key(&SiteKey(form.text("site")?.to_string()))
            .await?;
        if !origin_allowed(&site, &origin) {
            return Err(AppError::new(
                ErrorCode::OriginRefused,
                "This page's origin may not use this site key.",
            ));
        }
        allowed = Some(origin.clone());
        let visitor = app
            .tokens
            .verify(site.id, form.text("token")?)
            .ok_or_else(AppError::not_found)?;
        let ip = client_ip(peer.ip(), &headers, &app.settings.trusted_proxies);
        let upload = form.upload()?;
        let posted = files::upload_by_visitor(&app, &site, &visitor, ip, upload).await?;
        let m = &posted.appended.message;
        let names = agent_names::for_message(&app, &posted.chat, m).await;
        VisitorMessageView::of(m, posted.chat.state.owner(), names)
            .ok_or_else(|| AppError::internal("a visitor's file is not shown to them"))
    }
    .await;
    let mut resp = match result {
        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Err(e) => refused(&app, e).into_response(),
    };
    cors(&mut resp, allowed.as_deref());
    resp
}

/// The CORS preflight of an upload (a multipart POST without custom headers needs none;
/// answered for clients that send one anyway). The POST itself checks the origin.
async fn preflight(headers: HeaderMap) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let mut resp = StatusCode::NO_CONTENT.into_response();
    cors(&mut resp, origin);
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    resp
}

#[utoipa::path(
    delete,
    path = "/api/chats/{chat_id}",
    tag = "files",
    operation_id = "delete_chat",
    params(("chat_id" = i64, Path, description = "Chat id")),
    responses(
        (status = 204, description = "The chat, its messages and its files are gone (nobody \
         is told: an ended chat has no live audience)"),
        (status = 403, description = "Admins only (`forbidden`)", body = ApiErrorBody),
        (status = 404, description = "No such chat, or not of a site of yours", body = ApiErrorBody),
        (status = 409, description = "The chat is still open: end it first (`chat_open`)",
         body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn delete_chat(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
) -> AppResult<StatusCode> {
    let chat_id = ChatId(parse_id(&chat_id)?);
    files::delete_chat(&app, auth.agent.id, chat_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Downloads: the bytes of a stored file (or its thumbnail) with the headers that keep it
//! inert wherever it is opened: the type decided from the content (never HTML or SVG),
//! `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox`,
//! `Content-Disposition: attachment` except for raster images (`inline`),
//! `Cache-Control: private`; on the visitor's routes `Cross-Origin-Resource-Policy:
//! cross-origin` too (the widget shows thumbnails on the customer's site).

use crate::error::AppResult;
use crate::http::auth::AuthAgent;
use crate::http::extract::{ApiErrorBody, QueryParams};
use crate::services::files;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontdesk_core::file_serving::{content_disposition, is_inline, served_type};
use frontdesk_core::store::StoredFile;
use serde::Deserialize;
use utoipa::IntoParams;

/// The visitor's token, as `welcome` gave it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The visitor's token (from `welcome`).
    pub token: String,
}

fn set(resp: &mut Response, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// The bytes with the serving headers. A thumbnail's type is decided from its own bytes.
fn served(file: &StoredFile, body: Vec<u8>, thumb: bool, visitor: bool) -> Response {
    let mime = if thumb {
        frontdesk_core::files::sniff(&body).map_or("application/octet-stream", |s| s.mime)
    } else {
        served_type(&file.meta.mime)
    };
    let inline = is_inline(mime);
    let mut resp = body.into_response();
    set(&mut resp, header::CONTENT_TYPE, mime);
    set(&mut resp, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(&mut resp, header::CONTENT_SECURITY_POLICY, "sandbox");
    set(
        &mut resp,
        header::CONTENT_DISPOSITION,
        &content_disposition(&file.meta.name, inline),
    );
    set(&mut resp, header::CACHE_CONTROL, "private");
    if visitor {
        set(
            &mut resp,
            HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin",
        );
    }
    resp
}

#[utoipa::path(
    get,
    path = "/api/files/{file_id}",
    tag = "files",
    params(("file_id" = String, Path, description = "File id (22 characters)")),
    responses(
        (status = 200, description = "The file's bytes: its type as decided from the content, \
         `nosniff`, `Content-Security-Policy: sandbox`, `Content-Disposition: attachment` \
         (raster images: `inline`), `Cache-Control: private`", content_type = "application/octet-stream"),
        (status = 404, description = "No such file, or of a chat you may not see", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn agent_file(
    State(app): State<App>,
    auth: AuthAgent,
    Path(file_id): Path<String>,
) -> AppResult<Response> {
    let file = files::for_agent(&app, auth.agent.id, &file_id).await?;
    let body = files::content(&app, &file, false).await?;
    Ok(served(&file, body, false, false))
}

#[utoipa::path(
    get,
    path = "/api/files/{file_id}/thumb",
    tag = "files",
    params(("file_id" = String, Path, description = "File id")),
    responses(
        (status = 200, description = "The image's thumbnail (re-encoded PNG or JPEG, inline)",
         content_type = "image/png"),
        (status = 404, description = "No such file, none for this file, or of a chat you may \
         not see", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn agent_thumb(
    State(app): State<App>,
    auth: AuthAgent,
    Path(file_id): Path<String>,
) -> AppResult<Response> {
    let file = files::for_agent(&app, auth.agent.id, &file_id).await?;
    let body = files::content(&app, &file, true).await?;
    Ok(served(&file, body, true, false))
}

#[utoipa::path(
    get,
    path = "/files/{file_id}",
    tag = "files",
    params(("file_id" = String, Path, description = "File id"), TokenParam),
    responses(
        (status = 200, description = "The file, for the chat's visitor, while the chat is open \
         and until a day after it ended; headers as for agents, plus \
         `Cross-Origin-Resource-Policy: cross-origin`", content_type = "application/octet-stream"),
        (status = 404, description = "No such file, another visitor's, or the link expired",
         body = ApiErrorBody),
    )
)]
pub async fn visitor_file(
    State(app): State<App>,
    Path(file_id): Path<String>,
    QueryParams(q): QueryParams<TokenParam>,
) -> AppResult<Response> {
    let file = files::for_visitor(&app, &file_id, &q.token).await?;
    let body = files::content(&app, &file, false).await?;
    Ok(served(&file, body, false, true))
}

#[utoipa::path(
    get,
    path = "/files/{file_id}/thumb",
    tag = "files",
    params(("file_id" = String, Path, description = "File id"), TokenParam),
    responses(
        (status = 200, description = "The image's thumbnail, for the chat's visitor",
         content_type = "image/png"),
        (status = 404, description = "No such file or thumbnail, another visitor's, or the \
         link expired", body = ApiErrorBody),
    )
)]
pub async fn visitor_thumb(
    State(app): State<App>,
    Path(file_id): Path<String>,
    QueryParams(q): QueryParams<TokenParam>,
) -> AppResult<Response> {
    let file = files::for_visitor(&app, &file_id, &q.token).await?;
    let body = files::content(&app, &file, true).await?;
    Ok(served(&file, body, true, true))
}

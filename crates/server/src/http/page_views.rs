//! `POST /visitor/page-views?site=SITE_KEY`: a page view the widget reports by beacon
//! (`navigator.sendBeacon` on `pagehide`) when the visitor left the page before its socket
//! said hello, so a visitor who clicks through three pages in a second still has three pages
//! in Visit Detail. The same checks as the visitor socket's handshake (site key, the page's
//! origin, the per-address connection rate) and the same recording as `hello`; the body is
//! plain-text JSON (what a beacon sends without a CORS preflight), and the answer is never
//! read by the browser.

use crate::error::{AppError, AppResult};
use crate::realtime::visitor_ws::origin_allowed;
use crate::services::visits::{self, Arrival};
use crate::state::App;
use crate::tracking::ip::client_ip;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use frontdesk_core::protocol::PageInfo;
use frontdesk_core::{ErrorCode, SiteKey};
use serde::Deserialize;
use std::net::SocketAddr;

/// The largest beacon body accepted (a page's URL, title and referrer are cut to their own
/// limits when stored; a larger body is refused with `too_long`).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router() -> Router<App> {
    Router::new()
        .route("/visitor/page-views", post(record))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

#[derive(Deserialize)]
pub struct SiteQuery {
    site: String,
}

/// What the beacon carries: who (as in `hello`) and the page.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PageViewBeacon {
    /// The visitor token from an earlier `welcome`, if the browser has one.
    #[serde(default)]
    pub token: Option<String>,
    /// Without a token: the browser's own random key (as in `hello`).
    #[serde(default)]
    pub browser_key: Option<String>,
    pub page: PageInfo,
    /// The widget's language, as in `hello`.
    #[serde(default)]
    pub lang: Option<String>,
}

#[utoipa::path(post, path = "/visitor/page-views", tag = "websocket", operation_id = "visitor_page_view_beacon",
    description = "A page view reported by the widget with `navigator.sendBeacon` when the visitor \
    left the page before its socket said `hello`. Body: JSON as text (`Content-Type: text/plain` \
    is what a beacon sends), at most 16 KiB. The `Origin` must be the site's, as for the visitor \
    socket. Recorded as `hello` records its page: the visit continued or started.",
    params(("site" = String, Query, description = "The site key (from the embed snippet)")),
    request_body(content = PageViewBeacon, content_type = "text/plain"),
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Not a page-view beacon (`bad_request`), or over 16 KiB (`too_long`)", body = crate::http::extract::ApiErrorBody),
        (status = 403, description = "Origin not allowed for this site (`origin_refused`)", body = crate::http::extract::ApiErrorBody),
        (status = 404, description = "Unknown site key", body = crate::http::extract::ApiErrorBody),
        (status = 429, description = "Too many connections from this address (`rate_limited`)", body = crate::http::extract::ApiErrorBody),
    ))]
pub async fn record(
    State(app): State<App>,
    Query(q): Query<SiteQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<StatusCode> {
    // Over the body limit (or a body that could not be read): typed, not axum's plain 413.
    let body = body
        .map_err(|_| AppError::new(ErrorCode::TooLong, "A page-view beacon is at most 16 KiB."))?;
    let site = app.store.site_by_key(&SiteKey(q.site)).await?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if !origin_allowed(&site, header("origin")) {
        return Err(AppError::new(
            ErrorCode::OriginRefused,
            "This page's origin may not use this site key.",
        ));
    }
    let ip = client_ip(peer.ip(), &headers, &app.settings.trusted_proxies);
    if !app.shared_limits.allow_connect(ip) {
        app.metrics.refused("visitor_connect");
        return Err(AppError::rate_limited());
    }
    let beacon: PageViewBeacon = serde_json::from_slice(&body)
        .map_err(|e| AppError::bad_request(format!("Not a page-view beacon: {e}")))?;
    let id = visits::visitor_of(
        &app,
        &site,
        beacon.token.as_deref(),
        beacon.browser_key.as_deref(),
    );
    let language = frontdesk_core::widget_language::visit_language(
        beacon.lang.as_deref(),
        &site.settings.language,
    );
    let arrival = Arrival::new(
        &app,
        (site.id, id),
        ip,
        header("user-agent"),
        language,
        &site.settings.privacy,
    );
    visits::hello(&app, &arrival, &beacon.page).await?;
    Ok(StatusCode::NO_CONTENT)
}

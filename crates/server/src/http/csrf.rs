//! Same-origin checks: the console's socket and every state-changing REST call must come
//! from this server's own origin (CSRF and cross-site WebSocket hijacking defence, on top of
//! the SameSite=Strict session cookie).

use crate::state::App;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use frontdesk_core::ErrorCode;
use frontdesk_core::link::origin_of;
use url::Url;

/// True when the request's `Origin` is exactly this server's origin. With no configured
/// public URL, a loopback origin on the listening port also counts (local use and tests).
pub fn same_origin(app: &App, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get("origin").and_then(|o| o.to_str().ok()) else {
        return false;
    };
    if origin_of(&app.public_base).as_deref() == Some(origin) {
        return true;
    }
    if app.settings.public_url.is_some() {
        return false;
    }
    let Ok(url) = Url::parse(origin) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let port = url.port_or_known_default();
    let listen_port = Url::parse(&app.public_base)
        .ok()
        .and_then(|u| u.port_or_known_default());
    url.scheme() == "http" && loopback && port == listen_port && url.path() == "/"
}

/// Middleware: refuse POST/PUT/PATCH/DELETE whose Origin is not ours (unless made with an
/// API token).
pub async fn require_same_origin(State(app): State<App>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // A request accepted with an API token (`bearer`) carries no ambient credential: the
    // cookie is not consulted for it, so there is nothing for a foreign page to ride on.
    let bearer = req
        .extensions()
        .get::<super::bearer::BearerToken>()
        .is_some();
    if !safe && !bearer && !same_origin(&app, req.headers()) {
        return crate::error::AppError::new(
            ErrorCode::OriginRefused,
            "Cross-site request refused (missing or foreign Origin).",
        )
        .into_response();
    }
    next.run(req).await
}

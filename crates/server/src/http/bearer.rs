//! API tokens on the REST API: `Authorization: Bearer fd_...` instead of the session cookie.
//!
//! [`authenticate`] runs on every `/api` route before the Origin check. A request with a bearer
//! credential is decided by it alone (the cookie is not consulted): an unknown, revoked or
//! expired token is 401; a route its scopes do not allow (`frontdesk_core::tokens::required`)
//! is 403; past `limits.api_token_requests` it is 429. Unknown tokens are counted per client
//! address first (`limits.api_token_misses_per_ip`): an address out of misses is answered 429
//! before the database is asked, so a flood of random tokens cannot cost a lookup each. An accepted request carries
//! [`BearerToken`] (which [`super::auth::AuthAgent`] reads, and which exempts it from the
//! Origin check: a browser never adds this header to a cross-site request by itself, so it is
//! no CSRF vector) and runs narrowed to the token's sites (`services::access`).
//!
//! The token is looked up by its SHA-256 at every request, so a revocation holds for the next
//! request (one that already passed finishes). Its last use is written at most once a minute.

use crate::error::AppError;
use crate::security::token_hash;
use crate::services::access;
use crate::state::App;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use frontdesk_core::ErrorCode;
use frontdesk_core::store::StoreError;
use frontdesk_core::tokens::{self, ApiToken};
use std::net::{IpAddr, SocketAddr};

/// The client's address (after trusted proxies), when the connection's is known.
fn client_ip(app: &App, req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| {
            crate::tracking::ip::client_ip(peer.ip(), req.headers(), &app.settings.trusted_proxies)
        })
}

/// The API token a request was accepted with.
#[derive(Clone)]
pub struct BearerToken(pub ApiToken);

/// Middleware: authenticates a bearer credential (see the module doc); requests without one
/// pass through untouched.
pub async fn authenticate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let Some(raw) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(tokens::bearer)
        .map(str::to_owned)
    else {
        return next.run(req).await;
    };
    let ip = client_ip(&app, &req);
    if ip.is_some_and(|ip| !app.token_limits.lookup_allowed(ip)) {
        app.metrics.refused("api_token_misses");
        return AppError::new(
            ErrorCode::RateLimited,
            "Too many unknown API tokens from this address; slow down.",
        )
        .into_response();
    }
    let now = app.now();
    let token = match app.store.token_by_hash(&token_hash(&raw)).await {
        Ok(t) if tokens::usable(&t, now).is_ok() => t,
        Ok(_) | Err(StoreError::NotFound) => {
            if let Some(ip) = ip {
                app.token_limits.missed(ip);
            }
            return AppError::new(
                ErrorCode::Unauthorized,
                "The API token is unknown, revoked or expired.",
            )
            .into_response();
        }
        Err(e) => return AppError::from(e).into_response(),
    };
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    if !tokens::allows(&token.scopes, req.method().as_str(), &path) {
        return AppError::new(
            ErrorCode::Forbidden,
            "This API token's scopes do not allow this request.",
        )
        .into_response();
    }
    if !app.token_limits.allow(token.id) {
        app.metrics.refused("api_token");
        return AppError::new(
            ErrorCode::RateLimited,
            "Too many requests with this API token; slow down.",
        )
        .into_response();
    }
    if app.token_limits.touch_due(token.id, now)
        && let Err(e) = app.store.touch_token(token.id, now).await
    {
        tracing::warn!(error = %e, token = token.id.0, "last use of an API token not written");
    }
    let sites = token.sites.clone();
    req.extensions_mut().insert(BearerToken(token));
    access::with_token_sites(sites, next.run(req)).await
}

//! HTTP: one module per resource, each with its own `router()`, merged here.

pub mod admin;
pub mod archive;
pub mod assets;
pub mod auth;
pub mod bearer;
pub mod canned;
pub mod chats;
pub mod csrf;
pub mod extract;
pub mod files;
pub mod health;
pub mod offline;
pub mod openapi;
pub mod page_views;
pub mod ratings;
pub mod reports;
pub mod supervision;
pub mod tags;
pub mod visitors;

use crate::realtime::{agent_ws, visitor_ws};
use crate::state::App;
use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole application.
pub fn router(app: App) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(chats::router())
        .merge(archive::router())
        .merge(visitors::router())
        .merge(canned::router())
        .merge(offline::router())
        .merge(tags::router())
        .merge(files::router(&app))
        .merge(ratings::router())
        .merge(reports::router())
        .merge(supervision::router())
        .merge(admin::router())
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            csrf::require_same_origin,
        ))
        // Outside the Origin check: a request accepted with an API token skips it.
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            bearer::authenticate,
        ));
    Router::new()
        .merge(api)
        .merge(openapi::router())
        .merge(health::router())
        .merge(assets::router())
        .merge(files::visitor_router(&app))
        .merge(page_views::router())
        .route("/ws/visitor", get(visitor_ws::handler))
        .route("/ws/agent", get(agent_ws::handler))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(app)
}

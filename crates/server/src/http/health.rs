//! `/healthz` (the process answers), `/readyz` (storage answers and, in cluster mode, Redis
//! too: the node is subscribed to the event bus and Redis answers), `/metrics` (Prometheus).

use crate::state::App;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<App> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "The process answers", content_type = "text/plain", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Storage answers (and, in cluster mode, Redis: subscribed, PING answered)", content_type = "text/plain", body = String),
        (status = 503, description = "Storage unavailable, storage damaged (the background check of a large SQLite file found corruption), or (cluster mode) the event bus on Redis unavailable", content_type = "text/plain", body = String),
    ))]
pub async fn readyz(State(app): State<App>) -> impl IntoResponse {
    if let Some(problem) = app.store.integrity_problem() {
        tracing::debug!(%problem, "not ready: storage damaged");
        return (StatusCode::SERVICE_UNAVAILABLE, "storage damaged");
    }
    if let Err(e) = app.store.list_sites().await {
        tracing::debug!(error = %e, "not ready: storage");
        return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable");
    }
    if let Err(e) = app.bus.ready().await {
        tracing::debug!(error = %e, "not ready: event bus");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "event bus (Redis) unavailable",
        );
    }
    (StatusCode::OK, "ready")
}

#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus / OpenMetrics text",
        content_type = "application/openmetrics-text", body = String)))]
pub async fn metrics(State(app): State<App>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
}

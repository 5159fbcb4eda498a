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
    let mut text = app.metrics.render();
    // Gauges computed now, from the store and the bus, placed before the closing `# EOF`.
    let at = text.rfind("# EOF").unwrap_or(text.len());
    text.insert_str(at, &scraped(&app).await);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}

/// `frontdesk_store_commit_seconds{backend}`: the store in use's commit latency (per process).
fn commit_histogram(out: &mut String, app: &App) {
    use std::fmt::Write;
    let (backend, snapshot) = if app.settings.database_url.is_some() {
        (
            "postgres",
            frontdesk_store_postgres::COMMIT_LATENCY.snapshot(),
        )
    } else {
        ("sqlite", frontdesk_store_sqlite::COMMIT_LATENCY.snapshot())
    };
    out.push_str(
        "# HELP frontdesk_store_commit_seconds Time to commit a write (SQLite: one batch's COMMIT; PostgreSQL: a transaction's COMMIT, or a self-committing write).\n\
         # TYPE frontdesk_store_commit_seconds histogram\n",
    );
    for (le, n) in &snapshot.cumulative {
        let _ = writeln!(
            out,
            "frontdesk_store_commit_seconds_bucket{{backend=\"{backend}\",le=\"{le}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "frontdesk_store_commit_seconds_bucket{{backend=\"{backend}\",le=\"+Inf\"}} {count}\n\
         frontdesk_store_commit_seconds_sum{{backend=\"{backend}\"}} {sum}\n\
         frontdesk_store_commit_seconds_count{{backend=\"{backend}\"}} {count}",
        count = snapshot.count,
        sum = snapshot.sum_seconds
    );
}

/// Queue length and the oldest wait per site (`site` = site id), the bus backlog. A storage
/// error leaves the per-site gauges out (the scrape itself still answers; `/readyz` says why).
async fn scraped(app: &App) -> String {
    use std::fmt::Write;
    let mut length = String::from(
        "# HELP frontdesk_queue_length Chats waiting for an agent, per site.\n\
         # TYPE frontdesk_queue_length gauge\n",
    );
    let mut oldest = String::from(
        "# HELP frontdesk_queue_oldest_wait_seconds How long the longest-waiting chat has waited, per site (0: none waiting).\n\
         # TYPE frontdesk_queue_oldest_wait_seconds gauge\n",
    );
    let now = app.now();
    if let Ok(sites) = app.store.list_sites().await {
        for site in sites {
            let Ok(waiting) = app.store.waiting_chats(site.id).await else {
                continue;
            };
            let wait_ms = waiting
                .iter()
                .map(|c| now.0.saturating_sub(c.queued_at.0).max(0))
                .max()
                .unwrap_or(0);
            let _ = writeln!(
                length,
                "frontdesk_queue_length{{site=\"{}\"}} {}",
                site.id,
                waiting.len()
            );
            let _ = writeln!(
                oldest,
                "frontdesk_queue_oldest_wait_seconds{{site=\"{}\"}} {:.3}",
                site.id,
                wait_ms as f64 / 1000.0
            );
        }
    }
    length.push_str(&oldest);
    commit_histogram(&mut length, app);
    let _ = write!(
        length,
        "# HELP frontdesk_bus_backlog Events waiting to be published to the other nodes (Redis unreachable).\n\
         # TYPE frontdesk_bus_backlog gauge\nfrontdesk_bus_backlog {}\n",
        app.bus.backlog()
    );
    length
}

//! The web assets embedded in the binary (`web/`): the widget, the console, the demo page.

use crate::state::App;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/"]
#[exclude = "*.md"]
#[exclude = "widget/*"]
struct Web;

/// The visitor widget as served: web/widget/ minified by build.rs (read from `OUT_DIR` in debug
/// builds, so after editing a widget file, `cargo build` before testing it).
#[derive(RustEmbed)]
#[folder = "$OUT_DIR/widget/"]
struct Widget;

/// The console's Content-Security-Policy: no inline script, nothing from elsewhere.
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/console") }),
        )
        .route("/widget.js", get(|| async { widget("widget.js") }))
        .route(
            "/widget/{file}",
            get(|Path(file): Path<String>| async move { widget(&file) }),
        )
        .route("/console", get(|| async { console("index.html") }))
        .route("/console/", get(|| async { console("index.html") }))
        .route(
            "/console/{*path}",
            get(|Path(path): Path<String>| async move { console(&path) }),
        )
        .route(
            "/demo",
            get(|State(app): State<App>| async move { demo(&app, "index.html") }),
        )
        .route(
            "/demo/{page}",
            get(
                |State(app): State<App>, Path(page): Path<String>| async move { demo(&app, &page) },
            ),
        )
        // Static files only (no secrets in them): gzip when the browser accepts it.
        .layer(tower_http::compression::CompressionLayer::new())
}

fn file(path: &str) -> Option<(Vec<u8>, String)> {
    let f = Web::get(path)?;
    let mime = f.metadata.mimetype().to_string();
    Some((f.data.into_owned(), mime))
}

fn not_found() -> Response {
    crate::error::AppError::not_found().into_response()
}

fn respond(body: Vec<u8>, mime: &str, extra: &[(header::HeaderName, &'static str)]) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    for (k, v) in extra {
        h.insert(k.clone(), HeaderValue::from_static(v));
    }
    resp
}

/// Widget files load on customer pages (another origin): module scripts need CORS.
fn widget(name: &str) -> Response {
    match Widget::get(name) {
        Some(f) => respond(
            f.data.into_owned(),
            f.metadata.mimetype(),
            &[
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::CACHE_CONTROL, "public, max-age=300"),
                (
                    header::HeaderName::from_static("cross-origin-resource-policy"),
                    "cross-origin",
                ),
            ],
        ),
        None => not_found(),
    }
}

fn console(path: &str) -> Response {
    match file(&format!("console/{path}")) {
        Some((body, mime)) => respond(
            body,
            &mime,
            &[
                (header::CONTENT_SECURITY_POLICY, CONSOLE_CSP),
                (header::X_FRAME_OPTIONS, "DENY"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
        ),
        None => not_found(),
    }
}

/// The demo pages, with the demo site's key filled in.
fn demo(app: &App, page: &str) -> Response {
    let Some(key) = app.demo_site_key.as_deref() else {
        return not_found();
    };
    let page = if page.ends_with(".html") {
        page.to_string()
    } else {
        format!("{page}.html")
    };
    match file(&format!("demo/{page}")) {
        Some((body, mime)) => {
            let text = String::from_utf8_lossy(&body).replace("{{SITE_KEY}}", key);
            respond(
                text.into_bytes(),
                &mime,
                &[(header::CACHE_CONTROL, "no-cache")],
            )
        }
        None => not_found(),
    }
}

//! REST: sites (admins only): list, create (with a new site key), update, and the snippet
//! that embeds a site's widget.

use super::{optional_email, required_name};
use crate::error::{AppError, AppResult};
use crate::http::auth::AdminAgent;
use crate::http::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::services::access;
use crate::services::agents::publish_agent_state;
use crate::services::audit;
use crate::services::transcript::escape_html;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::model::{NewSite, Site};
use frontdesk_core::site_settings::SiteSettings;
use frontdesk_core::{SiteId, SiteKey, day};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/admin/sites", get(list_sites).post(create_site))
        .route("/api/admin/sites/{id}", put(update_site))
        .route("/api/admin/sites/{id}/settings", put(update_settings))
}

/// A site and the snippet that embeds its widget.
#[derive(Serialize, ToSchema)]
pub struct AdminSite {
    #[serde(flatten)]
    pub site: Site,
    /// `<script src=".../widget.js" data-site="KEY" async></script>`
    pub snippet: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SiteInput {
    pub name: String,
    /// http(s) URL of the site; its origin may embed the widget.
    pub base_url: String,
    /// IANA time zone (default `UTC`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Extra origins (`https://www.shop.example`) allowed to use the site key.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Where offline messages are emailed (empty or null: nowhere).
    #[serde(default)]
    pub email: Option<String>,
}

fn with_snippet(app: &App, site: Site) -> AdminSite {
    let snippet = format!(
        "<script src=\"{}/widget.js\" data-site=\"{}\" async></script>",
        escape_html(&app.public_base),
        escape_html(&site.key.0)
    );
    AdminSite { site, snippet }
}

fn http_url(raw: &str, what: &str) -> AppResult<url::Url> {
    url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| AppError::bad_request(format!("{what} must be an http(s) URL: {raw:?}")))
}

/// The validated fields of a site (everything but its key).
fn site_fields(input: SiteInput) -> AppResult<NewSite> {
    let name = required_name(&input.name)?;
    let base_url = http_url(&input.base_url, "The base URL")?;
    let timezone = input
        .timezone
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "UTC".to_string());
    day::validate_timezone(&timezone).map_err(|e| AppError::bad_request(e.to_string()))?;
    let mut origins = Vec::new();
    for o in &input.allowed_origins {
        let origin = http_url(o, "An allowed origin")?
            .origin()
            .ascii_serialization();
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(NewSite {
        key: SiteKey(String::new()),
        name,
        base_url: if base_url.path() == "/" && base_url.query().is_none() {
            base_url.origin().ascii_serialization()
        } else {
            base_url.to_string()
        },
        timezone,
        allowed_origins: origins,
        email: optional_email(input.email.as_deref())?,
    })
}

#[utoipa::path(get, path = "/api/admin/sites", tag = "admin",
    responses(
        (status = 200, description = "Every site, with its embed snippet", body = [AdminSite]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_sites(
    State(app): State<App>,
    _admin: AdminAgent,
) -> AppResult<Json<Vec<AdminSite>>> {
    let sites = app.store.list_sites().await?;
    Ok(Json(
        sites.into_iter().map(|s| with_snippet(&app, s)).collect(),
    ))
}

#[utoipa::path(post, path = "/api/admin/sites", tag = "admin", request_body = SiteInput,
    responses(
        (status = 201, description = "Created; the snippet embeds the widget", body = AdminSite),
        (status = 400, description = "Bad URL, time zone, origin or email", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_site(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    JsonBody(input): JsonBody<SiteInput>,
) -> AppResult<(StatusCode, Json<AdminSite>)> {
    let new = NewSite {
        key: SiteKey(crate::cli::new_site_key()),
        ..site_fields(input)?
    };
    let site = app.store.create_site(new, app.now()).await?;
    // Agents of every site (present and future) belong to this one now: tell the hubs, so
    // their open consoles hear its chat requests without reconnecting.
    for agent in app.store.list_agents().await? {
        let member = access::memberships(&app, agent.id)
            .await?
            .iter()
            .any(|m| m.site_id == site.id);
        if member {
            publish_agent_state(&app, agent.id).await?;
        }
    }
    audit::record(
        &app,
        &admin.who(),
        AuditAction::SiteCreated,
        Some(&site.name),
        Some(site.id),
        serde_json::json!({ "base_url": site.base_url }),
    )
    .await;
    Ok((StatusCode::CREATED, Json(with_snippet(&app, site))))
}

#[utoipa::path(put, path = "/api/admin/sites/{id}", tag = "admin", request_body = SiteInput,
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Saved (the key never changes)", body = AdminSite),
        (status = 400, description = "Bad URL, time zone, origin or email", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_site(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SiteInput>,
) -> AppResult<Json<AdminSite>> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let f = site_fields(input)?;
    let updated = Site {
        name: f.name,
        base_url: f.base_url,
        timezone: f.timezone,
        allowed_origins: f.allowed_origins,
        email: f.email,
        ..site
    };
    app.store.update_site(&updated).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::SiteUpdated,
        Some(&updated.name),
        Some(updated.id),
        serde_json::json!({}),
    )
    .await;
    Ok(Json(with_snippet(&app, updated)))
}

#[utoipa::path(put, path = "/api/admin/sites/{id}/settings", tag = "admin",
    request_body(content = SiteSettings,
        description = "The site's team settings, whole: a field left out takes its default"),
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Saved", body = AdminSite),
        (status = 400, description = "A value out of range, bad opening hours, or a refused \"Invitation rules\" rule (the message names the rule and the field); `low_contrast`: an \
            \"Accent colour\" with less than 4.5:1 contrast with the widget's white text (WCAG AA)", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_settings(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(mut settings): JsonBody<SiteSettings>,
) -> AppResult<Json<AdminSite>> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    // Texts trimmed (blank: the default) before they are checked and stored.
    settings.appearance = settings.appearance.cleaned();
    settings
        .validate()
        .map_err(|e| AppError::new(e.code(), e.to_string()))?;
    // "Require verified identity" turned on or off is said in the audit entry.
    let identity_changed = site.settings.identity != settings.identity;
    let updated = Site { settings, ..site };
    app.store.update_site(&updated).await?;
    // This node's visitors hear new opening hours at once (other nodes': see services::hours).
    crate::services::hours::refresh(&app, &updated);
    // And its visitors see replies named (or not) at once, here and (by the bus) on the other
    // nodes (see services::agent_names).
    crate::services::agent_names::saved(&app, &updated).await;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::SiteSettingsUpdated,
        Some(&updated.name),
        Some(updated.id),
        if identity_changed {
            serde_json::json!({
                "require_verified_identity": updated.settings.identity.require_verified,
            })
        } else {
            serde_json::json!({})
        },
    )
    .await;
    Ok(Json(with_snippet(&app, updated)))
}

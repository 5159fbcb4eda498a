//! Reports over HTTP (issue 15): `GET /api/reports` (JSON) and `GET /api/reports.csv` (one
//! chart's numbers). For admins and supervisors of the site; all sites: the sites the caller
//! may report on. Anyone else: 403 `forbidden`. See docs/reports.md.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, QueryParams};
use crate::error::{AppError, AppResult};
use crate::services::reports::{self, ReportQuery};
use crate::state::App;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::SiteId;
use frontdesk_core::reports::buckets::{day_start, local_date, zone};
use frontdesk_core::reports::csv::{Chart, to_csv};
use frontdesk_core::reports::{Granularity, Report};
use serde::Deserialize;
use utoipa::IntoParams;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/reports", get(report))
        .route("/api/reports.csv", get(report_csv))
}

/// The period: `period` (`today`, `7d`, `30d`: the last days up to and including today), or
/// `from` and `to` (local dates `YYYY-MM-DD`, both included). Without either: `7d`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// A site id; absent: every site the caller may report on.
    pub site: Option<String>,
    /// `today`, `7d` or `30d`.
    pub period: Option<String>,
    /// First day, `YYYY-MM-DD` in the report's time zone (with `to`; at most 366 days).
    pub from: Option<String>,
    /// Last day (included), `YYYY-MM-DD`.
    pub to: Option<String>,
    /// `hour` (at most 31 days), `day` or `week` (Monday first). Default: `hour` for
    /// `today`, else `day`.
    pub granularity: Option<Granularity>,
    /// IANA time zone of an all-sites report (default: the first site's). A site's report
    /// is always in the site's time zone.
    pub tz: Option<String>,
    /// CSV only: `volume`, `wait`, `first_response`, `duration`, `messages`, `ratings`,
    /// `agents` or `heat_map`.
    pub chart: Option<String>,
}

fn bad_date() -> AppError {
    AppError::bad_request("`from` and `to` are dates: YYYY-MM-DD.")
}

/// The checked query and the sites it covers.
async fn query(
    app: &App,
    auth: &AuthAgent,
    p: &ReportParams,
) -> AppResult<(Vec<SiteId>, ReportQuery)> {
    let allowed = reports::reportable_sites(app, auth.agent.id).await?;
    let site = match p.site.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(SiteId(s.parse::<i64>().map_err(|_| {
                AppError::bad_request("`site` is a site id.")
            })?))
        }
        None => None,
    };
    let sites = match site {
        Some(s) if allowed.contains(&s) => vec![s],
        Some(_) => return Err(AppError::forbidden()),
        None if allowed.is_empty() => return Err(AppError::forbidden()),
        None => allowed,
    };
    let tz = match (site, &p.tz) {
        (None, Some(tz)) if !tz.is_empty() => tz.clone(),
        _ => app.store.site(sites[0]).await?.timezone,
    };
    let zone = zone(&tz).map_err(|e| AppError::bad_request(e.to_string()))?;
    let now = app.clock.now();
    let date = |s: &str| -> AppResult<jiff::civil::Date> { s.parse().map_err(|_| bad_date()) };
    let today = local_date(now, &zone).map_err(|e| AppError::bad_request(e.to_string()))?;
    let (first, last, default_g) = match (p.period.as_deref(), &p.from, &p.to) {
        (None, Some(f), Some(t)) => (date(f)?, date(t)?, Granularity::Day),
        (None, None, None) | (Some("7d"), None, None) => {
            (minus(today, 6)?, today, Granularity::Day)
        }
        (Some("today"), None, None) => (today, today, Granularity::Hour),
        (Some("30d"), None, None) => (minus(today, 29)?, today, Granularity::Day),
        _ => {
            return Err(AppError::bad_request(
                "Give `period` (today, 7d, 30d) or both `from` and `to`.",
            ));
        }
    };
    if last < first {
        return Err(AppError::bad_request("`from` is after `to`."));
    }
    let next = last.tomorrow().map_err(|_| bad_date())?;
    let from = day_start(first, &zone).map_err(|_| bad_date())?;
    let to = day_start(next, &zone).map_err(|_| bad_date())?;
    let granularity = p.granularity.unwrap_or(default_g);
    reports::check_period(from, to, granularity)?;
    Ok((
        sites,
        ReportQuery {
            site,
            from,
            to,
            granularity,
            tz,
        },
    ))
}

fn minus(d: jiff::civil::Date, days: i64) -> AppResult<jiff::civil::Date> {
    d.checked_sub(jiff::Span::new().days(days))
        .map_err(|_| bad_date())
}

async fn make(app: &App, auth: &AuthAgent, p: &ReportParams) -> AppResult<Report> {
    let (sites, q) = query(app, auth, p).await?;
    reports::build(app.store.as_ref(), &sites, &q).await
}

#[utoipa::path(get, path = "/api/reports", tag = "reports", params(ReportParams),
    responses(
        (status = 200, description = "The report: totals, the series by bucket, per agent, \
         and the weekday × hour heat map (definitions in docs/reports.md)", body = Report),
        (status = 400, description = "A malformed parameter, an unknown time zone, or `from` \
         after `to` (`bad_request`); more than 366 days, or more than 31 days by the hour \
         (`too_long`)", body = ApiErrorBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 403, description = "Not an admin or supervisor of the site, or of any site \
         (`forbidden`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn report(
    State(app): State<App>,
    auth: AuthAgent,
    QueryParams(p): QueryParams<ReportParams>,
) -> AppResult<Json<Report>> {
    Ok(Json(make(&app, &auth, &p).await?))
}

#[utoipa::path(get, path = "/api/reports.csv", tag = "reports", params(ReportParams),
    responses(
        (status = 200, description = "One chart's numbers as CSV (`chart` required): exactly \
         the JSON report's figures (docs/reports.md, section CSV)", content_type = "text/csv",
         body = String),
        (status = 400, description = "No or an unknown `chart` (`bad_request`), or as \
         `GET /api/reports` (`bad_request`, `too_long`)",
         body = ApiErrorBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 403, description = "As `GET /api/reports` (`forbidden`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn report_csv(
    State(app): State<App>,
    auth: AuthAgent,
    QueryParams(p): QueryParams<ReportParams>,
) -> AppResult<Response> {
    let chart = p.chart.as_deref().and_then(Chart::parse).ok_or_else(|| {
        AppError::bad_request(
            "`chart` is one of volume, wait, first_response, duration, messages, \
                 ratings, agents, heat_map.",
        )
    })?;
    let r = make(&app, &auth, &p).await?;
    let name = format!("report-{}.csv", chart.name());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        to_csv(&r, chart),
    )
        .into_response())
}

//! Ratings over HTTP: `GET /api/sites/{id}/ratings?from=YYYY-MM-DD&to=YYYY-MM-DD` — the
//! site's ratings per day in the site's time zone, and with `detail=true` each rating with
//! its comment. For an agent of the site; another site answers 404 like a missing one.

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, QueryParams, parse_id};
use crate::error::AppResult;
use crate::services::ratings;
use crate::state::App;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::rating::days::{RatingDay, day_of};
use frontdesk_core::{AgentId, ChatId, SiteId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<App> {
    Router::new().route("/api/sites/{site_id}/ratings", get(site_ratings))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingsParams {
    /// First day, `YYYY-MM-DD` in the site's time zone.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 366 days after `from`.
    pub to: String,
    /// Also list each rating with its comment (`ratings`).
    #[serde(default)]
    pub detail: bool,
}

/// One chat's rating.
#[derive(Serialize, ToSchema)]
pub struct RatingEntry {
    pub chat_id: ChatId,
    /// The agent who last held the chat (none for a chat nobody answered).
    pub agent_id: Option<AgentId>,
    /// 1–5 ("Good" is 5, "Bad" is 1).
    pub score: u8,
    /// Score 4 or more.
    pub good: bool,
    /// As the visitor typed it (render as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When first given (a change keeps it).
    pub rated_at: Timestamp,
    /// The day of `rated_at` in the site's time zone.
    pub day: String,
}

/// A site's ratings over a range of days.
#[derive(Serialize, ToSchema)]
pub struct SiteRatings {
    /// Days with at least one rating, in order, in the site's time zone. A rating counts on
    /// the day it was first given.
    pub days: Vec<RatingDay>,
    /// With `detail=true`: every rating, oldest first. Left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratings: Option<Vec<RatingEntry>>,
    /// More ratings than the server reads at once (10 000) were given in the range: the
    /// figures cover the oldest 10 000 only; ask for fewer days. Left out when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

#[utoipa::path(
    get,
    operation_id = "site_ratings",
    path = "/api/sites/{site_id}/ratings",
    tag = "chats",
    params(("site_id" = i64, Path, description = "Site id"), RatingsParams),
    responses(
        (status = 200, description = "Per day in the site's time zone: `good` (score 4 or \
         more), `bad`, `count` and `average` score (two decimals); with `detail=true` also \
         each rating", body = SiteRatings),
        (status = 400, description = "`from`/`to` missing or not `YYYY-MM-DD`, `from` after \
         `to`, or more than 366 days (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn site_ratings(
    State(app): State<App>,
    auth: AuthAgent,
    Path(site_id): Path<String>,
    QueryParams(q): QueryParams<RatingsParams>,
) -> AppResult<Json<SiteRatings>> {
    let site = SiteId(parse_id(&site_id)?);
    let ratings::SiteRatings {
        days,
        rated,
        timezone: tz,
        truncated,
    } = ratings::site_ratings(&app, auth.agent.id, site, &q.from, &q.to).await?;
    let list = if q.detail {
        let mut out = Vec::with_capacity(rated.len());
        for r in rated {
            out.push(RatingEntry {
                chat_id: r.chat_id,
                agent_id: r.agent_id,
                score: r.rating.score,
                good: r.rating.is_good(),
                day: day_of(r.rating.rated_at, &tz).unwrap_or_default(),
                comment: r.rating.comment,
                rated_at: r.rating.rated_at,
            });
        }
        Some(out)
    } else {
        None
    };
    Ok(Json(SiteRatings {
        days,
        ratings: list,
        truncated,
    }))
}

//! The query string of `GET /api/archive` and `/api/archive/count`, checked: every bad value
//! is a `bad_request` with a message naming the parameter. An empty value (`site=`, as an HTML
//! form sends an unset filter) means "no filter". `site` is the exception to `bad_request`:
//! it names an object, so a value that is not a site id of the caller's answers 404 like a
//! missing site (decided in the handler; here it only has to be a positive integer).

use crate::error::{AppError, AppResult};
use frontdesk_core::archive::{ArchiveCursor, ArchiveState, DEFAULT_PAGE, MAX_PAGE};
use frontdesk_core::search::SearchQuery;
use frontdesk_core::{AgentId, SiteId, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

/// The filters, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveParams {
    /// "Site": one of your sites (id). Not one of yours, or not an id: 404 `not_found`.
    pub site: Option<String>,
    /// "Agent": chats this agent held (owner now, or when the chat ended).
    pub agent: Option<String>,
    /// "From": chats created at or after this instant: milliseconds since the epoch, an RFC
    /// 3339 date-time (`2026-11-25T09:00:00+01:00`), or a date `YYYY-MM-DD` (00:00 UTC).
    pub from: Option<String>,
    /// "To": chats created strictly before this instant (same forms as `from`).
    pub to: Option<String>,
    /// "State": `ended` (answered), `missed`, `blocked` or `open` (waiting or active).
    pub state: Option<String>,
    /// "Tag": chats carrying this tag (ignoring case).
    pub tag: Option<String>,
    /// "Rating": chats rated exactly this score, 1–5 ("Good" is 5, "Bad" is 1).
    pub rating: Option<String>,
    /// "Search chats": words, `"phrases"`, `prefix*`, `-excluded` (docs/archive.md).
    pub q: Option<String>,
    /// `next_cursor` of the previous page (`/api/archive` only).
    pub cursor: Option<String>,
    /// Chats per page, 1–100 (default 25; `/api/archive` only).
    pub limit: Option<String>,
}

/// The filters, checked; `sites` is decided by the caller from the agent's memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub site: Option<SiteId>,
    pub agent: Option<AgentId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub state: Option<ArchiveState>,
    pub tag: Option<String>,
    pub rating: Option<u8>,
    pub search: Option<SearchQuery>,
    pub cursor: Option<ArchiveCursor>,
    pub limit: u32,
}

/// The value, `None` when absent or blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(name: &str, what: &str) -> AppError {
    AppError::bad_request(format!("`{name}` must be {what}."))
}

/// A positive integer id; `None` when it is not one.
fn positive_id(raw: &str) -> Option<i64> {
    raw.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| raw.parse::<i64>().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// An instant: ms since the epoch, RFC 3339, or `YYYY-MM-DD` (midnight UTC).
pub fn instant(raw: &str) -> Option<Timestamp> {
    if let Ok(ms) = raw.parse::<i64>() {
        return Some(Timestamp(ms));
    }
    if let Ok(ts) = raw.parse::<jiff::Timestamp>() {
        return Some(Timestamp(ts.as_millisecond()));
    }
    let date = raw.parse::<jiff::civil::Date>().ok()?;
    let ts = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(Timestamp(ts.as_millisecond()))
}

impl ArchiveParams {
    /// Checks every parameter.
    pub fn check(&self) -> AppResult<Filters> {
        let site = match given(&self.site) {
            None => None,
            Some(raw) => Some(SiteId(positive_id(raw).ok_or_else(AppError::not_found)?)),
        };
        let agent = match given(&self.agent) {
            None => None,
            Some(raw) => Some(AgentId(
                positive_id(raw).ok_or_else(|| bad("agent", "an agent id"))?,
            )),
        };
        let when = |name: &str, v: &Option<String>| -> AppResult<Option<Timestamp>> {
            given(v)
                .map(|raw| {
                    instant(raw).ok_or_else(|| {
                        bad(
                            name,
                            "a date (YYYY-MM-DD), an RFC 3339 date-time or milliseconds since 1970",
                        )
                    })
                })
                .transpose()
        };
        let from = when("from", &self.from)?;
        let to = when("to", &self.to)?;
        let state = match given(&self.state) {
            None => None,
            Some("ended") => Some(ArchiveState::Ended),
            Some("missed") => Some(ArchiveState::Missed),
            Some("blocked") => Some(ArchiveState::Blocked),
            Some("open") => Some(ArchiveState::Open),
            Some(_) => return Err(bad("state", "one of ended, missed, blocked, open")),
        };
        let tag = given(&self.tag).map(str::to_string);
        if tag.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(bad("tag", "at most 200 characters"));
        }
        let rating = match given(&self.rating) {
            None => None,
            Some(raw) => Some(
                raw.parse::<u8>()
                    .ok()
                    .filter(|r| (1..=5).contains(r))
                    .ok_or_else(|| bad("rating", "a score from 1 to 5"))?,
            ),
        };
        let search = match given(&self.q) {
            None => None,
            Some(raw) => {
                Some(SearchQuery::parse(raw).map_err(|e| AppError::bad_request(e.to_string()))?)
            }
        };
        let cursor = match given(&self.cursor) {
            None => None,
            Some(raw) => Some(ArchiveCursor::decode(raw).ok_or_else(|| {
                AppError::bad_request(
                    "`cursor` is not one this server gave: start again from the first page.",
                )
            })?),
        };
        let limit = match given(&self.limit) {
            None => DEFAULT_PAGE,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| bad("limit", &format!("a number from 1 to {MAX_PAGE}")))?,
        };
        Ok(Filters {
            site,
            agent,
            from,
            to,
            state,
            tag,
            rating,
            search,
            cursor,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_core::ErrorCode;

    fn params(pairs: &[(&str, &str)]) -> ArchiveParams {
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding(v)))
            .collect::<Vec<_>>()
            .join("&");
        let uri: axum::http::Uri = format!("/api/archive?{q}").parse().expect("uri");
        axum::extract::Query::<ArchiveParams>::try_from_uri(&uri)
            .expect("query")
            .0
    }

    fn urlencoding(v: &str) -> String {
        url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
    }

    fn code(pairs: &[(&str, &str)]) -> Option<ErrorCode> {
        params(pairs).check().err().map(|e| e.code)
    }

    #[test]
    fn blanks_are_no_filter_and_limit_defaults() {
        let f = params(&[("site", ""), ("q", "  "), ("state", ""), ("rating", "")])
            .check()
            .expect("ok");
        assert_eq!(f, ArchiveParams::default().check().expect("ok"));
        assert_eq!(f.limit, DEFAULT_PAGE);
        assert!(f.site.is_none() && f.search.is_none() && f.state.is_none());
    }

    #[test]
    fn every_filter_parses() {
        let f = params(&[
            ("site", "7"),
            ("agent", "3"),
            ("from", "2026-11-25"),
            ("to", "2026-11-26T00:00:00Z"),
            ("state", "missed"),
            ("tag", " Refund "),
            ("rating", "5"),
            ("q", "\"order number\" ship*"),
            ("cursor", "42.9"),
            ("limit", "100"),
        ])
        .check()
        .expect("ok");
        assert_eq!(f.site, Some(SiteId(7)));
        assert_eq!(f.agent, Some(AgentId(3)));
        assert_eq!(f.from, Some(Timestamp(1_795_564_800_000)));
        assert_eq!(f.to, Some(Timestamp(1_795_651_200_000)));
        assert_eq!(f.state, Some(ArchiveState::Missed));
        assert_eq!(f.tag.as_deref(), Some("Refund"));
        assert_eq!(f.rating, Some(5));
        assert_eq!(f.search.map(|s| s.clauses.len()), Some(2));
        assert_eq!(f.cursor.map(|c| c.encode()).as_deref(), Some("42.9"));
        assert_eq!(f.limit, 100);
        assert_eq!(instant("1795608000000"), Some(Timestamp(1_795_608_000_000)));
        assert_eq!(
            instant("2026-11-25T13:00:00+01:00"),
            Some(Timestamp(1_795_564_800_000 + 12 * 3_600_000))
        );
    }

    #[test]
    fn bad_values_are_bad_requests_and_a_bad_site_is_missing() {
        for bad in [
            &[("rating", "9")][..],
            &[("rating", "0")],
            &[("rating", "good")],
            &[("from", "yesterday")],
            &[("to", "2026-13-01")],
            &[("state", "closed")],
            &[("agent", "x")],
            &[("agent", "-1")],
            &[("cursor", "x")],
            &[("cursor", "0")],
            &[("limit", "0")],
            &[("limit", "101")],
            &[("q", "-spam")],
            &[("q", "\"\" *")],
        ] {
            assert_eq!(code(bad), Some(ErrorCode::BadRequest), "{bad:?}");
        }
        for bad in ["x", "0", "-1", "1.0", "99999999999999999999"] {
            assert_eq!(code(&[("site", bad)]), Some(ErrorCode::NotFound), "{bad}");
        }
    }
}

//! The visitor's rating of a chat (issue 14): "How was this chat?" after it ends, "Good" /
//! "Bad" or 1–5 stars (a site setting), an optional "Comment". One rating per chat, which the
//! visitor may change for [`CHANGE_WINDOW_MS`] after first giving it.
//!
//! Stored as a score 1–5 whatever the scale: "Good" is 5 and "Bad" is 1, so reports compare
//! sites on either scale ("good" means a score of 4 or more).

use crate::ids::Timestamp;
use serde::{Deserialize, Serialize};

/// How long after the first rating the visitor may still change it (10 minutes).
pub const CHANGE_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Longest "Comment", in characters.
pub const COMMENT_MAX_CHARS: usize = 1000;

/// The scale the widget offers (site setting "Rating").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RatingScale {
    /// No rating is asked for.
    Off,
    /// "Good" / "Bad" (default).
    #[default]
    Thumbs,
    /// 1–5 stars.
    Stars,
}

/// A chat's rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// 1–5 ("Good" is 5, "Bad" is 1).
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When the visitor first rated the chat (the change window counts from here).
    pub rated_at: Timestamp,
}

impl Rating {
    /// "Good" on either scale.
    pub fn is_good(&self) -> bool {
        self.score >= 4
    }
}

/// Why a `rate` is refused (the shell maps each to an error code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RatingRefusal {
    /// The site asks for no rating (site setting "Rating": Off).
    #[error("This site does not ask for ratings.")]
    Off,
    /// A score the site's scale does not offer ("Good"/"Bad": 1 or 5; stars: 1–5).
    #[error("That score is not on this site's rating scale.")]
    BadScore,
    /// The chat is still open: it is rated after it ends.
    #[error("The chat is still open: rate it after it ends.")]
    ChatOpen,
    /// More than [`CHANGE_WINDOW_MS`] after the first rating.
    #[error("The rating can no longer be changed.")]
    Closed,
}

/// A rating that passed [`check`], ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRating {
    pub score: u8,
    /// Control characters removed (line breaks kept), trimmed, cut to
    /// [`COMMENT_MAX_CHARS`]; blank becomes `None`.
    pub comment: Option<String>,
    /// The chat had no rating yet (counted in `/metrics`; a change is not).
    pub first: bool,
}

/// Whether `score` is on `scale`.
pub fn score_allowed(scale: RatingScale, score: u8) -> bool {
    match scale {
        RatingScale::Off => false,
        RatingScale::Thumbs => score == 1 || score == 5,
        RatingScale::Stars => (1..=5).contains(&score),
    }
}

/// The comment as stored: control characters other than line breaks removed, trimmed, cut
/// to [`COMMENT_MAX_CHARS`] characters; blank is no comment.
pub fn clean_comment(comment: Option<&str>) -> Option<String> {
    let cleaned: String = comment?
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let cut: String = cleaned.trim().chars().take(COMMENT_MAX_CHARS).collect();
    let cut = cut.trim_end();
    (!cut.is_empty()).then(|| cut.to_string())
}

/// Whether the rating given at `rated_at` may still be changed at `now`.
pub fn may_change(rated_at: Timestamp, now: Timestamp) -> bool {
    now.0 < rated_at.0.saturating_add(CHANGE_WINDOW_MS)
}

/// The rule for a visitor's `rate` of a chat: the site's `scale`, whether the chat has
/// `ended`, its current rating (`existing`), and the time `now`. Checked in this order: the
/// scale is on, the score is on it, the chat has ended, the change window is open.
pub fn check(
    scale: RatingScale,
    ended: bool,
    existing: Option<&Rating>,
    score: u8,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<CheckedRating, RatingRefusal> {
    if scale == RatingScale::Off {
        return Err(RatingRefusal::Off);
    }
    if !score_allowed(scale, score) {
        return Err(RatingRefusal::BadScore);
    }
    if !ended {
        return Err(RatingRefusal::ChatOpen);
    }
    if let Some(r) = existing
        && !may_change(r.rated_at, now)
    {
        return Err(RatingRefusal::Closed);
    }
    Ok(CheckedRating {
        score,
        comment: clean_comment(comment),
        first: existing.is_none(),
    })
}

pub mod days;

#[cfg(test)]
mod tests;

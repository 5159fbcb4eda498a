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

//! Canned responses' shortcuts: `/hours` in the Message box offers the response whose
//! shortcut is `hours`.
//!
//! A shortcut is 1 to [`SHORTCUT_MAX`] letters, digits, `-` or `_`, compared without regard to
//! case (it is kept lower-cased). One leading `/` is dropped (people type `/hours`); a blank
//! shortcut means none. Uniqueness (enforced by the stores' unique indexes): among a site's
//! site-wide responses, and among one agent's own responses on a site. An agent's own response
//! may reuse a site-wide shortcut: for that agent it shadows the site-wide one.

use crate::error::ErrorCode;

/// Longest shortcut, in characters.
pub const SHORTCUT_MAX: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortcutError {
    #[error("a shortcut is at most {SHORTCUT_MAX} characters")]
    TooLong,
    #[error("a shortcut has only letters, digits, - and _ (not {0:?})")]
    BadCharacter(char),
}

impl ShortcutError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ShortcutError::TooLong => ErrorCode::TooLong,
            ShortcutError::BadCharacter(_) => ErrorCode::BadRequest,
        }
    }
}

/// The stored form of a typed shortcut: `None` for none (blank, or a lone `/`).
pub fn shortcut(raw: &str) -> Result<Option<String>, ShortcutError> {
    let trimmed = raw.trim();
    let bare = trimmed.strip_prefix('/').unwrap_or(trimmed);
    if bare.is_empty() {
        return Ok(None);
    }
    if let Some(bad) = bare
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(ShortcutError::BadCharacter(bad));
    }
    if bare.chars().count() > SHORTCUT_MAX {
        return Err(ShortcutError::TooLong);
    }
    Ok(Some(bare.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_kept_lower_cased_without_their_slash() {
        assert_eq!(shortcut("hours"), Ok(Some("hours".into())));
        assert_eq!(shortcut("  /Hours "), Ok(Some("hours".into())));
        assert_eq!(
            shortcut("RETURN_policy-2"),
            Ok(Some("return_policy-2".into()))
        );
        assert_eq!(shortcut("Öffnung"), Ok(Some("öffnung".into())));
        assert_eq!(shortcut("a"), Ok(Some("a".into())));
    }

    #[test]
    fn blank_means_none() {
        for raw in ["", "   ", "/", " / "] {
            assert_eq!(shortcut(raw), Ok(None), "{raw:?}");
        }
    }

    #[test]
    fn only_letters_digits_dash_and_underscore() {
        for (raw, bad) in [
            ("opening hours", ' '),
            ("a/b", '/'),
            ("//x", '/'),
            ("hi!", '!'),
            ("{x}", '{'),
            ("tab\tx", '\t'),
            ("a.b", '.'),
        ] {
            let err = shortcut(raw).expect_err(raw);
            assert_eq!(err, ShortcutError::BadCharacter(bad), "{raw:?}");
            assert_eq!(err.code(), ErrorCode::BadRequest);
        }
    }

    #[test]
    fn at_most_32_characters_counted_as_characters() {
        assert_eq!(shortcut(&"a".repeat(32)), Ok(Some("a".repeat(32))));
        assert_eq!(
            shortcut(&format!("/{}", "é".repeat(32))),
            Ok(Some("é".repeat(32)))
        );
        let err = shortcut(&"a".repeat(33)).expect_err("33");
        assert_eq!(err, ShortcutError::TooLong);
        assert_eq!(err.code(), ErrorCode::TooLong);
    }
}

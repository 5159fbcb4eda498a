//! Checks on text that people type: length limits in characters, and names cleaned of
//! control characters. Text is stored as typed; it is escaped where it is rendered.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
}

/// A message body: not blank, at most `max` characters (Unicode scalar values).
pub fn check_message(body: &str, max: usize) -> Result<&str, TextError> {
    if body.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if body.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    Ok(body)
}

/// A short single-line field (name, title): control characters removed, trimmed,
/// cut to `max` characters. Empty becomes `None`.
pub fn clean_line(input: &str, max: usize) -> Option<String> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() {
        None
    } else {
        Some(cleaned)
    }
}

/// Cut to at most `max` characters (for URLs, user agents and other stored metadata).
pub fn truncate(input: &str, max: usize) -> String {
    input.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_limits_count_characters_not_bytes() {
        let s = "é".repeat(10);
        assert!(check_message(&s, 10).is_ok());
        assert_eq!(check_message(&s, 9), Err(TextError::TooLong { max: 9 }));
        assert_eq!(check_message("  \n ", 10), Err(TextError::Empty));
    }

    #[test]
    fn names_lose_control_characters() {
        assert_eq!(clean_line(" Ann\u{0}\n ", 50), Some("Ann".into()));
        assert_eq!(clean_line("\u{7}", 50), None);
        assert_eq!(clean_line("abcdef", 3), Some("abc".into()));
    }
}

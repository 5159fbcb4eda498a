//! The "Search chats" query language (issue 15), the same on SQLite (FTS5) and PostgreSQL
//! (`tsvector`): words (all must match), `"phrases"`, `prefix*`, and `-word` / `-"phrase"`
//! to exclude. Anything else in the input is treated as plain text: FTS5 and `tsquery`
//! operators typed by a user never reach the engines (each store renders the parsed query in
//! its own syntax, quoting every term).
//!
//! FOUNDATION: the parser below is the contract; the search helper refines it (tokenising
//! the way the engines do, limits) and adds the rendering for each engine in the stores.

use serde::{Deserialize, Serialize};

mod snippet;
pub use snippet::{SnippetField, fold, header_fields, snippet};

/// Most terms in one query (more are refused with `bad_request`).
pub const MAX_TERMS: usize = 16;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Term {
    /// A word (lower-cased).
    Word { word: String },
    /// `refun*`: words starting with this (lower-cased, without the `*`).
    Prefix { prefix: String },
    /// `"order number"`: these words in this order.
    Phrase { words: Vec<String> },
}

/// A term and whether it must be absent (`-`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub term: Term,
    pub exclude: bool,
}

/// A parsed query: every clause without `exclude` must match, none with it may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub clauses: Vec<Clause>,
}

/// Why a query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("Type at least one word to search for.")]
    Empty,
    #[error("A search may only exclude words: add a word to look for.")]
    OnlyExclusions,
    #[error("A search may have at most {MAX_TERMS} words.")]
    TooManyTerms,
    #[error("A search may be at most {MAX_QUERY_CHARS} characters long.")]
    TooLong,
}

/// Splits text into the words the engines index: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl SearchQuery {
    /// Parses what an agent typed into "Search chats".
    pub fn parse(input: &str) -> Result<Self, SearchError> {
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let mut clauses = Vec::new();
        let mut rest = input.trim_start();
        while !rest.is_empty() {
            let exclude = rest.starts_with('-');
            if exclude {
                rest = &rest[1..];
            }
            if let Some(after) = rest.strip_prefix('"') {
                let end = after.find('"').unwrap_or(after.len());
                let ws = words(&after[..end]);
                rest = after.get(end + 1..).unwrap_or("");
                match ws.len() {
                    0 => {}
                    1 => clauses.push(Clause {
                        term: Term::Word {
                            word: ws.into_iter().next().unwrap_or_default(),
                        },
                        exclude,
                    }),
                    _ => clauses.push(Clause {
                        term: Term::Phrase { words: ws },
                        exclude,
                    }),
                }
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let token = &rest[..end];
                rest = &rest[end..];
                let prefix = token.ends_with('*');
                let ws = words(token);
                let n = ws.len();
                for (i, w) in ws.into_iter().enumerate() {
                    let term = if prefix && i + 1 == n {
                        Term::Prefix { prefix: w }
                    } else {
                        Term::Word { word: w }
                    };
                    clauses.push(Clause { term, exclude });
                }
            }
            rest = rest.trim_start();
        }
        if clauses.is_empty() {
            return Err(SearchError::Empty);
        }
        if clauses.len() > MAX_TERMS {
            return Err(SearchError::TooManyTerms);
        }
        if clauses.iter().all(|c| c.exclude) {
            return Err(SearchError::OnlyExclusions);
        }
        Ok(Self { clauses })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn word(w: &str, exclude: bool) -> Clause {
        Clause {
            term: Term::Word { word: w.into() },
            exclude,
        }
    }

    #[test]
    fn parses_each_operator() {
        let q = SearchQuery::parse(r#"Refund "order number" ship* -spam"#).unwrap();
        assert_eq!(
            q.clauses,
            vec![
                word("refund", false),
                Clause {
                    term: Term::Phrase {
                        words: vec!["order".into(), "number".into()]
                    },
                    exclude: false
                },
                Clause {
                    term: Term::Prefix {
                        prefix: "ship".into()
                    },
                    exclude: false
                },
                word("spam", true),
            ]
        );
    }

    #[test]
    fn engine_syntax_is_plain_text() {
        let q = SearchQuery::parse("a:b NEAR(x) OR y^ 'c' & d | !e").unwrap();
        assert!(q.clauses.iter().all(|c| !c.exclude));
        // a b near x or y c d e
        assert_eq!(q.clauses.len(), 9);
    }

    #[test]
    fn refuses_empty_only_excluded_and_too_long() {
        assert_eq!(SearchQuery::parse("  \"\" * - "), Err(SearchError::Empty));
        assert_eq!(
            SearchQuery::parse("-spam"),
            Err(SearchError::OnlyExclusions)
        );
        assert_eq!(
            SearchQuery::parse(&"a ".repeat(17)),
            Err(SearchError::TooManyTerms)
        );
        assert_eq!(
            SearchQuery::parse(&"a".repeat(201)),
            Err(SearchError::TooLong)
        );
    }

    #[test]
    fn unclosed_quote_runs_to_the_end() {
        let q = SearchQuery::parse("\"order number").unwrap();
        assert_eq!(q.clauses.len(), 1);
    }
}

//! The snippet of a search result: where a query matched, cut around the first match, with
//! the matched words marked in UTF-16 ranges. Computed from the stored text alone (never
//! from engine output), so a snippet holds nothing but what was stored.
//!
//! Matching here mirrors the engines for highlighting only (the engine decided that the
//! document matches): words are compared case- and diacritic-insensitively, with a light
//! English suffix folding standing in for the engines' stemmers (a stemmed match the folding
//! misses is simply not highlighted).

use super::{SearchQuery, Term};
use crate::archive::{MatchedIn, Snippet};
use crate::ids::Seq;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters of context kept around the first match.
const SNIPPET_CHARS: usize = 160;
/// Characters kept before the first match.
const LEAD_CHARS: usize = 40;

/// One searchable field of a matched document.
#[derive(Debug, Clone, Copy)]
pub struct SnippetField<'a> {
    pub matched_in: MatchedIn,
    pub seq: Option<Seq>,
    pub text: &'a str,
}

/// Lower-cases and removes diacritics ("Crème" → "creme"), as the engines index.
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A light English stem for highlighting: "refunds", "refunded", "refunding" → "refund".
fn stem(word: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= 3
            && !(suffix == "s" && base.ends_with('s'))
        {
            return base;
        }
    }
    word
}

/// Words of `text` with their byte ranges, as [`super::words`] splits them.
fn spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i, fold(&text[s..i])));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len(), fold(&text[s..])));
    }
    out
}

fn word_matches(found: &str, wanted: &str) -> bool {
    found == wanted || stem(found) == stem(wanted)
}

/// Byte ranges of `text` matched by the query's required terms, sorted, not overlapping.
fn matches(query: &SearchQuery, text: &str) -> Vec<(usize, usize)> {
    let words = spans(text);
    let mut hit = vec![false; words.len()];
    for clause in query.clauses.iter().filter(|c| !c.exclude) {
        match &clause.term {
            Term::Word { word } => {
                let w = fold(word);
                for (i, s) in words.iter().enumerate() {
                    hit[i] |= word_matches(&s.2, &w);
                }
            }
            Term::Prefix { prefix } => {
                let p = fold(prefix);
                for (i, s) in words.iter().enumerate() {
                    hit[i] |= s.2.starts_with(&p);
                }
            }
            Term::Phrase { words: phrase } => {
                let phrase: Vec<String> = phrase.iter().map(|w| fold(w)).collect();
                if phrase.is_empty() || phrase.len() > words.len() {
                    continue;
                }
                for start in 0..=words.len() - phrase.len() {
                    if phrase
                        .iter()
                        .enumerate()
                        .all(|(k, w)| word_matches(&words[start + k].2, w))
                    {
                        hit[start..start + phrase.len()].fill(true);
                    }
                }
            }
        }
    }
    words
        .iter()
        .zip(hit)
        .filter(|(_, h)| *h)
        .map(|(s, _)| (s.0, s.1))
        .collect()
}

fn utf16_len(s: &str) -> u32 {
    u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// Cuts `text` to about [`SNIPPET_CHARS`] characters around the first of `ranges` (byte
/// ranges) and converts the ranges that fall inside to UTF-16 ranges of the cut text.
fn cut(text: &str, ranges: &[(usize, usize)]) -> (String, Vec<[u32; 2]>) {
    let first = ranges.first().map_or(0, |r| r.0);
    // Start LEAD_CHARS characters before the first match, on a char boundary.
    let lead: Vec<usize> = text[..first].char_indices().map(|(i, _)| i).collect();
    let start = lead
        .len()
        .checked_sub(LEAD_CHARS)
        .map_or(0, |k| lead.get(k).copied().unwrap_or(0));
    let end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i);
    let mut out = String::new();
    let mut offset = 0;
    if start > 0 {
        out.push('…');
        offset = utf16_len("…");
    }
    out.push_str(&text[start..end]);
    if end < text.len() {
        out.push('…');
    }
    let highlights = ranges
        .iter()
        .filter(|(s, e)| *s >= start && *e <= end)
        .map(|(s, e)| {
            let a = offset + utf16_len(&text[start..*s]);
            [a, a + utf16_len(&text[*s..*e])]
        })
        .collect();
    (out, highlights)
}

/// The snippet of a matched document: the first field (in the order given) where a required
/// term is found; `None` when none is found (the engine's stemming matched a form the
/// highlighting does not know): then the caller shows the first field unmarked, if any.
pub fn snippet(query: &SearchQuery, fields: &[SnippetField<'_>]) -> Option<Snippet> {
    let found = fields.iter().find_map(|f| {
        let m = matches(query, f.text);
        (!m.is_empty()).then_some((f, m))
    });
    let (field, ranges) = match found {
        Some((f, m)) => (f, m),
        None => (
            fields.iter().find(|f| !f.text.trim().is_empty())?,
            Vec::new(),
        ),
    };
    let (text, highlights) = cut(field.text, &ranges);
    Some(Snippet {
        matched_in: field.matched_in,
        seq: field.seq,
        text,
        highlights,
    })
}

/// The fields of a chat's header document (visitor name and email, page titles, tags, wrap-up
/// note), in the order a snippet prefers them: the same for every store.
pub fn header_fields<'a>(
    chat: &'a crate::model::Chat,
    titles: &'a [String],
    tags: &'a str,
) -> Vec<SnippetField<'a>> {
    let field = |matched_in, text: &'a str| SnippetField {
        matched_in,
        seq: None,
        text,
    };
    let mut fields = Vec::new();
    if let Some(name) = &chat.visitor_name {
        fields.push(field(MatchedIn::VisitorName, name));
    }
    if let Some(email) = &chat.visitor_email {
        fields.push(field(MatchedIn::VisitorEmail, email));
    }
    fields.extend(titles.iter().map(|t| field(MatchedIn::PageTitle, t)));
    fields.push(field(MatchedIn::Tag, tags));
    if let Some(w) = &chat.wrap_up {
        fields.push(field(MatchedIn::WrapUp, w));
    }
    fields
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn field(text: &str) -> SnippetField<'_> {
        SnippetField {
            matched_in: MatchedIn::Message,
            seq: Some(Seq(3)),
            text,
        }
    }

    fn marked(s: &Snippet) -> Vec<String> {
        let units: Vec<u16> = s.text.encode_utf16().collect();
        s.highlights
            .iter()
            .map(|[a, b]| String::from_utf16_lossy(&units[*a as usize..*b as usize]))
            .collect()
    }

    #[test]
    fn marks_words_stems_prefixes_and_phrases_in_utf16() {
        let q = SearchQuery::parse(r#"refunds "order number" shi* -spam"#).unwrap();
        let s = snippet(
            &q,
            &[field(
                "😀 Crème: I want a REFUND for order number 12, shipped; spam",
            )],
        )
        .unwrap();
        assert_eq!(s.matched_in, MatchedIn::Message);
        assert_eq!(s.seq, Some(Seq(3)));
        assert_eq!(marked(&s), ["REFUND", "order", "number", "shipped"]);
    }

    #[test]
    fn diacritics_fold_and_the_first_matching_field_wins() {
        let q = SearchQuery::parse("creme").unwrap();
        let fields = [
            SnippetField {
                matched_in: MatchedIn::VisitorName,
                seq: None,
                text: "Ann",
            },
            SnippetField {
                matched_in: MatchedIn::PageTitle,
                seq: None,
                text: "Crème brûlée",
            },
        ];
        let s = snippet(&q, &fields).unwrap();
        assert_eq!(s.matched_in, MatchedIn::PageTitle);
        assert_eq!(marked(&s), ["Crème"]);
    }

    #[test]
    fn long_text_is_cut_around_the_match() {
        let text = format!("{} needle {}", "ä".repeat(300), "b".repeat(300));
        let q = SearchQuery::parse("needle").unwrap();
        let s = snippet(&q, &[field(&text)]).unwrap();
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
        assert_eq!(marked(&s), ["needle"]);
    }

    #[test]
    fn no_highlight_found_shows_the_first_field_unmarked() {
        let q = SearchQuery::parse("zebra").unwrap();
        let s = snippet(&q, &[field(""), field("hello")]).unwrap();
        assert_eq!(s.text, "hello");
        assert!(s.highlights.is_empty());
        assert_eq!(snippet(&q, &[field(" ")]), None);
    }
}

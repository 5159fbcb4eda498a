//! A chat's "Tags" and its "Wrap-up note" (issue 13): what a valid list of tags is, who may
//! set them, and the wrap-up note's limit. Pure rules; the shell stores and announces.
//!
//! Storage shape (both stores): `chats.tags` is a JSON array of the checked tags in the order
//! given, `chats.wrap_up` plain text. Tags are distinct ignoring case, so a search (issue 15)
//! can match a tag case-insensitively on the array's elements without normalising anything.

use crate::chat::{ChatState, EndReason};
use crate::ids::AgentId;
use crate::model::Chat;
use crate::text::{TextError, check_message};
use serde::{Deserialize, Serialize};

/// How long a tag and how many per chat (`[limits]` `tag_max_chars`, `tags_per_chat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagLimits {
    /// Longest tag, in characters (Unicode scalar values), after trimming.
    pub max_chars: usize,
    /// Most tags on one chat (after removing duplicates).
    pub per_chat: usize,
}

/// Why a list of tags is refused (nothing is stored then).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("a tag is empty")]
    Empty,
    #[error("a tag is longer than {max} characters")]
    TooLong { max: usize },
    #[error("a chat may have at most {max} tags")]
    TooMany { max: usize },
    #[error("a tag may not contain control characters (line breaks, tabs)")]
    ControlCharacter,
}

/// One of a site's tags, with how many of its chats carry it (the suggestions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteTag {
    /// The tag as first spelt (tags that differ only in case count as one).
    pub tag: String,
    /// Chats of the site that carry it.
    pub chats: u64,
}

/// The tags to store for `input`: each trimmed, none empty, none longer than
/// `limits.max_chars`, none with a control character; duplicates ignoring case dropped
/// (the first spelling kept, order kept); at most `limits.per_chat` of them.
pub fn check_tags(input: &[String], limits: TagLimits) -> Result<Vec<String>, TagError> {
    let mut out: Vec<String> = Vec::with_capacity(input.len().min(limits.per_chat));
    let mut seen: Vec<String> = Vec::with_capacity(out.capacity());
    for raw in input {
        let tag = raw.trim();
        if tag.is_empty() {
            return Err(TagError::Empty);
        }
        if tag.chars().any(char::is_control) {
            return Err(TagError::ControlCharacter);
        }
        if tag.chars().count() > limits.max_chars {
            return Err(TagError::TooLong {
                max: limits.max_chars,
            });
        }
        let folded = tag.to_lowercase();
        if seen.contains(&folded) {
            continue;
        }
        if out.len() == limits.per_chat {
            return Err(TagError::TooMany {
                max: limits.per_chat,
            });
        }
        seen.push(folded);
        out.push(tag.to_string());
    }
    Ok(out)
}

/// The wrap-up note to store: limited like a message (`max` characters); a missing or blank
/// note is none (the note is optional).
pub fn check_wrap_up(input: Option<&str>, max: usize) -> Result<Option<String>, TextError> {
    match input {
        None => Ok(None),
        Some(note) => match check_message(note, max) {
            Ok(note) => Ok(Some(note.trim().to_string())),
            Err(TextError::Empty) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// Whether `agent` is in the chat: its owner now, a colleague who joined, or (once it ended)
/// the agent who ended or blocked it. Supervisors and the agents who wrote in an ended chat
/// are for the shell to add.
pub fn in_chat(chat: &Chat, agent: AgentId) -> bool {
    let ended_by = match chat.state {
        ChatState::Ended {
            reason: EndReason::Agent { agent } | EndReason::Blocked { agent },
        } => Some(agent),
        _ => None,
    };
    chat.state.owner() == Some(agent) || ended_by == Some(agent) || chat.joined.contains(&agent)
}

/// The agents told about a change of the chat's tags or wrap-up (`chat.updated`): those
/// in the chat ([`in_chat`]), and the one who made the change.
pub fn told_of_change(chat: &Chat, by: AgentId) -> Vec<AgentId> {
    let mut agents = chat.agents();
    if let ChatState::Ended {
        reason: EndReason::Agent { agent } | EndReason::Blocked { agent },
    } = chat.state
    {
        agents.push(agent);
    }
    agents.push(by);
    let mut out: Vec<AgentId> = Vec::with_capacity(agents.len());
    for a in agents {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::model::Chat;

    const LIMITS: TagLimits = TagLimits {
        max_chars: 5,
        per_chat: 3,
    };

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn chat(state: ChatState, joined: &[i64]) -> Chat {
        let joined: Vec<AgentId> = joined.iter().map(|&a| AgentId(a)).collect();
        Chat::fixture(state, &joined, Timestamp(0))
    }

    #[test]
    fn tags_are_trimmed_and_kept_in_order() {
        assert_eq!(
            check_tags(&tags(&[" vip ", "bug", "\u{a0}new"]), LIMITS),
            Ok(tags(&["vip", "bug", "new"]))
        );
        assert_eq!(check_tags(&[], LIMITS), Ok(Vec::new()));
    }

    #[test]
    fn duplicates_ignoring_case_keep_the_first_spelling() {
        assert_eq!(
            check_tags(&tags(&["VIP", "bug", "vip", " Vip ", "BUG"]), LIMITS),
            Ok(tags(&["VIP", "bug"]))
        );
        // Unicode case folding, not ASCII only.
        assert_eq!(
            check_tags(&tags(&["ÉTÉ", "été"]), LIMITS),
            Ok(tags(&["ÉTÉ"]))
        );
    }

    #[test]
    fn empty_and_blank_tags_are_refused() {
        assert_eq!(check_tags(&tags(&["a", ""]), LIMITS), Err(TagError::Empty));
        assert_eq!(check_tags(&tags(&["  "]), LIMITS), Err(TagError::Empty));
    }

    #[test]
    fn length_counts_characters_after_trimming() {
        assert_eq!(
            check_tags(&tags(&["  ééééé  "]), LIMITS),
            Ok(tags(&["ééééé"]))
        );
        assert_eq!(
            check_tags(&tags(&["abcdef"]), LIMITS),
            Err(TagError::TooLong { max: 5 })
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["a\nb", "a\tb", "a\u{0}", "\u{7f}x", "a\u{85}b"] {
            assert_eq!(
                check_tags(&tags(&[bad]), LIMITS),
                Err(TagError::ControlCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn at_most_per_chat_distinct_tags() {
        assert_eq!(
            check_tags(&tags(&["a", "b", "c", "A", "B"]), LIMITS),
            Ok(tags(&["a", "b", "c"]))
        );
        assert_eq!(
            check_tags(&tags(&["a", "b", "c", "d"]), LIMITS),
            Err(TagError::TooMany { max: 3 })
        );
        let none = TagLimits {
            max_chars: 5,
            per_chat: 0,
        };
        assert_eq!(check_tags(&[], none), Ok(Vec::new()));
        assert_eq!(
            check_tags(&tags(&["a"]), none),
            Err(TagError::TooMany { max: 0 })
        );
    }

    #[test]
    fn the_wrap_up_note_is_optional_and_limited_like_a_message() {
        assert_eq!(check_wrap_up(None, 10), Ok(None));
        assert_eq!(check_wrap_up(Some(" \n "), 10), Ok(None));
        assert_eq!(
            check_wrap_up(Some(" Refund sent\n"), 20),
            Ok(Some("Refund sent".into()))
        );
        assert_eq!(
            check_wrap_up(Some("line 1\nline 2"), 20),
            Ok(Some("line 1\nline 2".into()))
        );
        assert_eq!(
            check_wrap_up(Some(&"é".repeat(11)), 10),
            Err(TextError::TooLong { max: 10 })
        );
        assert_eq!(
            check_wrap_up(Some(&"é".repeat(10)), 10),
            Ok(Some("é".repeat(10)))
        );
    }

    #[test]
    fn who_is_in_the_chat() {
        let (a, b, c) = (AgentId(1), AgentId(2), AgentId(3));
        assert!(!in_chat(&chat(ChatState::Pending, &[]), a));
        let active = chat(ChatState::Active { agent: a }, &[2]);
        assert!(in_chat(&active, a) && in_chat(&active, b) && !in_chat(&active, c));
        let ended = chat(
            ChatState::Ended {
                reason: EndReason::Agent { agent: a },
            },
            &[],
        );
        assert!(in_chat(&ended, a) && !in_chat(&ended, b));
        let blocked = chat(
            ChatState::Ended {
                reason: EndReason::Blocked { agent: b },
            },
            &[],
        );
        assert!(in_chat(&blocked, b) && !in_chat(&blocked, a));
        let by_visitor = chat(
            ChatState::Ended {
                reason: EndReason::Visitor,
            },
            &[3],
        );
        assert!(!in_chat(&by_visitor, a) && in_chat(&by_visitor, c));
    }

    #[test]
    fn a_change_is_told_to_the_chat_and_its_author_once() {
        let (a, b, c) = (AgentId(1), AgentId(2), AgentId(3));
        let active = chat(ChatState::Active { agent: a }, &[2]);
        assert_eq!(told_of_change(&active, a), vec![a, b]);
        assert_eq!(told_of_change(&active, c), vec![a, b, c]);
        let ended = chat(
            ChatState::Ended {
                reason: EndReason::Agent { agent: a },
            },
            &[],
        );
        assert_eq!(told_of_change(&ended, c), vec![a, c]);
    }
}

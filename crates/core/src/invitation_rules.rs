//! "Invitation rules" (issue 17, proactive invitations): a site's rules for inviting a visitor
//! automatically, their checks, and which rule fires given what is known of the visit.
//!
//! A rule fires when every condition it sets holds (a condition left unset always holds):
//! - "Page URL matches" ([`url_matches`]): a pattern without `*` is a prefix, one with `*` a
//!   glob over the whole text (`*`: any characters, also none). A pattern that starts with
//!   `/` is matched against the page's path (from the path on, with query and fragment);
//!   any other against the whole URL (`location.href`). Case-sensitive.
//! - "Seconds on page": the visitor has been on the page at least this long.
//! - "Pages viewed": at least this many pages in this visit (this one included).
//! - "Returning visitor": the visitor had an earlier visit.
//! - "Referrer contains": `document.referrer` contains the text (case-sensitive).
//!
//! The widget's loader (`web/widget/widget.js`) evaluates the same rules in the browser from
//! the [`WireRules`] sent with `welcome`: [`next_invitation`] here and `due()` there must agree
//! (e2e/widget-invitation-rules.test.mjs and the unit tests below pin the cases).
//!
//! Limits (constants below): at most [`MAX_RULES`] rules; "Rule name" 1–[`MAX_NAME`]
//! characters, "Greeting" 1–[`MAX_GREETING`], "Page URL matches" at most [`MAX_URL`],
//! "Referrer contains" at most [`MAX_REFERRER`], "Seconds on page" at most [`MAX_SECONDS`],
//! "Pages viewed" 1–[`MAX_PAGES`]; rule ids unique, 1 or more.

use serde::{Deserialize, Serialize};

/// Most rules a site may have.
pub const MAX_RULES: usize = 20;
/// Longest "Rule name", in characters.
pub const MAX_NAME: usize = 100;
/// Longest "Greeting", in characters.
pub const MAX_GREETING: usize = 500;
/// Longest "Page URL matches", in characters.
pub const MAX_URL: usize = 500;
/// Longest "Referrer contains", in characters.
pub const MAX_REFERRER: usize = 200;
/// Most "Seconds on page" (one hour).
pub const MAX_SECONDS: u32 = 3600;
/// Most "Pages viewed".
pub const MAX_PAGES: u32 = 1000;

/// One rule as the admin page saves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationRule {
    /// Unique within the site's rules (1 or more); named by `invitation_auto`.
    pub id: u32,
    /// "Rule name": what agents see ("Invited automatically (name)").
    pub name: String,
    /// "Enabled".
    #[serde(default = "yes")]
    pub enabled: bool,
    /// "Greeting": the invitation's text.
    pub greeting: String,
    /// "Page URL matches": prefix, or glob with `*`; `/…` matches the path (module doc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// "Seconds on page" (0–3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    /// "Pages viewed": at least this many pages in this visit (1–1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// "Returning visitor": only visitors who had an earlier visit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub returning: bool,
    /// "Referrer contains".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

fn yes() -> bool {
    true
}

/// A site's "Invitation rules" (the `invitation_rules` site setting). Empty: no automatic
/// invitations (the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationRules {
    /// In order: when two rules would fire at the same moment, the earlier one does.
    pub rules: Vec<InvitationRule>,
}

/// Why the rules are refused. `rule` is the rule's position in the list, from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationRuleError {
    #[error("at most {MAX_RULES} invitation rules, not {0}")]
    TooMany(usize),
    #[error("invitation rule {rule}: the id must be 1 or more and unique")]
    Id { rule: usize },
    #[error("invitation rule {rule}: \"Rule name\" must be 1 to {MAX_NAME} characters")]
    Name { rule: usize },
    #[error("invitation rule {rule}: \"Greeting\" must be 1 to {MAX_GREETING} characters")]
    Greeting { rule: usize },
    #[error("invitation rule {rule}: \"Page URL matches\" must be 1 to {MAX_URL} characters")]
    Url { rule: usize },
    #[error("invitation rule {rule}: \"Seconds on page\" must be at most {MAX_SECONDS}")]
    Seconds { rule: usize },
    #[error("invitation rule {rule}: \"Pages viewed\" must be between 1 and {MAX_PAGES}")]
    Pages { rule: usize },
    #[error("invitation rule {rule}: \"Referrer contains\" must be 1 to {MAX_REFERRER} characters")]
    Referrer { rule: usize },
}

/// Text of 1..=max characters, none of them control characters.
fn text_ok(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

impl InvitationRules {
    pub fn validate(&self) -> Result<(), InvitationRuleError> {
        if self.rules.len() > MAX_RULES {
            return Err(InvitationRuleError::TooMany(self.rules.len()));
        }
        for (i, r) in self.rules.iter().enumerate() {
            let rule = i + 1;
            if r.id == 0 || self.rules[..i].iter().any(|o| o.id == r.id) {
                return Err(InvitationRuleError::Id { rule });
            }
            if !text_ok(&r.name, MAX_NAME) {
                return Err(InvitationRuleError::Name { rule });
            }
            if !text_ok(&r.greeting, MAX_GREETING) {
                return Err(InvitationRuleError::Greeting { rule });
            }
            if r.url.as_deref().is_some_and(|u| !text_ok(u, MAX_URL)) {
                return Err(InvitationRuleError::Url { rule });
            }
            if r.seconds.is_some_and(|s| s > MAX_SECONDS) {
                return Err(InvitationRuleError::Seconds { rule });
            }
            if r.pages.is_some_and(|p| !(1..=MAX_PAGES).contains(&p)) {
                return Err(InvitationRuleError::Pages { rule });
            }
            if r.referrer
                .as_deref()
                .is_some_and(|t| !text_ok(t, MAX_REFERRER))
            {
                return Err(InvitationRuleError::Referrer { rule });
            }
        }
        Ok(())
    }

    /// The enabled rules, as the loader needs them; `None` when there are none.
    pub fn wire(&self) -> Option<Vec<WireRule>> {
        let rules: Vec<WireRule> = self
            .rules
            .iter()
            .filter(|r| r.enabled)
            .map(WireRule::of)
            .collect();
        (!rules.is_empty()).then_some(rules)
    }

    /// Whether any enabled rule asks for "Pages viewed" (the count is read only then).
    pub fn needs_pages(&self) -> bool {
        self.rules.iter().any(|r| r.enabled && r.pages.is_some())
    }

    /// The enabled rule `id`.
    pub fn enabled(&self, id: u32) -> Option<&InvitationRule> {
        self.rules.iter().find(|r| r.enabled && r.id == id)
    }
}

/// A rule as `welcome` carries it to the loader: no name, no "Enabled" (only enabled rules
/// are sent), unset conditions left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRule {
    pub id: u32,
    pub greeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub returning: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

impl WireRule {
    pub fn of(r: &InvitationRule) -> WireRule {
        WireRule {
            id: r.id,
            greeting: r.greeting.clone(),
            url: r.url.clone(),
            seconds: r.seconds,
            pages: r.pages,
            returning: r.returning,
            referrer: r.referrer.clone(),
        }
    }
}

/// `welcome.invitation_rules`: the rules that may fire in this page, and what the browser
/// cannot know itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRules {
    pub rules: Vec<WireRule>,
    /// Pages viewed in this visit, this one included; sent when a rule asks for "Pages
    /// viewed" (the loader reads a missing count as 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// The visitor had an earlier visit.
    pub returning: bool,
}

/// What is known of the visit when the rules are evaluated (seconds on the page apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    /// `location.href`.
    pub url: &'a str,
    /// `document.referrer` ("" when none).
    pub referrer: &'a str,
    pub pages: u32,
    pub returning: bool,
}

/// Whether `url` matches the "Page URL matches" `pattern` (module doc).
pub fn url_matches(pattern: &str, url: &str) -> bool {
    let text = if pattern.starts_with('/') {
        path_of(url)
    } else {
        url
    };
    glob(pattern, text)
}

/// The URL from its path on (`location.href` without `location.origin`).
fn path_of(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        None => url,
    }
}

/// No `*`: `text` starts with `pattern`. Otherwise the whole of `text` matches, `*` standing
/// for any characters. Greedy-leftmost, as the loader does it.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) {
        return false;
    }
    if parts.len() == 1 {
        return true;
    }
    let mut at = first.len();
    for part in &parts[1..parts.len() - 1] {
        match text[at..].find(part) {
            Some(j) => at += j + part.len(),
            None => return false,
        }
    }
    text.len() - at >= last.len() && text.ends_with(last)
}

/// Seconds on the page after which `rule` fires, or `None` when it never does on this page.
pub fn due(rule: &WireRule, facts: &Facts<'_>) -> Option<u32> {
    let holds = rule
        .url
        .as_deref()
        .is_none_or(|p| url_matches(p, facts.url))
        && rule.pages.is_none_or(|n| facts.pages >= n)
        && (!rule.returning || facts.returning)
        && rule
            .referrer
            .as_deref()
            .is_none_or(|t| facts.referrer.contains(t));
    holds.then(|| rule.seconds.unwrap_or(0))
}

/// The rule that fires first on this page and after how many seconds on it: the smallest
/// delay, the earlier rule on a tie. `None`: no rule fires.
pub fn next_invitation<'r>(
    rules: &'r [WireRule],
    facts: &Facts<'_>,
) -> Option<(&'r WireRule, u32)> {
    let mut best: Option<(&WireRule, u32)> = None;
    for rule in rules {
        if let Some(s) = due(rule, facts)
            && best.is_none_or(|(_, b)| s < b)
        {
            best = Some((rule, s));
        }
    }
    best
}

#[cfg(test)]
#[path = "invitation_rules/tests.rs"]
mod tests;

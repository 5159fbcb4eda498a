//! API tokens (issue 18): `Authorization: Bearer fd_...` on the REST API, without a cookie.
//!
//! Rules:
//! - scopes are `read` (GET and HEAD of every non-admin resource), `write` (every other method
//!   on a non-admin resource) and `admin` (every method under `/api/admin/`); a token holds any
//!   non-empty set of them ([`required`]);
//! - signing in and out, changing a password and managing tokens themselves need the session
//!   cookie: no token reaches them ([`Need::CookieOnly`]);
//! - a token acts for the admin who created it, narrowed to its sites (`None`: every site the
//!   admin belongs to). A token with the `admin` scope is for every site ([`check_new`]):
//!   administration (agents, sites, the audit log) is server-wide, so a site-bound token
//!   holding it would reach other sites;
//! - a token works until revoked or expired ([`usable`]); storage keeps its SHA-256 only;
//! - its last use is written at most once per [`TOUCH_EVERY_MS`] ([`should_touch`]).

use crate::ids::{AgentId, SiteId, Timestamp, TokenId};
use serde::{Deserialize, Serialize};

/// Every token starts with this, so a leaked one is recognisable (secret scanners).
pub const PREFIX: &str = "fd_";
/// Longest token name, in characters.
pub const NAME_MAX: usize = 100;
/// The last use is written at most this often per token (per node).
pub const TOUCH_EVERY_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a request needs of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Scope(Scope),
    /// Tokens never reach it: the session cookie only.
    CookieOnly,
}

/// What `method` on the route `path` (its template, e.g. `/api/admin/agents/{id}`) needs.
pub fn required(method: &str, path: &str) -> Need {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/api/auth") || under("/api/me/password") || under("/api/admin/tokens") {
        return Need::CookieOnly;
    }
    if under("/api/admin") {
        return Need::Scope(Scope::Admin);
    }
    match method {
        "GET" | "HEAD" => Need::Scope(Scope::Read),
        _ => Need::Scope(Scope::Write),
    }
}

/// Whether a token with `scopes` may make the request.
pub fn allows(scopes: &[Scope], method: &str, path: &str) -> bool {
    match required(method, path) {
        Need::Scope(s) => scopes.contains(&s),
        Need::CookieOnly => false,
    }
}

/// A stored token (never the token itself: only its hash, which is not shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The admin who created it; the token acts for them.
    pub created_by: AgentId,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// `None`: every site (of its creator).
    pub sites: Option<Vec<SiteId>>,
}

/// A token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// SHA-256 of the token, lower-case hex.
    pub token_hash: String,
    pub created_by: AgentId,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub sites: Option<Vec<SiteId>>,
}

/// Why a new token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRuleError {
    #[error("The name is empty.")]
    EmptyName,
    #[error("Choose at least one scope: read, write or admin.")]
    NoScope,
    #[error("Unknown scope {0:?}: read, write or admin.")]
    UnknownScope(String),
    #[error("The expiry is in the past.")]
    ExpiryPast,
    #[error("A token with the admin scope is for every site.")]
    AdminNeedsAllSites,
    #[error("Choose at least one site, or every site.")]
    NoSite,
}

/// The scopes named, deduplicated and ordered (read, write, admin).
pub fn parse_scopes(names: &[String]) -> Result<Vec<Scope>, TokenRuleError> {
    let mut scopes = Vec::new();
    for n in names {
        let s = Scope::parse(n.trim()).ok_or_else(|| TokenRuleError::UnknownScope(n.clone()))?;
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    if scopes.is_empty() {
        return Err(TokenRuleError::NoScope);
    }
    scopes.sort();
    Ok(scopes)
}

/// Scopes as stored: `read,write`.
pub fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Scopes from their stored text (unknown names are dropped: a newer build's scope grants
/// nothing here).
pub fn scopes_from_text(text: &str) -> Vec<Scope> {
    let mut v: Vec<Scope> = text.split(',').filter_map(Scope::parse).collect();
    v.sort();
    v.dedup();
    v
}

/// Checks a new token's name (returned trimmed), expiry and sites against its scopes.
pub fn check_new(
    name: &str,
    scopes: &[Scope],
    expires_at: Option<Timestamp>,
    sites: Option<&[SiteId]>,
    now: Timestamp,
) -> Result<String, TokenRuleError> {
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    if name.is_empty() {
        return Err(TokenRuleError::EmptyName);
    }
    if scopes.is_empty() {
        return Err(TokenRuleError::NoScope);
    }
    if expires_at.is_some_and(|e| e <= now) {
        return Err(TokenRuleError::ExpiryPast);
    }
    match sites {
        Some([]) => return Err(TokenRuleError::NoSite),
        Some(_) if scopes.contains(&Scope::Admin) => {
            return Err(TokenRuleError::AdminNeedsAllSites);
        }
        _ => {}
    }
    Ok(name)
}

/// Why a presented token does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Revoked,
    Expired,
}

/// Whether the token works at `now`.
pub fn usable(token: &ApiToken, now: Timestamp) -> Result<(), Unusable> {
    if token.revoked_at.is_some_and(|r| r <= now) {
        return Err(Unusable::Revoked);
    }
    if token.expires_at.is_some_and(|e| e <= now) {
        return Err(Unusable::Expired);
    }
    Ok(())
}

/// Whether a use at `now` should be written, given when this node last wrote one.
pub fn should_touch(last_written: Option<Timestamp>, now: Timestamp) -> bool {
    last_written.is_none_or(|t| now.millis_since(t) >= TOUCH_EVERY_MS)
}

/// The token in an `Authorization` header value (`Bearer fd_...`, the scheme in any case);
/// `None` when it is not a bearer credential.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// Whether the sites of a token allow `site` (`None`: every site).
pub fn site_allowed(sites: Option<&[SiteId]>, site: SiteId) -> bool {
    sites.is_none_or(|s| s.contains(&site))
}

#[cfg(test)]
mod tests;

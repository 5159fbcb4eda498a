//! The audit log (issue 18): who did what, when, from which address. The shell records an
//! entry for each [`AuditAction`]; the application only ever appends (no update or delete
//! path) except the retention sweep, which removes entries older than `audit_keep_days`.

use crate::ids::{AgentId, AuditId, SiteId, Timestamp, TokenId};
use serde::{Deserialize, Serialize};

/// What happened. The wire and storage name is the snake_case form (`sign_in`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// An agent signed in (the target is their email).
    SignIn,
    /// A sign-in was refused: wrong email or password (the target is the email typed).
    SignInFailed,
    /// An agent changed their own password.
    PasswordChanged,
    /// An agent signed out ("Sign out").
    SignOut,
    AgentCreated,
    /// Name, email, admin, password, sites or "Most chats at once" changed (detail: which).
    AgentUpdated,
    AgentDeleted,
    SiteCreated,
    /// Name, address, time zone, allowed origins or email changed.
    SiteUpdated,
    /// The site's settings (working hours, files, routing, ...) changed.
    SiteSettingsUpdated,
    /// A department of a site was added, changed (name, URL prefixes, agents) or removed.
    DepartmentCreated,
    DepartmentUpdated,
    DepartmentDeleted,
    TokenCreated,
    TokenRevoked,
    WebhookCreated,
    /// URL, events, enabled or the secret changed (detail: which).
    WebhookUpdated,
    WebhookDeleted,
    /// An agent blocked a visitor ("Block visitor" in a chat).
    VisitorBlocked,
    /// An admin lifted a block.
    BlockLifted,
    /// "Rotate identity secret" (the secret itself is never in the log).
    IdentitySecretRotated,
    /// "Export visitor data" (the target is the visitor id).
    VisitorExported,
    /// "Erase visitor" (the target is the visitor id; detail: how many chats and rows).
    VisitorErased,
    /// The privacy retention task deleted data past a site's "Keep ... for" (detail: totals).
    RetentionRun,
    /// A canned response was added, changed or removed (target: its title; detail: its id,
    /// whether site-wide).
    CannedCreated,
    CannedUpdated,
    CannedDeleted,
}

impl AuditAction {
    /// Every action, in the order the console's filter lists them.
    pub const ALL: [AuditAction; 27] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::PasswordChanged,
        AuditAction::SignOut,
        AuditAction::AgentCreated,
        AuditAction::AgentUpdated,
        AuditAction::AgentDeleted,
        AuditAction::SiteCreated,
        AuditAction::SiteUpdated,
        AuditAction::SiteSettingsUpdated,
        AuditAction::DepartmentCreated,
        AuditAction::DepartmentUpdated,
        AuditAction::DepartmentDeleted,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::WebhookCreated,
        AuditAction::WebhookUpdated,
        AuditAction::WebhookDeleted,
        AuditAction::VisitorBlocked,
        AuditAction::BlockLifted,
        AuditAction::IdentitySecretRotated,
        AuditAction::VisitorExported,
        AuditAction::VisitorErased,
        AuditAction::RetentionRun,
        AuditAction::CannedCreated,
        AuditAction::CannedUpdated,
        AuditAction::CannedDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::SignOut => "sign_out",
            AuditAction::AgentCreated => "agent_created",
            AuditAction::AgentUpdated => "agent_updated",
            AuditAction::AgentDeleted => "agent_deleted",
            AuditAction::SiteCreated => "site_created",
            AuditAction::SiteUpdated => "site_updated",
            AuditAction::SiteSettingsUpdated => "site_settings_updated",
            AuditAction::DepartmentCreated => "department_created",
            AuditAction::DepartmentUpdated => "department_updated",
            AuditAction::DepartmentDeleted => "department_deleted",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::WebhookCreated => "webhook_created",
            AuditAction::WebhookUpdated => "webhook_updated",
            AuditAction::WebhookDeleted => "webhook_deleted",
            AuditAction::VisitorBlocked => "visitor_blocked",
            AuditAction::BlockLifted => "block_lifted",
            AuditAction::IdentitySecretRotated => "identity_secret_rotated",
            AuditAction::VisitorExported => "visitor_exported",
            AuditAction::VisitorErased => "visitor_erased",
            AuditAction::RetentionRun => "retention_run",
            AuditAction::CannedCreated => "canned_created",
            AuditAction::CannedUpdated => "canned_updated",
            AuditAction::CannedDeleted => "canned_deleted",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActorKind {
    /// A signed-in agent (the actor id is the agent's).
    Agent,
    /// An API token (the actor id is the token's).
    Token,
    /// Nobody known: a failed sign-in.
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Agent => "agent",
            ActorKind::Token => "token",
            ActorKind::Anonymous => "anonymous",
        }
    }

    pub fn parse(s: &str) -> Option<ActorKind> {
        [ActorKind::Agent, ActorKind::Token, ActorKind::Anonymous]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The actor of an entry: its kind, id and name as they were at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Agent {
        id: AgentId,
        name: String,
    },
    /// A token acts for the admin who created it (`agent`).
    Token {
        id: TokenId,
        name: String,
        agent: AgentId,
    },
    Anonymous,
}

impl Actor {
    pub fn kind(&self) -> ActorKind {
        match self {
            Actor::Agent { .. } => ActorKind::Agent,
            Actor::Token { .. } => ActorKind::Token,
            Actor::Anonymous => ActorKind::Anonymous,
        }
    }

    /// The id stored in `actor_id`: the agent's or the token's.
    pub fn id(&self) -> Option<i64> {
        match self {
            Actor::Agent { id, .. } => Some(id.0),
            Actor::Token { id, .. } => Some(id.0),
            Actor::Anonymous => None,
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Actor::Agent { name, .. } | Actor::Token { name, .. } => Some(name),
            Actor::Anonymous => None,
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    /// What was acted on, in words a person reads: an email, a site's name, a token's name.
    pub target: Option<String>,
    pub site_id: Option<SiteId>,
    /// The client's address (after trusted proxies).
    pub ip: Option<String>,
    /// More about the change (a JSON object; `{}` when nothing more).
    pub detail: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub site_id: Option<SiteId>,
    pub ip: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

/// Which entries a page shows: newest first (by id), all filters ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    pub actor_kind: Option<ActorKind>,
    pub actor_id: Option<i64>,
    pub site_id: Option<SiteId>,
    /// Entries at or after this time.
    pub since: Option<Timestamp>,
    /// Entries before this time.
    pub until: Option<Timestamp>,
    /// The cursor: entries with a smaller id than this (the previous page's last id).
    pub before: Option<AuditId>,
    pub limit: u32,
}

/// Entries per page when the caller does not say.
pub const PAGE_DEFAULT: u32 = 50;
/// Most entries per page.
pub const PAGE_MAX: u32 = 200;

/// The page size asked for, kept within 1..=[`PAGE_MAX`].
pub fn page_limit(asked: Option<u32>) -> u32 {
    asked.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}

/// The cursor for the next page: the last entry's id when the page was full (there may be
/// more), else none.
pub fn next_cursor(page: &[AuditEntry], limit: u32) -> Option<AuditId> {
    if page.len() as u64 >= u64::from(limit) {
        page.last().map(|e| e.id)
    } else {
        None
    }
}

/// Entries older than this are removed by retention (`audit_keep_days`); `0` days keeps
/// them forever (`None`).
pub fn keep_cutoff(now: Timestamp, keep_days: u32) -> Option<Timestamp> {
    (keep_days > 0).then(|| now.plus_millis(-(i64::from(keep_days) * 86_400_000)))
}

/// Longest target kept, in characters (an email typed at a failed sign-in is the caller's).
pub const TARGET_MAX: usize = 200;

/// A target as stored: one line, at most [`TARGET_MAX`] characters.
pub fn clean_target(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .take(TARGET_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_name_and_serde() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            let json = serde_json::to_value(a).expect("json");
            assert_eq!(json, serde_json::json!(a.as_str()));
        }
        assert_eq!(AuditAction::parse("drop_table"), None);
        assert_eq!(AuditAction::parse("SIGN_IN"), None);
    }

    #[test]
    fn actor_kinds_round_trip() {
        for k in [ActorKind::Agent, ActorKind::Token, ActorKind::Anonymous] {
            assert_eq!(ActorKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ActorKind::parse("root"), None);
    }

    #[test]
    fn actors_give_kind_id_and_name() {
        let a = Actor::Agent {
            id: AgentId(3),
            name: "Ada".into(),
        };
        assert_eq!(
            (a.kind(), a.id(), a.name()),
            (ActorKind::Agent, Some(3), Some("Ada"))
        );
        let t = Actor::Token {
            id: TokenId(9),
            name: "CRM".into(),
            agent: AgentId(3),
        };
        assert_eq!(
            (t.kind(), t.id(), t.name()),
            (ActorKind::Token, Some(9), Some("CRM"))
        );
        let n = Actor::Anonymous;
        assert_eq!(
            (n.kind(), n.id(), n.name()),
            (ActorKind::Anonymous, None, None)
        );
    }

    #[test]
    fn page_sizes_stay_in_range() {
        assert_eq!(page_limit(None), PAGE_DEFAULT);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(10)), 10);
        assert_eq!(page_limit(Some(100_000)), PAGE_MAX);
    }

    fn entry(id: i64) -> AuditEntry {
        AuditEntry {
            id: AuditId(id),
            at: Timestamp(id),
            actor_kind: ActorKind::Anonymous,
            actor_id: None,
            actor_name: None,
            action: AuditAction::SignInFailed,
            target: None,
            site_id: None,
            ip: None,
            detail: serde_json::json!({}),
        }
    }

    #[test]
    fn a_full_page_has_a_cursor_a_short_one_has_none() {
        let page = vec![entry(9), entry(7)];
        assert_eq!(next_cursor(&page, 2), Some(AuditId(7)));
        assert_eq!(next_cursor(&page, 3), None);
        assert_eq!(next_cursor(&[], 1), None);
    }

    #[test]
    fn retention_cutoff_is_days_back_and_zero_keeps_forever() {
        let now = Timestamp(10 * 86_400_000);
        assert_eq!(keep_cutoff(now, 0), None);
        assert_eq!(keep_cutoff(now, 1), Some(Timestamp(9 * 86_400_000)));
        assert_eq!(keep_cutoff(now, 10), Some(Timestamp(0)));
    }

    #[test]
    fn targets_are_one_bounded_line() {
        assert_eq!(clean_target("a\nb\u{7}c"), "abc");
        assert_eq!(clean_target(&"x".repeat(500)).chars().count(), TARGET_MAX);
    }
}

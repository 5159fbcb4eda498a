//! What the shell needs from storage, in the product's words. Two implementations:
//! embedded SQLite (`frontdesk-store-sqlite`) and PostgreSQL (cluster mode).
//!
//! Rules every implementation keeps:
//! - a write returns only after it is durably committed;
//! - [`ChatStore::update_chat_state`] is a conditional update on `version` (compare-and-set),
//!   so that "first to respond takes the chat" is decided by the database;
//! - [`ChatStore::append_message`] numbers messages per chat with no gaps, and a second append
//!   with the same `client_id` in the same chat returns the stored message instead of a new one;
//! - the state update marks a chat `missed` when the visitor ends it and no agent ever
//!   answered it (`answered_at` is NULL), in the same conditional update;
//! - the state update keeps the chat's colleagues (`joined`) consistent in the same write: a
//!   chat back in the queue (`pending`) has none, and the agent who now holds an active chat
//!   is no longer one of them; an ended chat keeps them (they read it in history).

use crate::chat::ChatState;
use crate::departments::Department;
use crate::ids::*;
use crate::model::*;
use crate::tags::SiteTag;
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The outcome of appending a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub message: Message,
    /// True when a message with the same `client_id` was already stored (nothing new written).
    pub duplicate: bool,
}

/// A visitor's message for their open chat on a site, stored by
/// [`ChatStore::append_visitor_message`]. The author is the visitor, named as in the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorMessage {
    pub site: SiteId,
    pub visitor: VisitorId,
    pub kind: MessageKind,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: Timestamp,
    /// The file of a `file` message (stored in the same commit).
    pub file: Option<crate::files::NewFile>,
}

/// A visitor's message appended, with the chat it went to as read in the same write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub chat: Chat,
    pub appended: Appended,
}

/// A page load to record in one write: continue the visitor's latest visit if it was last
/// seen at most `visit_timeout_ms` before `visit.started_at` (the time of the load), else start
/// a new visit from `visit`; then add the page view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLoad {
    /// The visit to start if none continues (its `started_at` is the time of the load).
    pub visit: NewVisit,
    pub visit_timeout_ms: i64,
    pub url: String,
    pub title: String,
}

/// What recording a page load found out, read in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLoaded {
    /// The visit continued or started (its `last_seen` is the time of the load or later).
    pub visit: Visit,
    /// The visitor's open (pending or active) chat on the site, if any.
    pub open_chat: Option<Chat>,
}

#[async_trait]
pub trait SiteStore: Send + Sync {
    async fn create_site(&self, site: NewSite, now: Timestamp) -> StoreResult<Site>;
    async fn list_sites(&self) -> StoreResult<Vec<Site>>;
    async fn site(&self, id: SiteId) -> StoreResult<Site>;
    async fn site_by_key(&self, key: &SiteKey) -> StoreResult<Site>;
    async fn update_site(&self, site: &Site) -> StoreResult<()>;
}

#[async_trait]
pub trait AgentStore: Send + Sync {
    async fn create_agent(&self, agent: NewAgent, now: Timestamp) -> StoreResult<Agent>;
    async fn list_agents(&self) -> StoreResult<Vec<Agent>>;
    async fn agent(&self, id: AgentId) -> StoreResult<Agent>;
    /// The agent and their password hash, by email (case-insensitive).
    async fn agent_by_email(&self, email: &str) -> StoreResult<(Agent, String)>;
    async fn set_password(&self, id: AgentId, password_hash: &str) -> StoreResult<()>;
    async fn set_admin(&self, id: AgentId, is_admin: bool) -> StoreResult<()>;
    async fn set_name(&self, id: AgentId, name: &str) -> StoreResult<()>;
    async fn set_status(&self, id: AgentId, status: AgentStatus) -> StoreResult<()>;
    /// "Most chats at once": `None` is unlimited. The caller checked it is not 0.
    async fn set_max_chats(&self, id: AgentId, max_chats: Option<u32>) -> StoreResult<()>;
    /// The sites the agent belongs to, with whether they monitor each.
    async fn memberships(&self, id: AgentId) -> StoreResult<Vec<Membership>>;
    /// `None`: every site. `Some`: exactly these (monitoring kept where it was set).
    async fn set_sites(&self, id: AgentId, sites: Option<Vec<SiteId>>) -> StoreResult<()>;
    async fn set_monitoring(&self, id: AgentId, site: SiteId, monitoring: bool) -> StoreResult<()>;
    /// Marks the agent "Supervisor" of `site` or not, as [`AgentStore::set_monitoring`] does:
    /// an all-sites agent gets a membership row; a limited agent who is not a member of the
    /// site is `NotFound` (the role never adds a site).
    async fn set_supervisor(&self, id: AgentId, site: SiteId, supervisor: bool) -> StoreResult<()>;
    async fn delete_agent(&self, id: AgentId) -> StoreResult<()>;

    async fn create_session(&self, session: Session) -> StoreResult<()>;
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Session>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn delete_sessions_of(&self, agent: AgentId) -> StoreResult<()>;
}

#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Insert a new pending chat.
    async fn create_chat(&self, chat: NewChat) -> StoreResult<Chat>;
    async fn chat(&self, id: ChatId) -> StoreResult<Chat>;
    /// Compare-and-set: write `state` only if the chat's version is still `expected_version`.
    /// Returns the updated chat, or `Ok(None)` when the version moved on (someone else won).
    async fn update_chat_state(
        &self,
        id: ChatId,
        expected_version: i64,
        state: ChatState,
        now: Timestamp,
    ) -> StoreResult<Option<Chat>>;
    /// Open (pending or active) chats of these sites, oldest first.
    async fn open_chats(&self, sites: &[SiteId]) -> StoreResult<Vec<Chat>>;
    /// Pending chats of the site (its queue), oldest in the queue first.
    async fn waiting_chats(&self, site: SiteId) -> StoreResult<Vec<Chat>>;
    /// Active chats held by this agent.
    async fn chats_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>>;
    /// The visitor's open chat on the site, if any.
    async fn open_chat_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<Chat>>;
    /// The visitor's chats, newest first, at most `limit`.
    async fn chats_of_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Chat>>;
    async fn append_message(&self, message: NewMessage) -> StoreResult<Appended>;
    /// In one write: find the visitor's open (pending or active) chat on the site and append
    /// the message to it, as [`ChatStore::append_message`] does. `Ok(None)`, nothing written,
    /// when the visitor has no open chat (an ended chat is not open). The returned chat is
    /// the one the message went to, read in the same write (its owner decides the fan-out).
    async fn append_visitor_message(&self, message: VisitorMessage) -> StoreResult<Option<Posted>>;
    /// Messages with `seq > after`, in order, at most `limit`.
    async fn messages_after(
        &self,
        chat: ChatId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
}

/// Chats nobody answered: "Missed" chats and escalation of chats waiting too long.
#[async_trait]
pub trait UnansweredStore: Send + Sync {
    /// Conditional update: set `escalated_at = now` only if the chat is still pending and was
    /// never escalated. The updated chat, or `Ok(None)` when it was not (another node won, an
    /// agent answered, the visitor left). Does not change the chat's `version`.
    async fn escalate_chat(&self, id: ChatId, now: Timestamp) -> StoreResult<Option<Chat>>;
    /// Pending chats (every site) never escalated that entered the queue at or before
    /// `queued_before`, oldest first, at most `limit`.
    async fn unescalated_waiting_chats(
        &self,
        queued_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>>;
    /// The site's "Missed" chats that ended at or after `since`, newest first, at most `limit`.
    async fn missed_chats_since(
        &self,
        site: SiteId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Chat>>;
}

/// What automatic assignment and capacity need to know of one agent, read from storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub agent: AgentId,
    /// "Most chats at once"; `None` is unlimited.
    pub max_chats: Option<u32>,
    /// Active chats the agent holds.
    pub active_chats: u32,
    /// Pending chats offered to the agent whose offer still stands (`offer_expires_at > now`).
    pub offered_chats: u32,
    /// When the agent was last offered or given a chat.
    pub last_assigned_at: Option<Timestamp>,
}

/// Automatic assignment ("Assign automatically"): offers of pending chats to one agent at a
/// time, decided by conditional updates so that several nodes agree (issue 12).
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// Offer a pending chat to `offer.agent` until `offer.expires_at`, in ONE write, only if the
    /// chat is still pending at `expected_version` AND the agent's active chats plus the other
    /// standing offers to them (`offer_expires_at > now`) are below their `max_chats` (always,
    /// when unlimited). Bumps the version and sets the agent's `last_assigned_at = now`. The
    /// agent's row is locked for the check, so two writers cannot both fill an agent's last
    /// place. `Ok(None)`, nothing written, when either condition fails; `NotFound` when there
    /// is no such chat or agent.
    async fn offer_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
        offer: Offer,
        now: Timestamp,
    ) -> StoreResult<Option<Chat>>;
    /// Withdraw the offer of a pending chat at `expected_version` and store `passed` (the agents
    /// who let it pass), bumping the version. `Ok(None)` when the chat is no longer pending at
    /// that version; `NotFound` when there is no such chat.
    async fn end_offer(
        &self,
        chat: ChatId,
        expected_version: i64,
        passed: Vec<AgentId>,
    ) -> StoreResult<Option<Chat>>;
    /// Pending chats whose offer expired (`offer_expires_at <= now`), soonest expired first, at
    /// most `limit`.
    async fn expired_offers(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Chat>>;
    /// Pending chats offered to the agent (standing or expired).
    async fn offers_of_agent(&self, agent: AgentId) -> StoreResult<Vec<Chat>>;
    /// The load of each of `agents` that exists (in no particular order); standing offers are
    /// those with `offer_expires_at > now`.
    async fn agent_loads(&self, agents: &[AgentId], now: Timestamp) -> StoreResult<Vec<AgentLoad>>;
    /// The agent was given a chat (accepted it): they move to the back of the ties.
    async fn set_last_assigned_at(&self, agent: AgentId, now: Timestamp) -> StoreResult<()>;
}

#[async_trait]
pub trait CannedStore: Send + Sync {
    /// The site-wide responses of `site` plus `agent`'s own for that site.
    async fn canned_for(&self, site: SiteId, agent: AgentId) -> StoreResult<Vec<CannedResponse>>;
    async fn canned(&self, id: CannedId) -> StoreResult<CannedResponse>;
    /// `shortcut` as made by `canned::shortcut`. A shortcut already used among the site's
    /// site-wide responses (`agent` None) or among `agent`'s own on the site: `Conflict`.
    async fn create_canned(
        &self,
        site: SiteId,
        agent: Option<AgentId>,
        title: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> StoreResult<CannedResponse>;
    /// Replaces title, body and shortcut (`Conflict` as in `create_canned`).
    async fn update_canned(
        &self,
        id: CannedId,
        title: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> StoreResult<()>;
    async fn delete_canned(&self, id: CannedId) -> StoreResult<()>;
}

#[async_trait]
pub trait BlockStore: Send + Sync {
    async fn create_block(&self, block: NewBlock) -> StoreResult<Block>;
    /// A block in force at `now` for this visitor id or IP on the site.
    async fn active_block(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        ip: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Option<Block>>;
    async fn blocks_of_site(&self, site: SiteId, now: Timestamp) -> StoreResult<Vec<Block>>;
    async fn block(&self, id: BlockId) -> StoreResult<Block>;
    async fn lift_block(&self, id: BlockId) -> StoreResult<()>;
}

#[async_trait]
pub trait OfflineStore: Send + Sync {
    async fn create_offline_message(&self, msg: NewOfflineMessage) -> StoreResult<OfflineMessage>;
    async fn offline_messages(&self, site: SiteId, limit: u32) -> StoreResult<Vec<OfflineMessage>>;
}

/// Departments of a site, their agents, and a chat's department (issue 12).
#[async_trait]
pub trait DepartmentStore: Send + Sync {
    /// A name the site already has (whatever its case) is `Conflict`; an unknown site
    /// is `NotFound`. Names and prefixes come validated (`crate::departments`).
    async fn create_department(
        &self,
        site: SiteId,
        name: &str,
        url_prefixes: &[String],
        now: Timestamp,
    ) -> StoreResult<Department>;
    async fn department(&self, id: DepartmentId) -> StoreResult<Department>;
    /// The site's departments, by name (case-insensitive), then id.
    async fn departments_of_site(&self, site: SiteId) -> StoreResult<Vec<Department>>;
    /// A name another department of the site has is `Conflict`.
    async fn rename_department(&self, id: DepartmentId, name: &str) -> StoreResult<()>;
    async fn set_url_prefixes(&self, id: DepartmentId, url_prefixes: &[String]) -> StoreResult<()>;
    /// Removes the department and its memberships; chats keep their (now dangling) id.
    async fn delete_department(&self, id: DepartmentId) -> StoreResult<()>;
    /// Exactly these departments for the agent (an unknown one is `NotFound`, nothing changed).
    async fn set_agent_departments(
        &self,
        agent: AgentId,
        departments: &[DepartmentId],
    ) -> StoreResult<()>;
    /// The agent's departments, by id.
    async fn departments_of_agent(&self, agent: AgentId) -> StoreResult<Vec<DepartmentId>>;
    /// Exactly these agents in the department (an unknown one is `NotFound`, nothing changed).
    async fn set_department_agents(&self, id: DepartmentId, agents: &[AgentId]) -> StoreResult<()>;
    /// The department's agents, by id.
    async fn agents_of_department(&self, id: DepartmentId) -> StoreResult<Vec<AgentId>>;
    /// Compare-and-set: the chat's department, only if its version is still
    /// `expected_version` (the version is bumped). `Ok(None)` when the version moved on.
    async fn set_chat_department(
        &self,
        chat: ChatId,
        expected_version: i64,
        department: Option<DepartmentId>,
    ) -> StoreResult<Option<Chat>>;
}

/// A chat's tags and wrap-up note, and a site's tags (issue 13). Neither write changes the
/// chat's `version` (they are not state changes and race with none).
#[async_trait]
pub trait TagStore: Send + Sync {
    /// Replace the chat's tags with `tags` (checked by `crate::tags::check_tags`). The chat as
    /// stored after; `NotFound` when there is no such chat.
    async fn set_chat_tags(&self, chat: ChatId, tags: &[String]) -> StoreResult<Chat>;
    /// Set (or with `None` clear) the chat's wrap-up note. The chat as stored after;
    /// `NotFound` when there is no such chat.
    async fn set_wrap_up(&self, chat: ChatId, wrap_up: Option<&str>) -> StoreResult<Chat>;
    /// The distinct tags of the site's chats (tags that differ only in case are one, spelt
    /// as the smallest spelling by code point), most used first, then by tag (ignoring
    /// case), at most `limit`.
    async fn site_tags(&self, site: SiteId, limit: u32) -> StoreResult<Vec<SiteTag>>;
}

/// Colleagues in a chat (issue 13): each change is ONE conditional write, so that several
/// nodes agree (two joins cannot overfill a chat). Each bumps the chat's version. `Ok(None)`,
/// nothing written, when a condition fails; `NotFound` when there is no such chat.
#[async_trait]
pub trait ColleagueStore: Send + Sync {
    /// Append `agent` to `joined`, only if the chat is active, `agent` is neither its owner nor
    /// already joined, and fewer than `cap` agents joined.
    async fn join_chat(&self, chat: ChatId, agent: AgentId, cap: u32) -> StoreResult<Option<Chat>>;
    /// Remove `agent` from `joined`, only if the chat is active and they are in it.
    async fn leave_chat(&self, chat: ChatId, agent: AgentId) -> StoreResult<Option<Chat>>;
    /// The owner leaves ("Leave chat"): compare-and-set on `expected_version`, only if the chat
    /// is active and someone joined: the first who joined becomes the owner and leaves `joined`.
    async fn hand_over_chat(
        &self,
        chat: ChatId,
        expected_version: i64,
    ) -> StoreResult<Option<Chat>>;
}

#[async_trait]
pub trait SettingStore: Send + Sync {
    /// A server-wide secret (e.g. the visitor-token key), created with `init` if absent.
    async fn secret(&self, name: &str, init: Vec<u8>) -> StoreResult<Vec<u8>>;
    /// Damage found in the stored data while serving (the embedded store checks a large file
    /// in the background after start); `None` when none was found (yet). `/readyz` reports it.
    fn integrity_problem(&self) -> Option<String> {
        None
    }
}

mod archive;
mod files;
mod identity;
mod integrations;
mod privacy;
mod ratings;
mod reports;
mod unread;
mod visitors;
mod webhooks;

pub use archive::{ArchiveRows, ArchiveStore};
pub use files::{FileStore, StoredFile};
pub use identity::IdentityStore;
pub use integrations::IntegrationStore;
pub use privacy::PrivacyStore;
pub use ratings::{RatedChat, RatingStore};
pub use reports::{DirtyHour, OnlineSpan, ReportStore, SiteRange};
pub use unread::UnreadStore;
pub use visitors::VisitorStore;
pub use webhooks::WebhookStore;

/// Everything storage offers. Implemented by the SQLite and PostgreSQL stores.
pub trait Store:
    SiteStore
    + AgentStore
    + VisitorStore
    + ChatStore
    + UnansweredStore
    + RoutingStore
    + CannedStore
    + BlockStore
    + OfflineStore
    + DepartmentStore
    + TagStore
    + ColleagueStore
    + FileStore
    + RatingStore
    + ReportStore
    + UnreadStore
    + ArchiveStore
    + IntegrationStore
    + IdentityStore
    + WebhookStore
    + PrivacyStore
    + SettingStore
{
}

impl<T> Store for T where
    T: SiteStore
        + AgentStore
        + VisitorStore
        + ChatStore
        + UnansweredStore
        + RoutingStore
        + CannedStore
        + BlockStore
        + OfflineStore
        + DepartmentStore
        + TagStore
        + ColleagueStore
        + FileStore
        + RatingStore
        + ReportStore
        + UnreadStore
        + ArchiveStore
        + IntegrationStore
        + IdentityStore
        + WebhookStore
        + PrivacyStore
        + SettingStore
{
}

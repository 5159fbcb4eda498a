//! The audit log and API tokens (issue 18).

use crate::audit::{AuditEntry, AuditFilter, NewAuditEntry};
use crate::ids::{Timestamp, TokenId};
use crate::store::StoreResult;
use crate::tokens::{ApiToken, NewApiToken};
use async_trait::async_trait;

#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Appends an entry (the only write of the log besides [`IntegrationStore::prune_audit`]).
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Entries matching `filter`, newest (highest id) first, at most `filter.limit`.
    async fn audit_page(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
    /// Removes at most `limit` entries with `at < before`, oldest first; how many it removed.
    async fn prune_audit(&self, before: Timestamp, limit: u32) -> StoreResult<u64>;

    /// A token hash already stored is `Conflict`.
    async fn create_token(&self, token: NewApiToken) -> StoreResult<ApiToken>;
    /// Every token (revoked and expired ones too), newest first.
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>>;
    async fn token(&self, id: TokenId) -> StoreResult<ApiToken>;
    /// The token whose SHA-256 (hex) is `token_hash`; `NotFound` when none.
    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken>;
    /// Sets `revoked_at = now` unless already revoked (then nothing changes); `NotFound`
    /// when there is no such token.
    async fn revoke_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()>;
    /// Records a use: `last_used_at = max(last_used_at, now)`.
    async fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()>;
}

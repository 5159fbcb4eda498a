//! Verified visitor identity (issue 18, migration 0009): sites' identity secrets and each
//! visitor's identity.

use crate::identity::{IdentitySecrets, VisitorProfile};
use crate::ids::{SiteId, Timestamp, VisitorId};
use crate::store::StoreResult;
use async_trait::async_trait;

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// The site's secrets; `None` when it never made one.
    async fn identity_secrets(&self, site: SiteId) -> StoreResult<Option<IdentitySecrets>>;
    /// Makes `secret` the site's current one; the current one, if any, becomes the previous,
    /// valid while `now < previous_until`. (A previous one before it is forgotten.)
    async fn rotate_identity_secret(
        &self,
        site: SiteId,
        secret: &str,
        now: Timestamp,
        previous_until: Timestamp,
    ) -> StoreResult<()>;
    /// The visitor holding `external_id` verified on the site, if any.
    async fn visitor_of_identity(
        &self,
        site: SiteId,
        external_id: &str,
    ) -> StoreResult<Option<VisitorId>>;
    /// The identity stored on the visitor, if any.
    async fn visitor_profile(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<VisitorProfile>>;
    /// Stores `profile` on the visitor (who must exist), replacing what was there; a verified
    /// profile also sets the visitor's name and email (when given). `Conflict` when it is
    /// verified and another visitor of the site holds its external id verified.
    async fn save_visitor_profile(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        profile: &VisitorProfile,
        now: Timestamp,
    ) -> StoreResult<()>;
}

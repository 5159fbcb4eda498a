//! Verified visitor identity (migration 0009). The SQLite twin has the same queries.

use crate::map::{Db, bad, get};
use crate::{Params, PgStore};
use async_trait::async_trait;
use frontdesk_core::identity::{IdentitySecrets, VisitorProfile};
use frontdesk_core::ids::*;
use frontdesk_core::store::{IdentityStore, StoreResult};
use frontdesk_core::webhooks::{EventKind, identified_event};

#[async_trait]
impl IdentityStore for PgStore {
    async fn identity_secrets(&self, site: SiteId) -> StoreResult<Option<IdentitySecrets>> {
        let row = self
            .row(
                "SELECT secret, previous_secret, previous_until FROM identity_secrets \
                 WHERE site_id = $1",
                &[&site.0],
            )
            .await?;
        row.map(|r| {
            Ok(IdentitySecrets {
                current: get(&r, 0)?,
                previous: get(&r, 1)?,
                previous_until: get::<Option<i64>>(&r, 2)?.map(Timestamp),
            })
        })
        .transpose()
    }

    async fn rotate_identity_secret(
        &self,
        site: SiteId,
        secret: &str,
        now: Timestamp,
        previous_until: Timestamp,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO identity_secrets (site_id, secret, rotated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (site_id) DO UPDATE SET previous_secret = identity_secrets.secret, \
             previous_until = $4, secret = EXCLUDED.secret, rotated_at = EXCLUDED.rotated_at",
            &[&site.0, &secret, &now.0, &previous_until.0],
        )
        .await?;
        Ok(())
    }

    async fn visitor_of_identity(
        &self,
        site: SiteId,
        external_id: &str,
    ) -> StoreResult<Option<VisitorId>> {
        let row = self
            .row(
                "SELECT visitor_id FROM visitor_identities \
                 WHERE site_id = $1 AND external_id = $2 AND verified",
                &[&site.0, &external_id],
            )
            .await?;
        row.map(|r| get(&r, 0).map(VisitorId)).transpose()
    }

    async fn visitor_profile(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<VisitorProfile>> {
        let row = self
            .row(
                "SELECT external_id, verified, name, email, attributes::text \
                 FROM visitor_identities WHERE site_id = $1 AND visitor_id = $2",
                &[&site.0, &visitor.0],
            )
            .await?;
        row.map(|r| {
            let attributes: String = get(&r, 4)?;
            Ok(VisitorProfile {
                external_id: get(&r, 0)?,
                verified: get(&r, 1)?,
                name: get(&r, 2)?,
                email: get(&r, 3)?,
                attributes: serde_json::from_str(&attributes)
                    .map_err(|e| bad(format!("attributes: {e}")))?,
            })
        })
        .transpose()
    }

    async fn save_visitor_profile(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        p: &VisitorProfile,
        now: Timestamp,
    ) -> StoreResult<()> {
        let attributes =
            serde_json::to_string(&p.attributes).map_err(|e| bad(format!("attributes: {e}")))?;
        // One statement: the identity and (when verified) the visitor's name and email.
        const SAVE: &str = "WITH saved AS (INSERT INTO visitor_identities (site_id, visitor_id, \
             external_id, verified, name, email, attributes, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8) \
             ON CONFLICT (site_id, visitor_id) DO UPDATE SET \
             external_id = EXCLUDED.external_id, verified = EXCLUDED.verified, \
             name = EXCLUDED.name, email = EXCLUDED.email, \
             attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at RETURNING 1) \
             UPDATE visitors SET name = coalesce($5, name), email = coalesce($6, email) \
             WHERE site_id = $1 AND visitor_id = $2 AND $4 AND EXISTS (SELECT 1 FROM saved)";
        let params: Params<'_> = &[
            &site.0,
            &visitor.0,
            &p.external_id,
            &p.verified,
            &p.name,
            &p.email,
            &attributes,
            &now.0,
        ];
        let subs = self.subscriptions();
        if subs.targets(site, EventKind::VisitorIdentified).is_empty() {
            self.exec(SAVE, params).await?;
            return Ok(());
        }
        // A webhook wants `visitor.identified`: the identity as it was, the save and the
        // outbox row (when the identity is new or changed) in one transaction.
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let before = tx
            .query_opt(
                "SELECT external_id, verified, name, email, attributes::text \
                 FROM visitor_identities WHERE site_id = $1 AND visitor_id = $2 FOR UPDATE",
                &[&site.0, &visitor.0],
            )
            .await
            .db()?;
        let before = match before {
            Some(r) => {
                let attributes: String = get(&r, 4)?;
                Some(VisitorProfile {
                    external_id: get(&r, 0)?,
                    verified: get(&r, 1)?,
                    name: get(&r, 2)?,
                    email: get(&r, 3)?,
                    attributes: serde_json::from_str(&attributes)
                        .map_err(|e| bad(format!("attributes: {e}")))?,
                })
            }
            None => None,
        };
        let stmt = tx.prepare_cached(SAVE).await.db()?;
        tx.execute(&stmt, params).await.db()?;
        if before.as_ref() != Some(p) {
            crate::webhooks::emit(&tx, &subs, site, EventKind::VisitorIdentified, || {
                identified_event(site, visitor, p, now)
            })
            .await?;
        }
        crate::map::commit(tx).await?;
        subs.wake();
        Ok(())
    }
}

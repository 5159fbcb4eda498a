//! Verified visitor identity (migration 0009). The PostgreSQL twin has the same queries.

use crate::SqliteStore;
use crate::map::Db;
use async_trait::async_trait;
use frontdesk_core::identity::{IdentitySecrets, VisitorProfile};
use frontdesk_core::ids::*;
use frontdesk_core::store::{IdentityStore, StoreError, StoreResult};
use frontdesk_core::webhooks::{EventKind, identified_event};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn identity_secrets(&self, site: SiteId) -> StoreResult<Option<IdentitySecrets>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT secret, previous_secret, previous_until FROM identity_secrets \
                 WHERE site_id = ?1",
            )
            .db()?
            .query_row([site.0], |r| {
                Ok(IdentitySecrets {
                    current: r.get(0)?,
                    previous: r.get(1)?,
                    previous_until: r.get::<_, Option<i64>>(2)?.map(Timestamp),
                })
            })
            .optional()
            .db()
        })
        .await
    }

    async fn rotate_identity_secret(
        &self,
        site: SiteId,
        secret: &str,
        now: Timestamp,
        previous_until: Timestamp,
    ) -> StoreResult<()> {
        let secret = secret.to_owned();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO identity_secrets (site_id, secret, rotated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (site_id) DO UPDATE SET previous_secret = secret, \
                 previous_until = ?4, secret = excluded.secret, rotated_at = excluded.rotated_at",
            )
            .db()?
            .execute(params![site.0, secret, now.0, previous_until.0])
            .db()?;
            Ok(())
        })
        .await
    }

    async fn visitor_of_identity(
        &self,
        site: SiteId,
        external_id: &str,
    ) -> StoreResult<Option<VisitorId>> {
        let external_id = external_id.to_owned();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT visitor_id FROM visitor_identities \
                 WHERE site_id = ?1 AND external_id = ?2 AND verified = 1",
            )
            .db()?
            .query_row(params![site.0, external_id], |r| r.get(0).map(VisitorId))
            .optional()
            .db()
        })
        .await
    }

    async fn visitor_profile(
        &self,
        site: SiteId,
        visitor: &VisitorId,
    ) -> StoreResult<Option<VisitorProfile>> {
        let visitor = visitor.0.clone();
        let row = self
            .read(move |c| {
                c.prepare_cached(
                    "SELECT external_id, verified, name, email, attributes \
                     FROM visitor_identities WHERE site_id = ?1 AND visitor_id = ?2",
                )
                .db()?
                .query_row(params![site.0, visitor], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .optional()
                .db()
            })
            .await?;
        row.map(|(external_id, verified, name, email, attributes)| {
            Ok(VisitorProfile {
                external_id,
                verified,
                name,
                email,
                attributes: serde_json::from_str(&attributes)
                    .map_err(|e| StoreError::Unavailable(format!("attributes: {e}")))?,
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
        let visitor = visitor.0.clone();
        let p = p.clone();
        let attributes = serde_json::to_string(&p.attributes)
            .map_err(|e| StoreError::Unavailable(format!("attributes: {e}")))?;
        let visitor_id = VisitorId(visitor.clone());
        self.write_events(move |tx, subs| {
            // `visitor.identified` when the identity stored is new or changed.
            let before: Option<(String, bool, Option<String>, Option<String>, String)> = tx
                .prepare_cached(
                    "SELECT external_id, verified, name, email, attributes \
                     FROM visitor_identities WHERE site_id = ?1 AND visitor_id = ?2",
                )
                .db()?
                .query_row(params![site.0, visitor], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
                .db()?;
            let now_stored = (
                p.external_id.clone(),
                p.verified,
                p.name.clone(),
                p.email.clone(),
                attributes.clone(),
            );
            tx.prepare_cached(
                "INSERT INTO visitor_identities (site_id, visitor_id, external_id, verified, \
                 name, email, attributes, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (site_id, visitor_id) DO UPDATE SET \
                 external_id = excluded.external_id, verified = excluded.verified, \
                 name = excluded.name, email = excluded.email, \
                 attributes = excluded.attributes, updated_at = excluded.updated_at",
            )
            .db()?
            .execute(params![
                site.0,
                visitor,
                p.external_id,
                p.verified,
                p.name,
                p.email,
                attributes,
                now.0
            ])
            .db()?;
            if p.verified {
                tx.prepare_cached(
                    "UPDATE visitors SET name = coalesce(?3, name), email = coalesce(?4, email) \
                     WHERE site_id = ?1 AND visitor_id = ?2",
                )
                .db()?
                .execute(params![site.0, visitor, p.name, p.email])
                .db()?;
            }
            if before.as_ref() != Some(&now_stored) {
                crate::webhooks::emit(tx, subs, site, EventKind::VisitorIdentified, || {
                    identified_event(site, &visitor_id, &p, now)
                })?;
            }
            Ok(())
        })
        .await
    }
}

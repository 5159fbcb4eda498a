//! The audit log and API tokens (migration 0007). The SQLite twin has the same queries.

use crate::PgStore;
use crate::map::{all, bad, get};
use async_trait::async_trait;
use frontdesk_core::audit::{ActorKind, AuditAction, AuditEntry, AuditFilter, NewAuditEntry};
use frontdesk_core::ids::*;
use frontdesk_core::store::{IntegrationStore, StoreResult};
use frontdesk_core::tokens::{ApiToken, NewApiToken, scopes_from_text, scopes_text};
use tokio_postgres::Row;

macro_rules! audit_cols {
    () => {
        "id, at, actor_kind, actor_id, actor_name, action, target, site_id, ip, detail::text"
    };
}
macro_rules! token_cols {
    () => {
        "id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at, \
         sites::text"
    };
}

fn audit_row(r: &Row) -> StoreResult<AuditEntry> {
    let kind: String = get(r, 2)?;
    let action: String = get(r, 5)?;
    let detail: String = get(r, 9)?;
    Ok(AuditEntry {
        id: AuditId(get(r, 0)?),
        at: Timestamp(get(r, 1)?),
        actor_kind: ActorKind::parse(&kind).ok_or_else(|| bad(format!("actor_kind {kind}")))?,
        actor_id: get(r, 3)?,
        actor_name: get(r, 4)?,
        action: AuditAction::parse(&action).ok_or_else(|| bad(format!("action {action}")))?,
        target: get(r, 6)?,
        site_id: get::<Option<i64>>(r, 7)?.map(SiteId),
        ip: get(r, 8)?,
        detail: serde_json::from_str(&detail).map_err(|e| bad(format!("detail: {e}")))?,
    })
}

fn token_row(r: &Row) -> StoreResult<ApiToken> {
    let scopes: String = get(r, 2)?;
    let sites = match get::<Option<String>>(r, 8)? {
        Some(s) => Some(
            serde_json::from_str::<Vec<i64>>(&s)
                .map_err(|e| bad(format!("sites: {e}")))?
                .into_iter()
                .map(SiteId)
                .collect(),
        ),
        None => None,
    };
    Ok(ApiToken {
        id: TokenId(get(r, 0)?),
        name: get(r, 1)?,
        scopes: scopes_from_text(&scopes),
        created_by: AgentId(get(r, 3)?),
        created_at: Timestamp(get(r, 4)?),
        expires_at: get::<Option<i64>>(r, 5)?.map(Timestamp),
        last_used_at: get::<Option<i64>>(r, 6)?.map(Timestamp),
        revoked_at: get::<Option<i64>>(r, 7)?.map(Timestamp),
        sites,
    })
}

#[async_trait]
impl IntegrationStore for PgStore {
    async fn append_audit(&self, e: NewAuditEntry) -> StoreResult<AuditEntry> {
        let detail = e.detail.to_string();
        let row = self
            .one(
                concat!(
                    "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, \
                     target, site_id, ip, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) RETURNING ",
                    audit_cols!()
                ),
                &[
                    &e.at.0,
                    &e.actor_kind.as_str(),
                    &e.actor_id,
                    &e.actor_name,
                    &e.action.as_str(),
                    &e.target,
                    &e.site_id.map(|s| s.0),
                    &e.ip,
                    &detail,
                ],
            )
            .await?;
        audit_row(&row)
    }

    async fn audit_page(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    audit_cols!(),
                    " FROM audit_log \
                     WHERE ($1::text IS NULL OR action = $1) \
                     AND ($2::text IS NULL OR actor_kind = $2) \
                     AND ($3::bigint IS NULL OR actor_id = $3) \
                     AND ($4::bigint IS NULL OR site_id = $4) \
                     AND ($5::bigint IS NULL OR at >= $5) AND ($6::bigint IS NULL OR at < $6) \
                     AND ($7::bigint IS NULL OR id < $7) ORDER BY id DESC LIMIT $8"
                ),
                &[
                    &f.action.map(|a| a.as_str()),
                    &f.actor_kind.map(|k| k.as_str()),
                    &f.actor_id,
                    &f.site_id.map(|s| s.0),
                    &f.since.map(|t| t.0),
                    &f.until.map(|t| t.0),
                    &f.before.map(|b| b.0),
                    &i64::from(f.limit),
                ],
            )
            .await?;
        all(rows, audit_row)
    }

    async fn prune_audit(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.exec(
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 \
             ORDER BY at LIMIT $2)",
            &[&before.0, &i64::from(limit)],
        )
        .await
    }

    async fn create_token(&self, t: NewApiToken) -> StoreResult<ApiToken> {
        let sites = t
            .sites
            .as_ref()
            .map(|s| serde_json::to_string(&s.iter().map(|x| x.0).collect::<Vec<_>>()))
            .transpose()
            .map_err(|e| bad(format!("sites: {e}")))?;
        let row = self
            .one(
                concat!(
                    "INSERT INTO api_tokens (name, scopes, token_hash, created_by, created_at, \
                     expires_at, sites) VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb) \
                     RETURNING ",
                    token_cols!()
                ),
                &[
                    &t.name,
                    &scopes_text(&t.scopes),
                    &t.token_hash,
                    &t.created_by.0,
                    &t.created_at.0,
                    &t.expires_at.map(|e| e.0),
                    &sites,
                ],
            )
            .await?;
        token_row(&row)
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    token_cols!(),
                    " FROM api_tokens ORDER BY id DESC"
                ),
                &[],
            )
            .await?;
        all(rows, token_row)
    }

    async fn token(&self, id: TokenId) -> StoreResult<ApiToken> {
        let row = self
            .one(
                concat!("SELECT ", token_cols!(), " FROM api_tokens WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        token_row(&row)
    }

    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        let row = self
            .one(
                concat!(
                    "SELECT ",
                    token_cols!(),
                    " FROM api_tokens WHERE token_hash = $1"
                ),
                &[&token_hash],
            )
            .await?;
        token_row(&row)
    }

    async fn revoke_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()> {
        self.exec_one(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
            &[&id.0, &now.0],
        )
        .await
    }

    async fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()> {
        self.exec(
            "UPDATE api_tokens SET last_used_at = greatest(last_used_at, $2) WHERE id = $1",
            &[&id.0, &now.0],
        )
        .await
        .map(|_| ())
    }
}

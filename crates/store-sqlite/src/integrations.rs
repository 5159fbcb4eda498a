//! The audit log and API tokens (migration 0007).

use crate::SqliteStore;
use crate::map::{Db, all, changed, json_ids};
use async_trait::async_trait;
use frontdesk_core::audit::{ActorKind, AuditAction, AuditEntry, AuditFilter, NewAuditEntry};
use frontdesk_core::ids::*;
use frontdesk_core::store::{IntegrationStore, StoreResult};
use frontdesk_core::tokens::{ApiToken, NewApiToken, scopes_from_text, scopes_text};
use rusqlite::types::Type;
use rusqlite::{Error, Row, params};

const AUDIT_COLS: &str =
    "id, at, actor_kind, actor_id, actor_name, action, target, site_id, ip, detail";
const TOKEN_COLS: &str = "id, name, scopes, created_by, created_at, expires_at, last_used_at, \
                          revoked_at, sites";

fn bad(col: usize, what: String) -> Error {
    Error::FromSqlConversionFailure(col, Type::Text, what.into())
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let kind: String = r.get(2)?;
    let action: String = r.get(5)?;
    let detail: String = r.get(9)?;
    Ok(AuditEntry {
        id: AuditId(r.get(0)?),
        at: Timestamp(r.get(1)?),
        actor_kind: ActorKind::parse(&kind).ok_or_else(|| bad(2, kind.clone()))?,
        actor_id: r.get(3)?,
        actor_name: r.get(4)?,
        action: AuditAction::parse(&action).ok_or_else(|| bad(5, action.clone()))?,
        target: r.get(6)?,
        site_id: r.get::<_, Option<i64>>(7)?.map(SiteId),
        ip: r.get(8)?,
        detail: serde_json::from_str(&detail).map_err(|e| bad(9, e.to_string()))?,
    })
}

fn token_row(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    let scopes: String = r.get(2)?;
    let sites: Option<String> = r.get(8)?;
    let sites = match sites {
        Some(s) => Some(
            serde_json::from_str::<Vec<i64>>(&s)
                .map_err(|e| bad(8, e.to_string()))?
                .into_iter()
                .map(SiteId)
                .collect(),
        ),
        None => None,
    };
    Ok(ApiToken {
        id: TokenId(r.get(0)?),
        name: r.get(1)?,
        scopes: scopes_from_text(&scopes),
        created_by: AgentId(r.get(3)?),
        created_at: Timestamp(r.get(4)?),
        expires_at: r.get::<_, Option<i64>>(5)?.map(Timestamp),
        last_used_at: r.get::<_, Option<i64>>(6)?.map(Timestamp),
        revoked_at: r.get::<_, Option<i64>>(7)?.map(Timestamp),
        sites,
    })
}

#[async_trait]
impl IntegrationStore for SqliteStore {
    async fn append_audit(&self, e: NewAuditEntry) -> StoreResult<AuditEntry> {
        let detail = e.detail.to_string();
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, \
                 site_id, ip, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 RETURNING {AUDIT_COLS}"
            ))
            .db()?
            .query_row(
                params![
                    e.at.0,
                    e.actor_kind.as_str(),
                    e.actor_id,
                    e.actor_name,
                    e.action.as_str(),
                    e.target,
                    e.site_id.map(|s| s.0),
                    e.ip,
                    detail
                ],
                audit_row,
            )
            .db()
        })
        .await
    }

    async fn audit_page(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let f = f.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {AUDIT_COLS} FROM audit_log \
                     WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR actor_kind = ?2) \
                     AND (?3 IS NULL OR actor_id = ?3) AND (?4 IS NULL OR site_id = ?4) \
                     AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6) \
                     AND (?7 IS NULL OR id < ?7) ORDER BY id DESC LIMIT ?8"
                ))
                .db()?;
            all(stmt
                .query_map(
                    params![
                        f.action.map(|a| a.as_str()),
                        f.actor_kind.map(|k| k.as_str()),
                        f.actor_id,
                        f.site_id.map(|s| s.0),
                        f.since.map(|t| t.0),
                        f.until.map(|t| t.0),
                        f.before.map(|b| b.0),
                        f.limit
                    ],
                    audit_row,
                )
                .db()?)
        })
        .await
    }

    async fn prune_audit(&self, before: Timestamp, limit: u32) -> StoreResult<u64> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log \
                     WHERE at < ?1 ORDER BY at LIMIT ?2)",
                )
                .db()?
                .execute(params![before.0, limit])
                .db()?;
            Ok(n as u64)
        })
        .await
    }

    async fn create_token(&self, t: NewApiToken) -> StoreResult<ApiToken> {
        let sites = t.sites.as_ref().map(|s| json_ids(s.iter().map(|x| x.0)));
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO api_tokens (name, scopes, token_hash, created_by, created_at, \
                 expires_at, sites) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {TOKEN_COLS}"
            ))
            .db()?
            .query_row(
                params![
                    t.name,
                    scopes_text(&t.scopes),
                    t.token_hash,
                    t.created_by.0,
                    t.created_at.0,
                    t.expires_at.map(|e| e.0),
                    sites
                ],
                token_row,
            )
            .db()
        })
        .await
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLS} FROM api_tokens ORDER BY id DESC"
                ))
                .db()?;
            all(stmt.query_map([], token_row).db()?)
        })
        .await
    }

    async fn token(&self, id: TokenId) -> StoreResult<ApiToken> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], token_row)
            .db()
        })
        .await
    }

    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        let hash = token_hash.to_owned();
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = ?1"
            ))
            .db()?
            .query_row([hash], token_row)
            .db()
        })
        .await
    }

    async fn revoke_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                )
                .db()?
                .execute(params![id.0, now.0])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE api_tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2) \
                 WHERE id = ?1",
            )
            .db()?
            .execute(params![id.0, now.0])
            .db()?;
            Ok(())
        })
        .await
    }
}

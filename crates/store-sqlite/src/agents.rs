//! Agents, their site memberships, and their sessions.

use crate::SqliteStore;
use crate::map::{Db, agent_cols, agent_row, all, changed, json_ids};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{AgentStore, StoreError, StoreResult};
use rusqlite::{Connection, params};

pub(crate) const AGENT_BY_EMAIL: &str = concat!(
    "SELECT ",
    agent_cols!(),
    ", password_hash FROM agents WHERE email = ?1"
);
pub(crate) const MEMBERSHIPS_ALL: &str = "SELECT s.id, coalesce(m.monitoring, 1), coalesce(m.supervisor, 0) FROM sites s \
                 LEFT JOIN agent_sites m ON m.agent_id = ?1 AND m.site_id = s.id ORDER BY s.id";
pub(crate) const MEMBERSHIPS_SOME: &str =
    "SELECT site_id, monitoring, supervisor FROM agent_sites WHERE agent_id = ?1 ORDER BY site_id";
pub(crate) const SESSION: &str = "SELECT token_hash, agent_id, created_at, expires_at FROM sessions \
                 WHERE token_hash = ?1 AND expires_at > ?2";

/// Whether the agent belongs to every site; `NotFound` if there is no such agent.
fn all_sites(c: &Connection, id: AgentId) -> StoreResult<bool> {
    c.prepare_cached("SELECT all_sites FROM agents WHERE id = ?1")
        .db()?
        .query_row([id.0], |r| r.get(0))
        .db()
}

/// Makes the agent a member of exactly `sites` (keeping monitoring where a row exists).
fn replace_sites(c: &Connection, id: AgentId, sites: &[SiteId]) -> StoreResult<()> {
    let ids = json_ids(sites.iter().map(|s| s.0));
    c.prepare_cached(
        "DELETE FROM agent_sites WHERE agent_id = ?1 \
         AND site_id NOT IN (SELECT value FROM json_each(?2))",
    )
    .db()?
    .execute(params![id.0, ids])
    .db()?;
    c.prepare_cached(
        "INSERT INTO agent_sites (agent_id, site_id, monitoring) \
         SELECT ?1, value, 1 FROM json_each(?2) WHERE true \
         ON CONFLICT (agent_id, site_id) DO NOTHING",
    )
    .db()?
    .execute(params![id.0, ids])
    .db()?;
    Ok(())
}

impl SqliteStore {
    /// `UPDATE agents SET <column> = ?2 WHERE id = ?1`; `NotFound` for an unknown agent.
    async fn set_agent_column(
        &self,
        sql: &'static str,
        id: AgentId,
        value: rusqlite::types::Value,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached(sql)
                .db()?
                .execute(params![id.0, value])
                .db()?;
            changed(n)
        })
        .await
    }
}

#[async_trait]
impl AgentStore for SqliteStore {
    /// A duplicate email (case-insensitive) is `Conflict("email")`; an unknown site in
    /// `agent.sites` is `NotFound`. New agents start `online`.
    async fn create_agent(&self, agent: NewAgent, now: Timestamp) -> StoreResult<Agent> {
        self.write(move |tx| {
            let created = tx
                .prepare_cached(concat!(
                    "INSERT INTO agents (email, name, password_hash, is_admin, status, \
                     all_sites, created_at) VALUES (?1, ?2, ?3, ?4, 'online', ?5, ?6) RETURNING ",
                    agent_cols!()
                ))
                .db()?
                .query_row(
                    params![
                        agent.email,
                        agent.name,
                        agent.password_hash,
                        agent.is_admin,
                        agent.sites.is_none(),
                        now.0
                    ],
                    agent_row,
                )
                .map_err(|e| match crate::map::store_error(e) {
                    StoreError::Conflict(_) => StoreError::Conflict("email".into()),
                    other => other,
                })?;
            if let Some(sites) = &agent.sites {
                replace_sites(tx, created.id, sites)?;
            }
            Ok(created)
        })
        .await
    }

    async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(concat!(
                    "SELECT ",
                    agent_cols!(),
                    " FROM agents ORDER BY id"
                ))
                .db()?;
            all(stmt.query_map([], agent_row).db()?)
        })
        .await
    }

    async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                agent_cols!(),
                " FROM agents WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], agent_row)
            .db()
        })
        .await
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<(Agent, String)> {
        let email = email.to_owned();
        self.read(move |c| {
            c.prepare_cached(AGENT_BY_EMAIL)
                .db()?
                .query_row([email], |r| Ok((agent_row(r)?, r.get(7)?)))
                .db()
        })
        .await
    }

    async fn set_password(&self, id: AgentId, password_hash: &str) -> StoreResult<()> {
        let sql = "UPDATE agents SET password_hash = ?2 WHERE id = ?1";
        self.set_agent_column(sql, id, password_hash.to_owned().into())
            .await
    }

    async fn set_admin(&self, id: AgentId, is_admin: bool) -> StoreResult<()> {
        let sql = "UPDATE agents SET is_admin = ?2 WHERE id = ?1";
        self.set_agent_column(sql, id, i64::from(is_admin).into())
            .await
    }

    async fn set_name(&self, id: AgentId, name: &str) -> StoreResult<()> {
        let sql = "UPDATE agents SET name = ?2 WHERE id = ?1";
        self.set_agent_column(sql, id, name.to_owned().into()).await
    }

    async fn set_status(&self, id: AgentId, status: AgentStatus) -> StoreResult<()> {
        let sql = "UPDATE agents SET status = ?2 WHERE id = ?1";
        self.set_agent_column(sql, id, status.as_str().to_owned().into())
            .await
    }

    async fn set_max_chats(&self, id: AgentId, max_chats: Option<u32>) -> StoreResult<()> {
        let sql = "UPDATE agents SET max_chats = ?2 WHERE id = ?1";
        let value = match max_chats {
            Some(n) => rusqlite::types::Value::Integer(i64::from(n)),
            None => rusqlite::types::Value::Null,
        };
        self.set_agent_column(sql, id, value).await
    }

    /// All-sites agents: every site, monitoring from their row if any (else true).
    /// Others: their rows. Ordered by site id.
    async fn memberships(&self, id: AgentId) -> StoreResult<Vec<Membership>> {
        self.read(move |c| {
            let tx = c.unchecked_transaction().db()?;
            let sql = if all_sites(&tx, id)? {
                MEMBERSHIPS_ALL
            } else {
                MEMBERSHIPS_SOME
            };
            let mut stmt = tx.prepare_cached(sql).db()?;
            let rows = stmt
                .query_map([id.0], |r| {
                    Ok(Membership {
                        site_id: SiteId(r.get(0)?),
                        monitoring: r.get(1)?,
                        supervisor: r.get(2)?,
                    })
                })
                .db()?;
            all(rows)
        })
        .await
    }

    /// `None`: every site (membership rows are kept: they remember monitoring choices).
    /// `Some`: exactly these sites; an unknown site is `NotFound`.
    async fn set_sites(&self, id: AgentId, sites: Option<Vec<SiteId>>) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE agents SET all_sites = ?2 WHERE id = ?1")
                .db()?
                .execute(params![id.0, sites.is_none()])
                .db()?;
            changed(n)?;
            match &sites {
                Some(sites) => replace_sites(tx, id, sites),
                None => Ok(()),
            }
        })
        .await
    }

    /// Upserts the membership row of an all-sites agent. For an agent limited to some
    /// sites, only an existing membership is changed (`NotFound` if the agent is not a
    /// member): monitoring must not add a site the admin did not grant.
    async fn set_monitoring(&self, id: AgentId, site: SiteId, monitoring: bool) -> StoreResult<()> {
        self.write(move |tx| {
            if all_sites(tx, id)? {
                tx.prepare_cached(
                    "INSERT INTO agent_sites (agent_id, site_id, monitoring) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (agent_id, site_id) DO UPDATE SET monitoring = excluded.monitoring",
                )
                .db()?
                .execute(params![id.0, site.0, monitoring])
                .db()
                .map(|_| ())
            } else {
                let n = tx
                    .prepare_cached(
                        "UPDATE agent_sites SET monitoring = ?3 WHERE agent_id = ?1 AND site_id = ?2",
                    )
                    .db()?
                    .execute(params![id.0, site.0, monitoring])
                    .db()?;
                changed(n)
            }
        })
        .await
    }

    /// Like `set_monitoring`: upserts an all-sites agent's row; a limited agent's role
    /// changes only where they are a member (`NotFound` otherwise).
    async fn set_supervisor(&self, id: AgentId, site: SiteId, supervisor: bool) -> StoreResult<()> {
        self.write(move |tx| {
            if all_sites(tx, id)? {
                tx.prepare_cached(
                    "INSERT INTO agent_sites (agent_id, site_id, monitoring, supervisor) \
                     VALUES (?1, ?2, 1, ?3) \
                     ON CONFLICT (agent_id, site_id) DO UPDATE SET supervisor = excluded.supervisor",
                )
                .db()?
                .execute(params![id.0, site.0, supervisor])
                .db()
                .map(|_| ())
            } else {
                let n = tx
                    .prepare_cached(
                        "UPDATE agent_sites SET supervisor = ?3 WHERE agent_id = ?1 AND site_id = ?2",
                    )
                    .db()?
                    .execute(params![id.0, site.0, supervisor])
                    .db()?;
                changed(n)
            }
        })
        .await
    }

    /// Removes the agent with their memberships, sessions and own canned responses.
    /// Chats, messages and blocks keep the agent's id.
    async fn delete_agent(&self, id: AgentId) -> StoreResult<()> {
        self.write(move |tx| {
            changed(
                tx.prepare_cached("DELETE FROM agents WHERE id = ?1")
                    .db()?
                    .execute([id.0])
                    .db()?,
            )
        })
        .await
    }

    /// A token hash already stored is `Conflict`; an unknown agent is `NotFound`.
    async fn create_session(&self, session: Session) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .db()?
            .execute(params![
                session.token_hash,
                session.agent_id.0,
                session.created_at.0,
                session.expires_at.0
            ])
            .db()
            .map(|_| ())
        })
        .await
    }

    /// `NotFound` when missing or expired (`expires_at <= now`).
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Session> {
        let token_hash = token_hash.to_owned();
        self.read(move |c| {
            c.prepare_cached(SESSION)
                .db()?
                .query_row(params![token_hash, now.0], |r| {
                    Ok(Session {
                        token_hash: r.get(0)?,
                        agent_id: AgentId(r.get(1)?),
                        created_at: Timestamp(r.get(2)?),
                        expires_at: Timestamp(r.get(3)?),
                    })
                })
                .db()
        })
        .await
    }

    /// Succeeds whether or not the session existed (signing out twice is fine).
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
                .db()?
                .execute([token_hash])
                .db()
                .map(|_| ())
        })
        .await
    }

    async fn delete_sessions_of(&self, agent: AgentId) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE agent_id = ?1")
                .db()?
                .execute([agent.0])
                .db()
                .map(|_| ())
        })
        .await
    }
}

//! Agents, their site memberships, and their sessions.

use crate::PgStore;
use crate::map::{Db, agent_cols, agent_row, all, get};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{AgentStore, StoreError, StoreResult};

const MEMBERSHIPS_ALL: &str = "SELECT s.id, coalesce(m.monitoring, true), coalesce(m.supervisor, false) FROM sites s \
     LEFT JOIN agent_sites m ON m.agent_id = $1 AND m.site_id = s.id ORDER BY s.id";
const MEMBERSHIPS_SOME: &str =
    "SELECT site_id, monitoring, supervisor FROM agent_sites WHERE agent_id = $1 ORDER BY site_id";

/// Makes the agent a member of exactly `sites` (keeping monitoring where a row exists).
/// An unknown site is `NotFound` (and the caller's transaction is then rolled back).
async fn replace_sites(tx: &Transaction<'_>, id: AgentId, sites: &[SiteId]) -> StoreResult<()> {
    let ids: Vec<i64> = sites.iter().map(|s| s.0).collect();
    let delete = tx
        .prepare_cached("DELETE FROM agent_sites WHERE agent_id = $1 AND NOT (site_id = ANY($2))")
        .await
        .db()?;
    tx.execute(&delete, &[&id.0, &ids]).await.db()?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO agent_sites (agent_id, site_id, monitoring) \
             SELECT DISTINCT $1::bigint, unnest($2::bigint[]), true \
             ON CONFLICT (agent_id, site_id) DO NOTHING",
        )
        .await
        .db()?;
    tx.execute(&insert, &[&id.0, &ids]).await.db()?;
    Ok(())
}

/// Whether the agent belongs to every site; `NotFound` if there is no such agent.
async fn all_sites(tx: &Transaction<'_>, id: AgentId) -> StoreResult<bool> {
    let stmt = tx
        .prepare_cached("SELECT all_sites FROM agents WHERE id = $1")
        .await
        .db()?;
    let row = tx.query_opt(&stmt, &[&id.0]).await.db()?;
    get(&row.ok_or(StoreError::NotFound)?, 0)
}

#[async_trait]
impl AgentStore for PgStore {
    /// A duplicate email (case-insensitive) is `Conflict("email")`; an unknown site in
    /// `agent.sites` is `NotFound`. New agents start `online`.
    async fn create_agent(&self, agent: NewAgent, now: Timestamp) -> StoreResult<Agent> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let stmt = tx
            .prepare_cached(concat!(
                "INSERT INTO agents (email, name, password_hash, is_admin, status, \
                 all_sites, created_at) VALUES ($1, $2, $3, $4, 'online', $5, $6) RETURNING ",
                agent_cols!()
            ))
            .await
            .db()?;
        let row = tx
            .query_one(
                &stmt,
                &[
                    &agent.email,
                    &agent.name,
                    &agent.password_hash,
                    &agent.is_admin,
                    &agent.sites.is_none(),
                    &now.0,
                ],
            )
            .await
            .db()
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::Conflict("email".into()),
                other => other,
            })?;
        let created = agent_row(&row)?;
        if let Some(sites) = &agent.sites {
            replace_sites(&tx, created.id, sites).await?;
        }
        crate::map::commit(tx).await?;
        Ok(created)
    }

    async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
        let rows = self
            .rows(
                concat!("SELECT ", agent_cols!(), " FROM agents ORDER BY id"),
                &[],
            )
            .await?;
        all(rows, agent_row)
    }

    async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
        let row = self
            .one(
                concat!("SELECT ", agent_cols!(), " FROM agents WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        agent_row(&row)
    }

    async fn agent_by_email(&self, email: &str) -> StoreResult<(Agent, String)> {
        let row = self
            .one(
                concat!(
                    "SELECT ",
                    agent_cols!(),
                    ", password_hash FROM agents WHERE lower(email) = lower($1)"
                ),
                &[&email],
            )
            .await?;
        Ok((agent_row(&row)?, get(&row, 7)?))
    }

    async fn set_password(&self, id: AgentId, password_hash: &str) -> StoreResult<()> {
        self.exec_one(
            "UPDATE agents SET password_hash = $2 WHERE id = $1",
            &[&id.0, &password_hash],
        )
        .await
    }

    async fn set_admin(&self, id: AgentId, is_admin: bool) -> StoreResult<()> {
        self.exec_one(
            "UPDATE agents SET is_admin = $2 WHERE id = $1",
            &[&id.0, &is_admin],
        )
        .await
    }

    async fn set_name(&self, id: AgentId, name: &str) -> StoreResult<()> {
        self.exec_one("UPDATE agents SET name = $2 WHERE id = $1", &[&id.0, &name])
            .await
    }

    async fn set_max_chats(&self, id: AgentId, max_chats: Option<u32>) -> StoreResult<()> {
        let max_chats = max_chats.map(i64::from);
        self.exec_one(
            "UPDATE agents SET max_chats = $2 WHERE id = $1",
            &[&id.0, &max_chats],
        )
        .await
    }

    async fn set_status(&self, id: AgentId, status: AgentStatus) -> StoreResult<()> {
        self.exec_one(
            "UPDATE agents SET status = $2 WHERE id = $1",
            &[&id.0, &status.as_str()],
        )
        .await
    }

    /// All-sites agents: every site, monitoring from their row if any (else true).
    /// Others: their rows. Ordered by site id.
    async fn memberships(&self, id: AgentId) -> StoreResult<Vec<Membership>> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .start()
            .await
            .db()?;
        let sql = if all_sites(&tx, id).await? {
            MEMBERSHIPS_ALL
        } else {
            MEMBERSHIPS_SOME
        };
        let stmt = tx.prepare_cached(sql).await.db()?;
        let rows = tx.query(&stmt, &[&id.0]).await.db()?;
        crate::map::commit(tx).await?;
        all(rows, |r| {
            Ok(Membership {
                site_id: SiteId(get(r, 0)?),
                monitoring: get(r, 1)?,
                supervisor: get(r, 2)?,
            })
        })
    }

    /// `None`: every site (membership rows are kept: they remember monitoring choices).
    /// `Some`: exactly these sites; an unknown site is `NotFound`.
    async fn set_sites(&self, id: AgentId, sites: Option<Vec<SiteId>>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let stmt = tx
            .prepare_cached("UPDATE agents SET all_sites = $2 WHERE id = $1")
            .await
            .db()?;
        let n = tx.execute(&stmt, &[&id.0, &sites.is_none()]).await.db()?;
        crate::map::changed(n)?;
        if let Some(sites) = &sites {
            replace_sites(&tx, id, sites).await?;
        }
        crate::map::commit(tx).await
    }

    /// Upserts the membership row of an all-sites agent. For an agent limited to some
    /// sites, only an existing membership is changed (`NotFound` if the agent is not a
    /// member): monitoring must not add a site the admin did not grant.
    async fn set_monitoring(&self, id: AgentId, site: SiteId, monitoring: bool) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let n = if all_sites(&tx, id).await? {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO agent_sites (agent_id, site_id, monitoring) VALUES ($1, $2, $3) \
                     ON CONFLICT (agent_id, site_id) DO UPDATE SET monitoring = excluded.monitoring",
                )
                .await
                .db()?;
            tx.execute(&stmt, &[&id.0, &site.0, &monitoring])
                .await
                .db()?
        } else {
            let stmt = tx
                .prepare_cached(
                    "UPDATE agent_sites SET monitoring = $3 WHERE agent_id = $1 AND site_id = $2",
                )
                .await
                .db()?;
            tx.execute(&stmt, &[&id.0, &site.0, &monitoring])
                .await
                .db()?
        };
        crate::map::changed(n)?;
        crate::map::commit(tx).await
    }

    /// Like `set_monitoring`: upserts an all-sites agent's row; a limited agent's role
    /// changes only where they are a member (`NotFound` otherwise).
    async fn set_supervisor(&self, id: AgentId, site: SiteId, supervisor: bool) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let n = if all_sites(&tx, id).await? {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO agent_sites (agent_id, site_id, monitoring, supervisor) \
                     VALUES ($1, $2, true, $3) \
                     ON CONFLICT (agent_id, site_id) DO UPDATE SET supervisor = excluded.supervisor",
                )
                .await
                .db()?;
            tx.execute(&stmt, &[&id.0, &site.0, &supervisor])
                .await
                .db()?
        } else {
            let stmt = tx
                .prepare_cached(
                    "UPDATE agent_sites SET supervisor = $3 WHERE agent_id = $1 AND site_id = $2",
                )
                .await
                .db()?;
            tx.execute(&stmt, &[&id.0, &site.0, &supervisor])
                .await
                .db()?
        };
        crate::map::changed(n)?;
        crate::map::commit(tx).await
    }

    /// Removes the agent with their memberships, sessions and own canned responses.
    /// Chats, messages and blocks keep the agent's id.
    async fn delete_agent(&self, id: AgentId) -> StoreResult<()> {
        self.exec_one("DELETE FROM agents WHERE id = $1", &[&id.0])
            .await
    }

    /// A token hash already stored is `Conflict`; an unknown agent is `NotFound`.
    async fn create_session(&self, session: Session) -> StoreResult<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
            &[
                &session.token_hash,
                &session.agent_id.0,
                &session.created_at.0,
                &session.expires_at.0,
            ],
        )
        .await
        .map(|_| ())
    }

    /// `NotFound` when missing or expired (`expires_at <= now`).
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Session> {
        let row = self
            .one(
                "SELECT token_hash, agent_id, created_at, expires_at FROM sessions \
                 WHERE token_hash = $1 AND expires_at > $2",
                &[&token_hash, &now.0],
            )
            .await?;
        Ok(Session {
            token_hash: get(&row, 0)?,
            agent_id: AgentId(get(&row, 1)?),
            created_at: Timestamp(get(&row, 2)?),
            expires_at: Timestamp(get(&row, 3)?),
        })
    }

    /// Succeeds whether or not the session existed (signing out twice is fine).
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
            .await
            .map(|_| ())
    }

    async fn delete_sessions_of(&self, agent: AgentId) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE agent_id = $1", &[&agent.0])
            .await
            .map(|_| ())
    }
}

//! Departments of a site, their agents, and a chat's department.

use crate::SqliteStore;
use crate::map::{Db, all, changed, chat_cas, chat_cols, chat_row, json_ids};
use async_trait::async_trait;
use frontdesk_core::departments::Department;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{DepartmentStore, StoreError, StoreResult};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};

const COLS: &str = "id, site_id, name, url_prefixes, created_at";

fn department_row(r: &Row<'_>) -> rusqlite::Result<Department> {
    let prefixes: String = r.get(3)?;
    Ok(Department {
        id: DepartmentId(r.get(0)?),
        site_id: SiteId(r.get(1)?),
        name: r.get(2)?,
        url_prefixes: serde_json::from_str(&prefixes)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, Type::Text, Box::new(e)))?,
        created_at: Timestamp(r.get(4)?),
    })
}

fn prefixes_json(prefixes: &[String]) -> StoreResult<String> {
    serde_json::to_string(prefixes).map_err(|e| StoreError::Unavailable(e.to_string()))
}

#[async_trait]
impl DepartmentStore for SqliteStore {
    async fn create_department(
        &self,
        site: SiteId,
        name: &str,
        url_prefixes: &[String],
        now: Timestamp,
    ) -> StoreResult<Department> {
        let (name, prefixes) = (name.to_owned(), prefixes_json(url_prefixes)?);
        self.write(move |tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO departments (site_id, name, url_prefixes, created_at) \
                 VALUES (?1, ?2, ?3, ?4) RETURNING {COLS}"
            ))
            .db()?
            .query_row(params![site.0, name, prefixes, now.0], department_row)
            .db()
        })
        .await
    }

    async fn department(&self, id: DepartmentId) -> StoreResult<Department> {
        self.read(move |c| {
            c.prepare_cached(&format!("SELECT {COLS} FROM departments WHERE id = ?1"))
                .db()?
                .query_row([id.0], department_row)
                .db()
        })
        .await
    }

    async fn departments_of_site(&self, site: SiteId) -> StoreResult<Vec<Department>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {COLS} FROM departments WHERE site_id = ?1 ORDER BY name, id"
                ))
                .db()?;
            all(stmt.query_map([site.0], department_row).db()?)
        })
        .await
    }

    async fn rename_department(&self, id: DepartmentId, name: &str) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE departments SET name = ?2 WHERE id = ?1")
                .db()?
                .execute(params![id.0, name])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn set_url_prefixes(&self, id: DepartmentId, url_prefixes: &[String]) -> StoreResult<()> {
        let prefixes = prefixes_json(url_prefixes)?;
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE departments SET url_prefixes = ?2 WHERE id = ?1")
                .db()?
                .execute(params![id.0, prefixes])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn delete_department(&self, id: DepartmentId) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("DELETE FROM departments WHERE id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn set_agent_departments(
        &self,
        agent: AgentId,
        departments: &[DepartmentId],
    ) -> StoreResult<()> {
        let ids = json_ids(departments.iter().map(|d| d.0));
        self.write(move |tx| {
            tx.prepare_cached("SELECT 1 FROM agents WHERE id = ?1")
                .db()?
                .query_row([agent.0], |_| Ok(()))
                .db()?;
            tx.prepare_cached("DELETE FROM agent_departments WHERE agent_id = ?1")
                .db()?
                .execute([agent.0])
                .db()?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO agent_departments (agent_id, department_id) \
                 SELECT ?1, value FROM json_each(?2)",
            )
            .db()?
            .execute(params![agent.0, ids])
            .db()?;
            Ok(())
        })
        .await
    }

    async fn departments_of_agent(&self, agent: AgentId) -> StoreResult<Vec<DepartmentId>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT department_id FROM agent_departments WHERE agent_id = ?1 \
                     ORDER BY department_id",
                )
                .db()?;
            all(stmt
                .query_map([agent.0], |r| r.get(0).map(DepartmentId))
                .db()?)
        })
        .await
    }

    async fn set_department_agents(&self, id: DepartmentId, agents: &[AgentId]) -> StoreResult<()> {
        let ids = json_ids(agents.iter().map(|a| a.0));
        self.write(move |tx| {
            tx.prepare_cached("SELECT 1 FROM departments WHERE id = ?1")
                .db()?
                .query_row([id.0], |_| Ok(()))
                .db()?;
            tx.prepare_cached("DELETE FROM agent_departments WHERE department_id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO agent_departments (agent_id, department_id) \
                 SELECT value, ?1 FROM json_each(?2)",
            )
            .db()?
            .execute(params![id.0, ids])
            .db()?;
            Ok(())
        })
        .await
    }

    async fn agents_of_department(&self, id: DepartmentId) -> StoreResult<Vec<AgentId>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT agent_id FROM agent_departments WHERE department_id = ?1 \
                     ORDER BY agent_id",
                )
                .db()?;
            all(stmt.query_map([id.0], |r| r.get(0).map(AgentId)).db()?)
        })
        .await
    }

    async fn set_chat_department(
        &self,
        chat: ChatId,
        expected_version: i64,
        department: Option<DepartmentId>,
    ) -> StoreResult<Option<Chat>> {
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(concat!(
                    "UPDATE chats SET department_id = ?3, version = version + 1 \
                     WHERE id = ?1 AND version = ?2 RETURNING ",
                    chat_cols!()
                ))
                .db()?
                .query_row(
                    params![chat.0, expected_version, department.map(|d| d.0)],
                    chat_row,
                )
                .optional()
                .db()?;
            chat_cas(tx, chat, updated)
        })
        .await
    }
}

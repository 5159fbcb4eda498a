//! Departments of a site, their agents, and a chat's department.

use crate::PgStore;
use crate::map::{Db, all, bad, chat_cols, get};
use async_trait::async_trait;
use frontdesk_core::departments::Department;
use frontdesk_core::ids::*;
use frontdesk_core::model::Chat;
use frontdesk_core::store::{DepartmentStore, StoreError, StoreResult};
use tokio_postgres::Row;

macro_rules! cols {
    () => {
        "id, site_id, name, url_prefixes::text, created_at"
    };
}

fn department_row(r: &Row) -> StoreResult<Department> {
    let prefixes: String = get(r, 3)?;
    Ok(Department {
        id: DepartmentId(get(r, 0)?),
        site_id: SiteId(get(r, 1)?),
        name: get(r, 2)?,
        url_prefixes: serde_json::from_str(&prefixes)
            .map_err(|e| bad(format!("url_prefixes: {e}")))?,
        created_at: Timestamp(get(r, 4)?),
    })
}

fn prefixes_json(prefixes: &[String]) -> StoreResult<String> {
    serde_json::to_string(prefixes).map_err(|e| StoreError::Unavailable(e.to_string()))
}

#[async_trait]
impl DepartmentStore for PgStore {
    async fn create_department(
        &self,
        site: SiteId,
        name: &str,
        url_prefixes: &[String],
        now: Timestamp,
    ) -> StoreResult<Department> {
        let prefixes = prefixes_json(url_prefixes)?;
        let row = self
            .one(
                concat!(
                    "INSERT INTO departments (site_id, name, url_prefixes, created_at) \
                     VALUES ($1, $2, $3::text::jsonb, $4) RETURNING ",
                    cols!()
                ),
                &[&site.0, &name, &prefixes, &now.0],
            )
            .await?;
        department_row(&row)
    }

    async fn department(&self, id: DepartmentId) -> StoreResult<Department> {
        let row = self
            .one(
                concat!("SELECT ", cols!(), " FROM departments WHERE id = $1"),
                &[&id.0],
            )
            .await?;
        department_row(&row)
    }

    async fn departments_of_site(&self, site: SiteId) -> StoreResult<Vec<Department>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    cols!(),
                    " FROM departments WHERE site_id = $1 ORDER BY lower(name), id"
                ),
                &[&site.0],
            )
            .await?;
        all(rows, department_row)
    }

    async fn rename_department(&self, id: DepartmentId, name: &str) -> StoreResult<()> {
        self.exec_one(
            "UPDATE departments SET name = $2 WHERE id = $1",
            &[&id.0, &name],
        )
        .await
    }

    async fn set_url_prefixes(&self, id: DepartmentId, url_prefixes: &[String]) -> StoreResult<()> {
        let prefixes = prefixes_json(url_prefixes)?;
        self.exec_one(
            "UPDATE departments SET url_prefixes = $2::text::jsonb WHERE id = $1",
            &[&id.0, &prefixes],
        )
        .await
    }

    async fn delete_department(&self, id: DepartmentId) -> StoreResult<()> {
        self.exec_one("DELETE FROM departments WHERE id = $1", &[&id.0])
            .await
    }

    async fn set_agent_departments(
        &self,
        agent: AgentId,
        departments: &[DepartmentId],
    ) -> StoreResult<()> {
        let ids: Vec<i64> = departments.iter().map(|d| d.0).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let n = tx
            .execute("SELECT 1 FROM agents WHERE id = $1", &[&agent.0])
            .await
            .db()?;
        crate::map::changed(n)?;
        tx.execute(
            "DELETE FROM agent_departments WHERE agent_id = $1",
            &[&agent.0],
        )
        .await
        .db()?;
        tx.execute(
            "INSERT INTO agent_departments (agent_id, department_id) \
             SELECT $1, d FROM unnest($2::bigint[]) AS d ON CONFLICT DO NOTHING",
            &[&agent.0, &ids],
        )
        .await
        .db()?;
        crate::map::commit(tx).await
    }

    async fn departments_of_agent(&self, agent: AgentId) -> StoreResult<Vec<DepartmentId>> {
        let rows = self
            .rows(
                "SELECT department_id FROM agent_departments WHERE agent_id = $1 \
                 ORDER BY department_id",
                &[&agent.0],
            )
            .await?;
        rows.iter().map(|r| get(r, 0).map(DepartmentId)).collect()
    }

    async fn set_department_agents(&self, id: DepartmentId, agents: &[AgentId]) -> StoreResult<()> {
        let ids: Vec<i64> = agents.iter().map(|a| a.0).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let n = tx
            .execute("SELECT 1 FROM departments WHERE id = $1", &[&id.0])
            .await
            .db()?;
        crate::map::changed(n)?;
        tx.execute(
            "DELETE FROM agent_departments WHERE department_id = $1",
            &[&id.0],
        )
        .await
        .db()?;
        tx.execute(
            "INSERT INTO agent_departments (agent_id, department_id) \
             SELECT a, $1 FROM unnest($2::bigint[]) AS a ON CONFLICT DO NOTHING",
            &[&id.0, &ids],
        )
        .await
        .db()?;
        crate::map::commit(tx).await
    }

    async fn agents_of_department(&self, id: DepartmentId) -> StoreResult<Vec<AgentId>> {
        let rows = self
            .rows(
                "SELECT agent_id FROM agent_departments WHERE department_id = $1 \
                 ORDER BY agent_id",
                &[&id.0],
            )
            .await?;
        rows.iter().map(|r| get(r, 0).map(AgentId)).collect()
    }

    async fn set_chat_department(
        &self,
        chat: ChatId,
        expected_version: i64,
        department: Option<DepartmentId>,
    ) -> StoreResult<Option<Chat>> {
        let updated = self
            .row(
                concat!(
                    "UPDATE chats SET department_id = $3, version = version + 1 \
                     WHERE id = $1 AND version = $2 RETURNING ",
                    chat_cols!()
                ),
                &[&chat.0, &expected_version, &department.map(|d| d.0)],
            )
            .await?;
        self.chat_cas(chat, updated).await
    }
}

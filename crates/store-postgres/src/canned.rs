//! Canned responses: site-wide ones and an agent's own.

use crate::PgStore;
use crate::map::{all, canned_cols, canned_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{CannedStore, StoreResult};

#[async_trait]
impl CannedStore for PgStore {
    /// Site-wide ones and the agent's own, by title (case-insensitive), then id.
    async fn canned_for(&self, site: SiteId, agent: AgentId) -> StoreResult<Vec<CannedResponse>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    canned_cols!(),
                    " FROM canned_responses WHERE site_id = $1 \
                     AND (agent_id IS NULL OR agent_id = $2) ORDER BY lower(title), id"
                ),
                &[&site.0, &agent.0],
            )
            .await?;
        all(rows, canned_row)
    }

    async fn canned(&self, id: CannedId) -> StoreResult<CannedResponse> {
        let row = self
            .one(
                concat!(
                    "SELECT ",
                    canned_cols!(),
                    " FROM canned_responses WHERE id = $1"
                ),
                &[&id.0],
            )
            .await?;
        canned_row(&row)
    }

    /// An unknown site or agent is `NotFound`.
    async fn create_canned(
        &self,
        site: SiteId,
        agent: Option<AgentId>,
        title: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> StoreResult<CannedResponse> {
        let row = self
            .one(
                concat!(
                    "INSERT INTO canned_responses (site_id, agent_id, title, body, shortcut) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING ",
                    canned_cols!()
                ),
                &[&site.0, &agent.map(|a| a.0), &title, &body, &shortcut],
            )
            .await?;
        canned_row(&row)
    }

    async fn update_canned(
        &self,
        id: CannedId,
        title: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> StoreResult<()> {
        self.exec_one(
            "UPDATE canned_responses SET title = $2, body = $3, shortcut = $4 WHERE id = $1",
            &[&id.0, &title, &body, &shortcut],
        )
        .await
    }

    async fn delete_canned(&self, id: CannedId) -> StoreResult<()> {
        self.exec_one("DELETE FROM canned_responses WHERE id = $1", &[&id.0])
            .await
    }
}

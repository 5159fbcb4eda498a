//! Canned responses.

use crate::SqliteStore;
use crate::map::{Db, all, canned_cols, canned_row, changed};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{CannedStore, StoreResult};
use rusqlite::params;

pub(crate) const CANNED_FOR: &str = concat!(
    "SELECT ",
    canned_cols!(),
    " FROM canned_responses WHERE site_id = ?1 \
                     AND (agent_id IS NULL OR agent_id = ?2) ORDER BY title COLLATE NOCASE, id"
);

#[async_trait]
impl CannedStore for SqliteStore {
    /// Site-wide ones and the agent's own, by title (case-insensitive), then id.
    async fn canned_for(&self, site: SiteId, agent: AgentId) -> StoreResult<Vec<CannedResponse>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(CANNED_FOR).db()?;
            all(stmt.query_map(params![site.0, agent.0], canned_row).db()?)
        })
        .await
    }

    async fn canned(&self, id: CannedId) -> StoreResult<CannedResponse> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                canned_cols!(),
                " FROM canned_responses WHERE id = ?1"
            ))
            .db()?
            .query_row([id.0], canned_row)
            .db()
        })
        .await
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
        let (title, body) = (title.to_owned(), body.to_owned());
        let shortcut = shortcut.map(str::to_owned);
        self.write(move |tx| {
            tx.prepare_cached(concat!(
                "INSERT INTO canned_responses (site_id, agent_id, title, body, shortcut) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING ",
                canned_cols!()
            ))
            .db()?
            .query_row(
                params![site.0, agent.map(|a| a.0), title, body, shortcut],
                canned_row,
            )
            .db()
        })
        .await
    }

    async fn update_canned(
        &self,
        id: CannedId,
        title: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> StoreResult<()> {
        let (title, body) = (title.to_owned(), body.to_owned());
        let shortcut = shortcut.map(str::to_owned);
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE canned_responses SET title = ?2, body = ?3, shortcut = ?4 WHERE id = ?1")
                .db()?
                .execute(params![id.0, title, body, shortcut])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn delete_canned(&self, id: CannedId) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("DELETE FROM canned_responses WHERE id = ?1")
                .db()?
                .execute([id.0])
                .db()?;
            changed(n)
        })
        .await
    }
}

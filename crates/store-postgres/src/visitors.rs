//! Visitors, their visits and page views.

use crate::PgStore;
use crate::map::{
    Db, all, chat_cols, chat_row, get, visit_cols, visit_row, visitor_cols, visitor_row,
};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{PageLoad, PageLoaded, StoreError, StoreResult, VisitorStore};

const TOUCH_VISITOR: &str = concat!(
    "INSERT INTO visitors AS v (site_id, visitor_id, first_seen, last_seen) \
     VALUES ($1, $2, $3, $3) ON CONFLICT (site_id, visitor_id) \
     DO UPDATE SET last_seen = greatest(v.last_seen, excluded.last_seen) \
     RETURNING ",
    visitor_cols!()
);
const LATEST_VISIT: &str = concat!(
    "SELECT ",
    visit_cols!(),
    " FROM visits WHERE site_id = $1 AND visitor_id = $2 \
     ORDER BY started_at DESC, id DESC LIMIT 1"
);
const CREATE_VISIT: &str = concat!(
    "INSERT INTO visits (site_id, visitor_id, ip, user_agent, browser, os, \
     referrer, country, country_code, region, city, started_at, last_seen, language) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING ",
    visit_cols!()
);
const TOUCH_VISIT: &str = "UPDATE visits SET last_seen = greatest(last_seen, $2) WHERE id = $1";
/// A page load at `$3` continues the visitor's latest visit when it was last seen at most `$4`
/// ms before: touched, and returned as it is now, in one statement (one round trip). No row:
/// start a visit.
const CONTINUE_VISIT: &str = concat!(
    "UPDATE visits SET last_seen = greatest(last_seen, $3) \
     WHERE id = (SELECT id FROM visits WHERE site_id = $1 AND visitor_id = $2 \
                 ORDER BY started_at DESC, id DESC LIMIT 1) \
       AND $3 - last_seen <= $4 \
     RETURNING ",
    visit_cols!()
);
const ADD_PAGE_VIEW: &str =
    "INSERT INTO page_views (visit_id, url, title, viewed_at) VALUES ($1, $2, $3, $4)";
const OPEN_CHAT_OF_VISITOR: &str = concat!(
    "SELECT ",
    chat_cols!(),
    " FROM chats WHERE site_id = $1 AND visitor_id = $2 \
     AND state IN ('pending', 'active') ORDER BY created_at DESC, id DESC LIMIT 1"
);

/// One page load inside `tx`: the latest visit continued (touched) or a new one, the page
/// view, the open chat.
async fn page_load(tx: &Transaction<'_>, load: &PageLoad) -> StoreResult<PageLoaded> {
    let v = &load.visit;
    let now = v.started_at;
    let stmt = tx.prepare_cached(CONTINUE_VISIT).await.db()?;
    let continued = tx
        .query_opt(
            &stmt,
            &[
                &v.site_id.0,
                &v.visitor_id.0,
                &now.0,
                &load.visit_timeout_ms,
            ],
        )
        .await
        .db()?
        .as_ref()
        .map(visit_row)
        .transpose()?;
    let visit = match continued {
        Some(visit) => visit,
        None => {
            let l = &v.location;
            let stmt = tx.prepare_cached(CREATE_VISIT).await.db()?;
            let row = tx
                .query_one(
                    &stmt,
                    &[
                        &v.site_id.0,
                        &v.visitor_id.0,
                        &v.ip,
                        &v.user_agent,
                        &v.browser,
                        &v.os,
                        &v.referrer,
                        &l.country,
                        &l.country_code,
                        &l.region,
                        &l.city,
                        &now.0,
                        &v.language,
                    ],
                )
                .await
                .db()?;
            visit_row(&row)?
        }
    };
    let stmt = tx.prepare_cached(ADD_PAGE_VIEW).await.db()?;
    tx.execute(&stmt, &[&visit.id.0, &load.url, &load.title, &now.0])
        .await
        .db()?;
    let stmt = tx.prepare_cached(OPEN_CHAT_OF_VISITOR).await.db()?;
    let open_chat = tx
        .query_opt(&stmt, &[&v.site_id.0, &v.visitor_id.0])
        .await
        .db()?
        .as_ref()
        .map(chat_row)
        .transpose()?;
    Ok(PageLoaded { visit, open_chat })
}

fn no_row() -> StoreError {
    StoreError::NotFound
}

#[async_trait]
impl VisitorStore for PgStore {
    /// Upsert: a new visitor gets `first_seen = last_seen = now`; a known one gets
    /// `last_seen = max(last_seen, now)`. An unknown site is `NotFound`.
    async fn touch_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        now: Timestamp,
    ) -> StoreResult<Visitor> {
        let row = self
            .one(TOUCH_VISITOR, &[&site.0, &visitor.0, &now.0])
            .await?;
        visitor_row(&row)
    }

    async fn visitor(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Visitor> {
        let row = self
            .one(
                concat!(
                    "SELECT ",
                    visitor_cols!(),
                    " FROM visitors WHERE site_id = $1 AND visitor_id = $2"
                ),
                &[&site.0, &visitor.0],
            )
            .await?;
        visitor_row(&row)
    }

    /// Sets the fields given; a `None` leaves that field as it was. `NotFound` for an
    /// unknown visitor.
    async fn set_visitor_identity(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        name: Option<&str>,
        email: Option<&str>,
    ) -> StoreResult<()> {
        self.exec_one(
            "UPDATE visitors SET name = coalesce($3, name), email = coalesce($4, email) \
             WHERE site_id = $1 AND visitor_id = $2",
            &[&site.0, &visitor.0, &name, &email],
        )
        .await
    }

    async fn latest_visit(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Option<Visit>> {
        let row = self.row(LATEST_VISIT, &[&site.0, &visitor.0]).await?;
        row.as_ref().map(visit_row).transpose()
    }

    /// Starts a visit (`last_seen = started_at`). An unknown site is `NotFound`.
    async fn create_visit(&self, visit: NewVisit) -> StoreResult<Visit> {
        let l = &visit.location;
        let row = self
            .one(
                CREATE_VISIT,
                &[
                    &visit.site_id.0,
                    &visit.visitor_id.0,
                    &visit.ip,
                    &visit.user_agent,
                    &visit.browser,
                    &visit.os,
                    &visit.referrer,
                    &l.country,
                    &l.country_code,
                    &l.region,
                    &l.city,
                    &visit.started_at.0,
                    &visit.language,
                ],
            )
            .await?;
        visit_row(&row)
    }

    /// `last_seen = max(last_seen, now)`.
    async fn touch_visit(&self, visit: VisitId, now: Timestamp) -> StoreResult<()> {
        self.exec_one(TOUCH_VISIT, &[&visit.0, &now.0]).await
    }

    async fn visit(&self, visit: VisitId) -> StoreResult<Visit> {
        let row = self
            .one(
                concat!("SELECT ", visit_cols!(), " FROM visits WHERE id = $1"),
                &[&visit.0],
            )
            .await?;
        visit_row(&row)
    }

    /// An unknown visit is `NotFound`.
    async fn add_page_view(&self, view: PageView) -> StoreResult<()> {
        self.exec(
            ADD_PAGE_VIEW,
            &[&view.visit_id.0, &view.url, &view.title, &view.viewed_at.0],
        )
        .await
        .map(|_| ())
    }

    /// In the order they were viewed.
    async fn page_views(&self, visit: VisitId) -> StoreResult<Vec<PageView>> {
        let rows = self
            .rows(
                "SELECT visit_id, url, title, viewed_at FROM page_views WHERE visit_id = $1 \
                 ORDER BY viewed_at, id",
                &[&visit.0],
            )
            .await?;
        all(rows, |r| {
            Ok(PageView {
                visit_id: VisitId(get(r, 0)?),
                url: get(r, 1)?,
                title: get(r, 2)?,
                viewed_at: Timestamp(get(r, 3)?),
            })
        })
    }

    async fn count_page_views(&self, visit: VisitId) -> StoreResult<u64> {
        let row = self
            .one(
                "SELECT COUNT(*) FROM page_views WHERE visit_id = $1",
                &[&visit.0],
            )
            .await?;
        let n: i64 = get(&row, 0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The visitor is created if new (an unknown site is `NotFound`).
    async fn visitor_hello(&self, load: PageLoad) -> StoreResult<(Visitor, PageLoaded)> {
        let v = &load.visit;
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let stmt = tx.prepare_cached(TOUCH_VISITOR).await.db()?;
        let row = tx
            .query_opt(&stmt, &[&v.site_id.0, &v.visitor_id.0, &v.started_at.0])
            .await
            .db()?
            .ok_or_else(no_row)?;
        let visitor = visitor_row(&row)?;
        let loaded = page_load(&tx, &load).await?;
        crate::map::commit(tx).await?;
        Ok((visitor, loaded))
    }

    /// An unknown site is `NotFound`.
    async fn record_page_load(&self, load: PageLoad) -> StoreResult<PageLoaded> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let loaded = page_load(&tx, &load).await?;
        crate::map::commit(tx).await?;
        Ok(loaded)
    }

    async fn visits_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        let rows = self
            .rows(
                concat!(
                    "SELECT ",
                    visit_cols!(),
                    " FROM visits WHERE site_id = $1 AND visitor_id = $2 \
                     ORDER BY started_at DESC, id DESC LIMIT $3"
                ),
                &[&site.0, &visitor.0, &i64::from(limit)],
            )
            .await?;
        all(rows, visit_row)
    }

    async fn mark_auto_invitation(&self, visit: VisitId, rule_name: &str) -> StoreResult<bool> {
        let n = self
            .exec(
                "UPDATE visits SET auto_invitation = $2 WHERE id = $1 \
                 AND auto_invitation IS NULL AND NOT invitation_dismissed",
                &[&visit.0, &rule_name],
            )
            .await?;
        if n > 0 {
            return Ok(true);
        }
        self.one("SELECT 1 FROM visits WHERE id = $1", &[&visit.0])
            .await
            .map(|_| false)
    }

    async fn mark_invitation_dismissed(&self, visit: VisitId) -> StoreResult<()> {
        self.exec_one(
            "UPDATE visits SET invitation_dismissed = TRUE WHERE id = $1",
            &[&visit.0],
        )
        .await
    }
}

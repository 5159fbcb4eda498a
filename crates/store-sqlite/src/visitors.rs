//! Visitors, their visits and page views.

use crate::SqliteStore;
use crate::chats::OPEN_CHAT_OF_VISITOR;
use crate::map::{Db, all, changed, chat_row, visit_cols, visit_row, visitor_cols, visitor_row};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::{PageLoad, PageLoaded, StoreResult, VisitorStore};
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) const LATEST_VISIT: &str = concat!(
    "SELECT ",
    visit_cols!(),
    " FROM visits WHERE site_id = ?1 AND visitor_id = ?2 \
                 ORDER BY started_at DESC, id DESC LIMIT 1"
);
pub(crate) const PAGE_VIEWS: &str = "SELECT visit_id, url, title, viewed_at FROM page_views WHERE visit_id = ?1 \
                     ORDER BY viewed_at, rowid";
pub(crate) const VISITS_OF: &str = concat!(
    "SELECT ",
    visit_cols!(),
    " FROM visits WHERE site_id = ?1 AND visitor_id = ?2 \
                     ORDER BY started_at DESC, id DESC LIMIT ?3"
);
pub(crate) const TOUCH_VISITOR: &str = concat!(
    "INSERT INTO visitors (site_id, visitor_id, first_seen, last_seen) \
                 VALUES (?1, ?2, ?3, ?3) ON CONFLICT (site_id, visitor_id) \
                 DO UPDATE SET last_seen = max(last_seen, excluded.last_seen) RETURNING ",
    visitor_cols!()
);

const CREATE_VISIT: &str = concat!(
    "INSERT INTO visits (site_id, visitor_id, ip, user_agent, browser, os, referrer, \
     country, country_code, region, city, started_at, last_seen, language) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) RETURNING ",
    visit_cols!()
);
const TOUCH_VISIT: &str = "UPDATE visits SET last_seen = max(last_seen, ?2) WHERE id = ?1";
pub(crate) const ADD_PAGE_VIEW: &str =
    "INSERT INTO page_views (visit_id, url, title, viewed_at) VALUES (?1, ?2, ?3, ?4)";
/// A page load at `?3` continues the visitor's latest visit when it was last seen at most `?4`
/// ms before: touched, and returned as it is now, in one statement. No row: start a visit.
pub(crate) const CONTINUE_VISIT: &str = concat!(
    "UPDATE visits SET last_seen = max(last_seen, ?3) \
     WHERE id = (SELECT id FROM visits WHERE site_id = ?1 AND visitor_id = ?2 \
                 ORDER BY started_at DESC, id DESC LIMIT 1) \
       AND ?3 - last_seen <= ?4 \
     RETURNING ",
    visit_cols!()
);

fn create_visit(c: &Connection, visit: &NewVisit) -> StoreResult<Visit> {
    let l = &visit.location;
    c.prepare_cached(CREATE_VISIT)
        .db()?
        .query_row(
            params![
                visit.site_id.0,
                visit.visitor_id.0,
                visit.ip,
                visit.user_agent,
                visit.browser,
                visit.os,
                visit.referrer,
                l.country,
                l.country_code,
                l.region,
                l.city,
                visit.started_at.0,
                visit.language
            ],
            visit_row,
        )
        .db()
}

fn touch_visitor(
    c: &Connection,
    site: SiteId,
    visitor: &str,
    now: Timestamp,
) -> StoreResult<Visitor> {
    c.prepare_cached(TOUCH_VISITOR)
        .db()?
        .query_row(params![site.0, visitor, now.0], visitor_row)
        .db()
}

/// The visit a page load belongs to, inside the writer's transaction: the latest one,
/// continued (touched), unless it has been idle longer than the visit timeout; else a new one.
pub(crate) fn continue_or_start(c: &Connection, load: &PageLoad) -> StoreResult<Visit> {
    let v = &load.visit;
    let continued = c
        .prepare_cached(CONTINUE_VISIT)
        .db()?
        .query_row(
            params![
                v.site_id.0,
                v.visitor_id.0,
                v.started_at.0,
                load.visit_timeout_ms
            ],
            visit_row,
        )
        .optional()
        .db()?;
    match continued {
        Some(visit) => Ok(visit),
        None => create_visit(c, v),
    }
}

/// The visitor's open (pending or active) chat on the site, if any.
pub(crate) fn open_chat(c: &Connection, load: &PageLoad) -> StoreResult<Option<Chat>> {
    let v = &load.visit;
    c.prepare_cached(OPEN_CHAT_OF_VISITOR)
        .db()?
        .query_row(params![v.site_id.0, v.visitor_id.0], chat_row)
        .optional()
        .db()
}

/// One page load, inside the writer's transaction: the visit continued or started, the page
/// view, and the open chat (all on the write connection: no other thread involved). Page
/// views of `record_page_load` take the batched path (`page_loads.rs`) unless it fails.
pub(crate) fn page_load(c: &Connection, load: &PageLoad) -> StoreResult<PageLoaded> {
    let visit = continue_or_start(c, load)?;
    c.prepare_cached(ADD_PAGE_VIEW)
        .db()?
        .execute(params![
            visit.id.0,
            load.url,
            load.title,
            load.visit.started_at.0
        ])
        .db()?;
    let open_chat = open_chat(c, load)?;
    Ok(PageLoaded { visit, open_chat })
}

#[async_trait]
impl VisitorStore for SqliteStore {
    /// Upsert: a new visitor gets `first_seen = last_seen = now`; a known one gets
    /// `last_seen = max(last_seen, now)`. An unknown site is `NotFound`.
    async fn touch_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        now: Timestamp,
    ) -> StoreResult<Visitor> {
        let visitor = visitor.0.clone();
        self.write(move |tx| touch_visitor(tx, site, &visitor, now))
            .await
    }

    async fn visitor(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Visitor> {
        let visitor = visitor.0.clone();
        self.read_point(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                visitor_cols!(),
                " FROM visitors WHERE site_id = ?1 AND visitor_id = ?2"
            ))
            .db()?
            .query_row(params![site.0, visitor], visitor_row)
            .db()
        })
        .await
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
        let visitor = visitor.0.clone();
        let name = name.map(str::to_owned);
        let email = email.map(str::to_owned);
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE visitors SET name = coalesce(?3, name), email = coalesce(?4, email) \
                     WHERE site_id = ?1 AND visitor_id = ?2",
                )
                .db()?
                .execute(params![site.0, visitor, name, email])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn latest_visit(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Option<Visit>> {
        let visitor = visitor.0.clone();
        self.read(move |c| {
            c.prepare_cached(LATEST_VISIT)
                .db()?
                .query_row(params![site.0, visitor], visit_row)
                .optional()
                .db()
        })
        .await
    }

    /// Starts a visit (`last_seen = started_at`). An unknown site is `NotFound`.
    async fn create_visit(&self, visit: NewVisit) -> StoreResult<Visit> {
        self.write(move |tx| create_visit(tx, &visit)).await
    }

    /// `last_seen = max(last_seen, now)`.
    async fn touch_visit(&self, visit: VisitId, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached(TOUCH_VISIT)
                .db()?
                .execute(params![visit.0, now.0])
                .db()?;
            changed(n)
        })
        .await
    }

    async fn visit(&self, visit: VisitId) -> StoreResult<Visit> {
        self.read(move |c| {
            c.prepare_cached(concat!(
                "SELECT ",
                visit_cols!(),
                " FROM visits WHERE id = ?1"
            ))
            .db()?
            .query_row([visit.0], visit_row)
            .db()
        })
        .await
    }

    /// An unknown visit is `NotFound`.
    async fn add_page_view(&self, view: PageView) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached(ADD_PAGE_VIEW)
                .db()?
                .execute(params![
                    view.visit_id.0,
                    view.url,
                    view.title,
                    view.viewed_at.0
                ])
                .db()
                .map(|_| ())
        })
        .await
    }

    /// In the order they were viewed.
    async fn page_views(&self, visit: VisitId) -> StoreResult<Vec<PageView>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(PAGE_VIEWS).db()?;
            let rows = stmt
                .query_map([visit.0], |r| {
                    Ok(PageView {
                        visit_id: VisitId(r.get(0)?),
                        url: r.get(1)?,
                        title: r.get(2)?,
                        viewed_at: Timestamp(r.get(3)?),
                    })
                })
                .db()?;
            all(rows)
        })
        .await
    }

    async fn count_page_views(&self, visit: VisitId) -> StoreResult<u64> {
        self.read(move |c| {
            c.prepare_cached("SELECT COUNT(*) FROM page_views WHERE visit_id = ?1")
                .db()?
                .query_row([visit.0], |r| r.get::<_, i64>(0))
                .db()
                .map(|n| u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    /// The visitor is created if new (an unknown site is `NotFound`).
    async fn visitor_hello(&self, load: PageLoad) -> StoreResult<(Visitor, PageLoaded)> {
        self.write(move |tx| {
            let v = &load.visit;
            let visitor = touch_visitor(tx, v.site_id, &v.visitor_id.0, v.started_at)?;
            Ok((visitor, page_load(tx, &load)?))
        })
        .await
    }

    /// An unknown site is `NotFound`. Batched with the other page loads of the same group
    /// commit: one multi-row insert of their page views (`page_loads.rs`).
    async fn record_page_load(&self, load: PageLoad) -> StoreResult<PageLoaded> {
        self.inner.writer.page_load(load).await
    }

    /// One writer thread, one queue: page loads are written in the order they were queued.
    fn page_loads_in_order(&self) -> bool {
        true
    }

    async fn visits_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        let visitor = visitor.0.clone();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(VISITS_OF).db()?;
            all(stmt
                .query_map(params![site.0, visitor, i64::from(limit)], visit_row)
                .db()?)
        })
        .await
    }

    async fn mark_auto_invitation(&self, visit: VisitId, rule_name: &str) -> StoreResult<bool> {
        let rule_name = rule_name.to_owned();
        self.write(move |tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE visits SET auto_invitation = ?2 WHERE id = ?1 \
                     AND auto_invitation IS NULL AND invitation_dismissed = 0",
                )
                .db()?
                .execute(params![visit.0, rule_name])
                .db()?;
            if n > 0 {
                return Ok(true);
            }
            tx.prepare_cached("SELECT 1 FROM visits WHERE id = ?1")
                .db()?
                .query_row([visit.0], |_| Ok(()))
                .db()
                .map(|()| false)
        })
        .await
    }

    async fn mark_invitation_dismissed(&self, visit: VisitId) -> StoreResult<()> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE visits SET invitation_dismissed = 1 WHERE id = ?1")
                .db()?
                .execute([visit.0])
                .db()?;
            changed(n)
        })
        .await
    }
}

//! Visitors, their visits and page views (the visitor's side of the site).

use super::{PageLoad, PageLoaded, StoreResult};
use crate::ids::*;
use crate::model::*;
use async_trait::async_trait;

#[async_trait]
pub trait VisitorStore: Send + Sync {
    /// Create the visitor if new; update `last_seen`. Returns the visitor.
    async fn touch_visitor(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        now: Timestamp,
    ) -> StoreResult<Visitor>;
    async fn visitor(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Visitor>;
    async fn set_visitor_identity(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        name: Option<&str>,
        email: Option<&str>,
    ) -> StoreResult<()>;
    /// The visitor's latest visit, if any.
    async fn latest_visit(&self, site: SiteId, visitor: &VisitorId) -> StoreResult<Option<Visit>>;
    async fn create_visit(&self, visit: NewVisit) -> StoreResult<Visit>;
    async fn touch_visit(&self, visit: VisitId, now: Timestamp) -> StoreResult<()>;
    async fn visit(&self, visit: VisitId) -> StoreResult<Visit>;
    async fn add_page_view(&self, view: PageView) -> StoreResult<()>;
    async fn page_views(&self, visit: VisitId) -> StoreResult<Vec<PageView>>;
    /// How many page views the visit has (what "Pages viewed" of the "Invitation rules"
    /// compares; one count on an index, not the rows). An unknown visit has none.
    async fn count_page_views(&self, visit: VisitId) -> StoreResult<u64>;
    /// A visitor says hello: [`VisitorStore::touch_visitor`] and
    /// [`VisitorStore::record_page_load`] in ONE write (one commit). Returns the visitor too.
    async fn visitor_hello(&self, load: PageLoad) -> StoreResult<(Visitor, PageLoaded)>;
    /// Continues or starts a visit and adds the page view, in ONE write (one commit); also
    /// returns the visitor's open chat. An unknown site is `NotFound`.
    async fn record_page_load(&self, load: PageLoad) -> StoreResult<PageLoaded>;
    /// Whether page loads one caller starts one after another, without waiting for each, are
    /// written in the order they were started (one ordered write queue: SQLite's writer). Only
    /// then may a visitor connection have several page views in flight; otherwise it waits for
    /// each (one transaction per page load could commit out of order).
    fn page_loads_in_order(&self) -> bool {
        false
    }
    /// The visitor's visits, newest first, at most `limit`.
    async fn visits_of(
        &self,
        site: SiteId,
        visitor: &VisitorId,
        limit: u32,
    ) -> StoreResult<Vec<Visit>>;
    /// Records on the visit that the "Invitation rules" rule `rule_name` invited the visitor
    /// automatically, unless the visit already had an automatic invitation or a dismissal
    /// (checked in the same statement: two tabs cannot both record one). Whether it was
    /// recorded. An unknown visit is `NotFound`.
    async fn mark_auto_invitation(&self, visit: VisitId, rule_name: &str) -> StoreResult<bool>;
    /// Records that the visitor dismissed an invitation in the visit. An unknown visit is
    /// `NotFound`.
    async fn mark_invitation_dismissed(&self, visit: VisitId) -> StoreResult<()>;
}

//! Visits and page views: a page load continues the visitor's visit unless it has been idle
//! longer than the visit timeout, in which case a new visit starts.

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::model::{Location, NewVisit, Visit, Visitor};
use frontdesk_core::privacy::PrivacySettings;
use frontdesk_core::protocol::{PageInfo, VisitDetail, VisitorOnSite};
use frontdesk_core::store::{PageLoad, PageLoaded};
use frontdesk_core::text::{clean_line, truncate};
use frontdesk_core::{SiteId, VisitorId};
use std::net::IpAddr;

const MAX_URL: usize = 2048;
const MAX_TITLE: usize = 300;
const MAX_UA: usize = 512;

/// A page as stored: lengths bounded, control characters out of the title.
pub fn clean_page(page: &PageInfo) -> PageInfo {
    PageInfo {
        url: truncate(page.url.trim(), MAX_URL),
        title: clean_line(&page.title, MAX_TITLE).unwrap_or_default(),
        referrer: page
            .referrer
            .as_deref()
            .map(|r| truncate(r.trim(), MAX_URL))
            .filter(|r| !r.is_empty()),
    }
}

/// Where a visitor's connection comes from, worked out once per connection (user agent
/// parsed, location looked up) so that each page view is one write and nothing more.
pub struct Arrival {
    pub site: SiteId,
    pub visitor: VisitorId,
    pub ip: IpAddr,
    /// The address a visit stores: `ip`, or its network when the site anonymises addresses
    /// (cut after the location was looked up from the whole address).
    stored_ip: String,
    user_agent: String,
    browser: String,
    os: String,
    location: Location,
    /// The widget's language (`frontdesk_core::widget_language`), for a visit started now.
    language: &'static str,
}

impl Arrival {
    pub fn new(
        app: &App,
        (site, visitor): (SiteId, VisitorId),
        ip: IpAddr,
        user_agent: &str,
        language: &'static str,
        privacy: &PrivacySettings,
    ) -> Self {
        let user_agent = truncate(user_agent, MAX_UA);
        let (browser, os) = app.ua.parse(&user_agent);
        Arrival {
            site,
            visitor,
            ip,
            stored_ip: privacy.stored_ip(ip),
            user_agent,
            browser,
            os,
            location: app.geo.lookup(ip),
            language,
        }
    }

    /// The page load to record now: continues the visit unless it has been idle longer than
    /// the visit timeout.
    pub fn load(&self, app: &App, page: &PageInfo) -> PageLoad {
        let page = clean_page(page);
        PageLoad {
            visit: NewVisit {
                site_id: self.site,
                visitor_id: self.visitor.clone(),
                ip: self.stored_ip.clone(),
                user_agent: self.user_agent.clone(),
                browser: self.browser.clone(),
                os: self.os.clone(),
                referrer: page.referrer,
                location: self.location.clone(),
                started_at: app.now(),
                language: Some(self.language.to_string()),
            },
            visit_timeout_ms: i64::try_from(app.settings.visit_timeout_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            url: page.url,
            title: page.title,
        }
    }
}

/// The visitor a `hello` (or a page-view beacon) speaks for: the one its token names, else the
/// one its browser key names (a browser that has no token yet), else a new one.
pub fn visitor_of(
    app: &App,
    site: &frontdesk_core::model::Site,
    token: Option<&str>,
    browser_key: Option<&str>,
) -> VisitorId {
    token
        .and_then(|t| app.tokens.verify(site.id, t))
        .or_else(|| browser_key.and_then(|k| app.tokens.visitor_for_browser_key(site.id, k)))
        .unwrap_or_else(crate::security::new_visitor_id)
}

/// A visitor's hello: the visitor (created if new), the visit continued or started, the first
/// page view, and the visitor's open chat, in one write (one commit).
pub async fn hello(
    app: &App,
    arrival: &Arrival,
    page: &PageInfo,
) -> AppResult<(Visitor, PageLoaded)> {
    let (visitor, loaded) = app.store.visitor_hello(arrival.load(app, page)).await?;
    app.metrics.page_views.inc();
    Ok((visitor, loaded))
}

/// Records a page view, continuing or starting a visit, in one write (one commit). Also
/// returns the visitor's open chat, read in the same transaction.
pub async fn record_page_view(
    app: &App,
    arrival: &Arrival,
    page: &PageInfo,
) -> AppResult<PageLoaded> {
    let loaded = app.store.record_page_load(arrival.load(app, page)).await?;
    app.metrics.page_views.inc();
    Ok(loaded)
}

/// A page view to record without borrowing the connection (it may run while the connection
/// reads its next frames: `realtime::visitor_ws::pipeline`); the load is made now (its time is
/// the frame's arrival).
pub fn page_view_write(
    app: &App,
    arrival: &Arrival,
    page: &PageInfo,
) -> impl std::future::Future<Output = AppResult<PageLoaded>> + Send + 'static {
    let load = arrival.load(app, page);
    let app = app.clone();
    async move {
        let loaded = app.store.record_page_load(load).await?;
        app.metrics.page_views.inc();
        Ok(loaded)
    }
}

/// The visitor as the "Visitors on Site" list shows them.
pub fn on_site(
    visit: &Visit,
    name: Option<String>,
    page: &PageInfo,
    chat: Option<frontdesk_core::ChatId>,
) -> VisitorOnSite {
    VisitorOnSite {
        site_id: visit.site_id,
        visitor_id: visit.visitor_id.clone(),
        name,
        visit_id: visit.id,
        page: clean_page(page),
        browser: visit.browser.clone(),
        os: visit.os.clone(),
        location_text: visit.location.display(),
        location: visit.location.clone(),
        started_at: visit.started_at,
        chat_id: chat,
        auto_invitation: visit.auto_invitation.clone(),
    }
}

/// Visit Detail: the visit and every page viewed in it.
pub async fn detail(app: &App, visit: Visit) -> AppResult<VisitDetail> {
    let pages = app.store.page_views(visit.id).await?;
    Ok(VisitDetail {
        visit_id: visit.id,
        ip: visit.ip,
        user_agent: visit.user_agent,
        browser: visit.browser,
        os: visit.os,
        referrer: visit.referrer,
        location_text: visit.location.display(),
        location: visit.location,
        started_at: visit.started_at,
        last_seen: visit.last_seen,
        language: visit.language,
        pages,
    })
}

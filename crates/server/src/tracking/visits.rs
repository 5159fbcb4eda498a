//! Visits and page views: a page load continues the visitor's visit unless it has been idle
//! longer than the visit timeout, in which case a new visit starts.

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::model::{NewVisit, PageView, Visit};
use frontdesk_core::protocol::{PageInfo, VisitDetail, VisitorOnSite};
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

/// Where the visitor connects from.
pub struct Arrival<'a> {
    pub site: SiteId,
    pub visitor: &'a VisitorId,
    pub ip: IpAddr,
    pub user_agent: &'a str,
}

/// Records a page view, continuing or starting a visit. Returns the visit.
pub async fn record_page_view(
    app: &App,
    arrival: &Arrival<'_>,
    page: &PageInfo,
) -> AppResult<Visit> {
    let now = app.now();
    let page = clean_page(page);
    let timeout_ms =
        i64::try_from(app.settings.visit_timeout_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let current = app
        .store
        .latest_visit(arrival.site, arrival.visitor)
        .await?;
    let visit = match current {
        Some(v) if now.millis_since(v.last_seen) <= timeout_ms => {
            app.store.touch_visit(v.id, now).await?;
            Visit {
                last_seen: now,
                ..v
            }
        }
        _ => {
            let ua = truncate(arrival.user_agent, MAX_UA);
            let (browser, os) = app.ua.parse(&ua);
            app.store
                .create_visit(NewVisit {
                    site_id: arrival.site,
                    visitor_id: arrival.visitor.clone(),
                    ip: arrival.ip.to_string(),
                    user_agent: ua,
                    browser,
                    os,
                    referrer: page.referrer.clone(),
                    location: app.geo.lookup(arrival.ip),
                    started_at: now,
                })
                .await?
        }
    };
    app.store
        .add_page_view(PageView {
            visit_id: visit.id,
            url: page.url,
            title: page.title,
            viewed_at: now,
        })
        .await?;
    app.metrics.page_views.inc();
    Ok(visit)
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
        pages,
    })
}

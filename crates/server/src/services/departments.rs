//! Departments in the shell: which department a new chat is for, who gets its pop-up, the
//! visitor's "Department" choice and the list agents see (the transfer to a department is in
//! `transfer.rs`).
//!
//! Pop-ups (`chat.requested`) of a chat with a department go only to that department's
//! agents (those On-Line who monitor the site). When none of them is On-Line, or the
//! department is gone, the pop-up goes to every On-Line agent of the site, as for a chat
//! without a department: a visitor never waits for a department nobody staffs.

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::departments::{self, Asked, DepartmentChoice};
use frontdesk_core::model::{Chat, Site};
use frontdesk_core::protocol::{DepartmentView, ToAgent};
use frontdesk_core::{DepartmentId, SiteId};

/// The department a new chat on `site` is for (see `frontdesk_core::departments`).
pub async fn for_request(
    app: &App,
    site: SiteId,
    asked: Asked<'_>,
) -> AppResult<Option<DepartmentId>> {
    if asked == Asked::default() {
        return Ok(None);
    }
    let all = app.store.departments_of_site(site).await?;
    Ok(departments::pick_department(&all, asked))
}

/// The choice the widget offers in `welcome`, when the site asks and has two or more.
pub async fn choices(app: &App, site: &Site) -> AppResult<Option<Vec<DepartmentChoice>>> {
    if !site.settings.ask_department {
        return Ok(None); // no storage read for sites that do not ask
    }
    let all = app.store.departments_of_site(site.id).await?;
    Ok(departments::ask_visitors(true, &all).then(|| all.iter().map(Into::into).collect()))
}

/// Who gets the pop-up of a waiting chat: its department's agents if one of them is On-Line
/// for the site, else every On-Line agent of the site.
pub async fn request_audience(app: &App, chat: &Chat) -> AppResult<Audience> {
    let everyone = Audience::SiteAgents {
        site: chat.site_id,
        online_only: true,
        also: None,
    };
    let Some(department) = chat.department_id else {
        return Ok(everyone);
    };
    let agents = app.store.agents_of_department(department).await?;
    if agents.is_empty() || !app.presence.any_available_for(&agents, chat.site_id).await {
        return Ok(everyone);
    }
    Ok(Audience::DepartmentAgents {
        site: chat.site_id,
        department,
        agents,
    })
}

/// The departments of these sites, with their agents (the console's Transfer list).
pub async fn views(
    app: &App,
    sites: impl IntoIterator<Item = SiteId>,
) -> AppResult<Vec<DepartmentView>> {
    let mut out = Vec::new();
    for site in sites {
        for d in app.store.departments_of_site(site).await? {
            out.push(DepartmentView {
                agents: app.store.agents_of_department(d.id).await?,
                department_id: d.id,
                site_id: d.site_id,
                name: d.name,
            });
        }
    }
    Ok(out)
}

/// Tells the site's agents its departments changed (`departments`, the whole list).
pub async fn announce(app: &App, site: SiteId) -> AppResult<()> {
    let departments = views(app, [site]).await?;
    app.publish(
        Audience::SiteAgents {
            site,
            online_only: false,
            also: None,
        },
        &ToAgent::Departments {
            site_id: site,
            departments,
        },
        None,
    )
    .await;
    Ok(())
}

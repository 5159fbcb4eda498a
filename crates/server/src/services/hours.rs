//! Opening hours in the shell: the site's availability flips at the opening and closing
//! instants without a visitor reconnecting, and a chat request outside the hours is refused.
//!
//! # How availability follows the clock
//!
//! Each node keeps, per site with visitors connected to it, the site's [`HoursGate`] in its
//! hub (set at every visitor `hello` from the freshly read site, and when an admin saves the
//! settings on this node). One task per node ([`run`]) sleeps on the app's injectable clock
//! until the earliest `changes_at` of those gates (the next opening or closing), then reads
//! those sites' settings again and sets their gates; the hub sends `availability` to a site's
//! visitors when it changed. A new gate wakes the task, so a sooner boundary is never missed.
//!
//! The task also re-reads every such site once a minute (elapsed time, so a wall clock set
//! back does not stall it): settings saved on another node of a cluster reach this node's
//! visitors within a minute, and so does a wall clock that jumped.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::ErrorCode;
use frontdesk_core::model::Site;
use frontdesk_core::site_settings::HoursGate;
use frontdesk_core::store::StoreError;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often every gate is read again from storage (see the module doc).
pub const RECHECK: Duration = Duration::from_secs(60);

/// The site's gate now, recorded in this node's hub (which tells visitors of a change).
pub fn refresh(app: &App, site: &Site) -> HoursGate {
    let gate = site.settings.hours_gate(app.now());
    app.hub.set_hours(site.id, gate);
    gate
}

/// `closed` when the site's opening hours refuse chats now.
pub fn refuse_if_closed(app: &App, site: &Site) -> AppResult<()> {
    if refresh(app, site).open {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::Closed,
            "We are closed now. Please leave a message.",
        ))
    }
}

/// Starts the node's opening-hours task.
pub fn spawn(app: App) -> JoinHandle<()> {
    tokio::spawn(run(app))
}

/// Keeps every gate of this node current (see the module doc).
pub async fn run(app: App) {
    let mut just_refreshed = false;
    loop {
        let mut next = app.hub.next_hours_change();
        if just_refreshed && next.is_some_and(|at| at <= app.now()) {
            // Still due right after a refresh: a site could not be read. Its past boundary
            // would wake us at once, forever; try again at the recheck.
            next = None;
        }
        let due = {
            let clock = app.clock.clone();
            let boundary = async {
                match next {
                    Some(at) => clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = boundary => true,
                () = clock.sleep(RECHECK) => true,
                () = app.hub.hours_changed() => false,
            }
        };
        if due {
            refresh_all(&app).await;
        }
        just_refreshed = due;
    }
}

/// Reads the settings of every site with a gate here again and records their gates; a
/// deleted site's gate is dropped.
async fn refresh_all(app: &App) {
    for id in app.hub.hours_sites() {
        match app.store.site(id).await {
            Ok(site) => {
                refresh(app, &site);
            }
            Err(StoreError::NotFound) => app.hub.forget_hours(id),
            Err(e) => tracing::warn!(site = id.0, error = %e, "opening hours: site not read"),
        }
    }
}

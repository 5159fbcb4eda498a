//! Whether a visitor is blocked on a site: the check a chat request, an offline message and a
//! visitor's file make before anything else (a block is made by "Block", `blocks.rs`).

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::{ErrorCode, SiteId, VisitorId};

/// `blocked` while the visitor (by id) or their IP address is blocked on the site: a blocked
/// visitor may neither ask for a chat nor leave an offline message.
pub async fn refuse_if_blocked(
    app: &App,
    site: SiteId,
    visitor: &VisitorId,
    ip: Option<&str>,
) -> AppResult<()> {
    let now = app.now();
    let mut block = app.store.active_block(site, visitor, ip, now).await?;
    // A site that anonymises addresses stored the network of the blocked visit's address
    // ("203.0.113.0"): a block by address then holds for that network.
    let network = ip
        .and_then(|ip| ip.parse().ok())
        .map(|ip| frontdesk_core::privacy::anonymise_ip(ip).to_string())
        .filter(|net| Some(net.as_str()) != ip);
    if block.is_none()
        && let Some(net) = network
    {
        block = app
            .store
            .active_block(site, visitor, Some(&net), now)
            .await?;
    }
    match block {
        Some(_) => Err(AppError::new(
            ErrorCode::Blocked,
            "Chat is unavailable today.",
        )),
        None => Ok(()),
    }
}

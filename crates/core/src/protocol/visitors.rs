//! What agents see of visitors: who is on a site now ("Visitors on Site") and Visit Detail.

use super::PageInfo;
use crate::ids::*;
use crate::model::{Location, PageView};
use serde::{Deserialize, Serialize};

/// A visitor currently on a site (the "Visitors on Site" list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorOnSite {
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub name: Option<String>,
    pub visit_id: VisitId,
    pub page: PageInfo,
    pub browser: String,
    pub os: String,
    pub location: Location,
    pub location_text: String,
    pub started_at: Timestamp,
    pub chat_id: Option<ChatId>,
    /// The name of the "Invitation rules" rule that invited the visitor automatically in this
    /// visit ("Invited automatically (name)"); omitted when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_invitation: Option<String>,
}

/// Visit detail as agents read it over REST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitDetail {
    pub visit_id: VisitId,
    pub ip: String,
    pub user_agent: String,
    pub browser: String,
    pub os: String,
    pub referrer: Option<String>,
    pub location: Location,
    pub location_text: String,
    pub started_at: Timestamp,
    pub last_seen: Timestamp,
    /// The widget's language in this visit ("de"): "Language" in Visit Detail. Null for a
    /// visit recorded before it was.
    pub language: Option<String>,
    pub pages: Vec<PageView>,
}

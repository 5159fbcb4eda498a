//! Departments as the console sees them (issue 12, "Departments").

use crate::departments::{Department, DepartmentChoice};
use crate::ids::{AgentId, DepartmentId, SiteId};
use serde::{Deserialize, Serialize};

/// A department of one of the agent's sites, in the `snapshot` (the Transfer list shows it
/// as "Sales (department)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentView {
    pub department_id: DepartmentId,
    pub site_id: SiteId,
    pub name: String,
    /// The department's agents.
    pub agents: Vec<AgentId>,
}

impl From<&Department> for DepartmentChoice {
    fn from(d: &Department) -> DepartmentChoice {
        DepartmentChoice {
            id: d.id,
            name: d.name.clone(),
        }
    }
}

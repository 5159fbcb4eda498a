//! Departments of a site (Sales, Support): which one a new chat is for, and what a valid
//! department looks like. Serves issue 12 ("Teams at work"), section "Departments".
//!
//! # The rules
//!
//! * A chat's department is, first that applies: the visitor's **explicit choice** in the
//!   widget ("Department"), the snippet's **`data-department="Sales"`** (by name, whatever its
//!   case), the department with the **longest URL prefix** the page's URL starts with; else
//!   none. A choice or a name that names no department of the site is ignored (the next rule
//!   applies): a visitor's input never fails a chat request.
//! * A name is one clean line ([`crate::text::clean_line`]), not empty, at most
//!   [`NAME_MAX`] characters; names are unique per site whatever their case (the store says
//!   `Conflict`).
//! * A URL prefix is an absolute http(s) URL with a host, kept as the URL parser writes it
//!   (host in lower case; a bare origin gains its `/`). A page matches when its URL starts
//!   with the prefix, character for character.

use crate::error::ErrorCode;
use crate::ids::{DepartmentId, SiteId, Timestamp};
use crate::text::clean_line;
use serde::{Deserialize, Serialize};

/// Longest department name, in characters.
pub const NAME_MAX: usize = 80;
/// Most URL prefixes one department may have.
pub const PREFIXES_MAX: usize = 50;
/// Longest URL prefix, in characters.
pub const PREFIX_MAX: usize = 2000;

/// A department of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: DepartmentId,
    pub site_id: SiteId,
    pub name: String,
    /// Pages whose URL starts with one of these ask for this department.
    pub url_prefixes: Vec<String>,
    pub created_at: Timestamp,
}

/// A department as the visitor's widget offers it (`welcome.departments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentChoice {
    pub id: DepartmentId,
    pub name: String,
}

/// Why a department's name or URL prefixes are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepartmentError {
    #[error("The department's name is empty.")]
    EmptyName,
    #[error("The department's name is longer than {NAME_MAX} characters.")]
    NameTooLong,
    #[error("A URL prefix must be an http(s) URL: {0:?}")]
    BadPrefix(String),
    #[error("A department has at most {PREFIXES_MAX} URL prefixes.")]
    TooManyPrefixes,
}

impl DepartmentError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DepartmentError::EmptyName => ErrorCode::Empty,
            DepartmentError::NameTooLong => ErrorCode::TooLong,
            DepartmentError::BadPrefix(_) | DepartmentError::TooManyPrefixes => {
                ErrorCode::BadRequest
            }
        }
    }
}

/// A department's name: control characters removed, trimmed, not empty, at most
/// [`NAME_MAX`] characters (refused, not cut).
pub fn department_name(raw: &str) -> Result<String, DepartmentError> {
    let name = clean_line(raw, usize::MAX).ok_or(DepartmentError::EmptyName)?;
    if name.chars().count() > NAME_MAX {
        return Err(DepartmentError::NameTooLong);
    }
    Ok(name)
}

/// One URL prefix, normalized (see the module doc).
pub fn url_prefix(raw: &str) -> Result<String, DepartmentError> {
    let bad = || DepartmentError::BadPrefix(raw.chars().take(200).collect());
    let trimmed = raw.trim();
    if trimmed.chars().count() > PREFIX_MAX {
        return Err(bad());
    }
    let url = url::Url::parse(trimmed).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// A department's URL prefixes: each normalized, duplicates dropped, empty entries skipped,
/// at most [`PREFIXES_MAX`].
pub fn url_prefixes(raw: &[String]) -> Result<Vec<String>, DepartmentError> {
    let mut out: Vec<String> = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        let prefix = url_prefix(r)?;
        if !out.contains(&prefix) {
            out.push(prefix);
        }
    }
    if out.len() > PREFIXES_MAX {
        return Err(DepartmentError::TooManyPrefixes);
    }
    Ok(out)
}

/// What a chat request says about its department.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Asked<'a> {
    /// The visitor's choice in the widget.
    pub choice: Option<DepartmentId>,
    /// The snippet's `data-department` (a name).
    pub snippet: Option<&'a str>,
    /// The URL of the page the visitor is on.
    pub page_url: Option<&'a str>,
}

/// The department a new chat is for, among the site's `departments` (see the module doc).
pub fn pick_department(departments: &[Department], asked: Asked<'_>) -> Option<DepartmentId> {
    if let Some(choice) = asked.choice
        && departments.iter().any(|d| d.id == choice)
    {
        return Some(choice);
    }
    if let Some(name) = asked.snippet.map(str::trim).filter(|n| !n.is_empty())
        && let Some(d) = departments
            .iter()
            .find(|d| d.name.to_lowercase() == name.to_lowercase())
    {
        return Some(d.id);
    }
    let page = asked.page_url?;
    departments
        .iter()
        .flat_map(|d| d.url_prefixes.iter().map(move |p| (p, d.id)))
        .filter(|(prefix, _)| page.starts_with(prefix.as_str()))
        // Longest prefix wins; on a tie, the lowest id (the same answer on every node).
        .max_by_key(|(prefix, id)| (prefix.len(), std::cmp::Reverse(*id)))
        .map(|(_, id)| id)
}

/// Whether the widget asks "Department": the site asks, and has two or more departments.
pub fn ask_visitors(ask_department: bool, departments: &[Department]) -> bool {
    ask_department && departments.len() >= 2
}

#[cfg(test)]
mod tests;

//! Who gets a new chat under "Assign automatically", and "Most chats at once".
//!
//! Serves issue 12 ("Teams at work"), sections "Routing modes" and "Capacity". The server
//! (`services::routing`, `services::capacity`) builds the candidates from presence and the
//! agents' loads in storage (held chats plus standing offers), asks [`pick_agent`], and makes
//! the offer stick with a conditional update (`RoutingStore::offer_chat`); [`may_accept`] is
//! the rule for accepting a chat offered to someone else. Departments are not wired in yet
//! (candidates have none).
//!
//! # The rules
//!
//! * An agent is **eligible** for a chat when they are On-Line, monitor the chat's site, belong
//!   to the chat's department (if it has one), are under their capacity, and have not already
//!   let this chat pass (an offer that timed out).
//! * Among the eligible, [`pick_agent`] offers the chat to whoever has the **fewest active
//!   chats**; ties go to whoever has **waited longest since their last assignment** (never
//!   assigned counts as longest of all); a last tie goes to the **lowest agent id**, so every
//!   node picks the same agent from the same facts. The order of the candidates does not matter.
//! * Nobody eligible → `None`: the caller falls back to the pop-up for everyone.
//! * **Capacity** ("Most chats at once") is at least 1; `None` means unlimited. It governs
//!   pushing (pop-ups and offers, see [`at_capacity`]), not pulling: an agent may still accept
//!   a chat on purpose and so hold more than their capacity.

#[cfg(test)]
mod tests;

use crate::error::ErrorCode;
pub use crate::ids::DepartmentId;
use crate::ids::{AgentId, SiteId, Timestamp};
use crate::model::Offer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::num::NonZeroU32;

/// Why a routing value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("\"Most chats at once\" must be at least 1 (leave it empty for unlimited)")]
    ZeroCapacity,
    /// `accept` of a chat offered to another agent while the offer stands.
    #[error("This chat is offered to another agent right now.")]
    OfferedToOther,
    /// A transfer to an agent who holds as many chats as their capacity.
    #[error("{name} is at capacity ({chats} {}).", if *chats == 1 { "chat" } else { "chats" })]
    AtCapacity { name: String, chats: u32 },
}

impl RoutingError {
    /// A capacity of 0 is the caller's input: `bad_request`; the others have their own codes.
    pub fn code(&self) -> ErrorCode {
        match self {
            RoutingError::ZeroCapacity => ErrorCode::BadRequest,
            RoutingError::OfferedToOther => ErrorCode::OfferedToOther,
            RoutingError::AtCapacity { .. } => ErrorCode::AtCapacity,
        }
    }
}

/// "Most chats at once" of an agent: at least 1. Unlimited is `Option::<Capacity>::None`.
/// In JSON a plain number; 0 is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Capacity(NonZeroU32);

impl Capacity {
    /// A capacity of `chats`; 0 is [`RoutingError::ZeroCapacity`].
    pub fn new(chats: u32) -> Result<Capacity, RoutingError> {
        NonZeroU32::new(chats)
            .map(Capacity)
            .ok_or(RoutingError::ZeroCapacity)
    }

    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl TryFrom<u32> for Capacity {
    type Error = RoutingError;

    fn try_from(chats: u32) -> Result<Capacity, RoutingError> {
        Capacity::new(chats)
    }
}

impl From<Capacity> for u32 {
    fn from(capacity: Capacity) -> u32 {
        capacity.get()
    }
}

/// Is an agent with `active` chats at (or, having accepted on purpose, above) `capacity`?
/// Such an agent gets no pop-ups and no offers, and shows "At capacity". Never with unlimited
/// capacity.
pub fn at_capacity(active: u32, capacity: Option<Capacity>) -> bool {
    capacity.is_some_and(|capacity| active >= capacity.get())
}

/// What the routing rule needs to know about one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    /// On-Line (not Away, not gone).
    pub on_line: bool,
    /// Chats the agent holds now.
    pub active_chats: u32,
    /// "Most chats at once"; `None` is unlimited.
    pub capacity: Option<Capacity>,
    /// When the agent was last given a chat; `None` = never (has waited longest).
    pub last_assigned_at: Option<Timestamp>,
    /// The sites the agent monitors.
    pub sites: BTreeSet<SiteId>,
    /// The departments the agent belongs to.
    pub departments: BTreeSet<DepartmentId>,
}

/// What the routing rule needs to know about the chat to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatToRoute {
    pub site: SiteId,
    /// The department asked for (widget choice, snippet, URL prefix, or a transfer).
    pub department: Option<DepartmentId>,
    /// Agents who already let this chat pass (their offer timed out, or they went Away).
    pub passed: BTreeSet<AgentId>,
}

/// Why an agent is not offered a chat. Checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Away, or gone.
    NotOnLine,
    /// Does not monitor the chat's site.
    OtherSite,
    /// Not in the chat's department.
    OtherDepartment,
    /// Holds as many chats as "Most chats at once" (or more, having accepted on purpose).
    AtCapacity,
    /// Already let this chat pass.
    LetItPass,
}

/// May `candidate` be offered `chat`? The first reason against, if any.
pub fn eligibility(candidate: &Candidate, chat: &ChatToRoute) -> Result<(), Ineligible> {
    if !candidate.on_line {
        Err(Ineligible::NotOnLine)
    } else if !candidate.sites.contains(&chat.site) {
        Err(Ineligible::OtherSite)
    } else if chat
        .department
        .is_some_and(|department| !candidate.departments.contains(&department))
    {
        Err(Ineligible::OtherDepartment)
    } else if at_capacity(candidate.active_chats, candidate.capacity) {
        Err(Ineligible::AtCapacity)
    } else if chat.passed.contains(&candidate.agent) {
        Err(Ineligible::LetItPass)
    } else {
        Ok(())
    }
}

/// The agent to offer `chat` to, or `None` when nobody is eligible (then: broadcast).
/// Fewest active chats, then waited longest, then lowest id (see the module doc).
pub fn pick_agent(candidates: &[Candidate], chat: &ChatToRoute) -> Option<AgentId> {
    candidates
        .iter()
        .filter(|candidate| eligibility(candidate, chat).is_ok())
        .min_by_key(|candidate| {
            // `None < Some(_)`: never assigned sorts before any time, earlier before later.
            (
                candidate.active_chats,
                candidate.last_assigned_at,
                candidate.agent,
            )
        })
        .map(|candidate| candidate.agent)
}

/// May `agent` accept a pending chat whose standing offer is `offer`, at `now`? Refused with
/// [`RoutingError::OfferedToOther`] while the chat is offered to another agent and the offer
/// has not expired; after it expires anyone may (the sweep may not have moved it on yet).
pub fn may_accept(
    offer: Option<Offer>,
    agent: AgentId,
    now: Timestamp,
) -> Result<(), RoutingError> {
    match offer {
        Some(offer) if offer.agent != agent && offer.expires_at > now => {
            Err(RoutingError::OfferedToOther)
        }
        _ => Ok(()),
    }
}

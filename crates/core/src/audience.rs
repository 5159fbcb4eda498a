//! Who hears a frame: the [`Audience`] a use case publishes to, and the pure rule that says
//! whether one agent or one visitor connection is in it. Every node's hub applies the rule
//! to its own connections; the cluster's shared presence applies the site part of it to
//! decide whether a site is available.

use crate::ids::{AgentId, ChatId, DepartmentId, SiteId, VisitorId};
use crate::model::AgentStatus;
use serde::{Deserialize, Serialize};

/// Who receives a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Agents who belong to and monitor `site` (only On-Line ones if `online_only`), plus
    /// `also` (e.g. the agent who holds the chat) whatever their status.
    SiteAgents {
        site: SiteId,
        online_only: bool,
        also: Option<AgentId>,
    },
    /// A department's pop-up: those of `agents` (the department's members, chosen by the
    /// shell) who belong to, monitor and are On-Line for `site`.
    DepartmentAgents {
        site: SiteId,
        department: DepartmentId,
        agents: Vec<AgentId>,
    },
    /// Every connection of one agent.
    Agent(AgentId),
    /// The people of one chat: every connection of `agents` (its owner and the colleagues who
    /// joined, chosen by the shell), plus every agent connection that watches `chat` (a
    /// supervisor's "Watch": each node's hub knows its own watching connections).
    ChatAgents { chat: ChatId, agents: Vec<AgentId> },
    /// Every connection (tab) of one visitor.
    Visitor { site: SiteId, visitor: VisitorId },
    /// Every visitor connected to a site.
    SiteVisitors(SiteId),
}

/// How one agent stands towards one site, as far as hearing its frames goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentOnSite {
    pub status: AgentStatus,
    /// The agent belongs to the site.
    pub member: bool,
    /// The agent monitors the site (only counts for a member).
    pub monitoring: bool,
}

impl AgentOnSite {
    /// Whether the agent hears the site's frames: a member who monitors it, and On-Line
    /// when the frame is for On-Line agents only (a new chat request, a site's availability).
    pub fn hears(self, online_only: bool) -> bool {
        self.member && self.monitoring && (!online_only || self.status == AgentStatus::Online)
    }
}

impl Audience {
    /// Whether agent `agent` is in this audience; `on_site` says how they stand towards a
    /// site (asked only for [`Audience::SiteAgents`]).
    pub fn reaches_agent(&self, agent: AgentId, on_site: impl Fn(SiteId) -> AgentOnSite) -> bool {
        match self {
            Audience::SiteAgents {
                site,
                online_only,
                also,
            } => *also == Some(agent) || on_site(*site).hears(*online_only),
            Audience::DepartmentAgents { site, agents, .. } => {
                agents.contains(&agent) && on_site(*site).hears(true)
            }
            Audience::Agent(a) => *a == agent,
            // Watching connections are added per connection by the hub.
            Audience::ChatAgents { agents, .. } => agents.contains(&agent),
            Audience::Visitor { .. } | Audience::SiteVisitors(_) => false,
        }
    }

    /// Whether a connection of `visitor` on `site` is in this audience.
    pub fn reaches_visitor(&self, site: SiteId, visitor: &VisitorId) -> bool {
        match self {
            Audience::Visitor {
                site: s,
                visitor: v,
            } => *s == site && v == visitor,
            Audience::SiteVisitors(s) => *s == site,
            Audience::SiteAgents { .. }
            | Audience::DepartmentAgents { .. }
            | Audience::Agent(_)
            | Audience::ChatAgents { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUSES: [AgentStatus; 2] = [AgentStatus::Online, AgentStatus::Away];
    const BOOLS: [bool; 2] = [false, true];

    fn every_standing() -> Vec<AgentOnSite> {
        let mut out = Vec::new();
        for status in STATUSES {
            for member in BOOLS {
                for monitoring in BOOLS {
                    out.push(AgentOnSite {
                        status,
                        member,
                        monitoring,
                    });
                }
            }
        }
        out
    }

    #[test]
    fn an_agent_hears_a_site_only_as_a_monitoring_member_and_online_when_asked() {
        for a in every_standing() {
            for online_only in BOOLS {
                let expected =
                    a.member && a.monitoring && (a.status == AgentStatus::Online || !online_only);
                assert_eq!(
                    a.hears(online_only),
                    expected,
                    "{a:?} online_only={online_only}"
                );
            }
        }
        let away = AgentOnSite {
            status: AgentStatus::Away,
            member: true,
            monitoring: true,
        };
        assert!(away.hears(false), "Away still sees the site's visitors");
        assert!(!away.hears(true), "Away gets no chat requests");
        let not_member = AgentOnSite {
            member: false,
            ..away
        };
        assert!(!not_member.hears(false), "monitoring without membership");
    }

    #[test]
    fn site_agents_reach_those_who_hear_the_site_and_also_whatever_their_standing() {
        let (me, holder) = (AgentId(1), AgentId(2));
        for a in every_standing() {
            for online_only in BOOLS {
                for also in [None, Some(me), Some(holder)] {
                    let to = Audience::SiteAgents {
                        site: SiteId(7),
                        online_only,
                        also,
                    };
                    let asked = std::cell::Cell::new(None);
                    let reached = to.reaches_agent(me, |s| {
                        asked.set(Some(s));
                        a
                    });
                    let expected = also == Some(me) || a.hears(online_only);
                    assert_eq!(reached, expected, "{a:?} {to:?}");
                    if also != Some(me) {
                        assert_eq!(asked.get(), Some(SiteId(7)), "asked about the frame's site");
                    }
                }
            }
        }
    }

    #[test]
    fn one_agent_is_reached_whatever_their_standing_and_nobody_else() {
        let nowhere = |_| AgentOnSite {
            status: AgentStatus::Away,
            member: false,
            monitoring: false,
        };
        let to = Audience::Agent(AgentId(1));
        assert!(to.reaches_agent(AgentId(1), nowhere));
        assert!(!to.reaches_agent(AgentId(2), nowhere));
        assert!(!to.reaches_visitor(SiteId(1), &VisitorId("v".into())));
    }

    #[test]
    fn visitor_audiences_reach_visitors_of_their_site_only_and_never_agents() {
        let (site, other_site) = (SiteId(1), SiteId(2));
        let (v, w) = (VisitorId("v".into()), VisitorId("w".into()));
        let anyone = |_| AgentOnSite {
            status: AgentStatus::Online,
            member: true,
            monitoring: true,
        };
        let one = Audience::Visitor {
            site,
            visitor: v.clone(),
        };
        assert!(one.reaches_visitor(site, &v));
        assert!(!one.reaches_visitor(site, &w), "another visitor");
        assert!(
            !one.reaches_visitor(other_site, &v),
            "same id, another site"
        );
        assert!(!one.reaches_agent(AgentId(1), anyone));
        let all = Audience::SiteVisitors(site);
        assert!(all.reaches_visitor(site, &v) && all.reaches_visitor(site, &w));
        assert!(!all.reaches_visitor(other_site, &v));
        assert!(!all.reaches_agent(AgentId(1), anyone));
        let agents = Audience::SiteAgents {
            site,
            online_only: false,
            also: None,
        };
        assert!(
            !agents.reaches_visitor(site, &v),
            "agents' frames never reach visitors"
        );
    }

    #[test]
    fn a_department_reaches_its_listed_agents_who_hear_the_site_on_line_and_nobody_else() {
        let (ann, bob) = (AgentId(1), AgentId(2));
        let to = Audience::DepartmentAgents {
            site: SiteId(7),
            department: DepartmentId(3),
            agents: vec![ann],
        };
        for a in every_standing() {
            assert_eq!(to.reaches_agent(ann, |_| a), a.hears(true), "{a:?}");
            assert!(
                !to.reaches_agent(bob, |_| a),
                "not in the department: {a:?}"
            );
        }
        assert!(!to.reaches_visitor(SiteId(7), &VisitorId("v".into())));
        let wire = serde_json::to_string(&to).expect("serializes");
        assert_eq!(serde_json::from_str::<Audience>(&wire).ok(), Some(to));
    }

    #[test]
    fn an_audience_crosses_nodes_unchanged() {
        let to = Audience::SiteAgents {
            site: SiteId(3),
            online_only: true,
            also: Some(AgentId(4)),
        };
        let wire = serde_json::to_string(&to).expect("serializes");
        assert_eq!(serde_json::from_str::<Audience>(&wire).ok(), Some(to));
    }
}

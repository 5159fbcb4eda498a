//! Property tests of "Assign automatically" (issue 12, not wired yet).
//!
//! * [`pick_agent`] agrees with the rule written out independently here (filter the eligible,
//!   sort by fewest chats, waited longest, lowest id), for any candidates in any order.
//! * Picking again and again for N chats, counting each pick, never pushes an agent above
//!   their cap, keeps the spread within one chat of even wherever caps allow, and only stops
//!   when everyone is full.

use frontdesk_core::routing::{
    Candidate, Capacity, ChatToRoute, DepartmentId, at_capacity, pick_agent,
};
use frontdesk_core::{AgentId, SiteId, Timestamp};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use std::collections::BTreeSet;

const SITE: SiteId = SiteId(1);

fn capacity() -> impl Strategy<Value = Option<Capacity>> {
    prop_oneof![
        1 => Just(None),
        3 => (1u32..6).prop_map(|n| Some(Capacity::new(n).expect("capacity"))),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        0i64..12,
        prop_oneof![4 => Just(true), 1 => Just(false)],
        0u32..4,
        capacity(),
        proptest::option::of(0i64..5).prop_map(|t| t.map(Timestamp)),
        // Mostly agents of the chat's site, some of another site too.
        prop_oneof![
            6 => Just(BTreeSet::from([SITE])),
            1 => Just(BTreeSet::from([SITE, SiteId(2)])),
            1 => Just(BTreeSet::from([SiteId(2)])),
            1 => Just(BTreeSet::new()),
        ],
        btree_set((0i64..3).prop_map(DepartmentId), 0..3),
    )
        .prop_map(
            |(id, on_line, active_chats, capacity, last_assigned_at, sites, departments)| {
                Candidate {
                    agent: AgentId(id),
                    on_line,
                    active_chats,
                    capacity,
                    last_assigned_at,
                    sites,
                    departments,
                }
            },
        )
}

fn chat() -> impl Strategy<Value = ChatToRoute> {
    (
        proptest::option::of((0i64..3).prop_map(DepartmentId)),
        btree_set((0i64..12).prop_map(AgentId), 0..3),
    )
        .prop_map(|(department, passed)| ChatToRoute {
            site: SITE,
            department,
            passed,
        })
}

/// The rule as the issue states it, written without `eligibility` or `pick_agent`.
fn by_the_book(candidates: &[Candidate], chat: &ChatToRoute) -> Option<AgentId> {
    let mut eligible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.on_line)
        .filter(|c| c.sites.contains(&chat.site))
        .filter(|c| match chat.department {
            Some(d) => c.departments.contains(&d),
            None => true,
        })
        .filter(|c| match c.capacity {
            Some(cap) => c.active_chats < cap.get(),
            None => true,
        })
        .filter(|c| !chat.passed.contains(&c.agent))
        .collect();
    eligible.sort_by(|a, b| {
        a.active_chats
            .cmp(&b.active_chats)
            .then_with(|| match (a.last_assigned_at, b.last_assigned_at) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => x.0.cmp(&y.0),
            })
            .then_with(|| a.agent.0.cmp(&b.agent.0))
    });
    eligible.first().map(|c| c.agent)
}

proptest! {
    #[test]
    fn pick_agrees_with_the_rule_in_any_order(
        candidates in vec(candidate(), 0..10).prop_shuffle(),
        chat in chat(),
    ) {
        let picked = pick_agent(&candidates, &chat);
        prop_assert_eq!(picked, by_the_book(&candidates, &chat));
        let mut reversed = candidates.clone();
        reversed.reverse();
        prop_assert_eq!(pick_agent(&reversed, &chat), picked);
    }

    #[test]
    fn repeated_picks_respect_caps_and_spread_evenly(
        caps in vec(capacity(), 1..8),
        chats in 0usize..60,
    ) {
        let mut agents: Vec<Candidate> = caps
            .iter()
            .enumerate()
            .map(|(i, &capacity)| Candidate {
                agent: AgentId(i64::try_from(i).expect("id")),
                on_line: true,
                active_chats: 0,
                capacity,
                last_assigned_at: None,
                sites: BTreeSet::from([SITE]),
                departments: BTreeSet::new(),
            })
            .collect();
        let chat = ChatToRoute { site: SITE, department: None, passed: BTreeSet::new() };
        let room: u64 = caps.iter().map(|c| c.map_or(u64::MAX / 64, |c| u64::from(c.get()))).sum();
        let mut assigned = 0u64;
        for n in 0..chats {
            let Some(agent) = pick_agent(&agents, &chat) else {
                prop_assert!(agents.iter().all(|a| at_capacity(a.active_chats, a.capacity)));
                continue;
            };
            let picked = agents.iter_mut().find(|a| a.agent == agent).expect("picked a candidate");
            picked.active_chats += 1;
            picked.last_assigned_at = Some(Timestamp(i64::try_from(n).expect("time")));
            assigned += 1;
            for a in &agents {
                prop_assert!(a.capacity.is_none_or(|cap| a.active_chats <= cap.get()));
                // Nobody holds more than one chat above anyone who still has room.
                for b in agents.iter().filter(|b| !at_capacity(b.active_chats, b.capacity)) {
                    prop_assert!(
                        a.active_chats <= b.active_chats + 1,
                        "{:?} has {} while {:?} has {}", a.agent, a.active_chats, b.agent, b.active_chats
                    );
                }
            }
        }
        prop_assert_eq!(assigned, room.min(u64::try_from(chats).expect("chats")));
    }
}

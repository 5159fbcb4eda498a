//! Unit tests of the routing rule and of capacity: every reason an agent is passed over, each
//! tie-break on its own, and the order of candidates not mattering.
//! (Property tests: `crates/core/tests/routing_props.rs`.)

use super::*;

const SITE: SiteId = SiteId(1);
const OTHER_SITE: SiteId = SiteId(2);
const SALES: DepartmentId = DepartmentId(10);
const SUPPORT: DepartmentId = DepartmentId(11);

fn cap(n: u32) -> Option<Capacity> {
    Some(Capacity::new(n).expect("capacity"))
}

/// An On-Line agent of `SITE`, in no department, never assigned, unlimited, with no chats.
fn agent(id: i64) -> Candidate {
    Candidate {
        agent: AgentId(id),
        on_line: true,
        active_chats: 0,
        capacity: None,
        last_assigned_at: None,
        sites: BTreeSet::from([SITE]),
        departments: BTreeSet::new(),
    }
}

fn chat() -> ChatToRoute {
    ChatToRoute {
        site: SITE,
        department: None,
        passed: BTreeSet::new(),
    }
}

// ---- Capacity ----------------------------------------------------------------------------

#[test]
fn capacity_zero_is_refused() {
    assert_eq!(Capacity::new(0), Err(RoutingError::ZeroCapacity));
    assert_eq!(
        RoutingError::ZeroCapacity.code(),
        crate::error::ErrorCode::BadRequest
    );
    assert_eq!(Capacity::new(1).map(Capacity::get), Ok(1));
    assert_eq!(Capacity::new(u32::MAX).map(Capacity::get), Ok(u32::MAX));
}

#[test]
fn capacity_json_is_a_number_and_zero_is_refused() {
    let three: Capacity = serde_json::from_str("3").expect("3");
    assert_eq!(three.get(), 3);
    assert_eq!(serde_json::to_string(&three).expect("json"), "3");
    assert!(serde_json::from_str::<Capacity>("0").is_err());
    assert!(serde_json::from_str::<Capacity>("-1").is_err());
    assert!(serde_json::from_str::<Capacity>("4294967296").is_err());
    assert!(serde_json::from_str::<Capacity>("\"3\"").is_err());
    let unlimited: Option<Capacity> = serde_json::from_str("null").expect("null");
    assert_eq!(unlimited, None);
}

#[test]
fn at_capacity_table() {
    let table = [
        // (active, capacity, at capacity)
        (0, None, false),
        (u32::MAX, None, false),
        (0, cap(1), false),
        (1, cap(1), true),
        (2, cap(1), true), // above: accepted on purpose
        (2, cap(3), false),
        (3, cap(3), true),
    ];
    for (active, capacity, expected) in table {
        assert_eq!(
            at_capacity(active, capacity),
            expected,
            "{active} of {capacity:?}"
        );
    }
}

// ---- Who is eligible -----------------------------------------------------------------------

#[test]
fn every_reason_against_an_agent() {
    let chat = ChatToRoute {
        department: Some(SALES),
        passed: BTreeSet::from([AgentId(5)]),
        ..chat()
    };
    let in_sales = |id| Candidate {
        departments: BTreeSet::from([SALES, SUPPORT]),
        ..agent(id)
    };
    let cases = [
        (in_sales(1), Ok(())),
        (
            Candidate {
                on_line: false,
                ..in_sales(2)
            },
            Err(Ineligible::NotOnLine),
        ),
        (
            Candidate {
                sites: BTreeSet::from([OTHER_SITE]),
                ..in_sales(3)
            },
            Err(Ineligible::OtherSite),
        ),
        (
            Candidate {
                departments: BTreeSet::from([SUPPORT]),
                ..agent(4)
            },
            Err(Ineligible::OtherDepartment),
        ),
        (in_sales(5), Err(Ineligible::LetItPass)),
        (
            Candidate {
                active_chats: 2,
                capacity: cap(2),
                ..in_sales(6)
            },
            Err(Ineligible::AtCapacity),
        ),
        (
            Candidate {
                active_chats: 1,
                capacity: cap(2),
                ..in_sales(7)
            },
            Ok(()),
        ),
    ];
    for (candidate, expected) in cases {
        assert_eq!(
            eligibility(&candidate, &chat),
            expected,
            "{:?}",
            candidate.agent
        );
    }
    // Without a department, every agent of the site is eligible, in a department or not.
    assert_eq!(
        eligibility(&agent(8), &chat.clone()),
        Err(Ineligible::OtherDepartment)
    );
    let no_department = ChatToRoute {
        department: None,
        ..chat
    };
    assert_eq!(eligibility(&agent(8), &no_department), Ok(()));
    assert_eq!(eligibility(&in_sales(9), &no_department), Ok(()));
}

#[test]
fn nobody_eligible_is_none() {
    assert_eq!(pick_agent(&[], &chat()), None);
    let everyone_passed = ChatToRoute {
        passed: BTreeSet::from([AgentId(1), AgentId(2)]),
        ..chat()
    };
    assert_eq!(pick_agent(&[agent(1), agent(2)], &everyone_passed), None);
    let away = Candidate {
        on_line: false,
        ..agent(3)
    };
    let full = Candidate {
        active_chats: 1,
        capacity: cap(1),
        ..agent(4)
    };
    assert_eq!(pick_agent(&[away, full], &chat()), None);
}

// ---- Who is picked -----------------------------------------------------------------------

#[test]
fn fewest_active_chats_first() {
    let busy = Candidate {
        active_chats: 3,
        ..agent(1)
    };
    let idle = Candidate {
        active_chats: 1,
        last_assigned_at: Some(Timestamp(999)),
        ..agent(9)
    };
    assert_eq!(pick_agent(&[busy, idle], &chat()), Some(AgentId(9)));
}

#[test]
fn ties_go_to_who_waited_longest_never_assigned_first() {
    let recent = Candidate {
        active_chats: 1,
        last_assigned_at: Some(Timestamp(2_000)),
        ..agent(1)
    };
    let earlier = Candidate {
        active_chats: 1,
        last_assigned_at: Some(Timestamp(1_000)),
        ..agent(2)
    };
    let never = Candidate {
        active_chats: 1,
        ..agent(3)
    };
    assert_eq!(
        pick_agent(&[recent.clone(), earlier.clone()], &chat()),
        Some(AgentId(2))
    );
    assert_eq!(
        pick_agent(&[recent, earlier, never], &chat()),
        Some(AgentId(3))
    );
}

#[test]
fn last_tie_goes_to_the_lowest_id_whatever_the_order() {
    let at = Some(Timestamp(5));
    let mut candidates: Vec<Candidate> = [7, 3, 12, 4]
        .into_iter()
        .map(|id| Candidate {
            last_assigned_at: at,
            ..agent(id)
        })
        .collect();
    for _ in 0..candidates.len() {
        assert_eq!(pick_agent(&candidates, &chat()), Some(AgentId(3)));
        candidates.rotate_left(1);
    }
    candidates.reverse();
    assert_eq!(pick_agent(&candidates, &chat()), Some(AgentId(3)));
}

#[test]
fn the_cap_governs_pushing_only() {
    // Agent 1 accepted above their cap on purpose: never offered more, whatever the others hold.
    let over = Candidate {
        active_chats: 4,
        capacity: cap(2),
        ..agent(1)
    };
    let unlimited_busy = Candidate {
        active_chats: 40,
        ..agent(2)
    };
    assert_eq!(
        pick_agent(&[over.clone(), unlimited_busy], &chat()),
        Some(AgentId(2))
    );
    assert_eq!(pick_agent(&[over], &chat()), None);
}

#[test]
fn department_chats_go_to_department_agents() {
    let sales = Candidate {
        departments: BTreeSet::from([SALES]),
        active_chats: 5,
        ..agent(1)
    };
    let support = Candidate {
        departments: BTreeSet::from([SUPPORT]),
        ..agent(2)
    };
    let to_sales = ChatToRoute {
        department: Some(SALES),
        ..chat()
    };
    assert_eq!(
        pick_agent(&[sales.clone(), support.clone()], &to_sales),
        Some(AgentId(1))
    );
    assert_eq!(pick_agent(&[sales, support], &chat()), Some(AgentId(2)));
    // A department with nobody On-Line: None, and the caller broadcasts.
    let to_nobody = ChatToRoute {
        department: Some(DepartmentId(99)),
        ..chat()
    };
    assert_eq!(pick_agent(&[agent(3)], &to_nobody), None);
}

#[test]
fn agents_of_other_sites_are_never_picked() {
    let elsewhere = Candidate {
        sites: BTreeSet::from([OTHER_SITE]),
        ..agent(1)
    };
    let here = Candidate {
        active_chats: 7,
        ..agent(2)
    };
    assert_eq!(pick_agent(&[elsewhere, here], &chat()), Some(AgentId(2)));
}

#[test]
fn only_the_offered_agent_may_accept_while_the_offer_stands() {
    let offer = Some(Offer {
        agent: AgentId(1),
        expires_at: Timestamp(1_000),
    });
    assert_eq!(may_accept(offer, AgentId(1), Timestamp(999)), Ok(()));
    assert_eq!(
        may_accept(offer, AgentId(2), Timestamp(999)),
        Err(RoutingError::OfferedToOther)
    );
    assert_eq!(may_accept(offer, AgentId(2), Timestamp(1_000)), Ok(()));
    assert_eq!(may_accept(None, AgentId(2), Timestamp(0)), Ok(()));
    assert_eq!(
        RoutingError::OfferedToOther.code(),
        crate::error::ErrorCode::OfferedToOther
    );
}

#[test]
fn at_capacity_names_the_agent_and_the_cap() {
    let e = RoutingError::AtCapacity {
        name: "Anna".into(),
        chats: 3,
    };
    assert_eq!(e.to_string(), "Anna is at capacity (3 chats).");
    assert_eq!(e.code(), crate::error::ErrorCode::AtCapacity);
    let one = RoutingError::AtCapacity {
        name: "Bo".into(),
        chats: 1,
    };
    assert_eq!(one.to_string(), "Bo is at capacity (1 chat).");
}

//! The colleague rules over every chat state and every kind of agent: the owner (A), a
//! colleague (B, joined), an outsider (C), a second colleague (D) for hand-over order.

use super::*;
use crate::chat::EndReason;
use crate::ids::*;
use crate::model::Chat;

const A: AgentId = AgentId(1);
const B: AgentId = AgentId(2);
const C: AgentId = AgentId(3);
const D: AgentId = AgentId(4);

fn chat(state: ChatState, joined: &[AgentId]) -> Chat {
    Chat::fixture(state, joined, Timestamp(1_000))
}

fn active(joined: &[AgentId]) -> Chat {
    chat(ChatState::Active { agent: A }, joined)
}

fn pending() -> Chat {
    chat(ChatState::Pending, &[])
}

fn ended(joined: &[AgentId]) -> Chat {
    chat(
        ChatState::Ended {
            reason: EndReason::Agent { agent: A },
        },
        joined,
    )
}

const ENDINGS: [EndReason; 3] = [
    EndReason::Visitor,
    EndReason::Agent { agent: A },
    EndReason::Blocked { agent: A },
];

#[test]
fn only_the_owner_of_an_active_chat_invites() {
    let c = active(&[B]);
    assert_eq!(may_invite(&c, A, C, true, 4), Ok(()));
    for by in [B, C, D] {
        assert_eq!(
            may_invite(&c, by, D, true, 4),
            Err(ColleagueError::NotYourChat),
            "{by:?} does not own the chat"
        );
    }
    assert_eq!(
        may_invite(&pending(), A, C, true, 4),
        Err(ColleagueError::NotYourChat)
    );
    for reason in ENDINGS {
        let c = chat(ChatState::Ended { reason }, &[]);
        assert_eq!(
            may_invite(&c, A, C, true, 4),
            Err(ColleagueError::ChatEnded)
        );
    }
}

#[test]
fn the_invited_agent_is_online_and_not_in_the_chat() {
    let c = active(&[B]);
    assert_eq!(
        may_invite(&c, A, A, true, 4),
        Err(ColleagueError::InvalidTarget),
        "the owner"
    );
    assert_eq!(
        may_invite(&c, A, B, true, 4),
        Err(ColleagueError::InvalidTarget),
        "already joined"
    );
    assert_eq!(
        may_invite(&c, A, C, false, 4),
        Err(ColleagueError::InvalidTarget),
        "not On-Line for the site"
    );
}

#[test]
fn invitations_stop_at_the_cap() {
    assert_eq!(may_invite(&active(&[B]), A, C, true, 2), Ok(()));
    assert_eq!(
        may_invite(&active(&[B, D]), A, C, true, 2),
        Err(ColleagueError::Full)
    );
    assert_eq!(
        may_invite(&active(&[]), A, C, true, 0),
        Err(ColleagueError::Full),
        "a cap of 0 turns colleagues off"
    );
}

#[test]
fn an_invited_agent_or_a_supervisor_joins() {
    let c = active(&[]);
    assert_eq!(may_join(&c, C, Some(A), false, 4), Ok(true), "invited");
    assert_eq!(may_join(&c, C, None, true, 4), Ok(true), "supervisor");
    assert_eq!(
        may_join(&c, C, Some(A), true, 4),
        Ok(true),
        "invited supervisor"
    );
    assert_eq!(
        may_join(&c, C, None, false, 4),
        Err(ColleagueError::NotInvited)
    );
    assert_eq!(
        may_join(&c, C, Some(D), false, 4),
        Err(ColleagueError::NotInvited),
        "an invitation counts only while its author owns the chat"
    );
}

#[test]
fn joining_twice_or_ones_own_chat_changes_nothing() {
    let c = active(&[B]);
    for supervisor in [false, true] {
        assert_eq!(may_join(&c, B, None, supervisor, 4), Ok(false));
        assert_eq!(may_join(&c, A, None, supervisor, 4), Ok(false));
        assert_eq!(may_join(&c, A, None, supervisor, 0), Ok(false));
    }
}

#[test]
fn joins_stop_at_the_cap() {
    assert_eq!(may_join(&active(&[B]), C, Some(A), false, 2), Ok(true));
    for supervisor in [false, true] {
        assert_eq!(
            may_join(&active(&[B, D]), C, Some(A), supervisor, 2),
            Err(ColleagueError::Full)
        );
    }
}

#[test]
fn only_an_active_chat_is_joined() {
    for supervisor in [false, true] {
        assert_eq!(
            may_join(&pending(), C, Some(A), supervisor, 4),
            Err(ColleagueError::NotYourChat)
        );
        for reason in ENDINGS {
            let c = chat(ChatState::Ended { reason }, &[]);
            assert_eq!(
                may_join(&c, C, Some(A), supervisor, 4),
                Err(ColleagueError::ChatEnded)
            );
        }
    }
}

#[test]
fn a_colleague_leaves_and_the_owner_hands_over_to_the_first_who_joined() {
    let c = active(&[D, B]);
    assert_eq!(leave(&c, B), Ok(Leaving::Colleague));
    assert_eq!(leave(&c, D), Ok(Leaving::Colleague));
    assert_eq!(leave(&c, A), Ok(Leaving::HandOver { to: D }));
    assert_eq!(leave(&c, C), Err(ColleagueError::NotYourChat));
}

#[test]
fn an_owner_alone_cannot_leave() {
    assert_eq!(leave(&active(&[]), A), Err(ColleagueError::NoColleague));
    assert_eq!(leave(&active(&[]), B), Err(ColleagueError::NotYourChat));
}

#[test]
fn nobody_leaves_a_waiting_or_ended_chat() {
    for agent in [A, B, C] {
        assert_eq!(leave(&pending(), agent), Err(ColleagueError::NotYourChat));
        assert_eq!(leave(&ended(&[B]), agent), Err(ColleagueError::ChatEnded));
    }
}

#[test]
fn owner_and_colleagues_post_while_active_the_visitor_while_open() {
    let c = active(&[B]);
    assert_eq!(may_post(&c, Party::Agent(A)), Ok(()));
    assert_eq!(may_post(&c, Party::Agent(B)), Ok(()));
    assert_eq!(may_post(&c, Party::Visitor), Ok(()));
    assert_eq!(
        may_post(&c, Party::Agent(C)),
        Err(ChatError::NotYourChat),
        "an outsider"
    );
    let p = pending();
    assert_eq!(may_post(&p, Party::Visitor), Ok(()));
    for agent in [A, B, C] {
        assert_eq!(
            may_post(&p, Party::Agent(agent)),
            Err(ChatError::NotYourChat)
        );
        assert_eq!(
            may_post(&ended(&[B]), Party::Agent(agent)),
            Err(ChatError::ChatEnded),
            "a colleague of an ended chat reads it, never writes"
        );
    }
    assert_eq!(
        may_post(&ended(&[B]), Party::Visitor),
        Err(ChatError::ChatEnded)
    );
}

#[test]
fn a_colleague_never_closes_ends_blocks_or_transfers() {
    // The owner's commands stay the owner's: the state machine knows nothing of colleagues.
    use crate::chat::ChatCommand as Cmd;
    let s = ChatState::Active { agent: A };
    for cmd in [
        Cmd::Close { by: B },
        Cmd::End {
            by: Party::Agent(B),
        },
        Cmd::Block { by: B },
        Cmd::Transfer { by: B, to: C },
        Cmd::TransferToDepartment { by: B },
        Cmd::AgentGone { agent: B },
    ] {
        assert_eq!(s.apply(cmd), Err(ChatError::NotYourChat), "{cmd:?}");
    }
}

#[test]
fn who_is_in_the_chat() {
    let c = active(&[B]);
    assert!(is_in_chat(&c, A) && is_in_chat(&c, B) && !is_in_chat(&c, C));
    let e = ended(&[B]);
    assert!(
        is_in_chat(&e, B),
        "colleagues keep an ended chat in history"
    );
    assert!(!is_in_chat(&pending(), A));
}

#[test]
fn every_refusal_has_its_wire_code() {
    use ErrorCode as E;
    for (e, code) in [
        (ColleagueError::ChatEnded, E::ChatEnded),
        (ColleagueError::NotYourChat, E::NotYourChat),
        (ColleagueError::InvalidTarget, E::InvalidTarget),
        (ColleagueError::NoColleague, E::InvalidTarget),
        (ColleagueError::Full, E::AtCapacity),
        (ColleagueError::NotInvited, E::Forbidden),
    ] {
        assert_eq!(e.code(), code, "{e:?}");
    }
}

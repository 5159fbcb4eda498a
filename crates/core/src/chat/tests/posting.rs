//! Who may post in which state (`ChatState::may_post`), and what each state answers to
//! `owner`, `is_open` and `name`: two small tables, checked.

use super::*;

// ---- may_post: every state × {Visitor, Agent A, Agent B}, 6 × 3 = 18 rows --------------

const VISITOR: Party = Party::Visitor;
const AGENT_A: Party = Party::Agent(A);
const AGENT_B: Party = Party::Agent(B);
const PARTIES: [Party; 3] = [VISITOR, AGENT_A, AGENT_B];

const MAY: Result<(), ChatError> = Ok(());
const MAY_NOT_NOT_YOURS: Result<(), ChatError> = Err(ChatError::NotYourChat);
const MAY_NOT_ENDED: Result<(), ChatError> = Err(ChatError::ChatEnded);

#[rustfmt::skip]
const POSTING: [(ChatState, Party, Result<(), ChatError>); 18] = [
    // The visitor may write while waiting; no agent holds a pending chat.
    (PENDING,          VISITOR, MAY),
    (PENDING,          AGENT_A, MAY_NOT_NOT_YOURS),
    (PENDING,          AGENT_B, MAY_NOT_NOT_YOURS),
    // An active chat: the visitor and the owner, nobody else.
    (ACTIVE_A,         VISITOR, MAY),
    (ACTIVE_A,         AGENT_A, MAY),
    (ACTIVE_A,         AGENT_B, MAY_NOT_NOT_YOURS),
    (ACTIVE_B,         VISITOR, MAY),
    (ACTIVE_B,         AGENT_A, MAY_NOT_NOT_YOURS),
    (ACTIVE_B,         AGENT_B, MAY),
    // An ended chat is read-only for everyone, including whoever ended it.
    (ENDED_BY_VISITOR, VISITOR, MAY_NOT_ENDED),
    (ENDED_BY_VISITOR, AGENT_A, MAY_NOT_ENDED),
    (ENDED_BY_VISITOR, AGENT_B, MAY_NOT_ENDED),
    (ENDED_BY_A,       VISITOR, MAY_NOT_ENDED),
    (ENDED_BY_A,       AGENT_A, MAY_NOT_ENDED),
    (ENDED_BY_A,       AGENT_B, MAY_NOT_ENDED),
    (BLOCKED_BY_A,     VISITOR, MAY_NOT_ENDED),
    (BLOCKED_BY_A,     AGENT_A, MAY_NOT_ENDED),
    (BLOCKED_BY_A,     AGENT_B, MAY_NOT_ENDED),
];

// ---- owner, is_open, name: one row per state --------------------------------------------

#[rustfmt::skip]
const QUERIES: [(ChatState, Option<AgentId>, bool, &str); 6] = [
    //  state             owner    is_open  name
    (PENDING,          None,    true,    "pending"),
    (ACTIVE_A,         Some(A), true,    "active"),
    (ACTIVE_B,         Some(B), true,    "active"),
    (ENDED_BY_VISITOR, None,    false,   "ended"),
    (ENDED_BY_A,       None,    false,   "ended"),
    (BLOCKED_BY_A,     None,    false,   "ended"),
];

#[test]
fn posting_table_has_exactly_one_row_per_state_and_party() {
    assert_one_row_per_cell(&POSTING, &PARTIES, "/");
}

#[test]
fn may_post_gives_exactly_the_result_in_the_posting_table() {
    assert_every_cell(&POSTING, "/", |state, party| state.may_post(party));
}

#[test]
fn owner_is_open_and_name_follow_the_query_table() {
    assert_eq!(
        QUERIES.map(|(s, ..)| s),
        STATES,
        "one row per state, in order"
    );
    for (state, owner, open, name) in QUERIES {
        assert_eq!(state.owner(), owner, "owner of {state:?}");
        assert_eq!(state.is_open(), open, "is_open of {state:?}");
        assert_eq!(state.name(), name, "name of {state:?}");
    }
}

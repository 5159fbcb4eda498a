//! Table tests of the chat state machine.
//!
//! The tables below are the specification written out in full, so that a reader can check
//! every cell against the rules:
//!
//! * first to respond wins; the loser gets `ChatTaken { by: owner }`;
//! * accepting your own chat again is a no-op `Ok`;
//! * only the owner may transfer, close, end or block;
//! * a transfer to yourself is `InvalidTarget`;
//! * close and agent-gone put the chat back in the queue (`Pending`);
//! * the visitor may end a `Pending` or `Active` chat;
//! * anything on an `Ended` chat is `ChatEnded`.
//!
//! After the tables come one test per rule, each checking its rule over every state and
//! command (with a third agent, so that "someone else" is not always the other of two).

use super::*;
use crate::error::ErrorCode;

const A: AgentId = AgentId(1);
const B: AgentId = AgentId(2);
const C: AgentId = AgentId(3);

// ---- The six states -------------------------------------------------------------------

const PENDING: ChatState = ChatState::Pending;
const ACTIVE_A: ChatState = ChatState::Active { agent: A };
const ACTIVE_B: ChatState = ChatState::Active { agent: B };
const ENDED_BY_VISITOR: ChatState = ChatState::Ended {
    reason: EndReason::Visitor,
};
const ENDED_BY_A: ChatState = ChatState::Ended {
    reason: EndReason::Agent { agent: A },
};
const BLOCKED_BY_A: ChatState = ChatState::Ended {
    reason: EndReason::Blocked { agent: A },
};
// Only reached as results (from `Active{B}`), never used as a starting state.
const ENDED_BY_B: ChatState = ChatState::Ended {
    reason: EndReason::Agent { agent: B },
};
const BLOCKED_BY_B: ChatState = ChatState::Ended {
    reason: EndReason::Blocked { agent: B },
};

const STATES: [ChatState; 6] = [
    PENDING,
    ACTIVE_A,
    ACTIVE_B,
    ENDED_BY_VISITOR,
    ENDED_BY_A,
    BLOCKED_BY_A,
];

// ---- The fourteen commands ------------------------------------------------------------

const ACCEPT_A: ChatCommand = ChatCommand::Accept { agent: A };
const ACCEPT_B: ChatCommand = ChatCommand::Accept { agent: B };
const TRANSFER_A_TO_B: ChatCommand = ChatCommand::Transfer { by: A, to: B };
const TRANSFER_B_TO_A: ChatCommand = ChatCommand::Transfer { by: B, to: A };
const TRANSFER_A_TO_A: ChatCommand = ChatCommand::Transfer { by: A, to: A };
const CLOSE_A: ChatCommand = ChatCommand::Close { by: A };
const CLOSE_B: ChatCommand = ChatCommand::Close { by: B };
const GONE_A: ChatCommand = ChatCommand::AgentGone { agent: A };
const GONE_B: ChatCommand = ChatCommand::AgentGone { agent: B };
const END_VISITOR: ChatCommand = ChatCommand::End { by: Party::Visitor };
const END_A: ChatCommand = ChatCommand::End {
    by: Party::Agent(A),
};
const END_B: ChatCommand = ChatCommand::End {
    by: Party::Agent(B),
};
const BLOCK_A: ChatCommand = ChatCommand::Block { by: A };
const BLOCK_B: ChatCommand = ChatCommand::Block { by: B };

const COMMANDS: [ChatCommand; 14] = [
    ACCEPT_A,
    ACCEPT_B,
    TRANSFER_A_TO_B,
    TRANSFER_B_TO_A,
    TRANSFER_A_TO_A,
    CLOSE_A,
    CLOSE_B,
    GONE_A,
    GONE_B,
    END_VISITOR,
    END_A,
    END_B,
    BLOCK_A,
    BLOCK_B,
];

// ---- The possible refusals ------------------------------------------------------------

type Outcome = Result<ChatState, ChatError>;

const TAKEN_BY_A: Outcome = Err(ChatError::ChatTaken { by: A });
const TAKEN_BY_B: Outcome = Err(ChatError::ChatTaken { by: B });
const NOT_YOURS: Outcome = Err(ChatError::NotYourChat);
const INVALID_TARGET: Outcome = Err(ChatError::InvalidTarget);
const ENDED: Outcome = Err(ChatError::ChatEnded);

// ---- The transition table: every state × every command, 6 × 14 = 84 rows -------------

#[rustfmt::skip]
const TRANSITIONS: [(ChatState, ChatCommand, Outcome); 84] = [
    // Pending: anyone may accept; the visitor may end; nobody owns it, so nothing else.
    (PENDING, ACCEPT_A,        Ok(ACTIVE_A)),
    (PENDING, ACCEPT_B,        Ok(ACTIVE_B)),
    (PENDING, TRANSFER_A_TO_B, NOT_YOURS),
    (PENDING, TRANSFER_B_TO_A, NOT_YOURS),
    (PENDING, TRANSFER_A_TO_A, NOT_YOURS),
    (PENDING, CLOSE_A,         NOT_YOURS),
    (PENDING, CLOSE_B,         NOT_YOURS),
    (PENDING, GONE_A,          NOT_YOURS),
    (PENDING, GONE_B,          NOT_YOURS),
    (PENDING, END_VISITOR,     Ok(ENDED_BY_VISITOR)),
    (PENDING, END_A,           NOT_YOURS),
    (PENDING, END_B,           NOT_YOURS),
    (PENDING, BLOCK_A,         NOT_YOURS),
    (PENDING, BLOCK_B,         NOT_YOURS),

    // Active{A}: A owns it. B is refused everything; B's accept is told A has it.
    (ACTIVE_A, ACCEPT_A,        Ok(ACTIVE_A)),
    (ACTIVE_A, ACCEPT_B,        TAKEN_BY_A),
    (ACTIVE_A, TRANSFER_A_TO_B, Ok(ACTIVE_B)),
    (ACTIVE_A, TRANSFER_B_TO_A, NOT_YOURS),
    (ACTIVE_A, TRANSFER_A_TO_A, INVALID_TARGET),
    (ACTIVE_A, CLOSE_A,         Ok(PENDING)),
    (ACTIVE_A, CLOSE_B,         NOT_YOURS),
    (ACTIVE_A, GONE_A,          Ok(PENDING)),
    (ACTIVE_A, GONE_B,          NOT_YOURS),
    (ACTIVE_A, END_VISITOR,     Ok(ENDED_BY_VISITOR)),
    (ACTIVE_A, END_A,           Ok(ENDED_BY_A)),
    (ACTIVE_A, END_B,           NOT_YOURS),
    (ACTIVE_A, BLOCK_A,         Ok(BLOCKED_BY_A)),
    (ACTIVE_A, BLOCK_B,         NOT_YOURS),

    // Active{B}: the mirror image. A's self-transfer is refused for ownership first.
    (ACTIVE_B, ACCEPT_A,        TAKEN_BY_B),
    (ACTIVE_B, ACCEPT_B,        Ok(ACTIVE_B)),
    (ACTIVE_B, TRANSFER_A_TO_B, NOT_YOURS),
    (ACTIVE_B, TRANSFER_B_TO_A, Ok(ACTIVE_A)),
    (ACTIVE_B, TRANSFER_A_TO_A, NOT_YOURS),
    (ACTIVE_B, CLOSE_A,         NOT_YOURS),
    (ACTIVE_B, CLOSE_B,         Ok(PENDING)),
    (ACTIVE_B, GONE_A,          NOT_YOURS),
    (ACTIVE_B, GONE_B,          Ok(PENDING)),
    (ACTIVE_B, END_VISITOR,     Ok(ENDED_BY_VISITOR)),
    (ACTIVE_B, END_A,           NOT_YOURS),
    (ACTIVE_B, END_B,           Ok(ENDED_BY_B)),
    (ACTIVE_B, BLOCK_A,         NOT_YOURS),
    (ACTIVE_B, BLOCK_B,         Ok(BLOCKED_BY_B)),

    // Ended (by the visitor): read-only.
    (ENDED_BY_VISITOR, ACCEPT_A,        ENDED),
    (ENDED_BY_VISITOR, ACCEPT_B,        ENDED),
    (ENDED_BY_VISITOR, TRANSFER_A_TO_B, ENDED),
    (ENDED_BY_VISITOR, TRANSFER_B_TO_A, ENDED),
    (ENDED_BY_VISITOR, TRANSFER_A_TO_A, ENDED),
    (ENDED_BY_VISITOR, CLOSE_A,         ENDED),
    (ENDED_BY_VISITOR, CLOSE_B,         ENDED),
    (ENDED_BY_VISITOR, GONE_A,          ENDED),
    (ENDED_BY_VISITOR, GONE_B,          ENDED),
    (ENDED_BY_VISITOR, END_VISITOR,     ENDED),
    (ENDED_BY_VISITOR, END_A,           ENDED),
    (ENDED_BY_VISITOR, END_B,           ENDED),
    (ENDED_BY_VISITOR, BLOCK_A,         ENDED),
    (ENDED_BY_VISITOR, BLOCK_B,         ENDED),

    // Ended (by agent A): read-only, even for A.
    (ENDED_BY_A, ACCEPT_A,        ENDED),
    (ENDED_BY_A, ACCEPT_B,        ENDED),
    (ENDED_BY_A, TRANSFER_A_TO_B, ENDED),
    (ENDED_BY_A, TRANSFER_B_TO_A, ENDED),
    (ENDED_BY_A, TRANSFER_A_TO_A, ENDED),
    (ENDED_BY_A, CLOSE_A,         ENDED),
    (ENDED_BY_A, CLOSE_B,         ENDED),
    (ENDED_BY_A, GONE_A,          ENDED),
    (ENDED_BY_A, GONE_B,          ENDED),
    (ENDED_BY_A, END_VISITOR,     ENDED),
    (ENDED_BY_A, END_A,           ENDED),
    (ENDED_BY_A, END_B,           ENDED),
    (ENDED_BY_A, BLOCK_A,         ENDED),
    (ENDED_BY_A, BLOCK_B,         ENDED),

    // Ended (A blocked the visitor): read-only, even for A.
    (BLOCKED_BY_A, ACCEPT_A,        ENDED),
    (BLOCKED_BY_A, ACCEPT_B,        ENDED),
    (BLOCKED_BY_A, TRANSFER_A_TO_B, ENDED),
    (BLOCKED_BY_A, TRANSFER_B_TO_A, ENDED),
    (BLOCKED_BY_A, TRANSFER_A_TO_A, ENDED),
    (BLOCKED_BY_A, CLOSE_A,         ENDED),
    (BLOCKED_BY_A, CLOSE_B,         ENDED),
    (BLOCKED_BY_A, GONE_A,          ENDED),
    (BLOCKED_BY_A, GONE_B,          ENDED),
    (BLOCKED_BY_A, END_VISITOR,     ENDED),
    (BLOCKED_BY_A, END_A,           ENDED),
    (BLOCKED_BY_A, END_B,           ENDED),
    (BLOCKED_BY_A, BLOCK_A,         ENDED),
    (BLOCKED_BY_A, BLOCK_B,         ENDED),
];

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

// ---- Helpers ---------------------------------------------------------------------------

/// Every state used by the rule tests: the table's six plus a third agent's.
fn all_states() -> Vec<ChatState> {
    let mut states = STATES.to_vec();
    states.extend([
        ChatState::Active { agent: C },
        ChatState::Ended {
            reason: EndReason::Agent { agent: C },
        },
        ChatState::Ended {
            reason: EndReason::Blocked { agent: C },
        },
    ]);
    states
}

/// Every command among agents A, B and C.
fn all_commands() -> Vec<ChatCommand> {
    let agents = [A, B, C];
    let mut cmds = vec![ChatCommand::End { by: Party::Visitor }];
    for a in agents {
        cmds.extend([
            ChatCommand::Accept { agent: a },
            ChatCommand::Close { by: a },
            ChatCommand::AgentGone { agent: a },
            ChatCommand::End {
                by: Party::Agent(a),
            },
            ChatCommand::Block { by: a },
        ]);
        for to in agents {
            cmds.push(ChatCommand::Transfer { by: a, to });
        }
    }
    cmds
}

/// The agent a command is issued by, if it is not the visitor's.
fn acting_agent(cmd: ChatCommand) -> Option<AgentId> {
    match cmd {
        ChatCommand::Accept { agent } | ChatCommand::AgentGone { agent } => Some(agent),
        ChatCommand::Transfer { by, .. }
        | ChatCommand::Close { by }
        | ChatCommand::Block { by } => Some(by),
        ChatCommand::End {
            by: Party::Agent(a),
        } => Some(a),
        ChatCommand::End { by: Party::Visitor } => None,
    }
}

fn is_ended(state: ChatState) -> bool {
    matches!(state, ChatState::Ended { .. })
}

// ---- The tables, checked ---------------------------------------------------------------

#[test]
fn transition_table_has_exactly_one_row_per_state_and_command() {
    for state in STATES {
        for cmd in COMMANDS {
            let rows = TRANSITIONS
                .iter()
                .filter(|(s, c, _)| *s == state && *c == cmd)
                .count();
            assert_eq!(rows, 1, "{state:?} + {cmd:?} has {rows} rows");
        }
    }
}

#[test]
fn apply_gives_exactly_the_result_in_the_transition_table() {
    let wrong: Vec<String> = TRANSITIONS
        .iter()
        .filter_map(|(state, cmd, expected)| {
            let got = state.apply(*cmd);
            (got != *expected)
                .then(|| format!("{state:?} + {cmd:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn posting_table_has_exactly_one_row_per_state_and_party() {
    for state in STATES {
        for party in PARTIES {
            let rows = POSTING
                .iter()
                .filter(|(s, p, _)| *s == state && *p == party)
                .count();
            assert_eq!(rows, 1, "{state:?} / {party:?} has {rows} rows");
        }
    }
}

#[test]
fn may_post_gives_exactly_the_result_in_the_posting_table() {
    let wrong: Vec<String> = POSTING
        .iter()
        .filter_map(|(state, party, expected)| {
            let got = state.may_post(*party);
            (got != *expected)
                .then(|| format!("{state:?} / {party:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
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

// ---- One test per rule, over every state and command -----------------------------------

#[test]
fn first_accept_wins_and_second_is_told_who() {
    let s = ChatState::Pending.apply(ChatCommand::Accept { agent: A });
    assert_eq!(s, Ok(ChatState::Active { agent: A }));
    let again = ChatState::Active { agent: A }.apply(ChatCommand::Accept { agent: B });
    assert_eq!(again, Err(ChatError::ChatTaken { by: A }));
}

#[test]
fn any_agent_may_accept_a_pending_chat_and_becomes_its_owner() {
    for agent in [A, B, C] {
        let next = PENDING.apply(ChatCommand::Accept { agent });
        assert_eq!(next, Ok(ChatState::Active { agent }));
        assert_eq!(next.map(ChatState::owner), Ok(Some(agent)));
    }
}

#[test]
fn accepting_a_chat_someone_else_holds_is_chat_taken_naming_the_owner() {
    for owner in [A, B, C] {
        for agent in [A, B, C].into_iter().filter(|a| *a != owner) {
            let got = ChatState::Active { agent: owner }.apply(ChatCommand::Accept { agent });
            assert_eq!(got, Err(ChatError::ChatTaken { by: owner }));
        }
    }
}

#[test]
fn accepting_your_own_chat_again_is_a_no_op() {
    for agent in [A, B, C] {
        let state = ChatState::Active { agent };
        assert_eq!(state.apply(ChatCommand::Accept { agent }), Ok(state));
    }
}

#[test]
fn only_the_owner_may_transfer_close_end_or_block() {
    for state in all_states().into_iter().filter(|s| s.is_open()) {
        for cmd in all_commands() {
            if matches!(cmd, ChatCommand::Accept { .. }) {
                continue; // Accepting is how one becomes the owner: its own rule.
            }
            let Some(actor) = acting_agent(cmd) else {
                continue; // The visitor's end: its own rule.
            };
            if state.owner() != Some(actor) {
                assert_eq!(
                    state.apply(cmd),
                    Err(ChatError::NotYourChat),
                    "{state:?} + {cmd:?}"
                );
            }
        }
    }
}

#[test]
fn nobody_owns_a_pending_chat_so_only_accept_and_the_visitors_end_work() {
    for cmd in all_commands() {
        let got = PENDING.apply(cmd);
        match cmd {
            ChatCommand::Accept { agent } => assert_eq!(got, Ok(ChatState::Active { agent })),
            ChatCommand::End { by: Party::Visitor } => assert_eq!(got, Ok(ENDED_BY_VISITOR)),
            _ => assert_eq!(got, Err(ChatError::NotYourChat), "Pending + {cmd:?}"),
        }
    }
}

#[test]
fn the_owner_may_transfer_to_any_other_agent() {
    for by in [A, B, C] {
        for to in [A, B, C].into_iter().filter(|to| *to != by) {
            let got = ChatState::Active { agent: by }.apply(ChatCommand::Transfer { by, to });
            assert_eq!(got, Ok(ChatState::Active { agent: to }));
        }
    }
}

#[test]
fn transfer_to_yourself_is_an_invalid_target() {
    for agent in [A, B, C] {
        let got = ChatState::Active { agent }.apply(ChatCommand::Transfer {
            by: agent,
            to: agent,
        });
        assert_eq!(got, Err(ChatError::InvalidTarget));
    }
}

#[test]
fn close_and_agent_gone_by_the_owner_put_the_chat_back_in_the_queue() {
    for agent in [A, B, C] {
        let state = ChatState::Active { agent };
        assert_eq!(state.apply(ChatCommand::Close { by: agent }), Ok(PENDING));
        assert_eq!(state.apply(ChatCommand::AgentGone { agent }), Ok(PENDING));
    }
}

#[test]
fn a_chat_back_in_the_queue_can_be_accepted_by_anyone_again() {
    let back = ACTIVE_A.apply(CLOSE_A).and_then(|s| s.apply(ACCEPT_B));
    assert_eq!(back, Ok(ACTIVE_B));
    let back = ACTIVE_A.apply(GONE_A).and_then(|s| s.apply(ACCEPT_B));
    assert_eq!(back, Ok(ACTIVE_B));
}

#[test]
fn the_visitor_may_end_a_pending_or_active_chat() {
    for state in all_states().into_iter().filter(|s| s.is_open()) {
        assert_eq!(state.apply(END_VISITOR), Ok(ENDED_BY_VISITOR), "{state:?}");
    }
}

#[test]
fn the_owner_ending_or_blocking_records_who_did_it() {
    for agent in [A, B, C] {
        let state = ChatState::Active { agent };
        assert_eq!(
            state.apply(ChatCommand::End {
                by: Party::Agent(agent)
            }),
            Ok(ChatState::Ended {
                reason: EndReason::Agent { agent }
            })
        );
        assert_eq!(
            state.apply(ChatCommand::Block { by: agent }),
            Ok(ChatState::Ended {
                reason: EndReason::Blocked { agent }
            })
        );
    }
}

#[test]
fn anything_on_an_ended_chat_is_chat_ended() {
    for state in all_states().into_iter().filter(|s| is_ended(*s)) {
        for cmd in all_commands() {
            assert_eq!(
                state.apply(cmd),
                Err(ChatError::ChatEnded),
                "{state:?} + {cmd:?}"
            );
        }
        for party in [
            Party::Visitor,
            Party::Agent(A),
            Party::Agent(B),
            Party::Agent(C),
        ] {
            assert_eq!(state.may_post(party), Err(ChatError::ChatEnded));
        }
    }
}

#[test]
fn every_successful_command_leads_to_a_state_whose_owner_matches_its_shape() {
    for state in all_states() {
        for cmd in all_commands() {
            if let Ok(next) = state.apply(cmd) {
                match next {
                    ChatState::Pending => assert_eq!(next.owner(), None),
                    ChatState::Active { agent } => assert_eq!(next.owner(), Some(agent)),
                    ChatState::Ended { .. } => {
                        assert_eq!(next.owner(), None);
                        assert!(!next.is_open());
                    }
                }
            }
        }
    }
}

#[test]
fn refusals_carry_their_wire_codes() {
    assert_eq!(ChatError::ChatTaken { by: A }.code(), ErrorCode::ChatTaken);
    assert_eq!(ChatError::ChatEnded.code(), ErrorCode::ChatEnded);
    assert_eq!(ChatError::NotYourChat.code(), ErrorCode::NotYourChat);
    assert_eq!(ChatError::InvalidTarget.code(), ErrorCode::InvalidTarget);
    assert_eq!(ErrorCode::ChatTaken.as_str(), "chat_taken");
    assert_eq!(ErrorCode::ChatEnded.as_str(), "chat_ended");
    assert_eq!(ErrorCode::NotYourChat.as_str(), "not_your_chat");
    assert_eq!(ErrorCode::InvalidTarget.as_str(), "invalid_target");
}

#[test]
fn states_round_trip_through_json_and_the_state_tag_is_the_name() {
    for state in all_states() {
        let json = serde_json::to_value(state).expect("a chat state serialises");
        assert_eq!(json["state"], state.name(), "{json}");
        let back: ChatState = serde_json::from_value(json).expect("and parses back");
        assert_eq!(back, state);
    }
    let blocked = serde_json::to_value(BLOCKED_BY_A).expect("a chat state serialises");
    assert_eq!(
        blocked,
        serde_json::json!({"state": "ended", "reason": {"by": "blocked", "agent": 1}})
    );
}

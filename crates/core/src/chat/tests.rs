//! Table tests of the chat state machine.
//!
//! The tables (in `transitions.rs` and `posting.rs`) are the specification written out in
//! full, so that a reader can check every cell against the rules:
//!
//! * first to respond wins; the loser gets `ChatTaken { by: owner }`;
//! * accepting your own chat again is a no-op `Ok`;
//! * only the owner may transfer, close, end or block;
//! * a transfer to yourself is `InvalidTarget`;
//! * close and agent-gone put the chat back in the queue (`Pending`);
//! * the visitor may end a `Pending` or `Active` chat;
//! * anything on an `Ended` chat is `ChatEnded`.
//!
//! Beside the tables, `rules.rs` has one test per rule, each checking its rule over every state
//! and command (with a third agent, so that "someone else" is not always the other of two).
//!
//! This file holds the vocabulary the tests share (three agents, the six states, the fourteen
//! commands, the refusals) and the helpers; the tests live in:
//!
//! * `transitions.rs`: the 84-row transition table and its check;
//! * `posting.rs`: who may post in which state, and `owner` / `is_open` / `name` per state;
//! * `rules.rs`: one test per rule, over every state and command.

mod posting;
mod rules;
mod transitions;

use super::*;

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
            ChatCommand::TransferToDepartment { by: a },
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
        | ChatCommand::TransferToDepartment { by }
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

/// Asserts that `table` has exactly one row for every state of [`STATES`] and every key
/// (a command or a party), so that no cell of the specification is missing or written twice.
fn assert_one_row_per_cell<K: Copy + PartialEq + std::fmt::Debug, R>(
    table: &[(ChatState, K, R)],
    keys: &[K],
    joint: &str,
) {
    for state in STATES {
        for key in keys {
            let rows = table
                .iter()
                .filter(|(s, k, _)| *s == state && k == key)
                .count();
            assert_eq!(rows, 1, "{state:?} {joint} {key:?} has {rows} rows");
        }
    }
}

/// Asserts that `actual` gives every row's expected result, listing all the cells that differ.
fn assert_every_cell<K: Copy + std::fmt::Debug, R: PartialEq + std::fmt::Debug>(
    table: &[(ChatState, K, R)],
    joint: &str,
    actual: impl Fn(ChatState, K) -> R,
) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(state, key, expected)| {
            let got = actual(*state, *key);
            (got != *expected)
                .then(|| format!("{state:?} {joint} {key:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

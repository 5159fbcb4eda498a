//! The chat state machine's transition table: every state × every command, written out in
//! full, and checked against `ChatState::apply`.

use super::*;

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

#[test]
fn transition_table_has_exactly_one_row_per_state_and_command() {
    assert_one_row_per_cell(&TRANSITIONS, &COMMANDS, "+");
}

#[test]
fn apply_gives_exactly_the_result_in_the_transition_table() {
    assert_every_cell(&TRANSITIONS, "+", |state, cmd| state.apply(cmd));
}

//! One test per rule of the chat state machine, each checking its rule over every state and
//! command (with a third agent, so that "someone else" is not always the other of two).

use super::*;
use crate::error::ErrorCode;

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
fn a_transfer_to_a_department_by_the_owner_puts_the_chat_back_in_the_queue() {
    for agent in [A, B, C] {
        let state = ChatState::Active { agent };
        let cmd = ChatCommand::TransferToDepartment { by: agent };
        assert_eq!(state.apply(cmd), Ok(PENDING));
    }
    let by_a = ChatCommand::TransferToDepartment { by: A };
    assert_eq!(ACTIVE_B.apply(by_a), Err(ChatError::NotYourChat));
    assert_eq!(PENDING.apply(by_a), Err(ChatError::NotYourChat));
    assert_eq!(ENDED_BY_A.apply(by_a), Err(ChatError::ChatEnded));
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

//! Property tests of one chat's whole life, with its messages.
//!
//! A tiny model of what the shell keeps for one chat (its state, its messages and, for the
//! race test, a version number) is driven by random operations through
//! [`ChatState::apply`] and [`ChatState::may_post`] only. After every step the invariants
//! of the product are checked, and every decision of `apply` is compared with the rules
//! written out independently in [`rules`].

use frontdesk_core::{AgentId, ChatCommand, ChatError, ChatState, EndReason, Party, Seq};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Agents are `AgentId(0)` to `AgentId(AGENTS - 1)`.
const AGENTS: i64 = 4;

fn agents() -> impl Iterator<Item = AgentId> {
    (0..AGENTS).map(AgentId)
}

// ---- The rules, as the product states them ---------------------------------------------

/// The expected result of `cmd` on `state`, written from the product rules (not from
/// `chat.rs`): anything on an ended chat is `ChatEnded`; first to accept wins and later
/// ones are told who has it, accepting one's own chat again changes nothing; the visitor
/// may end an open chat; everything else is for the owner only; a transfer to oneself is
/// `InvalidTarget`; close, agent-gone and a transfer to a department put the chat back in
/// the queue.
fn rules(state: ChatState, cmd: ChatCommand) -> Result<ChatState, ChatError> {
    let owner = match state {
        ChatState::Ended { .. } => return Err(ChatError::ChatEnded),
        ChatState::Pending => None,
        ChatState::Active { agent } => Some(agent),
    };
    let (actor, next) = match cmd {
        ChatCommand::Accept { agent } => {
            return match owner {
                None => Ok(ChatState::Active { agent }),
                Some(o) if o == agent => Ok(state),
                Some(o) => Err(ChatError::ChatTaken { by: o }),
            };
        }
        ChatCommand::End { by: Party::Visitor } => {
            return Ok(ChatState::Ended {
                reason: EndReason::Visitor,
            });
        }
        ChatCommand::Transfer { by, to } => (by, ChatState::Active { agent: to }),
        ChatCommand::Close { by } | ChatCommand::TransferToDepartment { by } => {
            (by, ChatState::Pending)
        }
        ChatCommand::AgentGone { agent } => (agent, ChatState::Pending),
        ChatCommand::End {
            by: Party::Agent(by),
        } => (
            by,
            ChatState::Ended {
                reason: EndReason::Agent { agent: by },
            },
        ),
        ChatCommand::Block { by } => (
            by,
            ChatState::Ended {
                reason: EndReason::Blocked { agent: by },
            },
        ),
    };
    if owner != Some(actor) {
        return Err(ChatError::NotYourChat);
    }
    if matches!(cmd, ChatCommand::Transfer { by, to } if by == to) {
        return Err(ChatError::InvalidTarget);
    }
    Ok(next)
}

/// Whether `party` may post in `state`, from the product rules: nobody in an ended chat;
/// the visitor while the chat is open (also while waiting); an agent only while holding it.
fn posting_rules(state: ChatState, party: Party) -> Result<(), ChatError> {
    match (state, party) {
        (ChatState::Ended { .. }, _) => Err(ChatError::ChatEnded),
        (_, Party::Visitor) => Ok(()),
        (ChatState::Active { agent }, Party::Agent(a)) if a == agent => Ok(()),
        (_, Party::Agent(_)) => Err(ChatError::NotYourChat),
    }
}

fn every_state() -> Vec<ChatState> {
    let mut states = vec![
        ChatState::Pending,
        ChatState::Ended {
            reason: EndReason::Visitor,
        },
    ];
    for agent in agents() {
        states.extend([
            ChatState::Active { agent },
            ChatState::Ended {
                reason: EndReason::Agent { agent },
            },
            ChatState::Ended {
                reason: EndReason::Blocked { agent },
            },
        ]);
    }
    states
}

fn every_command() -> Vec<ChatCommand> {
    let mut cmds = vec![ChatCommand::End { by: Party::Visitor }];
    for a in agents() {
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
        cmds.extend(agents().map(|to| ChatCommand::Transfer { by: a, to }));
    }
    cmds
}

fn every_party() -> Vec<Party> {
    std::iter::once(Party::Visitor)
        .chain(agents().map(Party::Agent))
        .collect()
}

/// Four agents make 14 states and 41 commands: small enough to check every pair, so the
/// property tests below need not rely on luck for the single-step rules.
#[test]
fn apply_follows_the_rules_for_every_state_and_command_among_four_agents() {
    let (states, cmds) = (every_state(), every_command());
    assert_eq!((states.len(), cmds.len()), (14, 41));
    for &state in &states {
        for &cmd in &cmds {
            assert_eq!(state.apply(cmd), rules(state, cmd), "{state:?} + {cmd:?}");
        }
    }
}

#[test]
fn may_post_follows_the_rules_for_every_state_and_party_among_four_agents() {
    for state in every_state() {
        for party in every_party() {
            assert_eq!(
                state.may_post(party),
                posting_rules(state, party),
                "{state:?} / {party:?}"
            );
        }
    }
}

// ---- One chat's life -------------------------------------------------------------------

/// One thing that can happen to a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// The visitor asks for a chat: it is created `Pending`. Only ever the first step.
    Request,
    Accept(AgentId),
    Transfer {
        by: AgentId,
        to: AgentId,
    },
    Close(AgentId),
    ToDepartment(AgentId),
    AgentGone(AgentId),
    EndByVisitor,
    EndByAgent(AgentId),
    Block(AgentId),
    VisitorPosts,
    AgentPosts(AgentId),
}

impl Op {
    /// The command this operation sends, or `None` for a request or a message.
    fn command(self) -> Option<ChatCommand> {
        Some(match self {
            Op::Request | Op::VisitorPosts | Op::AgentPosts(_) => return None,
            Op::Accept(agent) => ChatCommand::Accept { agent },
            Op::Transfer { by, to } => ChatCommand::Transfer { by, to },
            Op::Close(by) => ChatCommand::Close { by },
            Op::ToDepartment(by) => ChatCommand::TransferToDepartment { by },
            Op::AgentGone(agent) => ChatCommand::AgentGone { agent },
            Op::EndByVisitor => ChatCommand::End { by: Party::Visitor },
            Op::EndByAgent(a) => ChatCommand::End {
                by: Party::Agent(a),
            },
            Op::Block(by) => ChatCommand::Block { by },
        })
    }
}

fn agent() -> impl Strategy<Value = AgentId> {
    (0..AGENTS).prop_map(AgentId)
}

/// Any operation but the request. Ending is rarer than the rest, so that most lives last
/// long enough to see transfers, returns to the queue and many messages.
fn op_after_request() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => agent().prop_map(Op::Accept),
        8 => (agent(), agent()).prop_map(|(by, to)| Op::Transfer { by, to }),
        3 => agent().prop_map(Op::Close),
        2 => agent().prop_map(Op::ToDepartment),
        3 => agent().prop_map(Op::AgentGone),
        1 => Just(Op::EndByVisitor),
        1 => agent().prop_map(Op::EndByAgent),
        1 => agent().prop_map(Op::Block),
        6 => Just(Op::VisitorPosts),
        12 => agent().prop_map(Op::AgentPosts),
    ]
}

/// A request followed by up to 60 other operations.
fn lifecycle() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op_after_request(), 0..=60).prop_map(|rest| {
        let mut ops = vec![Op::Request];
        ops.extend(rest);
        ops
    })
}

/// What the shell keeps of one chat.
#[derive(Debug, Default)]
struct Chat {
    /// `None` until the visitor's request.
    state: Option<ChatState>,
    messages: Vec<(Seq, Party)>,
    /// The state and message count when the chat ended, to check that nothing moves after.
    ended: Option<(ChatState, usize)>,
}

impl Chat {
    fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        let Some(before) = self.state else {
            prop_assert_eq!(op, Op::Request, "the first step is the request");
            self.state = Some(ChatState::Pending);
            return Ok(());
        };
        if let Some(cmd) = op.command() {
            let got = before.apply(cmd);
            prop_assert_eq!(&got, &rules(before, cmd), "{:?} + {:?}", before, cmd);
            if let Ok(next) = got {
                self.state = Some(next);
            }
            return Ok(());
        }
        let author = match op {
            Op::VisitorPosts => Party::Visitor,
            Op::AgentPosts(a) => Party::Agent(a),
            _ => return Err(TestCaseError::fail(format!("a second {op:?}"))),
        };
        let allowed = before.may_post(author);
        prop_assert_eq!(&allowed, &posting_rules(before, author));
        if allowed.is_ok() {
            if let Party::Agent(a) = author {
                prop_assert_eq!(
                    before.owner(),
                    Some(a),
                    "an agent's message was accepted from someone not holding the chat"
                );
            }
            let seq = Seq(self.messages.len() as i64 + 1);
            self.messages.push((seq, author));
        }
        Ok(())
    }

    fn check_invariants(&mut self, accepted_posts: usize) -> Result<(), TestCaseError> {
        let Some(state) = self.state else {
            return Ok(());
        };

        // At most one owner, and only while active; Pending exactly when open with no owner.
        match state {
            ChatState::Active { agent } => prop_assert_eq!(state.owner(), Some(agent)),
            _ => prop_assert_eq!(state.owner(), None),
        }
        prop_assert_eq!(
            state == ChatState::Pending,
            state.is_open() && state.owner().is_none()
        );
        prop_assert_eq!(state.is_open(), !matches!(state, ChatState::Ended { .. }));

        // Messages: 1..=n, in order, none lost, none doubled.
        for (i, (seq, _)) in self.messages.iter().enumerate() {
            prop_assert_eq!(
                *seq,
                Seq(i as i64 + 1),
                "message {} of {:?}",
                i,
                self.messages
            );
        }
        prop_assert_eq!(self.messages.len(), accepted_posts);

        // Once ended, never changed again, and nobody may act or post.
        if let ChatState::Ended { .. } = state {
            let (ended_as, count) = *self.ended.get_or_insert((state, self.messages.len()));
            prop_assert_eq!(state, ended_as, "an ended chat changed state");
            prop_assert_eq!(self.messages.len(), count, "an ended chat took a message");
            for cmd in every_command() {
                prop_assert_eq!(state.apply(cmd), Err(ChatError::ChatEnded));
            }
            for party in every_party() {
                prop_assert_eq!(state.may_post(party), Err(ChatError::ChatEnded));
            }
        } else {
            prop_assert!(self.ended.is_none(), "an ended chat was reopened");
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_chats_life_keeps_one_owner_and_every_allowed_message_in_order(ops in lifecycle()) {
        let mut chat = Chat::default();
        let mut accepted_posts = 0;
        for op in ops {
            let before = (chat.state, chat.messages.len());
            chat.step(op)?;
            if chat.messages.len() > before.1 {
                accepted_posts += 1;
                prop_assert_eq!(chat.messages.len(), before.1 + 1, "one post, one message");
            }
            // A refused command leaves the state as it was (the shell writes nothing).
            if let (Some(state), Some(cmd)) = (before.0, op.command())
                && state.apply(cmd).is_err()
            {
                prop_assert_eq!(chat.state, Some(state));
            }
            chat.check_invariants(accepted_posts)?;
        }
    }

    #[test]
    fn the_owner_and_the_visitor_are_never_refused_while_the_chat_is_open(ops in lifecycle()) {
        let mut chat = Chat::default();
        for op in ops {
            chat.step(op)?;
            let Some(state) = chat.state else { continue };
            if state.is_open() {
                prop_assert_eq!(state.may_post(Party::Visitor), Ok(()));
                if let Some(owner) = state.owner() {
                    prop_assert_eq!(state.may_post(Party::Agent(owner)), Ok(()));
                }
            }
        }
    }
}

// ---- Agents accepting at the same moment -----------------------------------------------

/// The chat's row in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    state: ChatState,
    version: u64,
}

impl Row {
    /// `UPDATE chats SET state = ?, version = version + 1 WHERE id = ? AND version = ?`.
    fn compare_and_set(&mut self, expected_version: u64, state: ChatState) -> bool {
        if self.version != expected_version {
            return false;
        }
        *self = Row {
            state,
            version: self.version + 1,
        };
        true
    }
}

/// What a node does for one command, starting from the row as it read it: decide with
/// `apply`, write back conditionally; when another writer got in first, re-read and decide
/// again.
fn run(db: &mut Row, read: Row, cmd: ChatCommand) -> Result<ChatState, ChatError> {
    let mut seen = read;
    loop {
        let next = seen.state.apply(cmd)?;
        if db.compare_and_set(seen.version, next) {
            return Ok(next);
        }
        seen = *db;
    }
}

fn any_state() -> impl Strategy<Value = ChatState> {
    prop::sample::select(every_state())
}

/// Two to four different agents, in the order their writes reach the database.
fn racing_agents() -> impl Strategy<Value = Vec<AgentId>> {
    (
        Just(agents().collect::<Vec<_>>()).prop_shuffle(),
        2..=AGENTS as usize,
    )
        .prop_map(|(all, n)| all.into_iter().take(n).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn two_agents_accepting_a_pending_chat_at_once_one_wins_and_the_other_is_told_who(
        first in agent(),
        second in agent(),
    ) {
        prop_assume!(first != second);
        let mut db = Row { state: ChatState::Pending, version: 0 };
        let read = db; // both read the row before either writes
        // Both decide that they win...
        prop_assert_eq!(read.state.apply(ChatCommand::Accept { agent: first }),
                        Ok(ChatState::Active { agent: first }));
        prop_assert_eq!(read.state.apply(ChatCommand::Accept { agent: second }),
                        Ok(ChatState::Active { agent: second }));
        // ...but the database takes one write; the other re-reads and is told who won.
        let a = run(&mut db, read, ChatCommand::Accept { agent: first });
        let b = run(&mut db, read, ChatCommand::Accept { agent: second });
        prop_assert_eq!(a, Ok(ChatState::Active { agent: first }));
        prop_assert_eq!(b, Err(ChatError::ChatTaken { by: first }));
        prop_assert_eq!(db, Row { state: ChatState::Active { agent: first }, version: 1 });
    }

    #[test]
    fn agents_accepting_at_once_from_any_state_at_most_one_wins_and_losers_are_told_the_owner(
        start in any_state(),
        racers in racing_agents(),
        all_read_first in any::<bool>(),
    ) {
        let mut db = Row { state: start, version: 7 };
        let shared_read = db;
        let mut results = Vec::new();
        for &agent in &racers {
            // Either everyone read before anyone wrote (a race), or each read the latest row.
            let read = if all_read_first { shared_read } else { db };
            results.push((agent, run(&mut db, read, ChatCommand::Accept { agent })));
        }

        // Whatever the interleaving, the outcome is that of accepting one after the other.
        let mut sequential = start;
        for &(agent, ref got) in &results {
            let expected = sequential.apply(ChatCommand::Accept { agent });
            prop_assert_eq!(got, &expected, "{:?} accepting", agent);
            if let Ok(next) = expected {
                sequential = next;
            }
        }
        prop_assert_eq!(db.state, sequential);

        let winners: Vec<AgentId> =
            results.iter().filter(|(_, r)| r.is_ok()).map(|(a, _)| *a).collect();
        match start {
            ChatState::Ended { .. } => {
                prop_assert!(winners.is_empty());
                prop_assert!(results.iter().all(|(_, r)| *r == Err(ChatError::ChatEnded)));
                prop_assert_eq!(db, shared_read, "an ended chat is never written");
            }
            ChatState::Pending => {
                // The first write to reach the database wins; everyone else is told so.
                let winner = racers[0];
                prop_assert_eq!(&winners, &vec![winner]);
                prop_assert_eq!(db.state, ChatState::Active { agent: winner });
                for &(agent, ref r) in &results[1..] {
                    prop_assert_eq!(r, &Err(ChatError::ChatTaken { by: winner }), "{:?}", agent);
                }
            }
            ChatState::Active { agent: owner } => {
                // Already held: the owner's accept is a no-op, everyone else loses to it.
                prop_assert_eq!(db.state, start);
                prop_assert!(winners.iter().all(|w| *w == owner));
                prop_assert_eq!(winners.len(), usize::from(racers.contains(&owner)));
                for &(agent, ref r) in results.iter().filter(|(a, _)| *a != owner) {
                    prop_assert_eq!(r, &Err(ChatError::ChatTaken { by: owner }), "{:?}", agent);
                }
            }
        }
    }
}

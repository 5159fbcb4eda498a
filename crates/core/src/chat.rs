//! The chat lifecycle as a pure state machine.
//!
//! ```text
//!   request ──► Pending ──accept──► Active{agent} ──transfer──► Active{other}
//!                  ▲                    │  │
//!                  └─close / gone /─────┘  ├──end────► Ended{..}
//!                     to a department      │
//!                                          └──block──► Ended{Blocked}
//!   (the visitor may end a Pending or Active chat)
//! ```
//!
//! The shell loads a chat, asks [`ChatState::apply`] for the next state, and writes it back
//! with a conditional update on the chat's version: when two nodes race, the database
//! decides, and the loser re-reads and asks again (getting, e.g., [`ChatError::ChatTaken`]).

use crate::error::ChatError;
use crate::ids::AgentId;
use serde::{Deserialize, Serialize};

/// Where a chat is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChatState {
    /// Waiting for an agent (new, or back in the queue).
    Pending,
    /// Held by one agent.
    Active { agent: AgentId },
    /// Over; read-only.
    Ended { reason: EndReason },
}

/// Who or what ended a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum EndReason {
    Visitor,
    Agent { agent: AgentId },
    Blocked { agent: AgentId },
}

/// One side of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    Visitor,
    Agent(AgentId),
}

/// Something that may change a chat's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatCommand {
    /// An agent answers the request ("Start Chatting"). First one wins.
    Accept { agent: AgentId },
    /// The agent in charge hands the chat to another agent.
    Transfer { by: AgentId, to: AgentId },
    /// The agent in charge closes the window without ending: back to the queue.
    Close { by: AgentId },
    /// The agent in charge hands the chat to a department: back to the queue (the shell sets
    /// the chat's department; the visitor is not told).
    TransferToDepartment { by: AgentId },
    /// All of the agent's connections have been gone for the grace period: back to the queue.
    AgentGone { agent: AgentId },
    /// Either side ends the chat.
    End { by: Party },
    /// The agent in charge blocks the visitor: the chat ends at once.
    Block { by: AgentId },
}

impl ChatState {
    /// The state after `cmd`, or why `cmd` is refused. Never has side effects.
    pub fn apply(self, cmd: ChatCommand) -> Result<ChatState, ChatError> {
        use ChatCommand as C;
        use ChatState as S;
        if let S::Ended { .. } = self {
            return Err(ChatError::ChatEnded);
        }
        match (self, cmd) {
            (S::Pending, C::Accept { agent }) => Ok(S::Active { agent }),
            (S::Active { agent: owner }, C::Accept { agent }) => {
                if owner == agent {
                    // Accepting one's own chat again (a double click) changes nothing.
                    Ok(self)
                } else {
                    Err(ChatError::ChatTaken { by: owner })
                }
            }
            (S::Active { agent: owner }, C::Transfer { by, to }) if owner == by => {
                if to == by {
                    Err(ChatError::InvalidTarget)
                } else {
                    Ok(S::Active { agent: to })
                }
            }
            (S::Active { agent: owner }, C::Close { by })
            | (S::Active { agent: owner }, C::TransferToDepartment { by })
                if owner == by =>
            {
                Ok(S::Pending)
            }
            (S::Active { agent: owner }, C::AgentGone { agent }) if owner == agent => {
                Ok(S::Pending)
            }
            (S::Pending | S::Active { .. }, C::End { by: Party::Visitor }) => Ok(S::Ended {
                reason: EndReason::Visitor,
            }),
            (
                S::Active { agent: owner },
                C::End {
                    by: Party::Agent(a),
                },
            ) if owner == a => Ok(S::Ended {
                reason: EndReason::Agent { agent: a },
            }),
            (S::Active { agent: owner }, C::Block { by }) if owner == by => Ok(S::Ended {
                reason: EndReason::Blocked { agent: by },
            }),
            _ => Err(ChatError::NotYourChat),
        }
    }

    /// May `party` post a message in this state? Visitors may write while waiting.
    pub fn may_post(self, party: Party) -> Result<(), ChatError> {
        match (self, party) {
            (ChatState::Ended { .. }, _) => Err(ChatError::ChatEnded),
            (_, Party::Visitor) => Ok(()),
            (ChatState::Active { agent }, Party::Agent(a)) if agent == a => Ok(()),
            _ => Err(ChatError::NotYourChat),
        }
    }

    pub fn owner(self) -> Option<AgentId> {
        match self {
            ChatState::Active { agent } => Some(agent),
            _ => None,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, ChatState::Ended { .. })
    }

    /// Short name used in storage and on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ChatState::Pending => "pending",
            ChatState::Active { .. } => "active",
            ChatState::Ended { .. } => "ended",
        }
    }
}

#[cfg(test)]
mod tests;

//! A colleague in the chat (issue 13): "Invite Agent", "Join chat", "Leave chat", as pure
//! rules over a [`Chat`].
//!
//! - Only the owner of an active chat invites; the invited agent is On-Line for the chat's site
//!   (the shell asks presence), is not the owner and not already in the chat.
//! - An agent joins an active chat when invited to it by its owner, or as a supervisor of its
//!   site; never its owner, never twice, and never beyond the server's cap of joined agents.
//! - A colleague leaves; the owner leaving hands the chat to the colleague who joined first
//!   (who becomes the owner and leaves `joined`). An owner alone cannot leave (they Close or
//!   End instead).
//! - A colleague writes messages and notes and reads everything; Close, End, Block and Transfer
//!   stay the owner's ([`crate::ChatState::apply`] answers `not_your_chat` to anyone else).
//!
//! Storage keeps the same conditions in one conditional write (`ColleagueStore`), so that
//! two nodes cannot overfill a chat; these functions give the refusal its reason.

use crate::chat::{ChatState, Party};
use crate::error::{ChatError, ErrorCode};
use crate::ids::AgentId;
use crate::model::Chat;

/// The server's default cap of joined agents per chat (`limits.colleagues_per_chat`).
pub const DEFAULT_CAP: u32 = 4;

/// Why a colleague action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ColleagueError {
    #[error("this chat has ended")]
    ChatEnded,
    /// Not the owner (invite), not in the chat (leave), or the chat is waiting (join).
    #[error("you are not in this chat")]
    NotYourChat,
    /// The invited agent is not On-Line for the site, is the owner, or is already in the chat.
    #[error("that agent cannot be invited to this chat")]
    InvalidTarget,
    /// The chat has as many colleagues as the server allows.
    #[error("this chat has as many colleagues as allowed")]
    Full,
    /// Joining without an invitation (and not a supervisor of the site).
    #[error("you were not invited to this chat")]
    NotInvited,
    /// The owner leaving with no colleague to hand the chat to.
    #[error("no colleague is in the chat to hand it to; close or end it instead")]
    NoColleague,
}

impl ColleagueError {
    pub fn code(self) -> ErrorCode {
        match self {
            ColleagueError::ChatEnded => ErrorCode::ChatEnded,
            ColleagueError::NotYourChat => ErrorCode::NotYourChat,
            ColleagueError::InvalidTarget | ColleagueError::NoColleague => ErrorCode::InvalidTarget,
            ColleagueError::Full => ErrorCode::AtCapacity,
            ColleagueError::NotInvited => ErrorCode::Forbidden,
        }
    }
}

/// The chat's owner, if it is active; `ChatEnded` / `NotYourChat` (waiting) otherwise.
fn active_owner(chat: &Chat) -> Result<AgentId, ColleagueError> {
    match chat.state {
        ChatState::Active { agent } => Ok(agent),
        ChatState::Ended { .. } => Err(ColleagueError::ChatEnded),
        ChatState::Pending => Err(ColleagueError::NotYourChat),
    }
}

/// Is `agent` in the chat as a colleague (not its owner)?
pub fn is_colleague(chat: &Chat, agent: AgentId) -> bool {
    chat.joined.contains(&agent)
}

/// "Invite Agent": may `by` invite `to` (who is `online` for the chat's site)?
pub fn may_invite(
    chat: &Chat,
    by: AgentId,
    to: AgentId,
    online: bool,
    cap: u32,
) -> Result<(), ColleagueError> {
    let owner = active_owner(chat)?;
    if owner != by {
        return Err(ColleagueError::NotYourChat);
    }
    if to == owner || is_colleague(chat, to) || !online {
        return Err(ColleagueError::InvalidTarget);
    }
    if joined_len(chat) >= cap {
        return Err(ColleagueError::Full);
    }
    Ok(())
}

/// "Join chat": may `agent` join? `invited_by`: the agent who invited them to this chat, if
/// any (an invitation counts only while its author still owns the chat); `supervisor`: they
/// supervise the chat's site. Joining a chat one is already in (owner or colleague) is
/// `Ok(false)`: nothing to do. `Ok(true)`: join.
pub fn may_join(
    chat: &Chat,
    agent: AgentId,
    invited_by: Option<AgentId>,
    supervisor: bool,
    cap: u32,
) -> Result<bool, ColleagueError> {
    let owner = active_owner(chat)?;
    if owner == agent || is_colleague(chat, agent) {
        return Ok(false);
    }
    if !(supervisor || invited_by == Some(owner)) {
        return Err(ColleagueError::NotInvited);
    }
    if joined_len(chat) >= cap {
        return Err(ColleagueError::Full);
    }
    Ok(true)
}

/// What "Leave chat" does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// A colleague leaves the chat.
    Colleague,
    /// The owner leaves: the chat goes to `to`, the colleague who joined first.
    HandOver { to: AgentId },
}

/// "Leave chat" by `agent`.
pub fn leave(chat: &Chat, agent: AgentId) -> Result<Leaving, ColleagueError> {
    if let ChatState::Ended { .. } = chat.state {
        return Err(ColleagueError::ChatEnded);
    }
    if is_colleague(chat, agent) {
        return Ok(Leaving::Colleague);
    }
    if chat.state.owner() != Some(agent) {
        return Err(ColleagueError::NotYourChat);
    }
    match chat.joined.first() {
        Some(&to) => Ok(Leaving::HandOver { to }),
        None => Err(ColleagueError::NoColleague),
    }
}

/// May `party` post (a message, a link or a note) in the chat? The owner and its colleagues
/// while it is active; the visitor while it is open.
pub fn may_post(chat: &Chat, party: Party) -> Result<(), ChatError> {
    match (chat.state, party) {
        (ChatState::Active { .. }, Party::Agent(a)) if is_colleague(chat, a) => Ok(()),
        (state, party) => state.may_post(party),
    }
}

/// May `agent` read the chat (catch up, open its window)? Its owner, its colleagues (also once
/// it ended, in history), or anyone of its site (who the shell checked already). Used by the
/// shell to decide whom a chat's frames reach; site membership is the shell's check.
pub fn is_in_chat(chat: &Chat, agent: AgentId) -> bool {
    chat.state.owner() == Some(agent) || is_colleague(chat, agent)
}

fn joined_len(chat: &Chat) -> u32 {
    u32::try_from(chat.joined.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;

//! What each side is shown of a stored message: the conversions from the model's
//! [`Message`] to the protocol's views.

use super::{AgentMessageView, VisitorMessageView};
use crate::model::{Author, Message};

impl Author {
    /// The `from` of a message view: "visitor", "agent" or "system".
    pub fn label(&self) -> &'static str {
        match self {
            Author::Visitor => "visitor",
            Author::Agent { .. } => "agent",
            Author::System => "system",
        }
    }
}

impl From<&Message> for AgentMessageView {
    fn from(m: &Message) -> AgentMessageView {
        AgentMessageView {
            chat_id: m.chat_id,
            seq: m.seq,
            from: m.author.label().to_string(),
            agent_id: match m.author {
                Author::Agent { agent } => Some(agent),
                _ => None,
            },
            author_name: m.author_name.clone(),
            kind: m.kind,
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            created_at: m.created_at,
        }
    }
}

/// The visitor's view never names the agent (a transfer stays invisible).
impl From<&Message> for VisitorMessageView {
    fn from(m: &Message) -> VisitorMessageView {
        VisitorMessageView {
            chat_id: m.chat_id,
            seq: m.seq,
            from: m.author.label().to_string(),
            kind: m.kind,
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            created_at: m.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AgentId, ChatId, Seq, Timestamp};
    use crate::model::MessageKind;

    fn by(author: Author) -> Message {
        Message {
            chat_id: ChatId(1),
            seq: Seq(2),
            author,
            author_name: Some("Ann".into()),
            kind: MessageKind::Text,
            body: "hi".into(),
            client_id: Some("c1".into()),
            created_at: Timestamp(3),
        }
    }

    #[test]
    fn the_agent_sees_who_wrote_and_the_visitor_only_which_side() {
        let m = by(Author::Agent { agent: AgentId(9) });
        let a = AgentMessageView::from(&m);
        assert_eq!((a.from.as_str(), a.agent_id), ("agent", Some(AgentId(9))));
        assert_eq!(a.author_name.as_deref(), Some("Ann"));
        let v = serde_json::to_value(VisitorMessageView::from(&m)).expect("serializes");
        assert_eq!(v["from"], "agent");
        assert!(v.get("agent_id").is_none() && v.get("author_name").is_none());
        for (author, label) in [(Author::Visitor, "visitor"), (Author::System, "system")] {
            let a = AgentMessageView::from(&by(author));
            assert_eq!((a.from.as_str(), a.agent_id), (label, None));
        }
    }
}

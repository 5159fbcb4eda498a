//! What each side is shown of a stored message: the conversions from the model's
//! [`Message`] to the protocol's views.

use super::{AgentMessageView, VisitorMessageView};
use crate::ids::AgentId;
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
            file: m.file.clone(),
        }
    }
}

impl VisitorMessageView {
    /// What the visitor is shown of a stored message: `None` for an internal note (the one
    /// gate every path to a visitor goes through: live delivery, replay, resync, the
    /// visitor's transcript). The agent's id is never shown. A reply is named only when it is
    /// by a colleague, not by the chat's `owner`, and the site shows each agent's name
    /// (`agent_names`, "Show all agents' names"): the owner's replies go under the name the
    /// visitor already knows, so a transfer stays invisible.
    pub fn of(
        m: &Message,
        owner: Option<AgentId>,
        agent_names: bool,
    ) -> Option<VisitorMessageView> {
        if !m.kind.visitor_may_see() {
            return None;
        }
        Some(VisitorMessageView {
            chat_id: m.chat_id,
            seq: m.seq,
            from: m.author.label().to_string(),
            author_name: match m.author {
                Author::Agent { agent } if agent_names && owner != Some(agent) => {
                    m.author_name.clone()
                }
                _ => None,
            },
            kind: m.kind,
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            created_at: m.created_at,
            file: m.file.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ChatId, Seq, Timestamp};
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
            file: None,
        }
    }

    #[test]
    fn the_agent_sees_who_wrote_and_the_visitor_only_which_side() {
        let m = by(Author::Agent { agent: AgentId(9) });
        let a = AgentMessageView::from(&m);
        assert_eq!((a.from.as_str(), a.agent_id), ("agent", Some(AgentId(9))));
        assert_eq!(a.author_name.as_deref(), Some("Ann"));
        for (owner, names) in [(Some(AgentId(9)), true), (Some(AgentId(4)), false)] {
            let hidden = VisitorMessageView::of(&m, owner, names).expect("a text is shown");
            let v = serde_json::to_value(hidden).expect("serializes");
            assert_eq!(v["from"], "agent");
            assert!(
                v.get("agent_id").is_none() && v.get("author_name").is_none(),
                "the owner's reply, or names off: {v}"
            );
        }
        let colleague = VisitorMessageView::of(&m, Some(AgentId(4)), true).expect("shown");
        let v = serde_json::to_value(colleague).expect("serializes");
        assert_eq!(v["author_name"], "Ann", "a colleague's reply is named");
        assert!(v.get("agent_id").is_none(), "never the agent's id");
        let visitor = VisitorMessageView::of(&by(Author::Visitor), None, true).expect("shown");
        assert_eq!(visitor.author_name, None, "only agents are named");
        for (author, label) in [(Author::Visitor, "visitor"), (Author::System, "system")] {
            let a = AgentMessageView::from(&by(author));
            assert_eq!((a.from.as_str(), a.agent_id), (label, None));
        }
    }

    #[test]
    fn a_note_never_becomes_a_visitor_view() {
        for kind in [
            MessageKind::Text,
            MessageKind::Link,
            MessageKind::Event,
            MessageKind::Note,
        ] {
            let m = Message {
                kind,
                ..by(Author::Agent { agent: AgentId(9) })
            };
            for names in [false, true] {
                assert_eq!(
                    VisitorMessageView::of(&m, None, names).is_some(),
                    kind != MessageKind::Note,
                    "{kind:?}"
                );
            }
            assert_eq!(
                AgentMessageView::from(&m).kind,
                kind,
                "agents see every kind"
            );
        }
    }
}

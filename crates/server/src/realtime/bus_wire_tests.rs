//! The bus's wire format, pinned: during a rolling upgrade nodes of the previous release and of
//! this one exchange these events over Redis (docs/deploy.md, "Rolling upgrade of a cluster").
//! Each JSON below is what the previous release writes and reads; this build must write the
//! same and read it back. A change here breaks the roll: add a new event kind instead (an old
//! node drops a kind it does not know, see `bus_redis.rs`), and use it only for what is new.

use super::BusEvent;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::AgentStatus;
use frontdesk_core::{AgentId, ChatId, DepartmentId, Seq, SiteId, Timestamp, VisitorId};
use serde_json::{Value, json};

fn pinned() -> Vec<(BusEvent, Value)> {
    let deliver = |to: Audience, to_json: Value| {
        (
            BusEvent::Deliver {
                to,
                frame: "{\"type\":\"x\"}".into(),
                seq: Some((ChatId(7), Seq(3))),
            },
            json!({"Deliver": {"to": to_json, "frame": "{\"type\":\"x\"}", "seq": [7, 3]}}),
        )
    };
    vec![
        deliver(
            Audience::SiteAgents {
                site: SiteId(1),
                online_only: true,
                also: Some(AgentId(2)),
            },
            json!({"SiteAgents": {"site": 1, "online_only": true, "also": 2}}),
        ),
        deliver(
            Audience::DepartmentAgents {
                site: SiteId(1),
                department: DepartmentId(4),
                agents: vec![AgentId(2)],
            },
            json!({"DepartmentAgents": {"site": 1, "department": 4, "agents": [2]}}),
        ),
        deliver(Audience::Agent(AgentId(2)), json!({"Agent": 2})),
        deliver(
            Audience::ChatAgents {
                chat: ChatId(7),
                agents: vec![AgentId(2)],
            },
            json!({"ChatAgents": {"chat": 7, "agents": [2]}}),
        ),
        deliver(
            Audience::Visitor {
                site: SiteId(1),
                visitor: VisitorId("v-1".into()),
            },
            json!({"Visitor": {"site": 1, "visitor": "v-1"}}),
        ),
        deliver(
            Audience::SiteVisitors(SiteId(1)),
            json!({"SiteVisitors": 1}),
        ),
        (
            BusEvent::Deliver {
                to: Audience::Agent(AgentId(2)),
                frame: "{}".into(),
                seq: None,
            },
            json!({"Deliver": {"to": {"Agent": 2}, "frame": "{}", "seq": null}}),
        ),
        (
            BusEvent::Withheld {
                chat: ChatId(7),
                seq: Seq(4),
            },
            json!({"Withheld": {"chat": 7, "seq": 4}}),
        ),
        (
            BusEvent::AgentState {
                agent: AgentId(2),
                name: "Alice".into(),
                status: AgentStatus::Away,
                sites: vec![SiteId(1)],
                monitoring: vec![SiteId(1)],
            },
            json!({"AgentState": {"agent": 2, "name": "Alice", "status": "away",
                "sites": [1], "monitoring": [1]}}),
        ),
        (
            BusEvent::EndSessions {
                agent: AgentId(2),
                session: Some("s".into()),
                except: None,
            },
            json!({"EndSessions": {"agent": 2, "session": "s", "except": null}}),
        ),
        (
            BusEvent::ColleagueInvited {
                chat: ChatId(7),
                agent: AgentId(2),
                by: AgentId(5),
                at: Timestamp(1000),
            },
            json!({"ColleagueInvited": {"chat": 7, "agent": 2, "by": 5, "at": 1000}}),
        ),
        (
            BusEvent::SitesChanged {
                sites: vec![SiteId(1)],
            },
            json!({"SitesChanged": {"sites": [1]}}),
        ),
        (BusEvent::WebhooksChanged, json!("WebhooksChanged")),
        (BusEvent::Resync, json!("Resync")),
    ]
}

#[test]
fn events_are_written_and_read_as_the_previous_release_does() {
    for (event, wire) in pinned() {
        let written = serde_json::to_value(&event).expect("serializes");
        assert_eq!(written, wire, "{event:?} is written differently");
        let read: BusEvent = serde_json::from_value(wire.clone()).expect("reads");
        assert_eq!(
            serde_json::to_value(&read).expect("serializes"),
            wire,
            "{wire} is read differently"
        );
    }
}

#[test]
fn an_event_kind_this_build_does_not_know_is_refused_not_misread() {
    // What a later release may add: it must fail to decode (the bus logs and drops it), never
    // decode as something else.
    for wire in [
        json!({"Typing2": {"chat": 7}}),
        json!("Shutdown"),
        json!({"Deliver": {"to": {"Department": 4}, "frame": "{}", "seq": null}}),
    ] {
        assert!(
            serde_json::from_value::<BusEvent>(wire.clone()).is_err(),
            "{wire} decoded"
        );
    }
}

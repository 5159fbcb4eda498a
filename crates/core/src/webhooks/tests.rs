use super::outbox::{Outcome, after_attempt};
use super::*;
use crate::chat::ChatState;
use crate::ids::AgentId;
use proptest::prelude::*;

#[test]
fn event_names_round_trip_and_serialize_as_named() {
    for k in EventKind::SUBSCRIBABLE.into_iter().chain([EventKind::Test]) {
        assert_eq!(EventKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).expect("json"),
            serde_json::json!(k.as_str())
        );
    }
    assert_eq!(EventKind::parse("chat.deleted"), None);
    let all = EventKind::SUBSCRIBABLE;
    assert_eq!(events_from_text(&events_text(&all)), all.to_vec());
    assert_eq!(
        events_from_text("chat.ended,nonsense,chat.started"),
        vec![EventKind::ChatEnded, EventKind::ChatStarted]
    );
}

#[test]
fn check_events_needs_one_and_orders_them() {
    assert_eq!(check_events(&[]), Err(WebhookError::NoEvents));
    assert_eq!(
        check_events(&[EventKind::Test]),
        Err(WebhookError::NoEvents)
    );
    assert_eq!(
        check_events(&[
            EventKind::ChatEnded,
            EventKind::ChatStarted,
            EventKind::ChatEnded
        ]),
        Ok(vec![EventKind::ChatStarted, EventKind::ChatEnded])
    );
}

#[test]
fn check_url_takes_http_and_https_only() {
    assert!(check_url("https://crm.example.com/hooks/frontdesk?x=1").is_ok());
    assert!(check_url("  http://127.0.0.1:9000/h ").is_ok());
    for bad in [
        "",
        "crm.example.com/hook",
        "ftp://crm.example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://",
    ] {
        assert_eq!(check_url(bad), Err(WebhookError::BadUrl), "{bad}");
    }
    let long = format!("https://a.example/{}", "x".repeat(URL_MAX));
    assert_eq!(check_url(&long), Err(WebhookError::BadUrl));
    assert_eq!(
        check_url("https://user:pw@crm.example.com/"),
        Err(WebhookError::Credentials)
    );
}

#[test]
fn signature_is_hmac_of_timestamp_dot_body() {
    // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    let header = signature("whsec_test", 1_700_000_000, r#"{"a":1}"#);
    assert_eq!(
        header,
        "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
    );
    assert!(verify(
        "whsec_test",
        &header,
        r#"{"a":1}"#,
        1_700_000_010,
        300
    ));
}

#[test]
fn verify_refuses_forgeries_and_replays() {
    let body = r#"{"id":"x"}"#;
    let header = signature("whsec_right", 1_000, body);
    assert!(verify("whsec_right", &header, body, 1_000, 300));
    assert!(!verify("whsec_wrong", &header, body, 1_000, 300));
    assert!(!verify("whsec_right", &header, r#"{"id":"y"}"#, 1_000, 300));
    assert!(!verify("whsec_right", &header, body, 1_301, 300));
    assert!(!verify("whsec_right", "v1=00", body, 1_000, 300));
    assert!(!verify("whsec_right", "t=1000,v1=zz", body, 1_000, 300));
    let moved = header.replace("t=1000", "t=1001");
    assert!(!verify("whsec_right", &moved, body, 1_000, 300));
}

#[test]
fn backoff_doubles_up_to_an_hour_with_jitter_between_half_and_all() {
    assert_eq!(backoff(1, 0.0), FIRST_RETRY_MS / 2);
    assert_eq!(backoff(1, 0.999_999), FIRST_RETRY_MS - 1);
    assert_eq!(backoff(2, 0.0), FIRST_RETRY_MS);
    assert_eq!(backoff(3, 0.0), FIRST_RETRY_MS * 2);
    assert_eq!(backoff(40, 0.0), LONGEST_RETRY_MS / 2);
    assert_eq!(backoff(u32::MAX, 1.0), LONGEST_RETRY_MS);
    assert_eq!(backoff(1, f64::NAN), FIRST_RETRY_MS / 2);
}

proptest! {
    #[test]
    fn backoff_is_bounded_and_grows(attempts in 1u32..64, jitter in 0.0f64..1.0) {
        let b = backoff(attempts, jitter);
        prop_assert!((FIRST_RETRY_MS / 2..=LONGEST_RETRY_MS).contains(&b));
        prop_assert!(backoff(attempts + 1, 0.0) >= backoff(attempts, 0.0));
    }

    #[test]
    fn retries_never_pass_the_deadline(created in 0i64..1_000_000, after in 0i64..(2 * GIVE_UP_AFTER_MS), attempts in 1u32..100, jitter in 0.0f64..1.0) {
        let created = Timestamp(created);
        let now = created.plus_millis(after);
        match next_attempt(created, attempts, now, jitter) {
            Some(t) => {
                prop_assert!(t > now);
                prop_assert!(t <= created.plus_millis(GIVE_UP_AFTER_MS));
            }
            None => prop_assert!(after >= GIVE_UP_AFTER_MS),
        }
    }
}

#[test]
fn an_attempt_delivers_retries_or_gives_up() {
    let created = Timestamp(1_000);
    let ok = after_attempt(
        created,
        1,
        Outcome::Answered { code: 204 },
        Timestamp(2_000),
        5,
        0.5,
    );
    assert_eq!(ok.status, DeliveryStatus::Delivered);
    assert_eq!(ok.next_attempt_at, None);
    assert_eq!(ok.last_error, None);

    let refused = after_attempt(
        created,
        1,
        Outcome::Answered { code: 500 },
        Timestamp(2_000),
        5,
        0.0,
    );
    assert_eq!(refused.status, DeliveryStatus::Pending);
    assert_eq!(refused.response_code, Some(500));
    assert_eq!(
        refused.next_attempt_at,
        Some(Timestamp(2_000 + FIRST_RETRY_MS / 2))
    );

    // A redirect is not followed: it counts as a failed attempt.
    let moved = after_attempt(
        created,
        1,
        Outcome::Answered { code: 302 },
        Timestamp(2_000),
        5,
        0.0,
    );
    assert_eq!(moved.status, DeliveryStatus::Pending);

    let late = created.plus_millis(GIVE_UP_AFTER_MS);
    let gone = after_attempt(
        created,
        30,
        Outcome::NoAnswer {
            error: "connect: refused\nagain".into(),
        },
        late,
        5,
        0.0,
    );
    assert_eq!(gone.status, DeliveryStatus::Failed);
    assert_eq!(gone.next_attempt_at, None);
    assert_eq!(gone.last_error.as_deref(), Some("connect: refused again"));
}

fn chat(state: ChatState) -> crate::model::Chat {
    serde_json::from_value(serde_json::json!({
        "id": 7, "site_id": 1, "visitor_id": "v1", "visit_id": null, "visitor_name": null,
        "visitor_email": null, "state": "pending", "version": 3, "last_seq": 0,
        "created_at": 0, "queued_at": 0, "ended_at": null, "page_url": null,
    }))
    .map(|mut c: crate::model::Chat| {
        c.state = state;
        c
    })
    .expect("a chat")
}

#[test]
fn state_changes_classify_as_events() {
    let a = ChatState::Active { agent: AgentId(1) };
    let b = ChatState::Active { agent: AgentId(2) };
    let ended = ChatState::Ended {
        reason: crate::EndReason::Visitor,
    };
    assert_eq!(
        classify(&ChatState::Pending, &a),
        Some(EventKind::ChatAccepted)
    );
    assert_eq!(classify(&a, &b), Some(EventKind::ChatTransferred));
    assert_eq!(classify(&a, &a), None);
    assert_eq!(classify(&a, &ChatState::Pending), None);
    assert_eq!(classify(&a, &ended), Some(EventKind::ChatEnded));
    assert_eq!(
        classify(&ChatState::Pending, &ended),
        Some(EventKind::ChatEnded)
    );
    assert_eq!(classify(&ended, &ended), None);
}

#[test]
fn envelope_has_id_timestamp_event_and_data() {
    let c = chat(ChatState::Pending);
    let e = chat_event(EventKind::ChatStarted, &c, Timestamp(5));
    assert_eq!(e.id, "chat.started:7:v3");
    let body: serde_json::Value = serde_json::from_str(&e.payload).expect("json");
    assert_eq!(body["id"], "chat.started:7:v3");
    assert_eq!(body["timestamp"], 5);
    assert_eq!(body["event"], "chat.started");
    assert_eq!(body["data"]["chat"]["id"], 7);
    assert_eq!(body["data"]["chat"]["state"], "pending");
}

#[test]
fn subscriptions_answer_per_site_and_event() {
    let subs = Subscriptions::new();
    assert!(subs.is_empty());
    assert!(subs.targets(SiteId(1), EventKind::ChatEnded).is_empty());
    let hook = |id, site, events: &[EventKind], enabled| Webhook {
        id: WebhookId(id),
        site_id: SiteId(site),
        url: "https://x.example/".into(),
        events: events.to_vec(),
        enabled,
        secret: String::new(),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    subs.replace(&[
        hook(1, 1, &[EventKind::ChatEnded], true),
        hook(
            2,
            1,
            &[EventKind::ChatEnded, EventKind::MessageCreated],
            true,
        ),
        hook(3, 1, &[EventKind::MessageCreated], false),
        hook(4, 2, &[EventKind::ChatStarted], true),
    ]);
    assert!(!subs.is_empty());
    assert_eq!(
        subs.targets(SiteId(1), EventKind::ChatEnded),
        vec![WebhookId(1), WebhookId(2)]
    );
    assert_eq!(
        subs.targets(SiteId(1), EventKind::MessageCreated),
        vec![WebhookId(2)]
    );
    assert!(subs.targets(SiteId(2), EventKind::ChatEnded).is_empty());
    assert!(subs.targets(SiteId(3), EventKind::ChatStarted).is_empty());
    assert!(subs.wants_any(SiteId(2), &[EventKind::ChatEnded, EventKind::ChatStarted]));
    subs.replace(&[hook(3, 1, &[EventKind::MessageCreated], false)]);
    assert!(subs.is_empty());
}

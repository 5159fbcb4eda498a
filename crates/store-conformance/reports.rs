//! Reports (issue 15): the facts of a chat as the report reads them, chat events written by
//! the state update, dirty marks set in the transaction of each change and cleared only while
//! unchanged, rollups read back as saved, On-Line spans.

use super::*;
use frontdesk_core::reports::rollup::{Acc, hour_of, rollup_hour};
use frontdesk_core::{ChatState, EndReason};

const H: i64 = 3_600_000;
/// 2026-06-01 10:00 UTC, a whole hour.
const T0: i64 = 493_106 * H;

fn range(site: SiteId, from: i64, to: i64) -> SiteRange {
    SiteRange {
        site,
        from: Timestamp(from),
        to: Timestamp(to),
    }
}

async fn marks(s: &Store) -> Vec<DirtyHour> {
    s.dirty_hours(None, i64::MIN, i64::MAX, 1000).await.unwrap()
}

async fn set(s: &Store, c: &Chat, state: ChatState, at: i64) -> Chat {
    s.update_chat_state(c.id, c.version, state, Timestamp(at))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_chats_facts_and_its_marks() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "rep").await;
    let ann = agent(&s, "ann@x.example", None).await.id;
    let bob = agent(&s, "bob@x.example", None).await.id;
    let c = chat(&s, site.id, "v1", T0 + 60_000).await;
    let m = marks(&s).await;
    assert_eq!(m.len(), 1, "created: marked");
    assert_eq!((m[0].site, m[0].hour), (site.id, hour_of(Timestamp(T0))));
    let c = set(&s, &c, ChatState::Active { agent: ann }, T0 + 90_000).await;
    let c = set(&s, &c, ChatState::Pending, T0 + 100_000).await;
    let c = set(&s, &c, ChatState::Active { agent: bob }, T0 + 120_000).await;
    let agent_text = |body: &str, at: i64| NewMessage {
        author: Author::Agent { agent: bob },
        created_at: Timestamp(at),
        ..text(c.id, body, None)
    };
    s.append_message(text(c.id, "hello", None)).await.unwrap();
    s.append_message(agent_text("hi", T0 + 150_000))
        .await
        .unwrap();
    s.append_message(NewMessage {
        kind: MessageKind::Note,
        ..agent_text("psst", T0 + 151_000)
    })
    .await
    .unwrap();
    let c = set(
        &s,
        &c,
        ChatState::Ended {
            reason: EndReason::Agent { agent: bob },
        },
        T0 + 700_000,
    )
    .await;
    s.rate_chat(c.id, 5, None, Timestamp(T0 + 710_000), 600_000)
        .await
        .unwrap()
        .unwrap();
    let after = marks(&s).await;
    assert_eq!(after.len(), 1);
    assert!(after[0].mark > m[0].mark, "each change moved the mark");

    let facts = s.chat_facts(&[range(site.id, T0, T0 + H)]).await.unwrap();
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_eq!(f.created_at, Timestamp(T0 + 60_000));
    assert_eq!(f.answered_at, Some(Timestamp(T0 + 90_000)));
    assert_eq!(f.first_reply, Some((Timestamp(T0 + 150_000), bob)));
    assert_eq!(f.ended_at, Some(Timestamp(T0 + 700_000)));
    assert!(!f.missed);
    assert_eq!(f.messages, 2, "visitor and agent text, not the note");
    assert_eq!(f.rating, Some(5));
    assert_eq!(f.holder, Some(bob));
    let mut takers = f.takers.clone();
    takers.sort();
    assert_eq!(takers, [ann, bob]);
    assert!(
        s.chat_facts(&[range(site.id, T0 + H, T0 + 2 * H)])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn rollups_are_saved_only_while_their_mark_stands() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "roll").await;
    let c = chat(&s, site.id, "v1", T0 + 1_000).await;
    s.create_offline_message(NewOfflineMessage {
        site_id: site.id,
        visitor_id: None,
        name: "Eve".into(),
        email: "eve@x.example".into(),
        body: "call me".into(),
        page_url: None,
        created_at: Timestamp(T0 + 2 * H + 5),
    })
    .await
    .unwrap();
    let m = marks(&s).await;
    assert_eq!(
        m.len(),
        2,
        "the chat's hour and the offline message's: {m:?}"
    );
    assert_eq!(
        s.offline_times(&[range(site.id, T0, T0 + 3 * H)])
            .await
            .unwrap(),
        [Timestamp(T0 + 2 * H + 5)]
    );
    let facts = s.chat_facts(&[range(site.id, T0, T0 + H)]).await.unwrap();
    let acc = rollup_hour(&facts, 0);
    // The chat ends after the marks were read: that hour's save is refused.
    set(
        &s,
        &c,
        ChatState::Ended {
            reason: EndReason::Visitor,
        },
        T0 + 9_000,
    )
    .await;
    let offline_acc = rollup_hour(&[], 1);
    let written = s
        .save_rollups(vec![
            (m[0], acc.clone(), true),
            (m[1], offline_acc.clone(), true),
        ])
        .await
        .unwrap();
    assert_eq!(written, 1);
    let left = marks(&s).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].hour, m[0].hour);
    let rows = s.rollups(&[site.id], 0, i64::MAX).await.unwrap();
    assert_eq!(rows, [(site.id, m[1].hour, offline_acc)]);

    // Again with the fresh mark: written, cleared, read back as saved (agents too).
    let facts = s.chat_facts(&[range(site.id, T0, T0 + H)]).await.unwrap();
    let acc = rollup_hour(&facts, 0);
    assert_eq!((acc.chats, acc.missed), (1, 1));
    assert_eq!(
        s.save_rollups(vec![(left[0], acc.clone(), true)])
            .await
            .unwrap(),
        1
    );
    assert!(marks(&s).await.is_empty());
    let rows = s.rollups(&[site.id], m[0].hour, m[0].hour).await.unwrap();
    assert_eq!(rows, [(site.id, m[0].hour, acc)]);
    // Idempotent: the same save again (mark gone) writes nothing; a rebuild marks every
    // hour with data or a row.
    assert_eq!(
        s.save_rollups(vec![(left[0], Acc::default(), true)])
            .await
            .unwrap(),
        0
    );
    assert_eq!(s.mark_all_dirty().await.unwrap(), 2);
}

#[tokio::test]
async fn agent_rollups_round_trip() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "agents").await;
    let ann = agent(&s, "ann@x.example", None).await.id;
    let c = chat(&s, site.id, "v1", T0).await;
    let c = set(&s, &c, ChatState::Active { agent: ann }, T0 + 10_000).await;
    s.append_message(NewMessage {
        author: Author::Agent { agent: ann },
        created_at: Timestamp(T0 + 12_000),
        ..text(c.id, "hi", None)
    })
    .await
    .unwrap();
    set(
        &s,
        &c,
        ChatState::Ended {
            reason: EndReason::Agent { agent: ann },
        },
        T0 + 20_000,
    )
    .await;
    let m = marks(&s).await;
    let acc = rollup_hour(
        &s.chat_facts(&[range(site.id, T0, T0 + H)]).await.unwrap(),
        0,
    );
    assert_eq!(acc.agents[&ann].chats, 1);
    assert_eq!(acc.agents[&ann].first_response.median(), Some(2));
    s.save_rollups(vec![(m[0], acc.clone(), true)])
        .await
        .unwrap();
    assert_eq!(
        s.rollups(&[site.id], i64::MIN, i64::MAX).await.unwrap(),
        [(site.id, m[0].hour, acc)]
    );
}

#[tokio::test]
async fn online_spans_extend_end_and_restart_after_a_gap() {
    let (_keep, s) = fresh().await;
    let a = agent(&s, "ann@x.example", None).await.id;
    let t = |secs: i64| Timestamp(T0 + secs * 1000);
    s.online_seen(a, t(0), 30_000).await.unwrap();
    s.online_seen(a, t(20), 30_000).await.unwrap();
    s.online_seen(a, t(40), 30_000).await.unwrap();
    // 100 s of silence (a crash): the span ends where it was last seen; a new one starts.
    s.online_seen(a, t(140), 30_000).await.unwrap();
    s.online_ended(a, t(150), 30_000).await.unwrap();
    // Ended twice: nothing more.
    s.online_ended(a, t(500), 30_000).await.unwrap();
    let mut spans: Vec<(i64, i64)> = s
        .online_spans(t(0), t(1000))
        .await
        .unwrap()
        .into_iter()
        .map(|sp| {
            assert_eq!(sp.agent, a);
            ((sp.start.0 - T0) / 1000, (sp.end.0 - T0) / 1000)
        })
        .collect();
    spans.sort();
    assert_eq!(spans, [(0, 40), (140, 150)]);
    assert_eq!(s.online_spans(t(41), t(139)).await.unwrap(), []);
    // A span still open reads up to its last sighting.
    s.online_seen(a, t(200), 30_000).await.unwrap();
    s.online_seen(a, t(210), i64::MAX / 4).await.unwrap();
    let open = s.online_spans(t(199), t(1000)).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].start, open[0].end), (t(200), t(210)));
}

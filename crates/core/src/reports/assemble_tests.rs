use super::*;
use crate::reports::rollup::{hour_of, rollup_hour};
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    let t: jiff::Timestamp = s.parse().expect("test timestamp");
    Timestamp(t.as_millisecond())
}

fn chat(at: Timestamp, wait_s: i64) -> ChatFacts {
    ChatFacts {
        created_at: at,
        answered_at: Some(at.plus_millis(wait_s * 1000)),
        first_reply: Some((at.plus_millis(wait_s * 1000 + 5_000), AgentId(1))),
        ended_at: Some(at.plus_millis(600_000)),
        messages: 4,
        rating: Some(if wait_s % 2 == 0 { 5 } else { 1 }),
        holder: Some(AgentId(1)),
        takers: vec![AgentId(1)],
        ..ChatFacts::default()
    }
}

/// The report two ways: every chat live, and clean hours from rollups.
fn both(plan: &Plan, chats: &[ChatFacts]) -> (Report, Report) {
    let live = plan.assemble(
        None,
        Parts {
            chats: chats.to_vec(),
            ..Parts::default()
        },
    );
    let mut by_hour: BTreeMap<i64, Vec<ChatFacts>> = BTreeMap::new();
    for c in chats {
        by_hour
            .entry(hour_of(c.created_at))
            .or_default()
            .push(c.clone());
    }
    let mut parts = Parts::default();
    for (h, cs) in by_hour {
        if plan.rollup_usable(h) {
            parts.hours.push((h, rollup_hour(&cs, 0)));
        } else {
            parts.chats.extend(cs);
        }
    }
    (live, plan.assemble(None, parts))
}

#[test]
fn a_berlin_day_with_chats_each_side_of_midnight() {
    let plan = Plan::new(
        ts("2026-03-27T23:00:00Z"),
        ts("2026-03-29T22:00:00Z"),
        Granularity::Day,
        "Europe/Berlin",
    )
    .expect("plan");
    let chats = [
        chat(ts("2026-03-28T22:59:59Z"), 10), // 23:59:59 on the 28th
        chat(ts("2026-03-28T23:00:00Z"), 20), // 00:00 on the 29th
        chat(ts("2026-03-29T01:30:00Z"), 30), // 03:30 CEST, after the change
    ];
    let (live, rolled) = both(&plan, &chats);
    assert_eq!(live, rolled);
    assert_eq!(live.series.len(), 2);
    assert_eq!(live.series[0].figures.chats, 1);
    assert_eq!(live.series[1].figures.chats, 2);
    assert_eq!(live.series[1].figures.wait_median_secs, Some(20));
    assert_eq!(live.totals.wait_p90_secs, Some(30));
    // Sunday 29 March: 00:00 and 03:30 local.
    assert_eq!(live.heat_map[6][0], 1);
    assert_eq!(live.heat_map[6][3], 1);
    assert_eq!(live.heat_map[5][23], 1);
    assert_eq!(live.agents.len(), 1);
    assert_eq!(live.agents[0].name, "Agent 1");
    assert_eq!(live.agents[0].chats, 3);
    assert_eq!(live.agents[0].first_response_median_secs, Some(5));
}

#[test]
fn kolkata_hours_straddle_utc_hours() {
    let plan = Plan::new(
        ts("2026-06-01T18:30:00Z"),
        ts("2026-06-02T18:30:00Z"),
        Granularity::Hour,
        "Asia/Kolkata",
    )
    .expect("plan");
    assert!(!plan.rollup_usable(hour_of(ts("2026-06-01T19:00:00Z"))));
    assert_eq!(
        plan.clip(hour_of(ts("2026-06-01T18:00:00Z"))),
        Some((ts("2026-06-01T18:30:00Z"), ts("2026-06-01T19:00:00Z")))
    );
    let day = Plan::new(plan.from, plan.to, Granularity::Day, "Asia/Kolkata").expect("plan");
    assert!(day.rollup_usable(hour_of(ts("2026-06-01T19:00:00Z"))));
    assert!(!day.rollup_usable(hour_of(ts("2026-06-01T18:00:00Z"))));
}

#[test]
fn online_time_is_the_union_clipped_to_the_period() {
    let a = AgentId(1);
    let t = |s: i64| Timestamp(s * 1000);
    let spans = [
        (a, t(0), t(100)),
        (a, t(50), t(150)),
        (a, t(200), t(300)),
        (AgentId(2), t(-50), t(10)),
    ];
    let got = online_secs(&spans, t(20), t(250));
    assert_eq!(got.get(&a), Some(&(130 + 50)));
    assert_eq!(got.get(&AgentId(2)), None);
}

proptest! {
    #[test]
    fn rollups_never_change_the_answer(
        offsets in proptest::collection::vec((0i64..(10 * 24 * 3600), 0i64..4000), 0..60),
        tz in prop::sample::select(vec!["Europe/Berlin", "Asia/Kolkata", "America/New_York", "UTC"]),
        g in prop::sample::select(vec![Granularity::Hour, Granularity::Day, Granularity::Week]),
        cut in 0i64..(3 * 3600),
    ) {
        // 10 days around the autumn change, cut at an arbitrary second.
        let base = ts("2026-10-20T00:00:00Z");
        let chats: Vec<ChatFacts> = offsets
            .iter()
            .map(|(o, w)| chat(base.plus_millis(o * 1000), *w))
            .collect();
        let plan = Plan::new(
            base.plus_millis(cut * 1000),
            base.plus_millis(10 * 24 * 3_600_000 - cut * 1000),
            g,
            tz,
        ).expect("plan");
        let in_period: Vec<ChatFacts> = chats
            .into_iter()
            .filter(|c| c.created_at >= plan.from && c.created_at < plan.to)
            .collect();
        let (live, rolled) = both(&plan, &in_period);
        prop_assert_eq!(live.totals.chats, in_period.len() as u64);
        prop_assert_eq!(live.heat_map.iter().flatten().sum::<u64>(), in_period.len() as u64);
        prop_assert_eq!(live, rolled);
    }
}

//! Property tests of opening hours (issue 12, not wired yet) with random schedules.
//!
//! * In zones without DST, [`is_open`] agrees with a brute-force rule written from the product
//!   text (the wall clock is in a range of today, or of yesterday across midnight, and today is
//!   not a "Closed on" date) minute by minute over a week, and [`next_opening`] and
//!   [`closes_at`] agree with a minute-by-minute scan of that rule.
//! * In zones with DST (Berlin, New York, Lord Howe's half-hour shift, Santiago's change at
//!   midnight), around the changes: `next_opening(at)` is never before `at` and is open, with
//!   nothing open in between; `closes_at(at)` is never before `at` and is closed, with
//!   everything open in between; the JSON form round-trips.

use frontdesk_core::Timestamp;
use frontdesk_core::hours::{
    HoursRange, OpeningHours, TimeOfDay, closes_at, from_json, is_open, next_opening, to_json,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp as JTimestamp};
use proptest::collection::vec;
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

fn time_of_day(minutes: u16) -> TimeOfDay {
    let hour = u8::try_from(minutes / 60).expect("hour");
    let minute = u8::try_from(minutes % 60).expect("minute");
    TimeOfDay::new(hour, minute).expect("time of day")
}

/// A time to start a range: mostly on quarter hours, sometimes any minute.
fn from_time() -> impl Strategy<Value = u16> {
    prop_oneof![3 => (0u16..96).prop_map(|q| q * 15), 1 => 0u16..1440]
}

/// A time to end a range: as [`from_time`], or 24:00.
fn to_time() -> impl Strategy<Value = u16> {
    prop_oneof![8 => from_time(), 1 => Just(1440u16)]
}

/// Raw material of a schedule: candidate ranges (weekday, from, to) and holiday offsets in days.
fn raw_schedule() -> impl Strategy<Value = (Vec<(usize, u16, u16)>, Vec<i64>)> {
    (
        vec((0usize..7, from_time(), to_time()), 0..14),
        vec(-3i64..12, 0..4),
    )
}

/// Keeps the candidates that fit (no empty range, no overlap, at most the limit per day) and
/// closes the days `holidays` after `base`.
fn build(zone: &str, ranges: &[(usize, u16, u16)], holidays: &[i64], base: Date) -> OpeningHours {
    let mut weekly: [Vec<HoursRange>; 7] = Default::default();
    for &(day, from, to) in ranges {
        if from == to {
            continue;
        }
        weekly[day].push(HoursRange {
            from: time_of_day(from),
            to: time_of_day(to),
        });
        if OpeningHours::new(zone, weekly.clone(), []).is_err() {
            weekly[day].pop();
        }
    }
    let dates = holidays
        .iter()
        .map(|&n| base.checked_add(Span::new().days(n)).expect("date"));
    OpeningHours::new(zone, weekly, dates).expect("valid by construction")
}

fn local_date(zone: &TimeZone, at: i64) -> Date {
    let instant = JTimestamp::from_millisecond(at).expect("instant");
    zone.to_datetime(instant).date()
}

/// The product rule on the wall clock, for zones without DST.
fn open_by_the_book(hours: &OpeningHours, zone: &TimeZone, at: i64) -> bool {
    let instant = JTimestamp::from_millisecond(at).expect("instant");
    let local = zone.to_datetime(instant);
    let date = local.date();
    if hours.closed_on().contains(&date) {
        return false;
    }
    let minute = u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute()))
        .expect("minute of day");
    let day = |d: Date| usize::try_from(d.weekday().to_monday_zero_offset()).expect("weekday");
    let today = hours.weekly()[day(date)].iter().any(|r| {
        let end = if r.to <= r.from { 1440 } else { r.to.minutes() };
        r.from.minutes() <= minute && minute < end
    });
    let yesterday = date.yesterday().expect("date");
    let from_yesterday = hours.weekly()[day(yesterday)]
        .iter()
        .any(|r| r.to <= r.from && minute < r.to.minutes());
    today || from_yesterday
}

/// 2026-01-05 (a Monday) plus `days`, at 00:00 UTC, in ms.
fn day_in_2026(days: i64) -> i64 {
    1_767_571_200_000 + days * DAY
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn agrees_with_the_wall_clock_rule_in_zones_without_dst(
        zone_name in prop_oneof![Just("UTC"), Just("Asia/Kolkata"), Just("Asia/Kathmandu")],
        (ranges, holidays) in raw_schedule(),
        start_day in 0i64..350,
        probes in vec(0i64..7 * 24 * 60, 4),
    ) {
        let zone = TimeZone::get(zone_name).expect("zone");
        let start = day_in_2026(start_day);
        let hours = build(zone_name, &ranges, &holidays, local_date(&zone, start));
        for minute in 0..7 * 24 * 60 {
            let at = start + minute * MINUTE;
            prop_assert_eq!(
                is_open(&hours, Timestamp(at)),
                open_by_the_book(&hours, &zone, at),
                "at minute {}", minute
            );
        }
        let scan = |from: i64, want_open: bool| -> Option<i64> {
            (0..60 * 24 * 30)
                .map(|m| from + m * MINUTE)
                .find(|&t| open_by_the_book(&hours, &zone, t) == want_open)
        };
        for probe in probes {
            let at = start + probe * MINUTE;
            // Weekly ranges repeat within 7 days; holidays push at most ~3 weeks further.
            let opens = next_opening(&hours, Timestamp(at)).map(|t| t.0);
            match scan(at, true) {
                Some(t) => prop_assert_eq!(opens, Some(t)),
                None => prop_assert!(hours.weekly().iter().all(Vec::is_empty)),
            }
            let closes = closes_at(&hours, Timestamp(at)).map(|t| t.0);
            if let Some(t) = scan(at, false) {
                prop_assert_eq!(closes, Some(t));
            }
        }
    }

    #[test]
    fn next_opening_and_closes_at_hold_across_dst_changes(
        zone_name in prop_oneof![
            Just("Europe/Berlin"),
            Just("America/New_York"),
            Just("Australia/Lord_Howe"),
            Just("America/Santiago"),
        ],
        (ranges, holidays) in raw_schedule(),
        // Two windows of 2026 that hold the changes of all four zones.
        at in prop_oneof![
            day_in_2026(60)..day_in_2026(100),
            day_in_2026(240)..day_in_2026(310),
        ],
    ) {
        let zone = TimeZone::get(zone_name).expect("zone");
        let hours = build(zone_name, &ranges, &holidays, local_date(&zone, at));
        prop_assert_eq!(from_json(&to_json(&hours)), Ok(hours.clone()));
        let open_now = is_open(&hours, Timestamp(at));

        let opens = next_opening(&hours, Timestamp(at));
        if open_now {
            prop_assert_eq!(opens, Some(Timestamp(at)));
        }
        match opens {
            Some(opens) => {
                prop_assert!(opens.0 >= at);
                prop_assert!(is_open(&hours, opens));
                if opens.0 > at {
                    prop_assert!(!is_open(&hours, Timestamp(opens.0 - 1)));
                }
                // Nothing open in between (checked each minute, up to three weeks).
                for t in (at..opens.0).step_by(MINUTE as usize).take(3 * 7 * 24 * 60) {
                    prop_assert!(!is_open(&hours, Timestamp(t)), "open at {} before {:?}", t, opens);
                }
            }
            None => prop_assert!(hours.weekly().iter().all(Vec::is_empty)),
        }

        let closes = closes_at(&hours, Timestamp(at));
        if !open_now {
            prop_assert_eq!(closes, Some(Timestamp(at)));
        }
        if let Some(closes) = closes {
            prop_assert!(closes.0 >= at);
            prop_assert!(!is_open(&hours, closes));
            if closes.0 > at {
                prop_assert!(is_open(&hours, Timestamp(closes.0 - 1)));
            }
            for t in (at..closes.0).step_by(MINUTE as usize).take(3 * 7 * 24 * 60) {
                prop_assert!(is_open(&hours, Timestamp(t)), "closed at {} before {:?}", t, closes);
            }
        }
    }
}

//! Unit tests of `is_open`, `next_opening` and `closes_at`: a plain day, midnight, holidays,
//! touching ranges, the search horizon, and DST changes in Berlin and New York.

use super::tests::{EXAMPLE, hours, range, ts};
use super::*;

// ---- Open or closed ----------------------------------------------------------------------

/// Mon 09:00–17:00; Fri 09:00–12:00 and 22:00–02:00; closed 25 Dec and 1 Jan (Berlin).
fn berlin() -> OpeningHours {
    hours(EXAMPLE)
}

#[test]
fn a_plain_day() {
    let h = berlin();
    // Mon 7 Dec 2026, CET = UTC+1.
    assert!(!is_open(&h, ts("2026-12-07T07:59:59.999Z")));
    assert!(is_open(&h, ts("2026-12-07T08:00:00Z")));
    assert!(is_open(&h, ts("2026-12-07T15:59:59.999Z")));
    assert!(!is_open(&h, ts("2026-12-07T16:00:00Z")));
    assert_eq!(
        closes_at(&h, ts("2026-12-07T10:00:00Z")),
        Some(ts("2026-12-07T16:00:00Z"))
    );
    assert_eq!(
        next_opening(&h, ts("2026-12-07T10:00:00Z")),
        Some(ts("2026-12-07T10:00:00Z"))
    );
    // Closed: closes_at is `at`, next opening is Friday 09:00.
    assert_eq!(
        closes_at(&h, ts("2026-12-07T17:00:00Z")),
        Some(ts("2026-12-07T17:00:00Z"))
    );
    assert_eq!(
        next_opening(&h, ts("2026-12-07T17:00:00Z")),
        Some(ts("2026-12-11T08:00:00Z"))
    );
}

#[test]
fn a_range_across_midnight() {
    let h = berlin();
    // Fri 11 Dec 2026 22:00 to Sat 02:00 CET.
    assert!(!is_open(&h, ts("2026-12-11T20:59:00Z")));
    assert!(is_open(&h, ts("2026-12-11T21:00:00Z")));
    assert!(is_open(&h, ts("2026-12-12T00:30:00Z")));
    assert!(!is_open(&h, ts("2026-12-12T01:00:00Z")));
    assert_eq!(
        closes_at(&h, ts("2026-12-11T22:00:00Z")),
        Some(ts("2026-12-12T01:00:00Z"))
    );
    assert_eq!(
        next_opening(&h, ts("2026-12-11T12:00:00Z")),
        Some(ts("2026-12-11T21:00:00Z"))
    );
}

#[test]
fn holidays_close_their_own_calendar_day_only() {
    // Fri 25 Dec 2026 is a holiday: closed all Friday, but its 22:00–02:00 range is open
    // after midnight (Sat 26 Dec 00:00–02:00 CET).
    let h = berlin();
    assert!(!is_open(&h, ts("2026-12-25T09:00:00Z")));
    assert!(!is_open(&h, ts("2026-12-25T22:30:00Z")));
    assert!(is_open(&h, ts("2026-12-25T23:00:00Z")));
    assert_eq!(
        next_opening(&h, ts("2026-12-24T20:00:00Z")),
        Some(ts("2026-12-25T23:00:00Z"))
    );
    assert_eq!(
        closes_at(&h, ts("2026-12-25T23:30:00Z")),
        Some(ts("2026-12-26T01:00:00Z"))
    );
    // Fri 1 Jan 2027 is a holiday: the range of Thu 31 Dec 22:00–02:00 closes at midnight.
    let h = hours(
        r#"{"timezone":"Europe/Berlin","weekly":{"thu":[{"from":"22:00","to":"02:00"}]},"closed_on":["2027-01-01"]}"#,
    );
    assert!(is_open(&h, ts("2026-12-31T22:59:00Z")));
    assert!(!is_open(&h, ts("2026-12-31T23:00:00Z")));
    assert_eq!(
        closes_at(&h, ts("2026-12-31T21:00:00Z")),
        Some(ts("2026-12-31T23:00:00Z"))
    );
    // The holiday starts where the end-of-day rule of blocks says the day before ends.
    assert_eq!(
        crate::day::end_of_day(ts("2026-12-31T21:00:00Z"), "Europe/Berlin"),
        Ok(ts("2026-12-31T23:00:00Z"))
    );
}

#[test]
fn touching_ranges_close_once() {
    let h = hours(
        r#"{"timezone":"UTC","weekly":{"mon":[{"from":"12:00","to":"17:00"},{"from":"09:00","to":"12:00"}],
            "fri":[{"from":"22:00","to":"24:00"}],"sat":[{"from":"00:00","to":"02:00"}]}}"#,
    );
    // Mon 7 Dec 2026.
    assert_eq!(
        closes_at(&h, ts("2026-12-07T09:00:00Z")),
        Some(ts("2026-12-07T17:00:00Z"))
    );
    assert_eq!(
        closes_at(&h, ts("2026-12-11T23:00:00Z")),
        Some(ts("2026-12-12T02:00:00Z"))
    );
}

#[test]
fn always_open_and_never_open() {
    let day = r#"[{"from":"00:00","to":"24:00"}]"#;
    let always = hours(&format!(
        r#"{{"timezone":"America/New_York","weekly":{{"mon":{day},"tue":{day},"wed":{day},"thu":{day},"fri":{day},"sat":{day},"sun":{day}}}}}"#
    ));
    let at = ts("2026-03-08T07:30:00Z");
    assert!(is_open(&always, at));
    assert_eq!(next_opening(&always, at), Some(at));
    assert_eq!(closes_at(&always, at), None);

    let never = hours(r#"{"timezone":"Europe/Berlin","closed_on":["2026-12-25"]}"#);
    assert!(!is_open(&never, at));
    assert_eq!(next_opening(&never, at), None);
    assert_eq!(closes_at(&never, at), Some(at));
}

#[test]
fn holidays_cannot_hide_a_weekly_range() {
    // Mondays only, and the next 1000 Mondays are holidays: it opens on the 1001st.
    let first = Date::new(2026, 12, 7).expect("date");
    let mondays: Vec<Date> = (0..MAX_CLOSED_ON as i32)
        .map(|n| first.checked_add(jiff::Span::new().weeks(n)).expect("date"))
        .collect();
    let mut weekly: [Vec<HoursRange>; 7] = Default::default();
    weekly[0] = vec![range("09:00", "10:00")];
    let h = OpeningHours::new("UTC", weekly, mondays).expect("schedule");
    let opens = first
        .checked_add(jiff::Span::new().weeks(MAX_CLOSED_ON as i32))
        .expect("date");
    let expected = Timestamp(
        opens
            .at(9, 0, 0, 0)
            .to_zoned(TimeZone::UTC)
            .expect("zoned")
            .timestamp()
            .as_millisecond(),
    );
    assert_eq!(next_opening(&h, ts("2026-12-06T00:00:00Z")), Some(expected));
}

#[test]
fn instants_out_of_range_are_closed() {
    let h = berlin();
    for at in [Timestamp(i64::MIN), Timestamp(i64::MAX)] {
        assert!(!is_open(&h, at));
        assert_eq!(next_opening(&h, at), None);
        assert_eq!(closes_at(&h, at), None);
    }
    // The last days jiff knows: no panic, and an answer or None.
    let late = ts("9999-12-30T12:00:00Z");
    let _ = (
        next_opening(&h, late),
        closes_at(&h, late),
        is_open(&h, late),
    );
}

// ---- Daylight saving time ----------------------------------------------------------------

fn sunday_only(zone: &str, from: &str, to: &str) -> OpeningHours {
    hours(&format!(
        r#"{{"timezone":"{zone}","weekly":{{"sun":[{{"from":"{from}","to":"{to}"}}]}}}}"#
    ))
}

#[test]
fn spring_forward_gap_in_berlin() {
    // Sun 29 Mar 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC). 02:00–03:00 does not exist.
    let h = sunday_only("Europe/Berlin", "02:00", "03:00");
    assert!(!is_open(&h, ts("2026-03-29T00:59:00Z")));
    assert!(!is_open(&h, ts("2026-03-29T01:00:00Z")));
    // The next opening is a week later, 02:00 CEST = 00:00 UTC.
    assert_eq!(
        next_opening(&h, ts("2026-03-28T12:00:00Z")),
        Some(ts("2026-04-05T00:00:00Z"))
    );
    // A from in the gap moves forward by the gap: 02:30 means 03:30 CEST (01:30 UTC).
    let h = sunday_only("Europe/Berlin", "02:30", "09:00");
    assert_eq!(
        next_opening(&h, ts("2026-03-28T12:00:00Z")),
        Some(ts("2026-03-29T01:30:00Z"))
    );
    assert_eq!(
        closes_at(&h, ts("2026-03-29T01:30:00Z")),
        Some(ts("2026-03-29T07:00:00Z"))
    );
    // A range ending in the gap ends at the same moved instant: 01:00–02:30 is open from
    // 01:00 CET (00:00 UTC) to 03:30 CEST (01:30 UTC).
    let h = sunday_only("Europe/Berlin", "01:00", "02:30");
    assert_eq!(
        closes_at(&h, ts("2026-03-29T00:00:00Z")),
        Some(ts("2026-03-29T01:30:00Z"))
    );
}

#[test]
fn spring_forward_gap_in_new_york() {
    // Sun 8 Mar 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC).
    let h = sunday_only("America/New_York", "02:00", "03:00");
    assert!(!is_open(&h, ts("2026-03-08T06:59:00Z")));
    assert!(!is_open(&h, ts("2026-03-08T07:00:00Z")));
    assert_eq!(
        next_opening(&h, ts("2026-03-07T12:00:00Z")),
        Some(ts("2026-03-15T06:00:00Z"))
    );
    // The Sunday before, 02:00–03:00 EST is an ordinary hour.
    assert!(is_open(&h, ts("2026-03-01T07:30:00Z")));
}

#[test]
fn fall_back_fold_in_new_york() {
    // Sun 1 Nov 2026: 02:00 EDT becomes 01:00 EST; 01:00–02:00 happens twice.
    let h = sunday_only("America/New_York", "01:00", "02:00");
    // Opens at the first 01:00 (EDT, 05:00 UTC) and closes at 02:00 EST (07:00 UTC).
    assert_eq!(
        next_opening(&h, ts("2026-10-31T12:00:00Z")),
        Some(ts("2026-11-01T05:00:00Z"))
    );
    assert!(is_open(&h, ts("2026-11-01T05:00:00Z")));
    assert!(is_open(&h, ts("2026-11-01T06:30:00Z")));
    assert!(!is_open(&h, ts("2026-11-01T07:00:00Z")));
    assert_eq!(
        closes_at(&h, ts("2026-11-01T05:00:00Z")),
        Some(ts("2026-11-01T07:00:00Z"))
    );
}

#[test]
fn fall_back_fold_in_berlin() {
    // Sun 25 Oct 2026: 03:00 CEST becomes 02:00 CET; 02:00–03:00 happens twice.
    let h = sunday_only("Europe/Berlin", "02:00", "03:00");
    assert_eq!(
        next_opening(&h, ts("2026-10-24T12:00:00Z")),
        Some(ts("2026-10-25T00:00:00Z"))
    );
    assert_eq!(
        closes_at(&h, ts("2026-10-25T00:00:00Z")),
        Some(ts("2026-10-25T02:00:00Z"))
    );
    // A range across midnight into the fold day: Sat 22:00 CEST to Sun 02:30 (first, CEST).
    let h =
        hours(r#"{"timezone":"Europe/Berlin","weekly":{"sat":[{"from":"22:00","to":"02:30"}]}}"#);
    assert_eq!(
        closes_at(&h, ts("2026-10-24T21:00:00Z")),
        Some(ts("2026-10-25T00:30:00Z"))
    );
}

#[test]
fn holiday_on_a_dst_day() {
    // Sun 29 Mar 2026 closed in Berlin: the Saturday-night range stops at midnight CET.
    let h = hours(
        r#"{"timezone":"Europe/Berlin","weekly":{"sat":[{"from":"20:00","to":"04:00"}]},"closed_on":["2026-03-29"]}"#,
    );
    assert_eq!(
        closes_at(&h, ts("2026-03-28T20:00:00Z")),
        Some(ts("2026-03-28T23:00:00Z"))
    );
    assert!(!is_open(&h, ts("2026-03-29T01:30:00Z")));
}

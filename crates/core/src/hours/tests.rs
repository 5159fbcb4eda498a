//! Unit tests of opening hours: parsing, validation and the JSON form. (The rules over time:
//! `open_tests.rs`; property tests: `crates/core/tests/hours_props.rs`.)

use super::*;

pub(super) fn ts(s: &str) -> Timestamp {
    let t: JTimestamp = s.parse().expect("test timestamp");
    Timestamp(t.as_millisecond())
}

pub(super) fn hours(json: &str) -> OpeningHours {
    from_json(json).expect("test schedule")
}

pub(super) fn t(s: &str) -> TimeOfDay {
    TimeOfDay::parse(s).expect("test time")
}

pub(super) fn range(from: &str, to: &str) -> HoursRange {
    HoursRange {
        from: t(from),
        to: t(to),
    }
}

/// A schedule with `ranges` on one weekday (Monday = 0) only.
fn on_day(day: usize, ranges: Vec<HoursRange>) -> Result<OpeningHours, HoursError> {
    let mut weekly: [Vec<HoursRange>; 7] = Default::default();
    weekly[day] = ranges;
    OpeningHours::new("UTC", weekly, [])
}

// ---- Times and dates ---------------------------------------------------------------------

#[test]
fn times_are_strict_hh_mm() {
    assert_eq!(t("00:00"), TimeOfDay::MIDNIGHT);
    assert_eq!(t("09:05").minutes(), 9 * 60 + 5);
    assert_eq!(t("23:59").minutes(), 1439);
    assert_eq!(t("24:00"), TimeOfDay::END_OF_DAY);
    assert_eq!(t("07:30").to_string(), "07:30");
    for bad in [
        "25:00", "24:01", "9:5", "9:05", "09:5", "09:60", "", "09:00:00", "0900", "ab:cd", "-1:00",
        "+9:00", "０9:00", "09:0０", " 9:00", "09:00 ",
    ] {
        assert_eq!(
            TimeOfDay::parse(bad),
            Err(HoursError::BadTime { value: bad.into() }),
            "{bad:?}"
        );
    }
    assert_eq!(TimeOfDay::new(24, 0), Some(TimeOfDay::END_OF_DAY));
    assert_eq!(TimeOfDay::new(24, 1), None);
    assert_eq!(TimeOfDay::new(12, 60), None);
}

#[test]
fn dates_are_strict_calendar_dates() {
    assert_eq!(
        parse_date("2026-12-25"),
        Ok(Date::new(2026, 12, 25).expect("date"))
    );
    assert!(parse_date("2028-02-29").is_ok());
    for bad in [
        "2026-02-29",
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "2026-2-3",
        "26-12-25",
        "2026/12/25",
        "2026-12-25T00:00",
        "",
        "+2026-12-2",
        "２026-12-25",
    ] {
        assert!(
            matches!(parse_date(bad), Err(HoursError::BadDate { .. })),
            "{bad:?}"
        );
    }
}

// ---- Validation --------------------------------------------------------------------------

#[test]
fn from_equal_to_is_refused() {
    assert_eq!(
        on_day(2, vec![range("09:00", "09:00")]),
        Err(HoursError::EmptyRange {
            day: Weekday::Wednesday,
            at: t("09:00")
        })
    );
}

#[test]
fn overlaps_on_the_same_day_are_refused_touching_is_fine() {
    assert!(on_day(0, vec![range("09:00", "12:00"), range("12:00", "17:00")]).is_ok());
    assert_eq!(
        on_day(0, vec![range("09:00", "12:00"), range("11:59", "17:00")]),
        Err(HoursError::Overlap {
            first_day: Weekday::Monday,
            first: range("09:00", "12:00"),
            second_day: Weekday::Monday,
            second: range("11:59", "17:00"),
        })
    );
    // One inside the other, and a crossing range over a later one the same evening.
    assert!(on_day(0, vec![range("08:00", "18:00"), range("10:00", "11:00")]).is_err());
    assert!(on_day(0, vec![range("22:00", "02:00"), range("23:00", "23:30")]).is_err());
    // Two crossing ranges on one day always overlap (both hold midnight).
    assert!(on_day(0, vec![range("22:00", "01:00"), range("23:00", "00:30")]).is_err());
}

#[test]
fn overlaps_across_midnight_are_refused() {
    let mut weekly: [Vec<HoursRange>; 7] = Default::default();
    weekly[4] = vec![range("22:00", "02:00")];
    weekly[5] = vec![range("01:00", "05:00")];
    assert!(matches!(
        OpeningHours::new("UTC", weekly.clone(), []),
        Err(HoursError::Overlap {
            first_day: Weekday::Friday,
            second_day: Weekday::Saturday,
            ..
        })
    ));
    // Touching at 02:00 is fine.
    weekly[5] = vec![range("02:00", "05:00")];
    assert!(OpeningHours::new("UTC", weekly, []).is_ok());
    // Sunday night runs into Monday morning.
    let mut weekly: [Vec<HoursRange>; 7] = Default::default();
    weekly[6] = vec![range("23:00", "08:00")];
    weekly[0] = vec![range("07:00", "09:00")];
    assert!(matches!(
        OpeningHours::new("UTC", weekly, []),
        Err(HoursError::Overlap { .. })
    ));
}

#[test]
fn limits_and_time_zone() {
    let many = (0..=MAX_RANGES_PER_DAY as u8)
        .map(|h| range(&format!("{h:02}:00"), &format!("{h:02}:30")))
        .collect();
    assert_eq!(
        on_day(3, many),
        Err(HoursError::TooManyRanges {
            day: Weekday::Thursday,
            count: MAX_RANGES_PER_DAY + 1,
            max: MAX_RANGES_PER_DAY
        })
    );
    let week: [Vec<HoursRange>; 7] = Default::default();
    assert_eq!(
        OpeningHours::new("Mars/Olympus", week.clone(), []),
        Err(HoursError::UnknownTimeZone("Mars/Olympus".into()))
    );
    let start = Date::new(2026, 1, 1).expect("date");
    let dates = (0..=MAX_CLOSED_ON as i32)
        .map(|n| start.checked_add(jiff::Span::new().days(n)).expect("date"));
    assert!(matches!(
        OpeningHours::new("UTC", week.clone(), dates),
        Err(HoursError::TooManyClosedDates { .. })
    ));
    // Duplicates count once.
    let same = std::iter::repeat_n(start, MAX_CLOSED_ON + 5);
    let ok = OpeningHours::new("UTC", week, same).expect("duplicates");
    assert_eq!(ok.closed_on().len(), 1);
    // 24:00 closes a day but never opens one.
    assert!(on_day(0, vec![range("18:00", "24:00")]).is_ok());
    assert!(on_day(0, vec![range("00:00", "24:00")]).is_ok());
    assert!(matches!(
        on_day(0, vec![range("24:00", "02:00")]),
        Err(HoursError::BadTime { .. })
    ));
}

// ---- The JSON form -----------------------------------------------------------------------

pub(super) const EXAMPLE: &str = r#"{"timezone":"Europe/Berlin","weekly":{"mon":[{"from":"09:00","to":"17:00"}],"fri":[{"from":"09:00","to":"12:00"},{"from":"22:00","to":"02:00"}]},"closed_on":["2026-12-25","2026-01-01"]}"#;

#[test]
fn json_round_trip() {
    let parsed = hours(EXAMPLE);
    assert_eq!(parsed.timezone(), "Europe/Berlin");
    assert_eq!(parsed.weekly()[0], vec![range("09:00", "17:00")]);
    assert_eq!(parsed.weekly()[4].len(), 2);
    assert!(parsed.weekly()[1].is_empty());
    let text = to_json(&parsed);
    assert!(
        text.contains(r#""closed_on":["2026-01-01","2026-12-25"]"#),
        "{text}"
    );
    assert!(text.contains(r#""tue":[]"#), "{text}");
    assert_eq!(from_json(&text), Ok(parsed.clone()));
    // serde's own traits give the same form.
    let via_serde: OpeningHours = serde_json::from_str(&text).expect("serde");
    assert_eq!(via_serde, parsed);
    assert_eq!(serde_json::to_string(&parsed).expect("serialise"), text);
    // Only the time zone is required.
    let empty = hours(r#"{"timezone":"UTC"}"#);
    assert!(empty.weekly().iter().all(Vec::is_empty));
}

#[test]
fn hostile_json_gets_typed_errors() {
    let malformed = |text: &str| matches!(from_json(text), Err(HoursError::Malformed(_)));
    assert_eq!(
        HoursError::Malformed(String::new()).code(),
        crate::error::ErrorCode::BadRequest
    );
    assert!(malformed(""));
    assert!(malformed("null"));
    assert!(malformed("[]"));
    assert!(malformed(r#"{"weekly":{}}"#));
    assert!(malformed(r#"{"timezone":"UTC","weekly":{"moon":[]}}"#));
    assert!(malformed(r#"{"timezone":"UTC","extra":1}"#));
    assert!(malformed(
        r#"{"timezone":"UTC","weekly":{"mon":[{"from":9,"to":"10:00"}]}}"#
    ));
    assert!(malformed(
        r#"{"timezone":"UTC","weekly":{"mon":{"from":"09:00"}}}"#
    ));
    assert!(malformed(r#"{"timezone":"UTC","closed_on":"2026-12-25"}"#));
    assert!(malformed(&format!(
        "{}{}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    )));
    assert!(malformed(&format!(
        r#"{{"timezone":"UTC","weekly":{{"mon":{}"#,
        "[".repeat(10_000)
    )));

    let bad_time = |from: &str, to: &str| {
        from_json(&format!(
            r#"{{"timezone":"UTC","weekly":{{"tue":[{{"from":"{from}","to":"{to}"}}]}}}}"#
        ))
    };
    assert_eq!(
        bad_time("25:00", "10:00"),
        Err(HoursError::BadTime {
            value: "25:00".into()
        })
    );
    assert_eq!(
        bad_time("09:00", "9:5"),
        Err(HoursError::BadTime {
            value: "9:5".into()
        })
    );
    assert!(matches!(
        bad_time("24:00", "10:00"),
        Err(HoursError::BadTime { .. })
    ));
    assert!(matches!(
        bad_time("10:00", "10:00"),
        Err(HoursError::EmptyRange { .. })
    ));
    // A long value is cut in the error, not echoed whole.
    let long = "9".repeat(100_000);
    match bad_time(&long, "10:00") {
        Err(HoursError::BadTime { value }) => assert_eq!(value.len(), 32),
        other => panic!("unexpected {other:?}"),
    }

    // Huge arrays are counted, not kept.
    let ranges = vec![r#"{"from":"09:00","to":"10:00"}"#; 100_000].join(",");
    assert_eq!(
        from_json(&format!(
            r#"{{"timezone":"UTC","weekly":{{"sun":[{ranges}]}}}}"#
        )),
        Err(HoursError::TooManyRanges {
            day: Weekday::Sunday,
            count: 100_000,
            max: MAX_RANGES_PER_DAY
        })
    );
    let dates = vec![r#""2026-12-25""#; 200_000].join(",");
    assert_eq!(
        from_json(&format!(r#"{{"timezone":"UTC","closed_on":[{dates}]}}"#)),
        Err(HoursError::TooManyClosedDates {
            count: 200_000,
            max: MAX_CLOSED_ON
        })
    );
    // Elements beyond the limit are skipped whatever they are, but the whole must be JSON.
    let junk = format!(
        r#"[{}, {}, {{"a":[1,2,{{}}]}}, null]"#,
        vec![r#""2026-12-25""#; MAX_CLOSED_ON].join(","),
        vec!["1"; 5_000].join(",")
    );
    assert_eq!(
        from_json(&format!(r#"{{"timezone":"UTC","closed_on":{junk}}}"#)),
        Err(HoursError::TooManyClosedDates {
            count: MAX_CLOSED_ON + 5_002,
            max: MAX_CLOSED_ON
        })
    );
    // ...while a wrong element within the limit is a shape error.
    assert!(malformed(r#"{"timezone":"UTC","closed_on":[1]}"#));
    assert!(matches!(
        from_json(r#"{"timezone":"UTC","closed_on":["2026-12-32"]}"#),
        Err(HoursError::BadDate { .. })
    ));
    assert!(matches!(
        from_json(r#"{"timezone":"Europe/Atlantis"}"#),
        Err(HoursError::UnknownTimeZone(_))
    ));
    // serde's `Deserialize` refuses the same input (with the message of the typed error).
    assert!(serde_json::from_str::<OpeningHours>(r#"{"timezone":"Nowhere/Land"}"#).is_err());
}

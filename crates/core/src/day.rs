//! "Until the end of the site's day": block expiry computed in the site's time zone.

use crate::ids::Timestamp;
use jiff::{Timestamp as JTimestamp, tz::TimeZone};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("time out of range")]
    OutOfRange,
}

/// Checks that `tz` names an IANA time zone that this build knows.
pub fn validate_timezone(tz: &str) -> Result<(), DayError> {
    TimeZone::get(tz)
        .map(|_| ())
        .map_err(|_| DayError::UnknownTimeZone(tz.to_string()))
}

/// The first instant of the next day in `tz`, after `now`. A block made at `now` lasts
/// until (excluding) this instant. DST-safe: the next day's start is computed by the calendar.
pub fn end_of_day(now: Timestamp, tz: &str) -> Result<Timestamp, DayError> {
    let zone = TimeZone::get(tz).map_err(|_| DayError::UnknownTimeZone(tz.to_string()))?;
    let instant = JTimestamp::from_millisecond(now.0).map_err(|_| DayError::OutOfRange)?;
    let local = instant.to_zoned(zone);
    let tomorrow = local.date().tomorrow().map_err(|_| DayError::OutOfRange)?;
    let start = tomorrow
        .to_zoned(local.time_zone().clone())
        .map_err(|_| DayError::OutOfRange)?;
    Ok(Timestamp(start.timestamp().as_millisecond()))
}

/// The first instant of `now`'s day in `tz` (local midnight, or the day's first instant when
/// a DST change skips midnight). "Today" for lists that last the rest of the site's day.
pub fn start_of_day(now: Timestamp, tz: &str) -> Result<Timestamp, DayError> {
    let zone = TimeZone::get(tz).map_err(|_| DayError::UnknownTimeZone(tz.to_string()))?;
    let instant = JTimestamp::from_millisecond(now.0).map_err(|_| DayError::OutOfRange)?;
    let local = instant.to_zoned(zone);
    let start = local
        .date()
        .to_zoned(local.time_zone().clone())
        .map_err(|_| DayError::OutOfRange)?;
    Ok(Timestamp(start.timestamp().as_millisecond()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        let t: JTimestamp = s.parse().expect("test timestamp");
        Timestamp(t.as_millisecond())
    }

    #[test]
    fn ends_at_local_midnight() {
        // 22:30 UTC on 25 Nov is 23:30 in Berlin: the day ends 30 minutes later.
        let end = end_of_day(ts("2026-11-25T22:30:00Z"), "Europe/Berlin").expect("ok");
        assert_eq!(end, ts("2026-11-25T23:00:00Z"));
    }

    #[test]
    fn same_utc_instant_different_days() {
        // 23:30 UTC on 25 Nov is already 26 Nov in Tokyo (08:30): that day ends 26 Nov 15:00 UTC.
        let end = end_of_day(ts("2026-11-25T23:30:00Z"), "Asia/Tokyo").expect("ok");
        assert_eq!(end, ts("2026-11-26T15:00:00Z"));
        // ...and still 25 Nov in New York (18:30): ends 26 Nov 05:00 UTC.
        let end = end_of_day(ts("2026-11-25T23:30:00Z"), "America/New_York").expect("ok");
        assert_eq!(end, ts("2026-11-26T05:00:00Z"));
    }

    #[test]
    fn dst_change_day_is_honoured() {
        // 29 Mar 2026: Berlin springs forward; next midnight is 30 Mar 00:00 CEST = 29 Mar 22:00 UTC.
        let end = end_of_day(ts("2026-03-29T10:00:00Z"), "Europe/Berlin").expect("ok");
        assert_eq!(end, ts("2026-03-29T22:00:00Z"));
    }

    #[test]
    fn day_starts_at_local_midnight() {
        // 23:30 UTC on 25 Nov: 26 Nov 08:30 in Tokyo (day began 25 Nov 15:00 UTC), 25 Nov
        // 18:30 in New York (day began 25 Nov 05:00 UTC).
        let t = ts("2026-11-25T23:30:00Z");
        assert_eq!(
            start_of_day(t, "Asia/Tokyo"),
            Ok(ts("2026-11-25T15:00:00Z"))
        );
        assert_eq!(
            start_of_day(t, "America/New_York"),
            Ok(ts("2026-11-25T05:00:00Z"))
        );
        // The start of a day and its end are one calendar day apart, even across DST.
        let t = ts("2026-03-29T10:00:00Z");
        assert_eq!(
            start_of_day(t, "Europe/Berlin"),
            Ok(ts("2026-03-28T23:00:00Z"))
        );
        assert_eq!(
            end_of_day(t, "Europe/Berlin"),
            Ok(ts("2026-03-29T22:00:00Z"))
        );
        // Midnight itself belongs to the day it starts.
        let midnight = ts("2026-11-25T23:00:00Z");
        assert_eq!(start_of_day(midnight, "Europe/Berlin"), Ok(midnight));
        assert!(start_of_day(t, "Mars/Olympus").is_err());
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert!(matches!(
            end_of_day(Timestamp(0), "Mars/Olympus"),
            Err(DayError::UnknownTimeZone(_))
        ));
        assert!(validate_timezone("UTC").is_ok());
        assert!(validate_timezone("Not/AZone").is_err());
    }
}

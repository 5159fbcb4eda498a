//! A report's buckets in its time zone: hours, days, or weeks that start on Monday, with the
//! labels people read; and where an instant falls on the weekday × hour heat map.
//!
//! Days and weeks follow the calendar, so a DST day has 23 or 25 hours. Hour buckets are
//! real hours starting at a local full hour (in a zone 30 minutes off UTC, such as
//! Asia/Kolkata, at :30 UTC); the hour repeated when clocks fall back is two buckets with the
//! same label, the hour skipped in spring is none.

use super::Granularity;
use crate::ids::Timestamp;
use jiff::Timestamp as JTimestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Why buckets could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BucketError {
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("time out of range")]
    OutOfRange,
}

/// One bucket: `[start, end)` and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
    pub label: String,
}

pub fn zone(tz: &str) -> Result<TimeZone, BucketError> {
    TimeZone::get(tz).map_err(|_| BucketError::UnknownTimeZone(tz.to_string()))
}

fn instant(t: Timestamp) -> Result<JTimestamp, BucketError> {
    JTimestamp::from_millisecond(t.0).map_err(|_| BucketError::OutOfRange)
}

fn ms(z: &jiff::Zoned) -> Timestamp {
    Timestamp(z.timestamp().as_millisecond())
}

/// The local date of `t`.
pub fn local_date(t: Timestamp, tz: &TimeZone) -> Result<Date, BucketError> {
    Ok(instant(t)?.to_zoned(tz.clone()).date())
}

/// The first instant of a local date (midnight, or the first instant after a DST gap).
pub fn day_start(d: Date, tz: &TimeZone) -> Result<Timestamp, BucketError> {
    d.to_zoned(tz.clone())
        .map(|z| ms(&z))
        .map_err(|_| BucketError::OutOfRange)
}

/// The Monday of `d`'s week.
pub fn monday_of(d: Date) -> Result<Date, BucketError> {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back))
        .map_err(|_| BucketError::OutOfRange)
}

fn next_day(d: Date) -> Result<Date, BucketError> {
    d.tomorrow().map_err(|_| BucketError::OutOfRange)
}

/// The buckets covering `[from, to)`. The first and last are cut to the period.
pub fn buckets(
    from: Timestamp,
    to: Timestamp,
    g: Granularity,
    tz: &TimeZone,
) -> Result<Vec<Span>, BucketError> {
    let mut out = Vec::new();
    if from >= to {
        return Ok(out);
    }
    match g {
        Granularity::Hour => {
            // The local full hour at or before `from`.
            let z = instant(from)?.to_zoned(tz.clone());
            let into_hour = i64::from(z.minute()) * 60_000
                + i64::from(z.second()) * 1_000
                + i64::from(z.millisecond());
            let mut start = Timestamp(from.0 - into_hour);
            while start < to {
                let end = start.plus_millis(3_600_000);
                let local = instant(start)?.to_zoned(tz.clone());
                out.push(Span {
                    start: start.max(from),
                    end: end.min(to),
                    label: local.strftime("%Y-%m-%d %H:%M").to_string(),
                });
                start = end;
            }
        }
        Granularity::Day | Granularity::Week => {
            let mut d = local_date(from, tz)?;
            if g == Granularity::Week {
                d = monday_of(d)?;
            }
            loop {
                let start = day_start(d, tz)?;
                if start >= to {
                    break;
                }
                let mut next = next_day(d)?;
                if g == Granularity::Week {
                    for _ in 0..6 {
                        next = next_day(next)?;
                    }
                }
                let end = day_start(next, tz)?;
                if end > from {
                    out.push(Span {
                        start: start.max(from),
                        end: end.min(to),
                        label: d.strftime("%Y-%m-%d").to_string(),
                    });
                }
                d = next;
            }
        }
    }
    Ok(out)
}

/// The index of the bucket holding `t`, if any.
pub fn bucket_of(spans: &[Span], t: Timestamp) -> Option<usize> {
    let i = spans.partition_point(|s| s.start <= t);
    let i = i.checked_sub(1)?;
    (t < spans[i].end).then_some(i)
}

/// (weekday 0 = Monday … 6 = Sunday, hour 0–23) of `t` in `tz`.
pub fn weekday_hour(t: Timestamp, tz: &TimeZone) -> Option<(usize, usize)> {
    let z = JTimestamp::from_millisecond(t.0).ok()?.to_zoned(tz.clone());
    Some((
        usize::try_from(z.weekday().to_monday_zero_offset()).ok()?,
        usize::try_from(z.hour()).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        let t: JTimestamp = s.parse().expect("test timestamp");
        Timestamp(t.as_millisecond())
    }

    fn labels(v: &[Span]) -> Vec<&str> {
        v.iter().map(|s| s.label.as_str()).collect()
    }

    #[test]
    fn days_across_spring_forward_have_23_hours() {
        let tz = zone("Europe/Berlin").expect("zone");
        let v = buckets(
            ts("2026-03-27T23:00:00Z"),
            ts("2026-03-30T22:00:00Z"),
            Granularity::Day,
            &tz,
        )
        .expect("buckets");
        assert_eq!(labels(&v), ["2026-03-28", "2026-03-29", "2026-03-30"]);
        assert_eq!(v[1].start, ts("2026-03-28T23:00:00Z"));
        assert_eq!(v[1].end.0 - v[1].start.0, 23 * 3_600_000);
        assert_eq!(v[2].end, ts("2026-03-30T22:00:00Z"));
    }

    #[test]
    fn hours_across_fall_back_repeat_a_label() {
        let tz = zone("Europe/Berlin").expect("zone");
        // 25 Oct 2026 00:00 CEST .. 04:00 CET: five real hours.
        let v = buckets(
            ts("2026-10-24T22:00:00Z"),
            ts("2026-10-25T03:00:00Z"),
            Granularity::Hour,
            &tz,
        )
        .expect("buckets");
        assert_eq!(
            labels(&v),
            [
                "2026-10-25 00:00",
                "2026-10-25 01:00",
                "2026-10-25 02:00",
                "2026-10-25 02:00",
                "2026-10-25 03:00"
            ]
        );
        let day = buckets(
            ts("2026-10-24T22:00:00Z"),
            ts("2026-10-25T23:00:00Z"),
            Granularity::Day,
            &tz,
        )
        .expect("buckets");
        assert_eq!(day.len(), 1);
        assert_eq!(day[0].end.0 - day[0].start.0, 25 * 3_600_000);
    }

    #[test]
    fn kolkata_hours_start_at_half_past_utc() {
        let tz = zone("Asia/Kolkata").expect("zone");
        let v = buckets(
            ts("2026-06-01T18:30:00Z"),
            ts("2026-06-01T20:30:00Z"),
            Granularity::Hour,
            &tz,
        )
        .expect("buckets");
        assert_eq!(labels(&v), ["2026-06-02 00:00", "2026-06-02 01:00"]);
        assert_eq!(bucket_of(&v, ts("2026-06-01T19:29:59Z")), Some(0));
        assert_eq!(bucket_of(&v, ts("2026-06-01T19:30:00Z")), Some(1));
        assert_eq!(bucket_of(&v, ts("2026-06-01T20:30:00Z")), None);
        assert_eq!(bucket_of(&v, ts("2026-06-01T18:29:59Z")), None);
        assert_eq!(
            weekday_hour(ts("2026-06-01T18:30:00Z"), &tz),
            Some((1, 0)),
            "Tuesday 00:00 in Kolkata"
        );
    }

    #[test]
    fn weeks_start_on_monday_and_are_cut_to_the_period() {
        let tz = zone("UTC").expect("zone");
        // Wed 2026-03-25 .. Wed 2026-04-08.
        let v = buckets(
            ts("2026-03-25T00:00:00Z"),
            ts("2026-04-08T00:00:00Z"),
            Granularity::Week,
            &tz,
        )
        .expect("buckets");
        assert_eq!(labels(&v), ["2026-03-23", "2026-03-30", "2026-04-06"]);
        assert_eq!(v[0].start, ts("2026-03-25T00:00:00Z"));
        assert_eq!(v[1].start, ts("2026-03-30T00:00:00Z"));
        assert_eq!(v[2].end, ts("2026-04-08T00:00:00Z"));
        assert!(
            buckets(v[0].start, v[0].start, Granularity::Week, &tz)
                .expect("empty")
                .is_empty()
        );
        assert!(zone("Mars/Olympus").is_err());
    }

    #[test]
    fn sunday_is_six() {
        let tz = zone("America/New_York").expect("zone");
        // Mon 2026-03-30 03:00 UTC is Sun 23:00 in New York.
        assert_eq!(weekday_hour(ts("2026-03-30T03:00:00Z"), &tz), Some((6, 23)));
        assert_eq!(
            monday_of("2026-03-29".parse().expect("date")),
            Ok("2026-03-23".parse().expect("date"))
        );
    }
}

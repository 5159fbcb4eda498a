//! Ratings per day in the site's time zone (`GET /api/sites/{id}/ratings`).

use super::Rating;
use crate::day::DayError;
use crate::ids::Timestamp;
use jiff::Timestamp as JTimestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Most days one request may cover.
pub const MAX_DAYS: i32 = 366;

/// One day's ratings: how many were "good" (score 4 or more) and "bad", their count, and the
/// average score (1–5, two decimals).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingDay {
    /// `YYYY-MM-DD` in the site's time zone.
    pub day: String,
    pub good: u32,
    pub bad: u32,
    pub count: u32,
    pub average: f64,
}

/// Why a day range is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("dates are YYYY-MM-DD")]
    BadDate,
    #[error("`from` is after `to`")]
    Reversed,
    #[error("at most {MAX_DAYS} days at once")]
    TooLong,
    #[error(transparent)]
    Day(#[from] DayError),
}

/// The instants `[from, to)` that the days `from..=to` (both `YYYY-MM-DD`) cover in `tz`.
pub fn day_range(from: &str, to: &str, tz: &str) -> Result<(Timestamp, Timestamp), RangeError> {
    let zone = TimeZone::get(tz).map_err(|_| DayError::UnknownTimeZone(tz.to_string()))?;
    let parse = |s: &str| -> Result<Date, RangeError> {
        if s.len() != 10 {
            return Err(RangeError::BadDate);
        }
        s.parse::<Date>().map_err(|_| RangeError::BadDate)
    };
    let (first, last) = (parse(from)?, parse(to)?);
    if first > last {
        return Err(RangeError::Reversed);
    }
    let days = first
        .until((jiff::Unit::Day, last))
        .map_err(|_| RangeError::TooLong)?
        .get_days();
    if days >= MAX_DAYS {
        return Err(RangeError::TooLong);
    }
    let start = |d: Date| -> Result<Timestamp, RangeError> {
        let z = d.to_zoned(zone.clone()).map_err(|_| DayError::OutOfRange)?;
        Ok(Timestamp(z.timestamp().as_millisecond()))
    };
    let after = last.tomorrow().map_err(|_| DayError::OutOfRange)?;
    Ok((start(first)?, start(after)?))
}

/// The `YYYY-MM-DD` of `at` in `tz`.
pub fn day_of(at: Timestamp, tz: &str) -> Result<String, DayError> {
    let zone = TimeZone::get(tz).map_err(|_| DayError::UnknownTimeZone(tz.to_string()))?;
    let instant = JTimestamp::from_millisecond(at.0).map_err(|_| DayError::OutOfRange)?;
    Ok(instant.to_zoned(zone).date().to_string())
}

/// The ratings (by when they were first given) summed per day in `tz`, in day order; days
/// without ratings are left out.
pub fn per_day<'a>(
    ratings: impl IntoIterator<Item = &'a Rating>,
    tz: &str,
) -> Result<Vec<RatingDay>, DayError> {
    let mut days: Vec<(String, u32, u32, u32)> = Vec::new();
    for r in ratings {
        let day = day_of(r.rated_at, tz)?;
        let i = match days.iter().position(|d| d.0 == day) {
            Some(i) => i,
            None => {
                days.push((day, 0, 0, 0));
                days.len() - 1
            }
        };
        let d = &mut days[i];
        if r.is_good() {
            d.1 += 1;
        } else {
            d.2 += 1;
        }
        d.3 += u32::from(r.score);
    }
    days.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(days
        .into_iter()
        .map(|(day, good, bad, sum)| {
            let count = good + bad;
            let average = (f64::from(sum) / f64::from(count.max(1)) * 100.0).round() / 100.0;
            RatingDay {
                day,
                good,
                bad,
                count,
                average,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        let t: JTimestamp = s.parse().expect("test timestamp");
        Timestamp(t.as_millisecond())
    }

    fn r(score: u8, at: &str) -> Rating {
        Rating {
            score,
            comment: None,
            rated_at: ts(at),
        }
    }

    #[test]
    fn a_range_is_whole_local_days() {
        let (from, to) = day_range("2026-11-25", "2026-11-26", "Europe/Berlin").expect("ok");
        assert_eq!(from, ts("2026-11-24T23:00:00Z"));
        assert_eq!(to, ts("2026-11-26T23:00:00Z"));
        let (from, to) = day_range("2026-03-29", "2026-03-29", "Europe/Berlin").expect("ok");
        assert_eq!(
            to.0 - from.0,
            23 * 3_600_000,
            "the spring-forward day has 23 hours"
        );
    }

    #[test]
    fn bad_ranges_are_refused() {
        let tz = "UTC";
        assert_eq!(
            day_range("2026-1-2", "2026-01-02", tz),
            Err(RangeError::BadDate)
        );
        assert_eq!(
            day_range("2026-02-30", "2026-03-01", tz),
            Err(RangeError::BadDate)
        );
        assert_eq!(day_range("", "2026-03-01", tz), Err(RangeError::BadDate));
        assert_eq!(
            day_range("2026-03-02", "2026-03-01", tz),
            Err(RangeError::Reversed)
        );
        assert_eq!(
            day_range("2025-01-01", "2026-01-02", tz),
            Err(RangeError::TooLong)
        );
        assert!(
            day_range("2025-01-01", "2026-01-01", tz).is_ok(),
            "366 days"
        );
        assert!(matches!(
            day_range("2026-01-01", "2026-01-01", "Mars/Olympus"),
            Err(RangeError::Day(DayError::UnknownTimeZone(_)))
        ));
    }

    #[test]
    fn days_split_at_local_midnight() {
        // 22:30 UTC is 23:30 in Berlin (25 Nov); 23:30 UTC is 00:30 on 26 Nov.
        let all = [
            r(5, "2026-11-25T22:30:00Z"),
            r(1, "2026-11-25T22:40:00Z"),
            r(4, "2026-11-25T23:30:00Z"),
        ];
        let days = per_day(&all, "Europe/Berlin").expect("ok");
        assert_eq!(
            days,
            vec![
                RatingDay {
                    day: "2026-11-25".into(),
                    good: 1,
                    bad: 1,
                    count: 2,
                    average: 3.0
                },
                RatingDay {
                    day: "2026-11-26".into(),
                    good: 1,
                    bad: 0,
                    count: 1,
                    average: 4.0
                },
            ]
        );
        // In UTC all three are on 25 Nov.
        let utc = per_day(&all, "UTC").expect("ok");
        assert_eq!(utc.len(), 1);
        assert_eq!((utc[0].good, utc[0].bad, utc[0].count), (2, 1, 3));
        assert_eq!(utc[0].average, 3.33);
        assert_eq!(per_day(&[], "UTC").expect("ok"), vec![]);
    }
}

//! Opening hours of a site: a weekly schedule in the site's time zone, plus "Closed on" dates.
//!
//! Serves issue 12 ("Teams at work"), section "Opening hours": outside these hours the widget
//! shows the "Leave a message" form and says when the site opens next. The site setting is
//! [`crate::site_settings::SiteSettings::opening_hours`]; [`crate::site_settings::HoursGate`]
//! turns it into "open now, and until when"; the server's `services::hours` keeps every
//! visitor's availability current with it.
//!
//! # The rules
//!
//! * **Weekly ranges.** Per weekday, up to [`MAX_RANGES_PER_DAY`] ranges `from`–`to` in the
//!   site's local time ("HH:MM"). A `to` at or before `from` means the range crosses midnight:
//!   Fri 22:00–02:00 is open until Sat 02:00. `to` may be "24:00" (the end of the day), so
//!   00:00–24:00 is a whole day. A range whose `from` equals its `to` is refused
//!   ([`HoursError::EmptyRange`]).
//! * **No overlaps.** Ranges may touch (09:00–12:00 and 12:00–17:00 are open 09:00–17:00 without
//!   a gap) but not overlap, on the same day or across midnight into the next day's ranges
//!   (Fri 22:00–02:00 and Sat 01:00–05:00 are refused).
//! * **"Closed on" dates** close whole local calendar days, and only their own day. A range that
//!   starts the evening before a holiday is open until midnight and closed after it; a range
//!   that starts on the evening of a holiday is closed until midnight and open after it. Up to
//!   [`MAX_CLOSED_ON`] dates.
//! * **Daylight saving time.** Every `from` and `to` is turned into an instant with jiff's
//!   `compatible` disambiguation (the rule of RFC 5545 and of JavaScript's Temporal):
//!   - a local time in a spring-forward gap is moved forward by the length of the gap: 02:30 on
//!     the Sunday Berlin springs forward means 03:30 CEST. A range lying wholly in the gap
//!     (02:00–03:00 that Sunday, in Berlin or New York) therefore does not happen that day;
//!   - a local time that occurs twice in a fall-back fold means its first occurrence: 01:00–02:00
//!     on the Sunday New York falls back is open from 01:00 EDT to 02:00 EST, two real hours.
//!
//!   A day starts at the instant its 00:00 gets by the same rule, as in [`crate::day`].
//! * **Search horizon.** [`next_opening`] and [`closes_at`] look at most
//!   [`OpeningHours::horizon_days`] days ahead: 366 days plus 7 days per "Closed on" date (so
//!   holidays can never hide a weekly range that exists). Beyond that they answer `None`.
//! * Instants outside jiff's range (before year -9999 or after 9999) are closed.

mod json;
#[cfg(test)]
mod open_tests;
#[cfg(test)]
mod tests;

use crate::error::ErrorCode;
use crate::ids::Timestamp;
use jiff::Timestamp as JTimestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use std::collections::BTreeSet;
use std::fmt;

pub use json::{from_json, parse_date, to_json};

/// The most ranges one weekday may have.
pub const MAX_RANGES_PER_DAY: usize = 8;
/// The most "Closed on" dates a schedule may have.
pub const MAX_CLOSED_ON: usize = 1000;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// Why a schedule is refused. Every problem of the JSON form maps to one of these too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("{value:?} is not a time of day (\"HH:MM\" from 00:00 to 23:59, or 24:00 as an end)")]
    BadTime { value: String },
    #[error("{value:?} is not a date (\"YYYY-MM-DD\")")]
    BadDate { value: String },
    #[error("a range on {day:?} opens and closes at {at}")]
    EmptyRange { day: Weekday, at: TimeOfDay },
    #[error("{first_day:?} {first} overlaps {second_day:?} {second}")]
    Overlap {
        first_day: Weekday,
        first: HoursRange,
        second_day: Weekday,
        second: HoursRange,
    },
    #[error("{count} ranges on {day:?}; at most {max}")]
    TooManyRanges {
        day: Weekday,
        count: usize,
        max: usize,
    },
    #[error("{count} \"Closed on\" dates; at most {max}")]
    TooManyClosedDates { count: usize, max: usize },
    #[error("opening hours are not JSON of the expected shape: {0}")]
    Malformed(String),
}

impl HoursError {
    /// Every schedule problem is the caller's input: `bad_request`.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::BadRequest
    }
}

/// A local time of day in minutes since midnight: 00:00 to 23:59, or 24:00 (as an end only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    /// "24:00": the end of the day, valid as the `to` of a range only.
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(MINUTES_PER_DAY);

    /// `hour:minute`, or `None` outside 00:00–23:59 and 24:00.
    pub fn new(hour: u8, minute: u8) -> Option<TimeOfDay> {
        match (hour, minute) {
            (24, 0) => Some(TimeOfDay::END_OF_DAY),
            (0..=23, 0..=59) => Some(TimeOfDay(u16::from(hour) * 60 + u16::from(minute))),
            _ => None,
        }
    }

    /// Parses exactly "HH:MM" (two digits each; "9:05" and "09:00:00" are refused).
    pub fn parse(value: &str) -> Result<TimeOfDay, HoursError> {
        let bad = || HoursError::BadTime {
            value: value.chars().take(32).collect(),
        };
        let digit = |b: u8| b.is_ascii_digit().then(|| b - b'0');
        match value.as_bytes() {
            [h1, h2, b':', m1, m2] => {
                let (h1, h2, m1, m2) = (digit(*h1), digit(*h2), digit(*m1), digit(*m2));
                let (Some(h1), Some(h2), Some(m1), Some(m2)) = (h1, h2, m1, m2) else {
                    return Err(bad());
                };
                TimeOfDay::new(h1 * 10 + h2, m1 * 10 + m2).ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    /// Minutes since midnight (1440 for 24:00).
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One from–to range of a weekday, in local time. `to <= from` crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursRange {
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

impl HoursRange {
    /// Does the range end on the next day?
    pub fn crosses_midnight(self) -> bool {
        self.to <= self.from
    }

    /// The end in minutes since the start of the range's own day (above 1440 when crossing).
    fn end_minutes(self) -> u16 {
        if self.crosses_midnight() {
            self.to.0 + MINUTES_PER_DAY
        } else {
            self.to.0
        }
    }
}

impl fmt::Display for HoursRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.from, self.to)
    }
}

/// The seven weekdays, Monday first: the index order of [`OpeningHours::weekly`].
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn day_index(day: Weekday) -> usize {
    // 0..=6 by construction.
    day.to_monday_zero_offset().unsigned_abs() as usize
}

/// A validated schedule: only [`OpeningHours::new`] (and the JSON form, through it) makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    timezone: String,
    zone: TimeZone,
    weekly: [Vec<HoursRange>; 7],
    closed_on: BTreeSet<Date>,
}

impl OpeningHours {
    /// Validates a schedule: a known IANA time zone, at most [`MAX_RANGES_PER_DAY`] ranges per
    /// weekday (`weekly[0]` is Monday), no empty range, no overlap (see the module doc), at
    /// most [`MAX_CLOSED_ON`] dates (duplicates count once).
    pub fn new(
        timezone: &str,
        weekly: [Vec<HoursRange>; 7],
        closed_on: impl IntoIterator<Item = Date>,
    ) -> Result<OpeningHours, HoursError> {
        let zone = TimeZone::get(timezone)
            .map_err(|_| HoursError::UnknownTimeZone(timezone.chars().take(64).collect()))?;
        for (day, ranges) in WEEKDAYS.iter().zip(&weekly) {
            if ranges.len() > MAX_RANGES_PER_DAY {
                return Err(HoursError::TooManyRanges {
                    day: *day,
                    count: ranges.len(),
                    max: MAX_RANGES_PER_DAY,
                });
            }
            for range in ranges {
                if range.from == TimeOfDay::END_OF_DAY {
                    return Err(HoursError::BadTime {
                        value: range.from.to_string(),
                    });
                }
                if range.from == range.to {
                    return Err(HoursError::EmptyRange {
                        day: *day,
                        at: range.from,
                    });
                }
            }
        }
        check_overlaps(&weekly)?;
        let mut dates = BTreeSet::new();
        for date in closed_on {
            dates.insert(date);
            if dates.len() > MAX_CLOSED_ON {
                return Err(HoursError::TooManyClosedDates {
                    count: dates.len(),
                    max: MAX_CLOSED_ON,
                });
            }
        }
        Ok(OpeningHours {
            timezone: timezone.to_string(),
            zone,
            weekly,
            closed_on: dates,
        })
    }

    /// The IANA name of the site's time zone.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The ranges per weekday, Monday first (see [`WEEKDAYS`]).
    pub fn weekly(&self) -> &[Vec<HoursRange>; 7] {
        &self.weekly
    }

    /// The "Closed on" dates, in order.
    pub fn closed_on(&self) -> &BTreeSet<Date> {
        &self.closed_on
    }

    /// How many days [`next_opening`] and [`closes_at`] look ahead: 366 + 7 per "Closed on" date.
    pub fn horizon_days(&self) -> usize {
        366 + 7 * self.closed_on.len()
    }

    /// The instant of `time` on `date` (24:00 and beyond count into the next day), with the
    /// `compatible` disambiguation. `None` out of range.
    fn instant(&self, date: Date, minutes: u16) -> Option<i64> {
        let (date, minutes) = if minutes >= MINUTES_PER_DAY {
            (date.tomorrow().ok()?, minutes - MINUTES_PER_DAY)
        } else {
            (date, minutes)
        };
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        let local = date.at(hour, minute, 0, 0);
        let instant = self.zone.to_ambiguous_timestamp(local).compatible().ok()?;
        Some(instant.as_millisecond())
    }

    /// The first instant of `date` in the site's zone.
    fn start_of_day(&self, date: Date) -> Option<i64> {
        self.instant(date, 0)
    }

    /// The site's local date at `at`.
    fn local_date(&self, at: Timestamp) -> Option<Date> {
        let instant = JTimestamp::from_millisecond(at.0).ok()?;
        Some(self.zone.to_datetime(instant).date())
    }

    /// Appends the open stretches `[start, end)` (ms) of the ranges that start on `date`, with
    /// "Closed on" days cut out. Empty stretches (a range in a DST gap) are left out. Every
    /// stretch starts at or after the start of `date`.
    fn stretches_from(&self, date: Date, out: &mut Vec<(i64, i64)>) {
        let ranges = &self.weekly[day_index(date.weekday())];
        if ranges.is_empty() {
            return;
        }
        let Some(next) = date.tomorrow().ok() else {
            return;
        };
        let Some(midnight) = self.start_of_day(next) else {
            return;
        };
        let closed_today = self.closed_on.contains(&date);
        let closed_tomorrow = self.closed_on.contains(&next);
        for range in ranges {
            let start = self.instant(date, range.from.0);
            let end = self.instant(date, range.end_minutes());
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            if !closed_today && start < end.min(midnight) {
                out.push((start, end.min(midnight)));
            }
            if !closed_tomorrow && start.max(midnight) < end {
                out.push((start.max(midnight), end));
            }
        }
    }
}

/// Refuses two ranges that share a minute, on the same weekday or across midnight (Sunday's
/// ranges cross into Monday's).
fn check_overlaps(weekly: &[Vec<HoursRange>; 7]) -> Result<(), HoursError> {
    const WEEK: u32 = 7 * MINUTES_PER_DAY as u32;
    // Every range as minutes since Monday 00:00, with its weekday index.
    let spans: Vec<(usize, HoursRange, u32, u32)> = weekly
        .iter()
        .enumerate()
        .flat_map(|(day, ranges)| {
            ranges.iter().map(move |r| {
                let base = day as u32 * u32::from(MINUTES_PER_DAY);
                (
                    day,
                    *r,
                    base + u32::from(r.from.0),
                    base + u32::from(r.end_minutes()),
                )
            })
        })
        .collect();
    for (i, &(day_a, a, a_start, a_end)) in spans.iter().enumerate() {
        for &(day_b, b, b_start, b_end) in &spans[i + 1..] {
            // Compare b as it is and one week later/earlier (Sunday night into Monday).
            let overlaps = [0, WEEK].iter().any(|&shift| {
                (a_start < b_end + shift && b_start + shift < a_end)
                    || (b_start < a_end + shift && a_start + shift < b_end)
            });
            if overlaps {
                return Err(HoursError::Overlap {
                    first_day: WEEKDAYS[day_a],
                    first: a,
                    second_day: WEEKDAYS[day_b],
                    second: b,
                });
            }
        }
    }
    Ok(())
}

/// Is the site open at `at`? See the module doc for holidays and DST.
pub fn is_open(hours: &OpeningHours, at: Timestamp) -> bool {
    let Some(date) = hours.local_date(at) else {
        return false;
    };
    let mut stretches = Vec::new();
    for day in [date.yesterday().ok(), Some(date), date.tomorrow().ok()]
        .into_iter()
        .flatten()
    {
        hours.stretches_from(day, &mut stretches);
    }
    stretches
        .iter()
        .any(|&(start, end)| start <= at.0 && at.0 < end)
}

/// The first instant at or after `at` at which the site is open (`at` itself when it is open).
/// `None` when the schedule has no range at all, or nothing opens within the horizon.
pub fn next_opening(hours: &OpeningHours, at: Timestamp) -> Option<Timestamp> {
    if hours.weekly.iter().all(Vec::is_empty) {
        return None;
    }
    let mut day = hours.local_date(at)?.yesterday().ok()?;
    let mut best: Option<i64> = None;
    let mut stretches = Vec::new();
    for _ in 0..hours.horizon_days() + 3 {
        stretches.clear();
        hours.stretches_from(day, &mut stretches);
        let here = stretches
            .iter()
            .filter(|&&(_, end)| end > at.0)
            .map(|&(start, _)| start.max(at.0))
            .min();
        best = match (best, here) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // Later days' stretches start after the start of `day` (one day of slack for odd
        // zones), and never before `at`.
        let bound = hours.start_of_day(day)?.max(at.0);
        if let Some(found) = best.filter(|&found| found <= bound) {
            return Some(Timestamp(found));
        }
        day = day.tomorrow().ok()?;
    }
    best.map(Timestamp)
}

/// The first instant at or after `at` at which the site is closed (`at` itself when it is
/// closed): when it is open, the end of the open stretch, ranges that touch taken as one
/// (Fri 22:00–24:00 and Sat 00:00–02:00 close at Sat 02:00). `None` when it stays open for the
/// whole horizon.
pub fn closes_at(hours: &OpeningHours, at: Timestamp) -> Option<Timestamp> {
    let mut day = hours.local_date(at)?.yesterday().ok()?;
    let mut stretches = Vec::new();
    let mut point = at.0;
    for _ in 0..hours.horizon_days() + 3 {
        hours.stretches_from(day, &mut stretches);
        while let Some(&(_, end)) = stretches
            .iter()
            .find(|&&(start, end)| start <= point && point < end)
        {
            point = end;
        }
        // Later days' stretches start after the start of `day` (one day of slack).
        if point < hours.start_of_day(day)? {
            return Some(Timestamp(point));
        }
        stretches.retain(|&(_, end)| end > point);
        day = day.tomorrow().ok()?;
    }
    None
}

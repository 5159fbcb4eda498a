//! The JSON form of [`OpeningHours`], as a site setting stores it:
//!
//! ```json
//! {"timezone":"Europe/Berlin",
//!  "weekly":{"mon":[{"from":"09:00","to":"17:00"}],"fri":[{"from":"22:00","to":"02:00"}]},
//!  "closed_on":["2026-12-25"]}
//! ```
//!
//! Times are "HH:MM" strings, dates "YYYY-MM-DD"; missing weekdays and a missing `closed_on`
//! are empty; unknown fields are refused. Hostile input gets a typed [`HoursError`], never a
//! panic: arrays longer than the limits are counted, not kept, so a huge array costs no memory
//! beyond its text.

use super::{
    HoursError, HoursRange, MAX_CLOSED_ON, MAX_RANGES_PER_DAY, OpeningHours, TimeOfDay, WEEKDAYS,
};
use jiff::civil::Date;
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Parses and validates the JSON form. Syntax and shape problems are
/// [`HoursError::Malformed`]; everything else gets its own variant.
pub fn from_json(text: &str) -> Result<OpeningHours, HoursError> {
    let json: HoursJson =
        serde_json::from_str(text).map_err(|e| HoursError::Malformed(e.to_string()))?;
    OpeningHours::try_from(json)
}

/// The JSON form of a schedule (all seven weekdays written out, dates in order).
pub fn to_json(hours: &OpeningHours) -> String {
    // Plain strings and arrays: serialising cannot fail.
    serde_json::to_string(&HoursJson::from(hours.clone())).unwrap_or_default()
}

impl Serialize for OpeningHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HoursJson::from(self.clone()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OpeningHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = HoursJson::deserialize(deserializer)?;
        OpeningHours::try_from(json).map_err(serde::de::Error::custom)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursJson {
    timezone: String,
    #[serde(default)]
    weekly: WeeklyJson,
    #[serde(default)]
    closed_on: Bounded<String, MAX_CLOSED_ON>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeeklyJson {
    #[serde(default)]
    mon: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    tue: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    wed: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    thu: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    fri: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    sat: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
    #[serde(default)]
    sun: Bounded<RangeJson, MAX_RANGES_PER_DAY>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeJson {
    from: String,
    to: String,
}

/// A JSON array that keeps at most `MAX` elements and counts the rest without keeping them.
struct Bounded<T, const MAX: usize> {
    items: Vec<T>,
    count: usize,
}

impl<T, const MAX: usize> Default for Bounded<T, MAX> {
    fn default() -> Self {
        Bounded {
            items: Vec::new(),
            count: 0,
        }
    }
}

impl<T, const MAX: usize> From<Vec<T>> for Bounded<T, MAX> {
    fn from(items: Vec<T>) -> Self {
        let count = items.len();
        Bounded { items, count }
    }
}

impl<T: Serialize, const MAX: usize> Serialize for Bounded<T, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Bounded<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoundedVisitor<T, const MAX: usize>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for BoundedVisitor<T, MAX> {
            type Value = Bounded<T, MAX>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut bounded = Bounded::default();
                loop {
                    if bounded.items.len() < MAX {
                        match seq.next_element::<T>()? {
                            Some(item) => bounded.items.push(item),
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    bounded.count += 1;
                }
                Ok(bounded)
            }
        }

        deserializer.deserialize_seq(BoundedVisitor::<T, MAX>(std::marker::PhantomData))
    }
}

impl TryFrom<HoursJson> for OpeningHours {
    type Error = HoursError;

    fn try_from(json: HoursJson) -> Result<Self, HoursError> {
        let w = json.weekly;
        let days = [w.mon, w.tue, w.wed, w.thu, w.fri, w.sat, w.sun];
        let mut weekly: [Vec<HoursRange>; 7] = Default::default();
        for ((day, ranges), out) in WEEKDAYS.iter().zip(days).zip(&mut weekly) {
            if ranges.count > MAX_RANGES_PER_DAY {
                return Err(HoursError::TooManyRanges {
                    day: *day,
                    count: ranges.count,
                    max: MAX_RANGES_PER_DAY,
                });
            }
            for range in ranges.items {
                let from = TimeOfDay::parse(&range.from)?;
                if from == TimeOfDay::END_OF_DAY {
                    return Err(HoursError::BadTime { value: range.from });
                }
                let to = TimeOfDay::parse(&range.to)?;
                out.push(HoursRange { from, to });
            }
        }
        if json.closed_on.count > MAX_CLOSED_ON {
            return Err(HoursError::TooManyClosedDates {
                count: json.closed_on.count,
                max: MAX_CLOSED_ON,
            });
        }
        let dates = json
            .closed_on
            .items
            .iter()
            .map(|d| parse_date(d))
            .collect::<Result<Vec<_>, _>>()?;
        OpeningHours::new(&json.timezone, weekly, dates)
    }
}

impl From<OpeningHours> for HoursJson {
    fn from(hours: OpeningHours) -> Self {
        let [mon, tue, wed, thu, fri, sat, sun] = hours.weekly.map(|ranges| {
            let json: Vec<RangeJson> = ranges
                .iter()
                .map(|r| RangeJson {
                    from: r.from.to_string(),
                    to: r.to.to_string(),
                })
                .collect();
            Bounded::from(json)
        });
        HoursJson {
            timezone: hours.timezone,
            weekly: WeeklyJson {
                mon,
                tue,
                wed,
                thu,
                fri,
                sat,
                sun,
            },
            closed_on: Bounded::from(
                hours
                    .closed_on
                    .iter()
                    .map(|d| d.strftime("%Y-%m-%d").to_string())
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

/// Parses exactly "YYYY-MM-DD" (a real calendar date; "2026-2-30" and "2026-02-30" are refused).
pub fn parse_date(value: &str) -> Result<Date, HoursError> {
    let bad = || HoursError::BadDate {
        value: value.chars().take(32).collect(),
    };
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> { value.get(range)?.parse().ok() };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(bad());
    };
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err(bad());
    };
    Date::new(year, month, day).map_err(|_| bad())
}

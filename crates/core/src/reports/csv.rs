//! "Download CSV": each chart's numbers as the chart shows them (RFC 4180, a header row, an
//! empty cell for "no value"). Names are quoted, and a cell that a spreadsheet would read as
//! a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is prefixed with `'`.

use super::{Figures, Report};
use serde::{Deserialize, Serialize};

/// The charts of the Reports page, by the names the REST API takes (`chart=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Chart {
    Volume,
    Wait,
    FirstResponse,
    Duration,
    Messages,
    Ratings,
    Agents,
    HeatMap,
}

impl Chart {
    pub const ALL: [Chart; 8] = [
        Chart::Volume,
        Chart::Wait,
        Chart::FirstResponse,
        Chart::Duration,
        Chart::Messages,
        Chart::Ratings,
        Chart::Agents,
        Chart::HeatMap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Chart::Volume => "volume",
            Chart::Wait => "wait",
            Chart::FirstResponse => "first_response",
            Chart::Duration => "duration",
            Chart::Messages => "messages",
            Chart::Ratings => "ratings",
            Chart::Agents => "agents",
            Chart::HeatMap => "heat_map",
        }
    }

    pub fn parse(s: &str) -> Option<Chart> {
        Chart::ALL.into_iter().find(|c| c.name() == s)
    }

    /// The columns after `bucket` of a series chart.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Chart::Volume => &["chats", "missed", "offline_messages"],
            Chart::Wait => &["wait_median_secs", "wait_p90_secs"],
            Chart::FirstResponse => &["first_response_median_secs"],
            Chart::Duration => &["duration_median_secs"],
            Chart::Messages => &["messages_per_chat"],
            Chart::Ratings => &["ratings", "ratings_good", "good_share"],
            Chart::Agents | Chart::HeatMap => &[],
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A fraction written as the JSON report writes it (`1.0`, `0.6667`).
fn frac(v: Option<f64>) -> String {
    v.map(|v| serde_json::Value::from(v).to_string())
        .unwrap_or_default()
}

fn values(chart: Chart, f: &Figures) -> Vec<String> {
    match chart {
        Chart::Volume => vec![
            f.chats.to_string(),
            f.missed.to_string(),
            f.offline_messages.to_string(),
        ],
        Chart::Wait => vec![opt(f.wait_median_secs), opt(f.wait_p90_secs)],
        Chart::FirstResponse => vec![opt(f.first_response_median_secs)],
        Chart::Duration => vec![opt(f.duration_median_secs)],
        Chart::Messages => vec![frac(f.messages_per_chat)],
        Chart::Ratings => vec![
            f.ratings.to_string(),
            f.ratings_good.to_string(),
            frac(f.good_share),
        ],
        Chart::Agents | Chart::HeatMap => Vec::new(),
    }
}

/// One cell, quoted when it must be, defused when a spreadsheet would run it.
pub fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with('\'') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn line(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The CSV of one chart of `r`.
pub fn to_csv(r: &Report, chart: Chart) -> String {
    let mut out = String::new();
    match chart {
        Chart::Agents => {
            line(
                &mut out,
                &[
                    "agent_id",
                    "name",
                    "chats",
                    "first_response_median_secs",
                    "ratings",
                    "ratings_good",
                    "online_secs",
                ]
                .map(String::from),
            );
            for a in &r.agents {
                line(
                    &mut out,
                    &[
                        a.agent_id.to_string(),
                        cell(&a.name),
                        a.chats.to_string(),
                        opt(a.first_response_median_secs),
                        a.ratings.to_string(),
                        a.ratings_good.to_string(),
                        a.online_secs.to_string(),
                    ],
                );
            }
        }
        Chart::HeatMap => {
            let mut head = vec!["weekday".to_string()];
            head.extend((0..24).map(|h| format!("{h:02}")));
            line(&mut out, &head);
            for (day, row) in WEEKDAYS.iter().zip(&r.heat_map) {
                let mut cells = vec![day.to_string()];
                cells.extend(row.iter().map(|n| n.to_string()));
                line(&mut out, &cells);
            }
        }
        _ => {
            let mut head = vec!["bucket".to_string()];
            head.extend(chart.columns().iter().map(|c| c.to_string()));
            line(&mut out, &head);
            for b in &r.series {
                let mut cells = vec![cell(&b.label)];
                cells.extend(values(chart, &b.figures));
                line(&mut out, &cells);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AgentId, Timestamp};
    use crate::reports::{AgentFigures, Bucket, Granularity};

    fn report() -> Report {
        Report {
            site_id: None,
            from: Timestamp(0),
            to: Timestamp(86_400_000),
            granularity: Granularity::Day,
            time_zone: "UTC".into(),
            totals: Figures::default(),
            series: vec![Bucket {
                start: Timestamp(0),
                label: "1970-01-01".into(),
                figures: Figures {
                    chats: 3,
                    missed: 1,
                    wait_median_secs: Some(12),
                    messages_per_chat: Some(2.5),
                    ratings: 2,
                    ratings_good: 1,
                    good_share: Some(0.5),
                    ..Figures::default()
                },
            }],
            agents: vec![AgentFigures {
                agent_id: AgentId(4),
                name: "=HYPERLINK(\"x\"), Ann".into(),
                chats: 2,
                first_response_median_secs: None,
                ratings: 0,
                ratings_good: 0,
                online_secs: 60,
            }],
            heat_map: vec![[0; 24]; 7],
        }
    }

    #[test]
    fn each_chart() {
        let r = report();
        assert_eq!(
            to_csv(&r, Chart::Volume),
            "bucket,chats,missed,offline_messages\r\n1970-01-01,3,1,0\r\n"
        );
        assert_eq!(
            to_csv(&r, Chart::Wait),
            "bucket,wait_median_secs,wait_p90_secs\r\n1970-01-01,12,\r\n"
        );
        assert_eq!(
            to_csv(&r, Chart::Messages),
            "bucket,messages_per_chat\r\n1970-01-01,2.5\r\n"
        );
        assert_eq!(
            to_csv(&r, Chart::Ratings),
            "bucket,ratings,ratings_good,good_share\r\n1970-01-01,2,1,0.5\r\n"
        );
        assert_eq!(
            to_csv(&r, Chart::Agents).lines().nth(1),
            Some("4,\"'=HYPERLINK(\"\"x\"\"), Ann\",2,,0,0,60")
        );
        let heat = to_csv(&r, Chart::HeatMap);
        assert_eq!(heat.lines().count(), 8);
        assert!(heat.starts_with("weekday,00,01,"));
        assert!(heat.lines().nth(7).unwrap_or("").starts_with("Sunday,0,"));
    }

    #[test]
    fn names_round_trip() {
        for c in Chart::ALL {
            assert_eq!(Chart::parse(c.name()), Some(c));
        }
        assert_eq!(Chart::parse("pie"), None);
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("-1"), "\"'-1\"");
    }
}

//! Figures: what one run measured, medians and spread over runs, ratios to the baseline,
//! goals, the table and the JSON file.

use serde::Serialize;
use std::collections::BTreeMap;

/// Which direction is better (for ratio goals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
    /// Informational: no ratio goal.
    Info,
}

/// A goal on Frontdesk's median: `<=` or `>=` a value.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Goal {
    pub op: &'static str,
    pub value: f64,
}

impl Goal {
    pub fn le(value: f64) -> Option<Goal> {
        Some(Goal { op: "<=", value })
    }
    pub fn ge(value: f64) -> Option<Goal> {
        Some(Goal { op: ">=", value })
    }
    fn met(&self, v: f64) -> bool {
        if self.op == "<=" {
            v <= self.value
        } else {
            v >= self.value
        }
    }
}

/// One figure of one run.
#[derive(Debug, Clone)]
pub struct Sample {
    pub key: String,
    pub label: String,
    pub unit: &'static str,
    pub better: Better,
    pub value: f64,
    pub goal: Option<Goal>,
}

/// Figures of one run of one target, in order.
#[derive(Debug, Default)]
pub struct Figures {
    pub samples: Vec<Sample>,
}

impl Figures {
    pub fn add(&mut self, key: &str, label: &str, unit: &'static str, better: Better, value: f64) {
        self.add_goal(key, label, unit, better, value, None);
    }
    pub fn add_goal(
        &mut self,
        key: &str,
        label: &str,
        unit: &'static str,
        better: Better,
        value: f64,
        goal: Option<Goal>,
    ) {
        self.samples.push(Sample {
            key: key.to_string(),
            label: label.to_string(),
            unit,
            better,
            value,
            goal,
        });
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub values: Vec<f64>,
}

fn spread(mut v: Vec<f64>) -> Option<Spread> {
    if v.is_empty() {
        return None;
    }
    let values = v.clone();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Spread {
        median,
        min: v[0],
        max: v[n - 1],
        values,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    /// Frontdesk processes under test (the baseline is always one).
    pub nodes: usize,
    /// `sqlite`, `postgres` or `postgres+redis`.
    pub backend: &'static str,
    pub label: String,
    pub unit: &'static str,
    pub better: Better,
    pub frontdesk: Option<Spread>,
    pub baseline: Option<Spread>,
    /// Frontdesk median / baseline median.
    pub ratio: Option<f64>,
    pub goal: Option<Goal>,
    pub goal_met: Option<bool>,
    /// Ratio goal: latency ≤ 2× baseline, throughput ≥ 0.5× baseline.
    pub ratio_goal_met: Option<bool>,
}

/// Rows in the order figures were first seen.
pub fn aggregate(
    frontdesk: &[Figures],
    baseline: &[Figures],
    nodes: usize,
    backend: &'static str,
) -> Vec<Row> {
    let mut order: Vec<String> = Vec::new();
    let mut meta: BTreeMap<String, Sample> = BTreeMap::new();
    let mut fd: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut bl: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (runs, into) in [(frontdesk, &mut fd), (baseline, &mut bl)] {
        for f in runs {
            for s in &f.samples {
                if !meta.contains_key(&s.key) {
                    order.push(s.key.clone());
                    meta.insert(s.key.clone(), s.clone());
                }
                if s.goal.is_some() {
                    meta.insert(s.key.clone(), s.clone());
                }
                if s.value.is_finite() {
                    into.entry(s.key.clone()).or_default().push(s.value);
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| {
            let m = meta.get(&k)?.clone();
            let f = fd.remove(&k).and_then(spread);
            let b = bl.remove(&k).and_then(spread);
            let ratio = match (&f, &b) {
                (Some(f), Some(b)) if b.median != 0.0 => Some(f.median / b.median),
                _ => None,
            };
            let goal_met = match (&m.goal, &f) {
                (Some(g), Some(f)) => Some(g.met(f.median)),
                _ => None,
            };
            let ratio_goal_met = ratio.and_then(|r| match m.better {
                Better::Lower => Some(r <= 2.0),
                Better::Higher => Some(r >= 0.5),
                Better::Info => None,
            });
            Some(Row {
                key: k,
                nodes,
                backend,
                label: m.label,
                unit: m.unit,
                better: m.better,
                frontdesk: f,
                baseline: b,
                ratio,
                goal: m.goal,
                goal_met,
                ratio_goal_met,
            })
        })
        .collect()
}

pub fn num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn cell(s: &Option<Spread>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.values.len() > 1 => {
            format!("{} ({}–{})", num(s.median), num(s.min), num(s.max))
        }
        Some(s) => num(s.median),
    }
}

/// A Markdown table: median (min–max) per target, the ratio, the goal.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| figure | unit | nodes | backend | Frontdesk median (min–max) | baseline median (min–max) | FD/baseline | goal |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let ratio = match (r.ratio, r.ratio_goal_met) {
            (Some(x), Some(true)) => format!("{x:.2}×"),
            (Some(x), Some(false)) => format!("**{x:.2}×** ✗"),
            (Some(x), None) => format!("{x:.2}×"),
            (None, _) => "–".into(),
        };
        let goal = match (r.goal, r.goal_met) {
            (Some(g), Some(true)) => format!("{} {} ✓", g.op, num(g.value)),
            (Some(g), Some(false)) => format!("{} {} ✗", g.op, num(g.value)),
            (Some(g), None) => format!("{} {}", g.op, num(g.value)),
            (None, _) => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.label,
            r.unit,
            r.nodes,
            r.backend,
            cell(&r.frontdesk),
            cell(&r.baseline),
            ratio,
            goal
        ));
    }
    out
}

/// One figure of `--compare A B`: A's and B's spread over the runs and B/A.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    pub key: String,
    pub label: String,
    pub unit: &'static str,
    pub better: Better,
    pub a: Option<Spread>,
    pub b: Option<Spread>,
    /// B's median / A's median.
    pub b_over_a: Option<f64>,
    /// With 3 runs or more: `better` or `worse` when A's and B's ranges (min–max) do not
    /// overlap, else `noise`. None with fewer runs (two runs apart say little on a shared
    /// machine) and for informational figures.
    pub verdict: Option<&'static str>,
}

/// Rows of [`aggregate`] over A (as `frontdesk`) and B (as `baseline`), as A/B pairs.
pub fn compare_rows(rows: &[Row]) -> Vec<CompareRow> {
    rows.iter()
        .map(|r| {
            let (a, b) = (r.frontdesk.clone(), r.baseline.clone());
            let b_over_a = match (&a, &b) {
                (Some(a), Some(b)) if a.median != 0.0 => Some(b.median / a.median),
                _ => None,
            };
            let verdict = match (&a, &b, b_over_a) {
                (Some(a), Some(b), Some(x))
                    if r.better != Better::Info && a.values.len() >= 3 && b.values.len() >= 3 =>
                {
                    Some(if a.min <= b.max && b.min <= a.max {
                        "noise"
                    } else if (x < 1.0) == (r.better == Better::Lower) {
                        "better"
                    } else {
                        "worse"
                    })
                }
                _ => None,
            };
            CompareRow {
                key: r.key.clone(),
                label: r.label.clone(),
                unit: r.unit,
                better: r.better,
                a,
                b,
                b_over_a,
                verdict,
            }
        })
        .collect()
}

/// A Markdown table of `--compare A B`: median (min–max) of A and of B, B/A, and whether B
/// is better, worse, or within the runs' spread ("noise").
pub fn compare_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| figure | unit | A median (min–max) | B median (min–max) | B/A | B vs A |\n|---|---|---|---|---|---|\n",
    );
    for r in compare_rows(rows) {
        let ratio = r.b_over_a.map_or("–".into(), |x| format!("{x:.2}×"));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.label,
            r.unit,
            cell(&r.a),
            cell(&r.b),
            ratio,
            r.verdict.unwrap_or("")
        ));
    }
    out
}

/// Latency histogram in microseconds (1 µs .. 10 min, 3 significant digits).
pub type Hist = hdrhistogram::Histogram<u64>;

pub fn hist() -> Hist {
    Hist::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds are valid")
}

/// A quantile of a histogram in milliseconds (NaN when empty).
pub fn ms(h: &Hist, q: f64) -> f64 {
    if h.is_empty() {
        f64::NAN
    } else {
        h.value_at_quantile(q) as f64 / 1000.0
    }
}

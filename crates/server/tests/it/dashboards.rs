//! `docs/grafana-dashboard.json` and `docs/prometheus-alerts.yml` only use metrics that exist:
//! every `frontdesk_*` name in their queries is in a running server's `/metrics`. The alert
//! file's structure is checked here (and by `promtool check rules` where it is installed).

use crate::helpers::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

/// The metric-name tokens of a PromQL expression (loosely: `frontdesk_` words).
fn names_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("frontdesk_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

fn docs(file: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/").to_string() + file;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dashboard_exprs() -> Vec<String> {
    let d: Value = serde_json::from_str(&docs("grafana-dashboard.json")).expect("dashboard JSON");
    let panels = d["panels"].as_array().expect("panels");
    assert!(!panels.is_empty());
    let mut exprs = Vec::new();
    for p in panels {
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        for t in p["targets"].as_array().expect("targets") {
            exprs.push(t["expr"].as_str().expect("expr").to_string());
        }
    }
    exprs
}

/// The alert rules, checked for the shape Prometheus wants: `groups:` → `name:` and `rules:`,
/// each rule an `alert:` with an `expr:`, a `severity` label and a `summary`.
fn alert_exprs() -> Vec<String> {
    let text = docs("prometheus-alerts.yml");
    assert!(text.lines().any(|l| l == "groups:"), "no groups:");
    assert!(text.contains("\n  - name: "), "a group without a name");
    assert!(text.contains("\n    rules:\n"), "a group without rules");
    let rules: Vec<&str> = text.split("\n      - alert: ").skip(1).collect();
    assert!(!rules.is_empty(), "no alert rules");
    let mut exprs = Vec::new();
    for rule in rules {
        let name = rule.lines().next().unwrap_or_default();
        assert!(!text.contains('\t'), "tabs in YAML");
        let expr = rule
            .lines()
            .find_map(|l| l.strip_prefix("        expr: "))
            .unwrap_or_else(|| panic!("{name}: no expr"));
        assert!(
            rule.contains("\n          severity: "),
            "{name}: no severity"
        );
        assert!(rule.contains("\n          summary: "), "{name}: no summary");
        assert_eq!(
            expr.matches('(').count(),
            expr.matches(')').count(),
            "{name}: unbalanced parentheses"
        );
        exprs.push(expr.to_string());
    }
    exprs
}

#[tokio::test]
async fn dashboard_and_alert_queries_use_metrics_the_server_exports() {
    let app = TestApp::spawn().await;
    app.site().await; // the per-site gauges need a site
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    let exported: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_string)
        .collect();
    for needed in [
        "frontdesk_queue_length",
        "frontdesk_queue_oldest_wait_seconds",
    ] {
        assert!(exported.contains(needed), "{needed} missing:\n{text}");
    }
    let mut used = 0;
    for (file, exprs) in [
        ("grafana-dashboard.json", dashboard_exprs()),
        ("prometheus-alerts.yml", alert_exprs()),
    ] {
        for expr in exprs {
            for name in names_in(&expr) {
                used += 1;
                assert!(
                    exported.contains(&name),
                    "{file}: {name} (in `{expr}`) is not in /metrics:\n{text}"
                );
            }
        }
    }
    assert!(used > 20, "only {used} metric names found in the queries");
}

/// `promtool check rules` (Debian: package `prometheus`, which the test command installs,
/// about 12 s, and then sets FRONTDESK_REQUIRE_PROMTOOL=1 so that a missing tool fails
/// instead of passing). Run by hand without the tool, this test says so and the structural
/// check above stands in.
#[test]
fn promtool_accepts_the_alert_rules() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/prometheus-alerts.yml"
    );
    match std::process::Command::new("promtool")
        .args(["check", "rules", path])
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "promtool check rules failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            assert!(
                std::env::var_os("FRONTDESK_REQUIRE_PROMTOOL").is_none(),
                "promtool is required (FRONTDESK_REQUIRE_PROMTOOL) but did not run: {e}"
            );
            eprintln!("promtool not installed: alert rules checked structurally only");
        }
    }
}

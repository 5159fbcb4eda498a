//! The `frontdesk` command line, run as a real process: `site`, `agent` and `serve --demo`.

use crate::helpers::*;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// `store`: the arguments naming the database (`TestApp::store_args`: `--data-dir` or, on the
/// cluster backend, `--database-url`).
fn frontdesk(store: &[String], args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(store)
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("frontdesk runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `site add` prints the key and exactly the documented snippet; works while the server runs
/// on the same data directory, and the new site is usable at once.
#[tokio::test]
async fn site_and_agent_commands_work_beside_a_running_server() {
    let app = TestApp::spawn().await;
    let dir = app.store_args();
    let (ok, out, err) = frontdesk(
        &dir,
        &[
            "site",
            "add",
            "--name",
            "Shop",
            "--url",
            "https://shop.example",
            "--timezone",
            "Europe/Berlin",
        ],
        None,
    );
    assert!(ok, "{err}");
    let key = out
        .lines()
        .find_map(|l| l.strip_prefix("Site key: "))
        .expect("key line")
        .to_string();
    let snippet = format!(
        r#"<script src="http://127.0.0.1:8080/widget.js" data-site="{key}" async></script>"#
    );
    assert!(out.lines().any(|l| l == snippet), "{out}");

    let (ok, out, err) = frontdesk(
        &dir,
        &[
            "site",
            "add",
            "--name",
            "Other",
            "--url",
            "https://other.example",
            "--json",
        ],
        None,
    );
    assert!(ok, "{err}");
    let json: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["name"], "Other");
    assert_eq!(json["timezone"], "UTC");
    assert!(
        json["snippet"]
            .as_str()
            .is_some_and(|s| s.contains(json["key"].as_str().unwrap_or("?")))
    );

    // Refused input is a clear error, not a crash.
    let (ok, _, err) = frontdesk(
        &dir,
        &["site", "add", "--name", "X", "--url", "javascript:alert(1)"],
        None,
    );
    assert!(!ok && err.contains("http"), "{err}");
    let (ok, _, err) = frontdesk(
        &dir,
        &[
            "site",
            "add",
            "--name",
            "X",
            "--url",
            "https://x.example",
            "--timezone",
            "Mars/Base",
        ],
        None,
    );
    assert!(!ok && err.contains("time zone"), "{err}");

    let (ok, out, err) = frontdesk(
        &dir,
        &[
            "agent",
            "add",
            "--email",
            "ann@shop.example",
            "--name",
            "Ann",
            "--site",
            &key,
            "--password-stdin",
            "--json",
        ],
        Some("a fine long password\n"),
    );
    assert!(ok, "{err}");
    let agent: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(agent["name"], "Ann");
    let (ok, _, err) = frontdesk(
        &dir,
        &[
            "agent",
            "add",
            "--email",
            "ANN@shop.example",
            "--name",
            "Dup",
            "--password-stdin",
        ],
        Some("a fine long password\n"),
    );
    assert!(
        !ok && err.contains("ANN@shop.example"),
        "duplicate email refused: {err}"
    );
    let (ok, _, err) = frontdesk(
        &dir,
        &[
            "agent",
            "add",
            "--email",
            "b@x",
            "--name",
            "B",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least"), "{err}");

    let (ok, out, _) = frontdesk(&dir, &["site", "list"], None);
    assert!(ok && out.contains("Shop") && out.contains("Other"));
    let (ok, out, _) = frontdesk(&dir, &["agent", "list", "--json"], None);
    let agents: Value = serde_json::from_str(&out).expect("json");
    assert!(ok && agents.as_array().is_some_and(|a| a.len() == 1));

    // The running server sees the new site and agent at once.
    let site = app
        .store()
        .site_by_key(&frontdesk_core::SiteKey(key.clone()))
        .await
        .expect("site visible to the server");
    let v = app.visitor(&site).await;
    assert!(!v.visitor_id.is_empty());
    let login = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .header("Origin", &app.base)
        .json(&serde_json::json!({"email":"ann@shop.example","password":"a fine long password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);

    // passwd changes the password.
    let (ok, _, err) = frontdesk(
        &dir,
        &[
            "agent",
            "passwd",
            "--email",
            "ann@shop.example",
            "--password-stdin",
        ],
        Some("another long password\n"),
    );
    assert!(ok, "{err}");
    let login = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .header("Origin", &app.base)
        .json(&serde_json::json!({"email":"ann@shop.example","password":"another long password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
}

/// `serve --demo` on an empty data directory makes a demo site and agent, prints the URLs and
/// the login, serves the demo page with the widget snippet, and answers health checks.
#[tokio::test]
async fn serve_demo_prints_urls_and_serves_the_demo() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("FRONTDESK_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    while printed.len() < 4 {
        let line = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("printed in time")
            .expect("read")
            .expect("a line");
        printed.push(line);
    }
    let base = printed[0]
        .strip_prefix("Frontdesk is running at ")
        .expect("first line names the URL")
        .to_string();
    assert_eq!(printed[1].trim(), format!("Agent console: {base}/console"));
    assert_eq!(printed[2].trim(), format!("Demo visitor page: {base}/demo"));
    assert!(printed[3].contains("demo@frontdesk.local") && printed[3].contains("frontdesk-demo"));
    assert!(dir.path().join("frontdesk.db").exists());

    let demo = reqwest::get(format!("{base}/demo"))
        .await
        .expect("demo")
        .text()
        .await
        .expect("text");
    assert!(
        demo.contains(r#"<script src="/widget.js" data-site=""#) && !demo.contains("{{SITE_KEY}}"),
        "{demo}"
    );
    for (path, status) in [
        ("/healthz", 200),
        ("/readyz", 200),
        ("/metrics", 200),
        ("/console", 200),
        ("/widget.js", 200),
        ("/api/openapi.json", 200),
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.expect("get");
        assert_eq!(r.status(), status, "{path}");
    }
    let console = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .header("Origin", &base)
        .json(&serde_json::json!({"email":"demo@frontdesk.local","password":"frontdesk-demo"}))
        .send()
        .await
        .expect("login");
    assert_eq!(console.status(), 200);
    child.start_kill().expect("kill");
    let _ = child.wait().await;
}

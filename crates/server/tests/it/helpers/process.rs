//! The real `frontdesk` binary as a child process, for the tests that kill it (`kill -9`), back
//! it up or restart it on another data directory: started with a TOML config of extra limits,
//! its address read from its first line of output.

use super::WAIT;
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncBufReadExt;

/// Starts `frontdesk serve` on `dir` (a free loopback port) with `config` (TOML, e.g. raised
/// rate limits) and `extra` serve flags; returns the child (killed on drop) and its
/// `host:port`.
pub async fn serve(dir: &Path, config: &str, extra: &[&str]) -> (tokio::process::Child, String) {
    let file = dir.join("test-config.toml");
    std::fs::write(&file, config).expect("config");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--config")
        .arg(&file)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("FRONTDESK_LOG", "error")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("started in time")
        .expect("read")
        .expect("a line");
    let addr = first
        .strip_prefix("Frontdesk is running at http://")
        .expect("address line")
        .to_string();
    (child, addr)
}

/// `frontdesk site add` on `dir` (no server running on it); returns the new site's key.
pub fn add_site(dir: &Path, name: &str, url: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--data-dir")
        .arg(dir)
        .args(["site", "add", "--name", name, "--url", url, "--json"])
        .output()
        .expect("site add");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["key"].as_str().expect("key").to_string()
}

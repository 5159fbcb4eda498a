//! The search index's cost: whether the server under test knows `[search] index = false`,
//! and the throughput ratio of index on over off (issue 15).

use crate::report::{Better, Figures, Goal};
use crate::server::Fixture;

/// The throughput scenario again, with the search index off (`[search] index = false`):
/// the cost of keeping the index in step is the ratio of the two.
pub const NO_INDEX: &str = "\n[search]\nindex = false\n";

/// Does the server take `[search] index = false`? (Asked of its `site list` command on a
/// scratch directory: an unknown setting is refused at start.)
pub async fn index_switch(fx: &Fixture) -> bool {
    let Ok(dir) = tempfile::tempdir() else {
        return false;
    };
    let config = dir.path().join("noindex.toml");
    if std::fs::write(&config, NO_INDEX).is_err() {
        return false;
    }
    tokio::process::Command::new(&fx.bin)
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["site", "list", "--json"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

/// Throughput with the search index on over off (same run, same binary): the goal is a
/// loss of at most 10%.
pub fn index_cost(fd: &mut Figures) {
    let get = |fd: &Figures, k: &str| {
        fd.samples
            .iter()
            .find(|s| s.key == k)
            .map(|s| s.value)
            .filter(|v| *v > 0.0)
    };
    for (on, off, key, label, goal) in [
        (
            "tp.max",
            "tp_noindex.max",
            "tp_index.ratio",
            "throughput (p99 ≤ 50 ms): search index on / off",
            Goal::ge(0.9),
        ),
        (
            "tp.capacity",
            "tp_noindex.capacity",
            "tp_index.capacity_ratio",
            "throughput capacity: search index on / off",
            None,
        ),
    ] {
        if let (Some(a), Some(b)) = (get(fd, on), get(fd, off)) {
            fd.add_goal(key, label, "×", Better::Info, a / b, goal);
        }
    }
}

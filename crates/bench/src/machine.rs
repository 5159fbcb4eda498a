//! What the bench reads of the machine from /proc: CPU time spent (all processes, and the
//! generator with the server under test) and a description of the machine.

use crate::target::Target;

/// CPU-seconds all processes spent busy so far (from /proc/stat).
pub fn cpu_busy() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = stat.lines().next().unwrap_or_default();
    // user nice system idle iowait irq softirq steal
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let busy: f64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| x)
        .sum();
    busy / 100.0
}

/// CPU-seconds of this generator and the server under test.
pub fn own_cpu(t: &Target) -> f64 {
    let me = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = me
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 + t.cpu_secs().unwrap_or(0.0)
}

/// The machine the figures were taken on (for the JSON results).
pub fn machine() -> serde_json::Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let mem = read("/proc/meminfo")
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    serde_json::json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "memory": mem,
        "kernel": read("/proc/sys/kernel/osrelease").trim(),
    })
}

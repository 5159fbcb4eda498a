//! The fuzz targets' seed corpus (`fuzz/seeds/<target>/`), replayed on every `cargo test`
//! through the same entry points the fuzzers call (`frontdesk::fuzzing`): none may panic.
//! Every prefix of every seed is replayed too (truncated frames and bodies are what a broken
//! or hostile client sends most). Inputs that once crashed a fuzzer belong in the seeds.

use std::path::PathBuf;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("seed");
            (path.display().to_string(), bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{target}: only {} seeds", files.len());
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    for (name, bytes) in seeds(target) {
        for end in 0..=bytes.len() {
            let input = &bytes[..end];
            if std::panic::catch_unwind(|| run(input)).is_err() {
                panic!("{target} panicked on the first {end} bytes of {name}");
            }
        }
    }
}

#[test]
fn visitor_frame_seeds_do_not_panic() {
    replay("visitor_frame", frontdesk::fuzzing::visitor_frame);
}

#[test]
fn agent_frame_seeds_do_not_panic() {
    replay("agent_frame", frontdesk::fuzzing::agent_frame);
}

#[test]
fn rest_body_seeds_do_not_panic() {
    replay("rest_body", frontdesk::fuzzing::rest_body);
}

#[test]
fn upload_seeds_do_not_panic() {
    replay("upload", frontdesk::fuzzing::upload);
}

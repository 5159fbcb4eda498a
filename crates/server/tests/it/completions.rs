//! `frontdesk completions bash|zsh|fish` and `frontdesk man`: generated from the same
//! definitions as `--help`, so they name every command.

use std::process::Command;

const COMMANDS: &[&str] = &[
    "serve", "site", "agent", "migrate", "export", "import", "backup", "restore", "doctor",
];

fn frontdesk(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .output()
        .expect("frontdesk runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn each_shell_gets_a_completion_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let script = frontdesk(&["completions", shell]);
        for cmd in COMMANDS {
            assert!(script.contains(cmd), "{shell} script lacks {cmd}");
        }
        assert!(
            script.contains("--data-dir"),
            "{shell} script lacks --data-dir"
        );
    }
    // The bash script is valid bash (bash is on every machine the suite runs on).
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("frontdesk.bash");
    std::fs::write(&path, frontdesk(&["completions", "bash"])).expect("write");
    let check = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn man_prints_the_page_and_writes_one_per_command() {
    let page = frontdesk(&["man"]);
    assert!(page.contains(".TH frontdesk 1"), "{page}");
    for cmd in COMMANDS {
        assert!(
            page.contains(&format!("frontdesk\\-{cmd}")),
            "the page lacks {cmd}"
        );
    }
    let dir = tempfile::tempdir().expect("dir");
    frontdesk(&["man", "--dir", dir.path().to_str().expect("path")]);
    for cmd in COMMANDS {
        let file = dir.path().join(format!("frontdesk-{cmd}.1"));
        let text = std::fs::read_to_string(&file).expect("a page per command");
        assert!(
            text.contains(&format!(".TH frontdesk-{cmd} 1")),
            "{}",
            file.display()
        );
    }
}

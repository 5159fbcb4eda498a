//! The operator's commands: `backup`, `restore`, `doctor`, `completions`, `man`. Each returns
//! an error whose message says what to fix; `main` prints it and exits with status 1.

pub mod backup;
pub mod doctor;
pub mod search;

use crate::cli::Cli;
use crate::config::Settings;
use anyhow::{Result, bail};
use std::path::Path;

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn print_report(verb: &str, r: &backup::Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    println!(
        "{verb} {} ({}; database {} at schema version {}).",
        r.path.display(),
        human_bytes(r.bytes),
        human_bytes(r.manifest.database_bytes),
        r.manifest.schema
    );
    let counts: Vec<String> = r
        .manifest
        .tables
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    println!("Rows: {}", counts.join(", "));
    Ok(())
}

/// `frontdesk backup --to FILE`.
pub async fn run_backup(settings: &Settings, to: &Path, json: bool) -> Result<()> {
    if settings.database_url.is_some() {
        bail!(
            "backup copies the SQLite database of a single node; in cluster mode back up \
             PostgreSQL with pg_dump or continuous archiving (see docs/deploy.md)"
        );
    }
    let report = backup::backup(settings.database_path(), to.to_path_buf()).await?;
    print_report("Backed up to", &report, json)
}

/// `frontdesk restore --from FILE --data-dir DIR`.
pub async fn run_restore(cli: &Cli, from: &Path, json: bool) -> Result<()> {
    let Some(dir) = &cli.data_dir else {
        bail!("restore needs --data-dir: the empty directory to restore into");
    };
    let report = backup::restore(from.to_path_buf(), dir.clone()).await?;
    print_report("Restored into", &report, json)
}

/// `frontdesk completions SHELL`: the script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "frontdesk", &mut std::io::stdout());
    Ok(())
}

/// `frontdesk man [--dir DIR]`: the page on standard output, or every page into `dir`.
/// Generated at run time from the same definitions as `--help`, so the pages always match the
/// binary; a package build runs `frontdesk man --dir` once.
pub fn man(dir: Option<&Path>) -> Result<()> {
    use anyhow::Context;
    use clap::CommandFactory;
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
        }
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?,
    }
    Ok(())
}

//! `frontdesk`: the command line. Thin: parse, then call the library.

use anyhow::{Context, Result, bail};
use clap::Parser;
use frontdesk::cli::{AgentCommand, Cli, Command, SiteCommand, new_site_key, settings};
use frontdesk::clock::{Clock, SystemClock};
use frontdesk::startup;
use frontdesk_core::day::validate_timezone;
use frontdesk_core::model::{NewAgent, NewSite};
use frontdesk_core::{SiteId, SiteKey};
use std::io::{BufRead, Read, Write};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FRONTDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("FRONTDESK_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve(args) => serve(&cli, args).await,
        Command::Site(cmd) => site(&cli, cmd).await,
        Command::Agent(cmd) => agent(&cli, cmd).await,
        Command::Migrate => migrate(&cli).await,
        Command::Export { out } => export(&cli, out).await,
        Command::Import { input } => import(&cli, input).await,
        Command::Backup { to, json } => {
            let s = settings(&cli, None).map_err(anyhow::Error::msg)?;
            frontdesk::ops::run_backup(&s, to, *json).await
        }
        Command::Doctor { serve, json } => {
            let s = settings(&cli, Some(serve)).map_err(anyhow::Error::msg)?;
            let checks = frontdesk::ops::doctor::run(&s).await;
            if !frontdesk::ops::doctor::print(&checks, *json) {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Completions { shell } => frontdesk::ops::completions(*shell),
        Command::Man { dir } => frontdesk::ops::man(dir.as_deref()),
        Command::Search(cmd) => frontdesk::ops::search::run(&cli, *cmd).await,
        Command::Restore { from, json } => frontdesk::ops::run_restore(&cli, from, *json).await,
    }
}

async fn migrate(cli: &Cli) -> Result<()> {
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let Some(url) = &s.database_url else {
        bail!("migrate needs --database-url (the SQLite file is migrated whenever it is opened)");
    };
    let applied = frontdesk_store_postgres::migrate(url).await?;
    if applied.is_empty() {
        println!(
            "The database is up to date (schema version {}).",
            frontdesk_store_postgres::latest_version()
        );
    } else {
        let list: Vec<String> = applied.iter().map(i64::to_string).collect();
        println!("Applied migrations {}.", list.join(", "));
    }
    Ok(())
}

async fn export(cli: &Cli, out: &std::path::Path) -> Result<()> {
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let writer: Box<dyn Write + Send> = if out.as_os_str() == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout()))
    } else {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        Box::new(std::io::BufWriter::new(file))
    };
    let rows = match &s.database_url {
        Some(url) => frontdesk_store_postgres::dump::export(url, writer).await?,
        None => frontdesk_store_sqlite::dump::export(&s.database_path(), writer).await?,
    };
    eprintln!("Exported {rows} rows.");
    Ok(())
}

async fn import(cli: &Cli, input: &std::path::Path) -> Result<()> {
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let reader: Box<dyn BufRead + Send> = if input.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(input)
            .with_context(|| format!("cannot open {}", input.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let rows = match &s.database_url {
        Some(url) => frontdesk_store_postgres::dump::import(url, reader).await?,
        None => frontdesk_store_sqlite::dump::import(&s.database_path(), reader).await?,
    };
    eprintln!("Imported {rows} rows.");
    Ok(())
}

/// Prints a line; a closed stdout (the reader went away) is not a reason to stop serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

async fn serve(cli: &Cli, args: &frontdesk::cli::ServeArgs) -> Result<()> {
    let s = settings(cli, Some(args)).map_err(anyhow::Error::msg)?;
    let started = std::time::Instant::now();
    let listener = tokio::net::TcpListener::bind(s.listen)
        .await
        .with_context(|| format!("cannot listen on {}", s.listen))?;
    let demo = s.demo;
    let running = startup::start(s, listener, Arc::new(SystemClock)).await?;
    let base = running.app.public_base.clone();
    tracing::info!(addr = %running.addr, ready_ms = started.elapsed().as_millis() as u64, "frontdesk ready");
    say!("Frontdesk is running at {base}");
    say!("  Agent console: {base}/console");
    if demo {
        say!("  Demo visitor page: {base}/demo");
        say!(
            "  Demo agent login: {} / {}",
            frontdesk::demo::DEMO_EMAIL,
            frontdesk::demo::DEMO_PASSWORD
        );
    }
    running.wait().await?;
    Ok(())
}

fn read_password() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from stdin")?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    if p.chars().count() < frontdesk::http::auth::MIN_PASSWORD {
        bail!(
            "the password needs at least {} characters",
            frontdesk::http::auth::MIN_PASSWORD
        );
    }
    Ok(p)
}

fn snippet(base: &str, key: &str) -> String {
    format!("<script src=\"{base}/widget.js\" data-site=\"{key}\" async></script>")
}

async fn site(cli: &Cli, cmd: &SiteCommand) -> Result<()> {
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let store = startup::open_store(&s).await?;
    let base = s.public_base(s.listen);
    match cmd {
        SiteCommand::Add {
            name,
            url,
            timezone,
            email,
            allow_origins,
            json,
        } => {
            let parsed = url::Url::parse(url).with_context(|| format!("not a URL: {url}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("the site URL must be http or https");
            }
            validate_timezone(timezone).map_err(|e| anyhow::anyhow!("{e}"))?;
            let site = store
                .create_site(
                    NewSite {
                        key: SiteKey(new_site_key()),
                        name: name.clone(),
                        base_url: url.trim_end_matches('/').to_string(),
                        timezone: timezone.clone(),
                        allowed_origins: allow_origins.clone(),
                        email: email.clone(),
                    },
                    SystemClock.now(),
                )
                .await?;
            let snip = snippet(&base, &site.key.0);
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"site_id": site.id, "key": site.key, "name": site.name, "base_url": site.base_url, "timezone": site.timezone, "snippet": snip})
                );
            } else {
                println!("Site {} added (id {}).", site.name, site.id);
                println!("Site key: {}", site.key);
                println!("Paste this into every page of the site:");
                println!("{snip}");
            }
        }
        SiteCommand::List { json } => {
            let sites = store.list_sites().await?;
            if *json {
                println!("{}", serde_json::to_string(&sites)?);
            } else {
                for site in sites {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        site.id, site.key, site.name, site.base_url, site.timezone
                    );
                }
            }
        }
    }
    Ok(())
}

async fn agent(cli: &Cli, cmd: &AgentCommand) -> Result<()> {
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let store = startup::open_store(&s).await?;
    match cmd {
        AgentCommand::Add {
            email,
            name,
            admin,
            sites,
            json,
            ..
        } => {
            let password = read_password()?;
            let site_ids = if sites.is_empty() {
                None
            } else {
                let mut ids: Vec<SiteId> = Vec::new();
                for key in sites {
                    let site = store
                        .site_by_key(&SiteKey(key.clone()))
                        .await
                        .map_err(|_| anyhow::anyhow!("no site with key {key}"))?;
                    ids.push(site.id);
                }
                Some(ids)
            };
            let hash = frontdesk::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            let agent = store
                .create_agent(
                    NewAgent {
                        email: email.trim().to_string(),
                        name: name.clone(),
                        is_admin: *admin,
                        password_hash: hash,
                        sites: site_ids,
                    },
                    SystemClock.now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("cannot add agent {email}: {e}"))?;
            if *json {
                println!("{}", serde_json::to_string(&agent)?);
            } else {
                println!(
                    "Agent {} <{}> added (id {}{}).",
                    agent.name,
                    agent.email,
                    agent.id,
                    if agent.is_admin { ", admin" } else { "" }
                );
            }
        }
        AgentCommand::List { json } => {
            let agents = store.list_agents().await?;
            if *json {
                println!("{}", serde_json::to_string(&agents)?);
            } else {
                for a in agents {
                    println!(
                        "{}\t{}\t{}\t{}",
                        a.id,
                        a.email,
                        a.name,
                        if a.is_admin { "admin" } else { "agent" }
                    );
                }
            }
        }
        AgentCommand::Passwd { email, .. } => {
            let password = read_password()?;
            let (agent, _) = store
                .agent_by_email(email)
                .await
                .map_err(|_| anyhow::anyhow!("no agent with email {email}"))?;
            let hash = frontdesk::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            store.set_password(agent.id, &hash).await?;
            store.delete_sessions_of(agent.id).await?;
            println!(
                "Password changed for {}; their sessions have ended.",
                agent.email
            );
        }
    }
    Ok(())
}

//! `frontdesk backup` and `frontdesk restore` (SQLite): one self-checking file.
//!
//! The file is two text lines, then a gzip stream:
//!
//! ```text
//! FRONTDESK-BACKUP 1
//! {"format":1,"schema":4,"database_bytes":…,"database_sha256":"…","tables":{…},…}
//! <gzip of the database file>
//! ```
//!
//! The database is a consistent snapshot made while the server runs
//! (`frontdesk_store_sqlite::backup::snapshot`, `VACUUM INTO` on a read-only connection),
//! checked with `PRAGMA integrity_check` before it is compressed, and its SHA-256 is in the
//! manifest. The backup is written to a temporary file beside the target, read back and
//! checked, fsynced, then renamed over the target (and the directory fsynced): a crash leaves
//! either the old file or the complete new one. Restore checks the header, the schema version,
//! the gzip CRC, the size, the SHA-256 and the integrity of the result before it names the
//! file `frontdesk.db`, and only into an empty data directory. Every file written is mode 600:
//! a backup holds password hashes, sessions and signing keys.

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use frontdesk_store_sqlite::backup::{self as snap, BackupError, Verified};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The first line of every backup file.
pub const MAGIC: &str = "FRONTDESK-BACKUP 1";
/// The longest manifest line read (the real one is well under 4 KiB).
const MANIFEST_MAX: u64 = 64 * 1024;
/// The database's name inside a data directory.
pub const DATABASE_FILE: &str = "frontdesk.db";

/// The second line of a backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The Frontdesk version that wrote it.
    pub frontdesk_version: String,
    /// `PRAGMA user_version` of the copy: the schema migrations applied.
    pub schema: i64,
    /// When the snapshot was taken (Unix milliseconds).
    pub created_at_ms: i64,
    pub database_bytes: u64,
    pub database_sha256: String,
    /// Rows per table in the copy.
    pub tables: BTreeMap<String, i64>,
}

/// What `backup` and `restore` report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub path: PathBuf,
    /// Size of the backup file (compressed).
    pub bytes: u64,
    pub manifest: Manifest,
}

/// Why a backup or a restore did not happen. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Snapshot(#[from] BackupError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is damaged ({detail}); nothing was restored. Use another backup file.")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer Frontdesk (schema version {found}; this binary knows up \
         to {known}); nothing was restored. Restore it with that version or a later one."
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{path} is not empty; restore writes only into an empty (or missing) data directory, \
         so that nothing there is overwritten. Move its contents away, or pick a new directory."
    )]
    NotEmpty { path: PathBuf },
    #[error("the backup task stopped: {0}")]
    Task(String),
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> Failure + '_ {
    move |source| Failure::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `name` beside `path`, hidden: `.NAME.SUFFIX` in the same directory (same filesystem, so the
/// final rename is atomic).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "backup".into());
    path.with_file_name(format!(".{name}.{suffix}"))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a rename durable: fsync the directory that holds the new name.
fn sync_dir(dir: &Path) -> Result<(), Failure> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

/// Size and SHA-256 of a file.
fn digest(path: &Path) -> Result<(u64, String), Failure> {
    let mut file = File::open(path).map_err(io_at(path))?;
    let mut hasher = Sha256::new();
    let n = io::copy(&mut file, &mut hasher).map_err(io_at(path))?;
    Ok((n, hex::encode(hasher.finalize())))
}

/// Backs up the database at `db` into `to` (replaced atomically if it exists).
pub async fn backup(db: PathBuf, to: PathBuf) -> Result<Report, Failure> {
    tokio::task::spawn_blocking(move || backup_blocking(&db, &to))
        .await
        .map_err(|e| Failure::Task(e.to_string()))?
}

fn backup_blocking(db: &Path, to: &Path) -> Result<Report, Failure> {
    let copy = beside(to, "snapshot");
    let partial = beside(to, "partial");
    // Leftovers of an interrupted run have these hidden names: ours to remove.
    for stale in [&copy, &partial] {
        if stale.exists() {
            fs::remove_file(stale).map_err(io_at(stale))?;
        }
    }
    let result = write_backup(db, &copy, &partial, to);
    let _ = fs::remove_file(&copy);
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result
}

fn write_backup(db: &Path, copy: &Path, partial: &Path, to: &Path) -> Result<Report, Failure> {
    let started_ms = jiff::Timestamp::now().as_millisecond();
    let Verified { schema, tables } = snap::snapshot(db, copy)?;
    let (database_bytes, database_sha256) = digest(copy)?;
    let manifest = Manifest {
        format: 1,
        frontdesk_version: env!("CARGO_PKG_VERSION").into(),
        schema,
        created_at_ms: started_ms,
        database_bytes,
        database_sha256,
        tables,
    };
    let line = serde_json::to_string(&manifest).map_err(|e| Failure::Task(e.to_string()))?;
    {
        let file = snap::create_private(partial).map_err(io_at(partial))?;
        let mut out = BufWriter::new(file);
        writeln!(out, "{MAGIC}\n{line}").map_err(io_at(partial))?;
        let mut gz = GzEncoder::new(out, Compression::default());
        let mut input = File::open(copy).map_err(io_at(copy))?;
        io::copy(&mut input, &mut gz).map_err(io_at(partial))?;
        let out = gz.finish().map_err(io_at(partial))?;
        let file = out.into_inner().map_err(|e| Failure::Io {
            path: partial.to_path_buf(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_at(partial))?;
    }
    // Read it back as restore would: what is renamed into place is known to restore.
    let (read, _) = read_header(partial)?;
    if read != manifest {
        return Err(Failure::Damaged {
            path: partial.to_path_buf(),
            detail: "the manifest read back differs".into(),
        });
    }
    unpack(partial, &manifest, &mut io::sink())?;
    fs::rename(partial, to).map_err(io_at(to))?;
    sync_dir(&parent_of(to))?;
    let bytes = fs::metadata(to).map_err(io_at(to))?.len();
    Ok(Report {
        path: to.to_path_buf(),
        bytes,
        manifest,
    })
}

fn damaged(path: &Path, detail: impl Into<String>) -> Failure {
    Failure::Damaged {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Reads the two header lines; returns the manifest and a reader positioned at the gzip data.
fn read_header(path: &Path) -> Result<(Manifest, BufReader<File>), Failure> {
    let file = File::open(path).map_err(io_at(path))?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut take = (&mut reader).take(MANIFEST_MAX);
    take.read_line(&mut line)
        .map_err(|e| damaged(path, format!("unreadable header: {e}")))?;
    if line.trim_end() != MAGIC {
        return Err(damaged(
            path,
            "not a Frontdesk backup (no FRONTDESK-BACKUP header)",
        ));
    }
    line.clear();
    let mut take = (&mut reader).take(MANIFEST_MAX);
    take.read_line(&mut line)
        .map_err(|e| damaged(path, format!("unreadable manifest: {e}")))?;
    let manifest: Manifest = serde_json::from_str(line.trim_end())
        .map_err(|e| damaged(path, format!("unreadable manifest: {e}")))?;
    if manifest.format != 1 {
        return Err(damaged(
            path,
            format!("unknown backup format {}", manifest.format),
        ));
    }
    Ok((manifest, reader))
}

/// Decompresses the database of the backup at `path` into `out`, checking the gzip stream,
/// the size and the SHA-256 against the manifest.
fn unpack(path: &Path, manifest: &Manifest, out: &mut dyn Write) -> Result<(), Failure> {
    let (_, reader) = read_header(path)?;
    let mut gz = GzDecoder::new(reader);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = match gz.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(damaged(path, format!("compressed data: {e}"))),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io_at(path))?;
        total += n as u64;
    }
    let mut rest = Vec::new();
    gz.into_inner()
        .read_to_end(&mut rest)
        .map_err(io_at(path))?;
    if !rest.is_empty() {
        return Err(damaged(path, "unexpected bytes after the compressed data"));
    }
    if total != manifest.database_bytes {
        return Err(damaged(
            path,
            format!(
                "the database is {total} bytes, the manifest says {}",
                manifest.database_bytes
            ),
        ));
    }
    if hex::encode(hasher.finalize()) != manifest.database_sha256 {
        return Err(damaged(path, "checksum mismatch (SHA-256)"));
    }
    Ok(())
}

/// Restores the backup at `from` into `data_dir`, which must be empty or missing.
pub async fn restore(from: PathBuf, data_dir: PathBuf) -> Result<Report, Failure> {
    tokio::task::spawn_blocking(move || restore_blocking(&from, &data_dir))
        .await
        .map_err(|e| Failure::Task(e.to_string()))?
}

fn restore_blocking(from: &Path, data_dir: &Path) -> Result<Report, Failure> {
    if data_dir.exists() {
        let mut entries = fs::read_dir(data_dir).map_err(io_at(data_dir))?;
        if entries.next().is_some() {
            return Err(Failure::NotEmpty {
                path: data_dir.to_path_buf(),
            });
        }
    }
    let (manifest, _) = read_header(from)?;
    let known = snap::latest_version();
    if manifest.schema > known {
        return Err(Failure::TooNew {
            path: from.to_path_buf(),
            found: manifest.schema,
            known,
        });
    }
    if !data_dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(data_dir).map_err(io_at(data_dir))?;
    }
    let target = data_dir.join(DATABASE_FILE);
    let partial = beside(&target, "restoring");
    let result = restore_into(from, &manifest, &partial, &target);
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result?;
    sync_dir(data_dir)?;
    Ok(Report {
        path: target,
        bytes: fs::metadata(from).map_err(io_at(from))?.len(),
        manifest,
    })
}

fn restore_into(
    from: &Path,
    manifest: &Manifest,
    partial: &Path,
    target: &Path,
) -> Result<(), Failure> {
    let mut file = snap::create_private(partial).map_err(io_at(partial))?;
    {
        let mut out = BufWriter::new(&mut file);
        unpack(from, manifest, &mut out)?;
        out.flush().map_err(io_at(partial))?;
    }
    file.sync_all().map_err(io_at(partial))?;
    drop(file);
    let found = snap::verify(partial).map_err(|e| damaged(from, e.to_string()))?;
    if found.schema != manifest.schema || found.tables != manifest.tables {
        return Err(damaged(from, "the database does not match its manifest"));
    }
    fs::rename(partial, target).map_err(io_at(target))?;
    Ok(())
}

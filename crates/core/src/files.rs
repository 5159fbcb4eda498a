//! Files in a chat (issue 14): what a file message carries, the site's file policy, and the
//! one check every upload passes before anything is stored.
//!
//! A file is one message in the chat's sequence (kind `file`): its bytes, its thumbnail and
//! its row are written in the same commit as the message, so an acknowledged file is durable
//! and an unacknowledged one leaves nothing behind. The type is decided from the content
//! (magic bytes), never from the name or the browser's claim.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stored file's id: 128 random bits, base64url (22 characters). Unguessable: it is the
/// first half of the capability (the second is the visitor's token or the agent's session).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileId(pub String);

impl FileId {
    /// Whether `s` has the shape of a file id (22 base64url characters): anything else is
    /// `not_found` without a storage read.
    pub fn parse(s: &str) -> Option<FileId> {
        (s.len() == 22
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| FileId(s.to_string()))
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a file message shows: the file's name (as text, never markup), its type as decided
/// from its content, its size, and for a raster image its pixel size (a thumbnail exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    pub id: FileId,
    /// The uploader's file name, cleaned (see [`display_name`]).
    pub name: String,
    /// The MIME type decided from the content (`image/png`, `application/pdf`, ...).
    pub mime: String,
    /// Bytes.
    pub size: u64,
    /// Pixel size, for raster images (which have a thumbnail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl FileRef {
    /// Whether the file is a raster image shown inline (thumbnail, served without
    /// `Content-Disposition: attachment`).
    pub fn is_image(&self) -> bool {
        self.width.is_some() && self.mime.starts_with("image/")
    }
}

/// A file to store with its message: what the message shows, the content's SHA-256 (hex),
/// the bytes, and the thumbnail (re-encoded, for raster images).
#[derive(Clone, PartialEq, Eq)]
pub struct NewFile {
    pub meta: FileRef,
    pub sha256: String,
    pub data: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
}

impl fmt::Debug for NewFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewFile")
            .field("meta", &self.meta)
            .field("sha256", &self.sha256)
            .field("data", &self.data.len())
            .field("thumb", &self.thumb.as_ref().map(Vec::len))
            .finish()
    }
}

/// The groups of types a site may allow ("raster images, PDF, plain text, CSV, common office
/// documents, zip").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FileGroup {
    /// PNG, JPEG, GIF, WebP (raster only: never SVG).
    Image,
    Pdf,
    /// Plain text (UTF-8, no markup sniffed).
    Text,
    Csv,
    /// Word, Excel, PowerPoint (OOXML and legacy OLE), OpenDocument.
    Office,
    Zip,
}

impl FileGroup {
    pub const ALL: [FileGroup; 6] = [
        FileGroup::Image,
        FileGroup::Pdf,
        FileGroup::Text,
        FileGroup::Csv,
        FileGroup::Office,
        FileGroup::Zip,
    ];
}

/// A site's file settings ("Files" in the team settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilePolicy {
    /// "Allow files": visitors and agents may attach files (default on).
    pub enabled: bool,
    /// "Largest file" in bytes (default 10 MB; at most `limits.file_max_bytes`).
    pub max_bytes: u64,
    /// "Files per chat" (default 20).
    pub per_chat: u32,
    /// The allowed groups (default: all of them).
    pub allowed: Vec<FileGroup>,
}

impl Default for FilePolicy {
    fn default() -> Self {
        FilePolicy {
            enabled: true,
            max_bytes: 10 * 1024 * 1024,
            per_chat: 20,
            allowed: FileGroup::ALL.to_vec(),
        }
    }
}

/// Why an upload is refused (each with its error code; the widget and console show why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large (at most {max} bytes)")]
    TooLarge { max: u64 },
    #[error("this type of file is not allowed")]
    TypeNotAllowed,
    #[error("this chat already has {max} files")]
    TooManyFiles { max: u32 },
    #[error("files are turned off for this site")]
    Disabled,
    #[error("the file cannot be accepted: {0}")]
    Refused(String),
}

impl FileRefusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            FileRefusal::Empty => ErrorCode::Empty,
            FileRefusal::TooLarge { .. } => ErrorCode::FileTooLarge,
            FileRefusal::TypeNotAllowed | FileRefusal::Disabled => ErrorCode::FileTypeNotAllowed,
            FileRefusal::TooManyFiles { .. } => ErrorCode::TooManyFiles,
            FileRefusal::Refused(_) => ErrorCode::FileRefused,
        }
    }
}

mod name;
mod ole;
mod sniff;
mod zip;

pub use name::{MAX_NAME_BYTES, display_name, download_name};
pub use sniff::{Sniffed, examine, sniff};

/// Checks an upload against the site's policy: empty, too large, type not allowed (decided
/// from the content, see [`examine`]), refused (a zip bomb, macros, an archive with unsafe
/// paths). The count per chat and the pixel-flood check of images are made by the
/// caller (the count needs the store; decoding needs the image library).
pub fn check(bytes: &[u8], policy: &FilePolicy, cap_bytes: u64) -> Result<Sniffed, FileRefusal> {
    if !policy.enabled {
        return Err(FileRefusal::Disabled);
    }
    if bytes.is_empty() {
        return Err(FileRefusal::Empty);
    }
    let max = policy.max_bytes.min(cap_bytes);
    if bytes.len() as u64 > max {
        return Err(FileRefusal::TooLarge { max });
    }
    let sniffed = examine(bytes)?;
    if !policy.allowed.contains(&sniffed.group) {
        return Err(FileRefusal::TypeNotAllowed);
    }
    Ok(sniffed)
}

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests_containers;
#[cfg(test)]
mod tests_name;
#[cfg(test)]
mod tests_sniff;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_have_one_shape() {
        assert!(FileId::parse("abcdefghijklmnopqrstu_").is_some());
        assert!(FileId::parse("abcdefghijklmnopqrstu").is_none());
        assert!(FileId::parse("../../../../etc/passwd").is_none());
        assert!(FileId::parse("abcdefghijklmnopqrst/_").is_none());
    }

    #[test]
    fn names_lose_paths_and_controls() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\x\\a.pdf"), "a.pdf");
        assert_eq!(display_name("a\u{202E}fdp.exe"), "afdp.exe");
        assert_eq!(display_name(""), "file");
        assert_eq!(display_name("..."), "file");
    }

    #[test]
    fn html_renamed_png_is_refused() {
        let policy = FilePolicy::default();
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            check(html, &policy, u64::MAX),
            Err(FileRefusal::TypeNotAllowed)
        );
        assert_eq!(check(b"", &policy, u64::MAX), Err(FileRefusal::Empty));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR0000";
        assert_eq!(check(png, &policy, u64::MAX).unwrap().mime, "image/png");
        assert_eq!(
            check(png, &policy, 4),
            Err(FileRefusal::TooLarge { max: 4 })
        );
    }
}

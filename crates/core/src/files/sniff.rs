//! The type of a file, decided from its content alone (never the name, never the browser's
//! claim). An allow-list: what is not recognised here is not accepted.
//!
//! A small hand-written table rather than a magic-number crate: the list is short, and the
//! decisions that matter are not in such crates (a zip's entries read from its central
//! directory only, legacy Office told from other compound files by its streams, text told
//! from markup and CSV, macros and zip bombs refused). Order matters: binary signatures
//! first, then containers, then text; the first match decides, so a GIF that is also valid
//! JavaScript is a GIF (served as `image/gif` with `nosniff`, it never runs as a script).

use super::{FileGroup, FileRefusal, ole, zip};

/// The type of a file as decided from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub group: FileGroup,
    pub mime: &'static str,
    /// The extension the stored name gets when the given one does not match the content.
    pub extension: &'static str,
}

impl Sniffed {
    /// The extensions a download of this type may keep (the first is [`Sniffed::extension`]).
    /// Anything else gets the type's extension appended (see [`super::download_name`]), so a
    /// text file named `run.bat` downloads as `run.bat.txt`.
    pub fn extensions(&self) -> &'static [&'static str] {
        TYPES
            .iter()
            .find(|t| t.mime == self.mime)
            .map(|t| t.extensions)
            .unwrap_or(&[])
    }
}

/// One accepted type.
pub(super) struct Type {
    group: FileGroup,
    mime: &'static str,
    extensions: &'static [&'static str],
}

impl Type {
    pub(super) fn sniffed(&self) -> Sniffed {
        Sniffed {
            group: self.group,
            mime: self.mime,
            extension: self.extensions.first().copied().unwrap_or("bin"),
        }
    }
}

macro_rules! types {
    ($($name:ident: $group:ident, $mime:literal, [$($ext:literal),+];)+) => {
        $(pub(super) const $name: Type = Type {
            group: FileGroup::$group,
            mime: $mime,
            extensions: &[$($ext),+],
        };)+
        const TYPES: &[Type] = &[$($name),+];
    };
}

types! {
    PNG: Image, "image/png", ["png"];
    JPEG: Image, "image/jpeg", ["jpg", "jpeg", "jpe", "jfif"];
    GIF: Image, "image/gif", ["gif"];
    WEBP: Image, "image/webp", ["webp"];
    PDF: Pdf, "application/pdf", ["pdf"];
    // Only names that nothing executes or renders as a page when opened.
    TEXT: Text, "text/plain; charset=utf-8",
        ["txt", "text", "log", "md", "markdown", "json", "yaml", "yml", "toml", "ini", "cfg", "conf"];
    CSV: Csv, "text/csv; charset=utf-8", ["csv", "txt"];
    TSV: Csv, "text/tab-separated-values; charset=utf-8", ["tsv", "tab", "txt"];
    DOCX: Office, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ["docx"];
    XLSX: Office, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ["xlsx"];
    PPTX: Office, "application/vnd.openxmlformats-officedocument.presentationml.presentation", ["pptx"];
    DOC: Office, "application/msword", ["doc"];
    XLS: Office, "application/vnd.ms-excel", ["xls"];
    PPT: Office, "application/vnd.ms-powerpoint", ["ppt"];
    ODT: Office, "application/vnd.oasis.opendocument.text", ["odt"];
    ODS: Office, "application/vnd.oasis.opendocument.spreadsheet", ["ods"];
    ODP: Office, "application/vnd.oasis.opendocument.presentation", ["odp"];
    ZIP: Zip, "application/zip", ["zip"];
}

/// Decides a file's type from its content. `None`: nothing on the allow-list (HTML, SVG,
/// XML, scripts in markup, executables, unknown binary, UTF-16 text) or refused (see
/// [`examine`] for why).
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    examine(bytes).ok()
}

/// Decides a file's type from its content, or says why it is not accepted:
/// `TypeNotAllowed` for anything not on the list, `Refused` for a recognised type that is
/// dangerous anyway (a zip bomb or an archive with unsafe paths, an Office document with
/// macros). Reads the whole content at most once, never decompresses; never panics.
pub fn examine(bytes: &[u8]) -> Result<Sniffed, FileRefusal> {
    if let Some(t) = signature(bytes) {
        return Ok(t.sniffed());
    }
    if bytes.starts_with(zip::LOCAL_HEADER) {
        return zip::examine(bytes).map(|t| t.sniffed());
    }
    if bytes.starts_with(ole::MAGIC) {
        return ole::examine(bytes).map(|t| t.sniffed());
    }
    text(bytes)
        .map(Type::sniffed)
        .ok_or(FileRefusal::TypeNotAllowed)
}

/// The formats with a fixed signature at offset 0. PNG needs its IHDR chunk right after the
/// signature and PDF its version: eight magic bytes in front of a page are not an image.
fn signature(bytes: &[u8]) -> Option<&'static Type> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR") {
        Some(&PNG)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(&JPEG)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(&GIF)
    } else if bytes.starts_with(b"RIFF")
        && bytes.get(8..12) == Some(b"WEBP")
        && matches!(bytes.get(12..16), Some(b"VP8 " | b"VP8L" | b"VP8X"))
    {
        Some(&WEBP)
    } else if bytes.starts_with(b"%PDF-") && bytes.get(5).is_some_and(u8::is_ascii_digit) {
        Some(&PDF)
    } else {
        None
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How much of a text, after its leading whitespace, is searched for markup. Content
/// sniffers look at a bounded prefix (the WHATWG algorithm 1445 bytes, old Internet Explorer
/// 256); 4 KiB covers them all with room to spare. Past it a text is text: a log quoting
/// `<script>` on line 300 is accepted and served as `text/plain`, attachment, `nosniff`.
pub const MARKUP_WINDOW: usize = 4096;

/// Tags that make a text a page, an image with script, or an XML document.
const MARKUP: &[&str] = &[
    "<!doctype",
    "<html",
    "<head",
    "<body",
    "<script",
    "<svg",
    "<?xml",
    "<iframe",
    "<frame",
    "<object",
    "<embed",
    "<style",
    "<meta",
    "<link",
    "<base",
    "<form",
    "<img",
    "<math",
    "<xsl",
    "<!entity",
];

/// UTF-8 text (a UTF-8 byte order mark allowed), no control characters but tab, line feed,
/// carriage return and form feed, no markup near the start; CSV when its records split
/// consistently. UTF-16 and UTF-32 are not accepted (their BOM or NULs fail the checks):
/// browsers decode them differently than a check would read them, and every editor saves
/// UTF-8 today.
fn text(bytes: &[u8]) -> Option<&'static Type> {
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let s = std::str::from_utf8(body).ok()?;
    if s.is_empty()
        || s.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        || looks_like_markup(s)
    {
        return None;
    }
    match csv_delimiter(s) {
        Some('\t') => Some(&TSV),
        Some(_) => Some(&CSV),
        None => Some(&TEXT),
    }
}

/// Whether a text reads as markup: after any whitespace and byte order marks, it starts with
/// a tag (`<` then a letter, `!`, `?` or `/`, in any case), or one of the [`MARKUP`] tags
/// appears in the next [`MARKUP_WINDOW`] bytes. Leading whitespace is skipped however long it
/// is (2,000 spaces then `<script` is markup): sniffers skip it too.
pub(super) fn looks_like_markup(s: &str) -> bool {
    let start = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let mut b = start.as_bytes().iter().skip(1);
    if start.starts_with('<')
        && b.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || b"!?/".contains(c))
    {
        return true;
    }
    let window = &start.as_bytes()[..start.len().min(MARKUP_WINDOW)];
    let lower = window.to_ascii_lowercase();
    MARKUP
        .iter()
        .any(|tag| lower.windows(tag.len()).any(|w| w == tag.as_bytes()))
}

/// The delimiter of a CSV text: the first of comma, semicolon and tab by which every
/// non-empty record has the same number of fields, at least two, over at least two records
/// (a header and a row). Double quotes are honoured (RFC 4180: a quoted field may hold the
/// delimiter, line breaks and `""`); an unclosed quote means not CSV. Text or CSV is only a
/// label (both are served as attachments); it matters for a site that allows one and not the
/// other.
pub(super) fn csv_delimiter(s: &str) -> Option<char> {
    [',', ';', '\t']
        .into_iter()
        .find(|&d| consistent_fields(s, d))
}

fn consistent_fields(s: &str, delimiter: char) -> bool {
    let mut expected: Option<usize> = None;
    let mut records = 0usize;
    let (mut fields, mut chars_in_record, mut quoted, mut field_start) =
        (1usize, 0usize, false, true);
    let mut chars = s.chars().peekable();
    let mut end_record = |fields: usize, chars_in_record: usize| -> bool {
        if chars_in_record == 0 {
            return true; // an empty line
        }
        records += 1;
        match expected {
            None => {
                expected = Some(fields);
                fields >= 2
            }
            Some(n) => n == fields,
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match c {
            '"' if field_start => quoted = true,
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if !end_record(fields, chars_in_record) {
                    return false;
                }
                (fields, chars_in_record, field_start) = (1, 0, true);
                continue;
            }
            c if c == delimiter => {
                fields += 1;
                chars_in_record += 1;
                field_start = true;
                continue;
            }
            _ => {}
        }
        chars_in_record += 1;
        field_start = false;
    }
    !quoted && end_record(fields, chars_in_record) && records >= 2
}

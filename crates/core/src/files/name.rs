//! File names: what the uploader's browser sent, made into a name that is safe to show (as
//! text: the name is never markup anywhere) and to save. A name never decides a type, and
//! never reaches a path on the server (files are stored by id).

use super::sniff::Sniffed;

/// The longest name kept, in UTF-8 bytes (file systems allow 255; [`download_name`] may add
/// an extension).
pub const MAX_NAME_BYTES: usize = 200;

/// An extension kept when a long name is cut: up to this many characters after the last dot.
const MAX_EXTENSION_CHARS: usize = 16;

/// Characters that show nothing or reorder what is shown: bidi overrides, embeddings,
/// isolates and marks (the `gpj.exe` spoof of `exe.jpg`), zero-width spaces and joiners,
/// soft hyphens, byte order marks, Hangul fillers, tags, and the other format characters
/// (Unicode category Cf).
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{0600}'..='\u{0605}' | '\u{06DD}' | '\u{070F}' | '\u{0890}' | '\u{0891}' | '\u{08E2}'
        | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

/// Characters Windows does not allow in a name (and that mean something in markup).
fn reserved_char(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

/// Names Windows gives to devices, whatever the extension (`CON.txt` opens the console).
fn windows_device(name: &str) -> bool {
    let base = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    matches!(
        base.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ["COM", "LPT"].iter().any(|p| {
        base.strip_prefix(p).is_some_and(|n| {
            n.len() == 1 && n.as_bytes()[0].is_ascii_digit() || matches!(n, "¹" | "²" | "³")
        })
    })
}

/// The name shown for an uploaded file: the last path component of what the browser sent
/// (`/` and `\` both separate), control, bidi and invisible characters removed, any run of
/// whitespace one space, `<>:"|?*` as `_`, no leading or trailing dots and spaces (no hidden
/// `.htaccess`, no `evil.exe.` that Windows saves as `evil.exe`), Windows device names
/// prefixed with `_`, at most [`MAX_NAME_BYTES`] bytes cut at a character boundary keeping
/// the extension; empty becomes "file". The result is the same when cleaned again.
pub fn display_name(claimed: &str) -> String {
    let last = claimed.rsplit(['/', '\\']).next().unwrap_or("");
    let mut clean = String::with_capacity(last.len().min(4 * MAX_NAME_BYTES));
    for c in last.chars() {
        if c.is_whitespace() {
            if !clean.ends_with(' ') {
                clean.push(' ');
            }
        } else if reserved_char(c) {
            clean.push('_');
        } else if !c.is_control() && !invisible(c) {
            clean.push(c);
        }
    }
    let trimmed = trim(&clean);
    let mut name = if windows_device(trimmed) {
        format!("_{trimmed}")
    } else {
        trimmed.to_string()
    };
    if name.len() > MAX_NAME_BYTES {
        name = shorten(&name);
    }
    if name.is_empty() { "file".into() } else { name }
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '.'])
}

/// The longest start of `s` that fits in `max` bytes, ending at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A name cut to [`MAX_NAME_BYTES`], keeping a short extension.
fn shorten(name: &str) -> String {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= MAX_EXTENSION_CHARS && !e.contains(' '));
    match extension {
        Some(e) => {
            let stem = trim(cut(name, MAX_NAME_BYTES - e.len() - 1));
            format!("{stem}.{e}")
        }
        None => trim(cut(name, MAX_NAME_BYTES)).to_string(),
    }
}

/// The name a file downloads as: its [`display_name`], with the content's extension added
/// when the name's own does not match the content (an `evil.html` that is a PNG downloads as
/// `evil.html.png`, a text named `run.bat` as `run.bat.txt`), so what opens the file on the
/// downloader's computer is chosen by what the file is.
pub fn download_name(name: &str, sniffed: &Sniffed) -> String {
    let name = display_name(name);
    let matches = name.rsplit_once('.').is_some_and(|(_, e)| {
        sniffed
            .extensions()
            .iter()
            .any(|x| x.eq_ignore_ascii_case(e))
    });
    if matches {
        name
    } else {
        format!("{name}.{}", sniffed.extension)
    }
}

//! How a stored file is served (issue 14) (its stored name is `files::download_name`): what
//! may be shown inline, the `Content-Disposition` header, and how long a
//! visitor's link lives. Pure rules; the HTTP shell (`http/files.rs`) applies them.

use crate::ids::Timestamp;

/// A visitor's file links stop working this long after the chat ended (24 h).
pub const VISITOR_LINK_MS: i64 = 24 * 60 * 60 * 1000;

/// The types served inline (raster images, shown as thumbnails and opened in a tab); every
/// other file is served as an attachment. Never SVG, never HTML.
pub const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether the chat's visitor may still fetch its files: while the chat is open, and until
/// [`VISITOR_LINK_MS`] after it ended.
pub fn visitor_link_open(ended_at: Option<Timestamp>, now: Timestamp) -> bool {
    ended_at.is_none_or(|ended| now.0 <= ended.0.saturating_add(VISITOR_LINK_MS))
}

/// Whether a stored type is served inline.
pub fn is_inline(mime: &str) -> bool {
    INLINE_TYPES.contains(&mime)
}

/// The `Content-Type` a stored type is served with: itself when it is one the allow-list
/// can produce, `application/octet-stream` for anything that could run as markup or script
/// (a defence in depth: the content check never stores such a type).
pub fn served_type(mime: &str) -> &str {
    let lower = mime.to_ascii_lowercase();
    let active = ["html", "svg", "xml+", "javascript", "ecmascript", "xhtml"]
        .iter()
        .any(|bad| lower.contains(bad))
        || lower.starts_with("text/xml")
        || lower.starts_with("application/xml");
    if active || !mime.is_ascii() || mime.contains(['\r', '\n']) {
        "application/octet-stream"
    } else {
        mime
    }
}

/// `Content-Disposition`: `inline` or `attachment`, with the name as RFC 8187
/// `filename*=UTF-8''…` (percent-encoded, so no quote, semicolon or newline can break out)
/// and an ASCII `filename="…"` fallback.
pub fn content_disposition(name: &str, inline: bool) -> String {
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A size as people read it: "512 bytes", "12.3 KB", "4.0 MB" (1 KB = 1024 bytes).
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b < KB => format!("{b} bytes"),
        b if b < KB * KB => format!("{:.1} KB", b as f64 / KB as f64),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(5), "5 bytes");
        assert_eq!(human_size(12_595), "12.3 KB");
        assert_eq!(human_size(4 * 1024 * 1024), "4.0 MB");
    }

    #[test]
    fn visitor_links_close_a_day_after_the_end() {
        let end = Timestamp(1_000);
        assert!(visitor_link_open(None, Timestamp(i64::MAX)));
        assert!(visitor_link_open(
            Some(end),
            Timestamp(1_000 + VISITOR_LINK_MS)
        ));
        assert!(!visitor_link_open(
            Some(end),
            Timestamp(1_001 + VISITOR_LINK_MS)
        ));
    }

    #[test]
    fn markup_is_never_served_as_itself() {
        assert_eq!(served_type("image/png"), "image/png");
        assert_eq!(served_type("application/pdf"), "application/pdf");
        for bad in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
        ] {
            assert_eq!(served_type(bad), "application/octet-stream", "{bad}");
        }
        assert!(is_inline("image/gif"));
        assert!(!is_inline("image/svg+xml"));
        assert!(!is_inline("application/pdf"));
    }

    #[test]
    fn names_cannot_break_out_of_the_header() {
        let d = content_disposition("a\"; b.pdf\r\nX: y", false);
        assert!(d.starts_with("attachment; filename=\"a__ b.pdf__X_ y\"; filename*=UTF-8''"));
        assert!(d.ends_with("a%22%3B%20b.pdf%0D%0AX%3A%20y"));
        assert_eq!(
            content_disposition("été.png", true),
            "inline; filename=\"_t_.png\"; filename*=UTF-8''%C3%A9t%C3%A9.png"
        );
    }
}

//! The type table on real minimal samples, text against markup and CSV, and the hostile
//! uploads that are not archives (see `tests_containers.rs` for those).
#![allow(clippy::unwrap_used)]

use super::samples::*;
use super::*;
use proptest::prelude::*;

fn mime(bytes: &[u8]) -> Option<&'static str> {
    sniff(bytes).map(|s| s.mime)
}

fn refused(bytes: &[u8]) -> Option<FileRefusal> {
    examine(bytes).err()
}

#[test]
fn every_accepted_type_from_a_real_sample() {
    let csv = b"name,email\nAda,ada@example.com\n\"Smith, J\",j@example.com\n".to_vec();
    let table: Vec<(&str, Vec<u8>, FileGroup, &str, &str)> = vec![
        (
            "png",
            PNG_1X1.to_vec(),
            FileGroup::Image,
            "image/png",
            "png",
        ),
        (
            "gif",
            GIF_1X1.to_vec(),
            FileGroup::Image,
            "image/gif",
            "gif",
        ),
        (
            "jpeg",
            JPEG_HEADER.to_vec(),
            FileGroup::Image,
            "image/jpeg",
            "jpg",
        ),
        (
            "webp",
            WEBP_1X1.to_vec(),
            FileGroup::Image,
            "image/webp",
            "webp",
        ),
        ("pdf", pdf(), FileGroup::Pdf, "application/pdf", "pdf"),
        (
            "text",
            "Hello, I need help 👋\r\nThe page says \"Error 42\".\n".into(),
            FileGroup::Text,
            "text/plain; charset=utf-8",
            "txt",
        ),
        (
            "text with BOM",
            b"\xEF\xBB\xBFhello".to_vec(),
            FileGroup::Text,
            "text/plain; charset=utf-8",
            "txt",
        ),
        ("csv", csv, FileGroup::Csv, "text/csv; charset=utf-8", "csv"),
        (
            "csv;",
            b"a;b;c\n1;2;3\r\n4;5;6\n".to_vec(),
            FileGroup::Csv,
            "text/csv; charset=utf-8",
            "csv",
        ),
        (
            "tsv",
            b"a\tb\n1\t2\n".to_vec(),
            FileGroup::Csv,
            "text/tab-separated-values; charset=utf-8",
            "tsv",
        ),
    ];
    for (what, bytes, group, mime, extension) in table {
        let s = examine(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            (s.group, s.mime, s.extension),
            (group, mime, extension),
            "{what}"
        );
        assert_eq!(s.extensions()[0], extension, "{what}");
        assert_eq!(
            check(&bytes, &FilePolicy::default(), u64::MAX),
            Ok(s),
            "{what}"
        );
    }
}

#[test]
fn the_allow_list_decides_per_group() {
    let policy = FilePolicy {
        allowed: vec![FileGroup::Image],
        ..FilePolicy::default()
    };
    assert!(check(PNG_1X1, &policy, u64::MAX).is_ok());
    assert_eq!(
        check(&pdf(), &policy, u64::MAX),
        Err(FileRefusal::TypeNotAllowed)
    );
    let off = FilePolicy {
        enabled: false,
        ..FilePolicy::default()
    };
    assert_eq!(check(PNG_1X1, &off, u64::MAX), Err(FileRefusal::Disabled));
    // The site's limit and the server's cap: the smaller wins.
    let small = FilePolicy {
        max_bytes: 10,
        ..FilePolicy::default()
    };
    assert_eq!(
        check(PNG_1X1, &small, 1000),
        Err(FileRefusal::TooLarge { max: 10 })
    );
    assert_eq!(
        check(PNG_1X1, &FilePolicy::default(), 20),
        Err(FileRefusal::TooLarge { max: 20 })
    );
}

#[test]
fn an_empty_file_is_refused_as_empty() {
    assert_eq!(
        check(b"", &FilePolicy::default(), u64::MAX),
        Err(FileRefusal::Empty)
    );
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b"\xEF\xBB\xBF"), None, "a BOM alone is no text");
}

#[test]
fn markup_is_never_text() {
    let pages: &[&[u8]] = &[
        b"<html><script>alert(1)</script></html>",
        b"<!DOCTYPE html><p>hi",
        b"<!doctype HTML>",
        b"  \n\t<HTML>",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        b"<ScRiPt>alert(1)</sCrIpT>",
        b"<?php system($_GET['c']); ?>",
        b"<div>just a div</div>",
        b"<!-- a comment -->",
        b"</p>",
        b"\xEF\xBB\xBF<html>",
        b"\xEF\xBB\xBF  \r\n<svg>",
        b"Hi there!\n<iframe src=//evil>",
        b"note: <img src=x onerror=alert(1)>",
    ];
    for page in pages {
        assert_eq!(mime(page), None, "{}", String::from_utf8_lossy(page));
        assert_eq!(refused(page), Some(FileRefusal::TypeNotAllowed));
    }
}

/// Decided: leading whitespace is skipped whatever its length (sniffers skip it too), then
/// markup is searched in a bounded window (`MARKUP_WINDOW`, 4 KiB: more than any sniffer
/// reads). Past the window, a text is text: served as text/plain, attachment, nosniff.
#[test]
fn markup_after_padding_and_the_bounded_window() {
    let spaces = format!("{}<script>alert(1)</script>", " ".repeat(2000));
    assert_eq!(mime(spaces.as_bytes()), None);
    let newlines = format!("{}<svg onload=alert(1)>", "\r\n".repeat(5000));
    assert_eq!(mime(newlines.as_bytes()), None);
    let words = format!("{}<script>", "a".repeat(2000));
    assert_eq!(mime(words.as_bytes()), None);
    let edge = format!(
        "{}<script>",
        "a".repeat(sniff::MARKUP_WINDOW - "<script>".len())
    );
    assert_eq!(mime(edge.as_bytes()), None);
    let past = format!("{}<script>", "a".repeat(sniff::MARKUP_WINDOW));
    assert_eq!(mime(past.as_bytes()), Some("text/plain; charset=utf-8"));
    let log = format!(
        "{}user typed <script>alert(1)</script>\n",
        "GET /index 200\n".repeat(300)
    );
    assert_eq!(mime(log.as_bytes()), Some("text/plain; charset=utf-8"));
}

#[test]
fn text_that_merely_mentions_angle_brackets_is_text() {
    for t in [
        "I <3 this",
        "<134>Oct 11 syslog line",
        "a < b and b > c",
        "1 <2",
        "<",
        "email <ada@example.com>",
    ] {
        assert_eq!(mime(t.as_bytes()), Some("text/plain; charset=utf-8"), "{t}");
    }
}

/// Decided: UTF-8 only. UTF-16/32 (with a BOM, or without: NULs) and Latin-1 are refused;
/// so are control characters other than tab, line feed, carriage return and form feed
/// (terminal escapes, NUL).
#[test]
fn only_utf8_without_controls_is_text() {
    let utf16: Vec<u8> = "\u{FEFF}hello"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(mime(&utf16), None);
    let utf16be: Vec<u8> = "\u{FEFF}<html>"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(mime(&utf16be), None);
    let no_bom: Vec<u8> = "hello".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(mime(&no_bom), None);
    assert_eq!(mime(b"caf\xe9"), None, "Latin-1");
    assert_eq!(mime(b"red \x1b[31malert\x1b[0m"), None, "terminal escapes");
    assert_eq!(mime(b"nul\0byte"), None);
    assert_eq!(mime("C1 \u{0085} control".as_bytes()), None);
    assert_eq!(
        mime(b"tab\tform\x0cfeed\r\n"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn csv_needs_consistent_fields_over_two_records() {
    let text = Some("text/plain; charset=utf-8");
    let csv = Some("text/csv; charset=utf-8");
    assert_eq!(mime(b"a,b,c"), text, "one record");
    assert_eq!(mime(b"a,b,c\n1,2\n"), text, "ragged");
    assert_eq!(mime(b"a\nb\n"), text, "one field");
    assert_eq!(mime(b"a,b\n\n1,2\n\n"), csv, "empty lines are skipped");
    assert_eq!(
        mime(b"a,b\r\n\"multi\nline, with comma\",\"say \"\"hi\"\"\"\r\n"),
        csv
    );
    assert_eq!(mime(b"a,b\n\"unclosed,2\n"), text, "an open quote");
    assert_eq!(mime(b"x;y\n1,5;2\n"), csv, "semicolons with decimal commas");
}

#[test]
fn images_need_more_than_a_few_magic_bytes() {
    // A PNG signature in front of a page is not a PNG (no IHDR), nor text (binary).
    assert_eq!(
        mime(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>"),
        None
    );
    // With a real IHDR it is a PNG by its header: decoding it (server `files::image`) refuses.
    let mut png_then_html = PNG_1X1[..33].to_vec();
    png_then_html.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(mime(&png_then_html), Some("image/png"));
    assert_eq!(mime(b"RIFF\0\0\0\0WAVEfmt "), None, "RIFF but not WebP");
    assert_eq!(mime(b"RIFF\0\0\0\0WEBPJUNK"), None);
    assert_eq!(
        mime(b"%PDF-x"),
        Some("text/plain; charset=utf-8"),
        "no version: text"
    );
    assert_eq!(
        mime(b"junk\n%PDF-1.4\n"),
        Some("text/plain; charset=utf-8"),
        "a PDF only at 0"
    );
}

/// Decided: BMP, TIFF, SVG, ICO, AVIF/HEIC, executables and unknown binary are not accepted.
#[test]
fn other_formats_are_not_accepted() {
    let others: &[&[u8]] = &[
        b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0",
        b"II*\0\x08\0\0\0",
        b"MM\0*\0\0\0\x08",
        b"\0\0\x01\0\x01\0\x10\x10",
        b"\0\0\0\x1cftypavif\0\0\0\0",
        b"MZ\x90\0\x03\0\0\0\x04\0",
        b"\x7fELF\x02\x01\x01\0",
        b"\x1f\x8b\x08\0\0\0\0\0",
        b"Rar!\x1a\x07\x01\0",
        b"7z\xbc\xaf\x27\x1c",
        b"\xca\xfe\xba\xbe\0\0\0\x34",
    ];
    for o in others {
        assert_eq!(refused(o), Some(FileRefusal::TypeNotAllowed), "{o:?}");
    }
}

/// A GIF that is also valid JavaScript (`GIF89a=…;alert(1)//`) is a GIF: the first match
/// decides, it is served as image/gif with nosniff (a browser refuses to run it as a
/// script), and its thumbnail is re-encoded.
#[test]
fn a_polyglot_gif_is_a_gif() {
    let mut polyglot =
        b"GIF89a/*\x01\x00\x01\x00\x80\x00\x00*/=1;alert(document.domain)//".to_vec();
    polyglot.extend_from_slice(&GIF_1X1[13..]);
    assert_eq!(mime(&polyglot), Some("image/gif"));
    let s = sniff(&polyglot).unwrap();
    assert_eq!(download_name("x.js", &s), "x.js.gif");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn sniff_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = examine(&bytes);
    }

    #[test]
    fn sniff_never_panics_on_prefixed_bytes(
        prefix in 0usize..6,
        rest in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let heads: [&[u8]; 6] = [b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", b"GIF89a", b"RIFF\0\0\0\0WEBPVP8L",
            b"%PDF-1", b"PK\x03\x04", ole::MAGIC];
        let bytes = [heads[prefix], &rest].concat();
        let _ = examine(&bytes);
    }

    #[test]
    fn text_is_never_markup_at_the_start(
        pad in "[ \t\r\n]{0,50}",
        tag in prop::sample::select(vec!["html", "script", "svg", "?xml", "!doctype", "iframe"]),
        case in any::<u16>(),
        rest in ".{0,40}",
    ) {
        // Any ASCII case (tag names are ASCII case-insensitive; `ſvg` is not `svg`).
        let tag: String = tag
            .chars()
            .enumerate()
            .map(|(i, c)| if case >> i & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .collect();
        let t = format!("{pad}<{tag}{rest}");
        prop_assert_eq!(sniff(t.as_bytes()), None);
    }
}

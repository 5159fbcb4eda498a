//! File names: shown as text, saved safely, extension matching the content.
#![allow(clippy::unwrap_used)]

use super::samples::*;
use super::*;
use proptest::prelude::*;

#[test]
fn paths_are_cut_to_the_last_component_with_either_separator() {
    assert_eq!(display_name("../../etc/passwd"), "passwd");
    assert_eq!(display_name("C:\\Users\\x\\a.pdf"), "a.pdf");
    assert_eq!(display_name("..\\..\\boot.ini"), "boot.ini");
    assert_eq!(display_name("a/b\\c/d.txt"), "d.txt");
    assert_eq!(display_name("dir/"), "file");
    assert_eq!(display_name("/"), "file");
}

#[test]
fn controls_and_invisible_characters_are_removed() {
    assert_eq!(display_name("a\0b.txt"), "ab.txt");
    assert_eq!(display_name("a\u{7}\u{1b}[31mb.txt"), "a[31mb.txt");
    assert_eq!(display_name("line\nbreak\r\n.txt"), "line break .txt");
    assert_eq!(
        display_name("tabs\t\t\tand   spaces.txt"),
        "tabs and spaces.txt"
    );
    assert_eq!(display_name("c1\u{80}\u{9b}.txt"), "c1.txt");
    // The classic: "invoice\u{202E}fdp.exe" shows as "invoiceexe.pdf".
    assert_eq!(display_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
    for bidi in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
        '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ] {
        assert_eq!(
            display_name(&format!("a{bidi}b.png")),
            "ab.png",
            "{:?}",
            bidi
        );
    }
    for zero in [
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{180E}',
        '\u{3164}',
        '\u{E0041}',
    ] {
        assert_eq!(
            display_name(&format!("a{zero}b.png")),
            "ab.png",
            "{:?}",
            zero
        );
    }
    assert_eq!(display_name("report.pdf\u{200B}.exe"), "report.pdf.exe");
    assert_eq!(
        display_name("résumé – 履歴書 📄.pdf"),
        "résumé – 履歴書 📄.pdf"
    );
}

#[test]
fn windows_troubles_are_defused() {
    assert_eq!(display_name(".htaccess"), "htaccess");
    assert_eq!(display_name("...hidden"), "hidden");
    assert_eq!(display_name(" . spaced . "), "spaced");
    assert_eq!(display_name("evil.exe."), "evil.exe");
    assert_eq!(display_name("evil.exe . . "), "evil.exe");
    assert_eq!(display_name("a<b>c:d\"e|f?g*h.txt"), "a_b_c_d_e_f_g_h.txt");
    for device in [
        "CON",
        "con.txt",
        "Nul.tar.gz",
        "PRN",
        "AUX.png",
        "COM1",
        "lpt9.doc",
        "COM¹.txt",
        "CONIN$",
        "con .txt",
    ] {
        let name = display_name(device);
        assert!(name.starts_with('_'), "{device} -> {name}");
    }
    for fine in ["CONSOLE.txt", "COM10", "nully.txt", "icon.png", "LPT.txt"] {
        assert_eq!(display_name(fine), fine);
    }
}

#[test]
fn long_names_are_cut_at_a_character_keeping_the_extension() {
    let long = format!("{}.pdf", "é".repeat(300));
    let name = display_name(&long);
    assert!(name.len() <= MAX_NAME_BYTES, "{}", name.len());
    assert!(name.ends_with("é.pdf"), "{name}");
    let emoji = format!("{}.docx", "👩‍👩‍👧".repeat(50));
    let name = display_name(&emoji);
    assert!(
        name.len() <= MAX_NAME_BYTES && name.ends_with(".docx"),
        "{name}"
    );
    // No extension worth keeping: a plain cut.
    let plain = "x".repeat(500);
    assert_eq!(display_name(&plain), "x".repeat(MAX_NAME_BYTES));
    let long_ext = format!("a.{}", "y".repeat(300));
    assert_eq!(display_name(&long_ext).len(), MAX_NAME_BYTES);
    // The cut does not leave a trailing space or dot before the extension.
    let spaced = format!("{}{}.txt", "a".repeat(194), " . . . ");
    let name = display_name(&spaced);
    assert!(name.ends_with("a.txt"), "{name}");
}

#[test]
fn empty_names_become_file() {
    for empty in [
        "",
        " ",
        ".",
        "..",
        "...",
        "\u{202E}",
        "\u{200B}\u{200B}",
        "\0",
        "a/",
        " . . ",
    ] {
        assert_eq!(display_name(empty), "file", "{empty:?}");
    }
}

#[test]
fn downloads_take_the_extension_of_the_content() {
    let png = sniff(PNG_1X1).unwrap();
    let text = sniff(b"hello").unwrap();
    let pdf = sniff(&pdf()).unwrap();
    assert_eq!(download_name("evil.html", &png), "evil.html.png");
    assert_eq!(download_name("evil.svg", &png), "evil.svg.png");
    assert_eq!(download_name("photo.PNG", &png), "photo.PNG");
    assert_eq!(download_name("no extension", &png), "no extension.png");
    assert_eq!(download_name("", &png), "file.png");
    assert_eq!(download_name("run.bat", &text), "run.bat.txt");
    assert_eq!(download_name("page.html", &text), "page.html.txt");
    assert_eq!(download_name("notes.md", &text), "notes.md");
    assert_eq!(download_name("doc.rtf", &text), "doc.rtf.txt");
    assert_eq!(download_name("../../manual.pdf", &pdf), "manual.pdf");
    assert_eq!(
        download_name("manual.pdf\u{202E}exe.", &pdf),
        "manual.pdfexe.pdf"
    );
    let jpeg = sniff(JPEG_HEADER).unwrap();
    assert_eq!(download_name("IMG_0001.JPEG", &jpeg), "IMG_0001.JPEG");
    assert_eq!(download_name("IMG_0001.png", &jpeg), "IMG_0001.png.jpg");
    let docm = ooxml("word/document.xml", &[]);
    assert_eq!(
        download_name("macro.docm", &sniff(&docm).unwrap()),
        "macro.docm.docx"
    );
    let jar = zip(&[("META-INF/MANIFEST.MF", b"Main-Class: X", false)]);
    assert_eq!(
        download_name("app.jar", &sniff(&jar).unwrap()),
        "app.jar.zip"
    );
}

fn clean(name: &str) -> bool {
    !name.chars().any(|c| {
        matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*')
            || c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{FEFF}')
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn display_names_are_clean_whatever_is_sent(s in "\\PC{0,300}|.{0,300}|[\\x00-\\x20./\\\\\u{202A}-\u{202E}\u{2066}-\u{2069}\u{200B}-\u{200F}a-zA-Z]{0,80}") {
        let name = display_name(&s);
        prop_assert!(clean(&name), "{:?} -> {:?}", s, name);
        prop_assert!(!name.is_empty() && name.len() <= MAX_NAME_BYTES + 1);
        prop_assert!(!name.starts_with('.') && !name.ends_with('.') && !name.starts_with(' ') && !name.ends_with(' '));
        prop_assert_eq!(display_name(&name), name.clone(), "cleaning twice changes nothing");
    }

    #[test]
    fn display_names_never_panic_on_any_string(s in any::<String>()) {
        let name = display_name(&s);
        prop_assert!(clean(&name));
    }

    #[test]
    fn downloads_end_with_an_extension_of_their_type(s in "\\PC{0,220}", which in 0usize..4) {
        let samples: [&[u8]; 4] = [PNG_1X1, GIF_1X1, b"plain text", WEBP_1X1];
        let sniffed = sniff(samples[which]).unwrap();
        let name = download_name(&s, &sniffed);
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap();
        prop_assert!(sniffed.extensions().contains(&extension.as_str()), "{}", name);
        prop_assert!(clean(&name));
    }
}

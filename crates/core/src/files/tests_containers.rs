//! Archives and Office documents: told apart from their directories, the hostile ones refused.
#![allow(clippy::unwrap_used)]

use super::samples::*;
use super::*;
use proptest::prelude::*;

fn mime(bytes: &[u8]) -> Result<&'static str, FileRefusal> {
    examine(bytes).map(|s| s.mime)
}

fn refused_because(bytes: &[u8], why: &str) {
    match examine(bytes) {
        Err(FileRefusal::Refused(w)) => assert!(w.contains(why), "{w}"),
        other => panic!("expected a refusal ({why}), got {other:?}"),
    }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

#[test]
fn office_documents_from_real_archives() {
    let table = [
        (
            ooxml("word/document.xml", &["word/styles.xml"]),
            DOCX,
            "docx",
        ),
        (
            ooxml("xl/workbook.xml", &["xl/worksheets/sheet1.xml"]),
            XLSX,
            "xlsx",
        ),
        (
            ooxml("ppt/presentation.xml", &["ppt/slides/slide1.xml"]),
            PPTX,
            "pptx",
        ),
        (
            odf("application/vnd.oasis.opendocument.text", &[]),
            "application/vnd.oasis.opendocument.text",
            "odt",
        ),
        (
            odf("application/vnd.oasis.opendocument.spreadsheet", &[]),
            "application/vnd.oasis.opendocument.spreadsheet",
            "ods",
        ),
        (
            odf(
                "application/vnd.oasis.opendocument.presentation",
                &["styles.xml"],
            ),
            "application/vnd.oasis.opendocument.presentation",
            "odp",
        ),
        (
            compound(cfb::Version::V3, &["/WordDocument", "/1Table"]),
            "application/msword",
            "doc",
        ),
        (
            compound(cfb::Version::V4, &["/WordDocument"]),
            "application/msword",
            "doc",
        ),
        (
            compound(cfb::Version::V3, &["/Workbook"]),
            "application/vnd.ms-excel",
            "xls",
        ),
        (
            compound(cfb::Version::V3, &["/Book"]),
            "application/vnd.ms-excel",
            "xls",
        ),
        (
            compound(cfb::Version::V3, &["/PowerPoint Document", "/Current User"]),
            "application/vnd.ms-powerpoint",
            "ppt",
        ),
        (
            zip(&[
                ("a.txt", b"hello", false),
                ("dir/b.bin", &[0u8; 5000], true),
            ]),
            "application/zip",
            "zip",
        ),
        (
            zip64(&[("a.txt", b"hello", false)]),
            "application/zip",
            "zip",
        ),
    ];
    for (bytes, expected, extension) in table {
        let s = examine(&bytes).unwrap_or_else(|e| panic!("{expected}: {e}"));
        assert_eq!((s.mime, s.extension), (expected, extension));
        let group = if extension == "zip" {
            FileGroup::Zip
        } else {
            FileGroup::Office
        };
        assert_eq!(s.group, group, "{expected}");
    }
}

#[test]
fn an_archive_that_claims_office_without_the_parts_is_a_zip() {
    let zip_mime = Ok("application/zip");
    assert_eq!(
        mime(&zip(&[("[Content_Types].xml", b"<Types/>", false)])),
        zip_mime
    );
    assert_eq!(
        mime(&zip(&[("word/document.xml", b"<x/>", false)])),
        zip_mime
    );
    assert_eq!(
        mime(&zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.text",
            true
        )])),
        zip_mime
    );
    // A mimetype entry that is compressed, or names another type (EPUB), is not read as ODF.
    let compressed = zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.text",
            false,
        ),
        ("content.xml", b"<x/>", false),
        ("META-INF/manifest.xml", b"<x/>", false),
    ]);
    assert_eq!(mime(&compressed), zip_mime);
    assert_eq!(mime(&odf("application/epub+zip", &[])), zip_mime);
}

#[test]
fn other_compound_files_are_not_documents() {
    // An installer database, an Outlook message, an encrypted OOXML package.
    for streams in [
        &["/\u{4840}\u{3B3F}SummaryInformation"][..],
        &["/__substg1.0_0037001F"],
        &["/EncryptedPackage", "/EncryptionInfo"],
    ] {
        assert_eq!(
            mime(&compound(cfb::Version::V3, streams)),
            Err(FileRefusal::TypeNotAllowed)
        );
    }
    let mut truncated = compound(cfb::Version::V3, &["/WordDocument"]);
    truncated.truncate(600);
    assert_eq!(mime(&truncated), Err(FileRefusal::TypeNotAllowed));
}

#[test]
fn documents_with_macros_are_refused() {
    refused_because(
        &ooxml("word/document.xml", &["word/vbaProject.bin"]),
        "macros",
    );
    refused_because(&ooxml("xl/workbook.xml", &["xl/vbaProject.bin"]), "macros");
    refused_because(
        &odf(
            "application/vnd.oasis.opendocument.text",
            &["Basic/Standard/Module1.xml"],
        ),
        "macros",
    );
    refused_because(
        &compound(cfb::Version::V3, &["/WordDocument", "/Macros/VBA/dir"]),
        "macros",
    );
    refused_because(
        &compound(
            cfb::Version::V3,
            &["/Workbook", "/_VBA_PROJECT_CUR/VBA/dir"],
        ),
        "macros",
    );
    // A plain zip may carry a file of that name: it is not a document, nothing runs it.
    assert_eq!(
        mime(&zip(&[("vbaProject.bin", b"x", true)])),
        Ok("application/zip")
    );
}

/// A small zip with a huge declared uncompressed size: refused from its directory alone,
/// nothing is inflated. A real highly compressible zip under the bound is just a zip.
#[test]
fn zip_bombs_are_refused_from_the_directory() {
    let bomb = raw_zip(&[Raw {
        declared: u32::MAX - 1,
        ..Raw::new("zeros.bin", b"tiny")
    }]);
    assert!(bomb.len() < 200);
    refused_because(&bomb, "zip bomb");
    let many: Vec<Raw> = (0..5)
        .map(|_| Raw {
            declared: 300 << 20,
            ..Raw::new("x", b"1")
        })
        .collect();
    refused_because(&raw_zip(&many), "1 GiB");
    // Entries sharing their data (the overlapping, non-recursive bomb).
    let overlap = raw_zip(&[
        Raw::new("a", b"data"),
        Raw {
            offset: Some(0),
            ..Raw::new("b", b"data")
        },
    ]);
    refused_because(&overlap, "overlap");
    let zeros = vec![0u8; 4 << 20];
    let honest = zip(&[("zeros.bin", &zeros, false)]);
    assert!(honest.len() < 20_000, "{}", honest.len());
    assert_eq!(mime(&honest), Ok("application/zip"));
}

#[test]
fn archives_with_unsafe_paths_are_refused() {
    for name in [
        "../../etc/passwd",
        "a/../../b",
        "/etc/passwd",
        "\\windows\\x.dll",
        "C:\\x.exe",
        "..\\x",
        "a\0b",
    ] {
        refused_because(&raw_zip(&[Raw::new(name, b"x")]), "outside");
    }
    assert_eq!(
        mime(&raw_zip(&[Raw::new("a..b/..c", b"x")])),
        Ok("application/zip")
    );
}

#[test]
fn broken_or_disguised_zips_are_not_zips() {
    let good = zip(&[("a.txt", b"hello", false)]);
    let not = Err(FileRefusal::TypeNotAllowed);
    // Trailing bytes: the end record must end the file (no polyglot tail).
    assert_eq!(mime(&[&good[..], b"<html>"].concat()), not);
    // Cut anywhere.
    for n in [4, 30, good.len() / 2, good.len() - 1] {
        assert_eq!(mime(&good[..n]), not, "cut at {n}");
    }
    // A directory pointing at a local header that is not there.
    let wrong = raw_zip(&[Raw {
        offset: Some(3),
        ..Raw::new("a", b"x")
    }]);
    assert_eq!(mime(&wrong), not);
    // A local header at 0 that the directory does not list (data hidden in front).
    let hidden = raw_zip(&[
        Raw {
            listed: false,
            ..Raw::new("hidden", b"<script>")
        },
        Raw::new("a", b"x"),
    ]);
    assert_eq!(mime(&hidden), not);
}

/// A looping chain in a compound file ends as "not a document" without spinning.
#[test]
fn a_looping_compound_file_ends() {
    let mut doc = compound(cfb::Version::V3, &["/WordDocument"]);
    let first_dir = u32::from_le_bytes(doc[0x30..0x34].try_into().unwrap());
    let first_fat = u32::from_le_bytes(doc[0x4C..0x50].try_into().unwrap()) as usize;
    let entry = 512 * (first_fat + 1) + 4 * first_dir as usize;
    doc[entry..entry + 4].copy_from_slice(&first_dir.to_le_bytes());
    // The directory is read again and again until the step bound: it stays a document,
    // or is dropped, but the call returns.
    let _ = examine(&doc);
    // A FAT sector count larger than the file.
    let mut big = compound(cfb::Version::V3, &["/WordDocument"]);
    big[0x2C..0x30].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(mime(&big), Err(FileRefusal::TypeNotAllowed));
}

static SAMPLES: std::sync::LazyLock<[Vec<u8>; 4]> = std::sync::LazyLock::new(|| {
    [
        ooxml("word/document.xml", &[]),
        odf("application/vnd.oasis.opendocument.text", &[]),
        compound(cfb::Version::V3, &["/WordDocument"]),
        zip64(&[("a", b"b", true)]),
    ]
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Damaged archives and compound files: any byte changed, any length cut. Never a
    /// panic; a damaged file is at most what its intact directory says.
    #[test]
    fn damaged_containers_never_panic(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = SAMPLES[which].clone();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = examine(&bytes);
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = examine(&bytes);
    }
}

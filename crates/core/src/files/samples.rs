//! Real minimal files for the type tests, made here rather than checked in: images from
//! their published minimal encodings, a PDF with a correct cross-reference table, Office
//! documents and zips written by the `zip` crate, legacy Office by the `cfb` crate, and a
//! raw zip writer for the archives no honest tool writes (bombs, overlaps, traversal).
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Write};

/// The classic 67-byte 1x1 PNG (RGBA, zlib-compressed scanline, CRCs correct).
pub const PNG_1X1: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0aIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\x0d\x0a\x2d\xb4\x00\x00\x00\x00IEND\xaeB`\x82";

/// The classic 43-byte 1x1 GIF.
pub const GIF_1X1: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// A JPEG's start: SOI, then the JFIF APP0 segment.
pub const JPEG_HEADER: &[u8] =
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00";

/// A 1x1 lossless WebP (RIFF, WEBP, VP8L chunk).
pub const WEBP_1X1: &[u8] = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";

/// A one-page PDF with a correct cross-reference table.
pub fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out += &format!("{} 0 obj {o} endobj\n", i + 1);
    }
    let xref = out.len();
    out += &format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        out += &format!("{o:010} 00000 n \n");
    }
    out += &format!("trailer << /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
    out.into_bytes()
}

/// A zip written by the `zip` crate: (name, content, stored?) in order.
pub fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    zip_with(entries, false)
}

/// The same, every entry with zip64 extra fields and a zip64 end record.
pub fn zip64(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    zip_with(entries, true)
}

fn zip_with(entries: &[(&str, &[u8], bool)], large: bool) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, stored) in entries {
        let method = if *stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(large);
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
const RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#;
const PART: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><x/>"#;

/// An OOXML document with its main part (`word/document.xml`, `xl/workbook.xml`,
/// `ppt/presentation.xml`) and any `more` entries.
pub fn ooxml(main_part: &str, more: &[&str]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8], bool)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES, false),
        ("_rels/.rels", RELS, false),
        (main_part, PART, false),
    ];
    entries.extend(more.iter().map(|n| (*n, PART, false)));
    zip(&entries)
}

/// An OpenDocument file: `mimetype` first and stored, as the standard asks.
pub fn odf(mimetype: &str, more: &[&str]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8], bool)> = vec![
        ("mimetype", mimetype.as_bytes(), true),
        ("content.xml", PART, false),
        ("META-INF/manifest.xml", PART, false),
    ];
    entries.extend(more.iter().map(|n| (*n, PART, false)));
    zip(&entries)
}

/// A compound file (legacy Office's container) with these streams (paths like
/// `/WordDocument`, `/Macros/VBA/dir`: storages are made on the way).
pub fn compound(version: cfb::Version, streams: &[&str]) -> Vec<u8> {
    let mut c = cfb::CompoundFile::create_with_version(version, Cursor::new(Vec::new())).unwrap();
    for path in streams {
        let (dir, _) = path.rsplit_once('/').unwrap();
        if !dir.is_empty() {
            c.create_storage_all(dir).unwrap();
        }
        let mut s = c.create_stream(path).unwrap();
        s.write_all(&[7u8; 700]).unwrap();
    }
    c.flush().unwrap();
    c.into_inner().into_inner()
}

/// An entry of a hand-made zip: what its headers declare, where the directory says it is.
pub struct Raw<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    /// The uncompressed size the headers declare.
    pub declared: u32,
    /// Where the directory says its local header is (`None`: where it was written).
    pub offset: Option<u32>,
    /// Whether the directory lists it.
    pub listed: bool,
}

impl<'a> Raw<'a> {
    pub fn new(name: &'a str, data: &'a [u8]) -> Raw<'a> {
        Raw {
            name,
            data,
            declared: data.len() as u32,
            offset: None,
            listed: true,
        }
    }
}

/// A zip written by hand, stored entries whose headers say what the test wants.
pub fn raw_zip(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for e in entries {
        offsets.push(e.offset.unwrap_or(out.len() as u32));
        if e.offset.is_some() {
            continue;
        }
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        out.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked)
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.declared.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(e.data);
    }
    let cd = out.len();
    for (e, offset) in entries.iter().zip(offsets).filter(|(e, _)| e.listed) {
        out.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.declared.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
    }
    let n = entries.iter().filter(|e| e.listed).count() as u16;
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&((out.len() - cd) as u32 - 12).to_le_bytes());
    out.extend_from_slice(&(cd as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

//! Zip archives, read from their central directory only: nothing is ever decompressed, so a
//! zip bomb costs one pass over the directory. The directory tells an Office document
//! (OOXML, OpenDocument) from a plain zip, and gives away the archives we refuse: one whose
//! entries overlap (the non-recursive zip bombs), one declaring more than [`MAX_UNPACKED`]
//! bytes, one with entries that would land outside the folder it is unpacked in, an Office
//! document with macros. An archive that claims to be Office but lacks the parts is a zip.

use super::FileRefusal;
use super::sniff::{self, Type};

pub(super) const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";
const END: &[u8] = b"PK\x05\x06";
const END64: &[u8] = b"PK\x06\x06";
const END64_LOCATOR: &[u8] = b"PK\x06\x07";

/// The most an archive may declare it unpacks to, all entries together (1 GiB: a 10 MB zip
/// of text compresses about 10:1, deflate cannot pass about 1,000:1).
pub const MAX_UNPACKED: u64 = 1 << 30;

/// An entry as the central directory describes it.
struct Entry<'a> {
    name: &'a [u8],
    method: u16,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// Where the central directory is, how many entries it has, and where it must end (the
/// end record, or the zip64 end record).
struct Directory {
    offset: u64,
    size: u64,
    entries: u64,
    end: usize,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

fn sig_at(b: &[u8], at: usize, sig: &[u8]) -> bool {
    at.checked_add(sig.len())
        .and_then(|end| b.get(at..end))
        .is_some_and(|s| s == sig)
}

/// The end-of-central-directory record: the last one whose comment ends exactly at the end
/// of the file (nothing may trail the archive).
fn end_record(bytes: &[u8]) -> Option<usize> {
    let last = bytes.len().checked_sub(22)?;
    let lowest = last.saturating_sub(0xFFFF);
    (lowest..=last).rev().find(|&pos| {
        sig_at(bytes, pos, END)
            && u16_at(bytes, pos + 20).is_some_and(|c| pos + 22 + usize::from(c) == bytes.len())
    })
}

fn directory(bytes: &[u8]) -> Option<Directory> {
    let eocd = end_record(bytes)?;
    let (disk, cd_disk) = (u16_at(bytes, eocd + 4)?, u16_at(bytes, eocd + 6)?);
    let (here, entries) = (u16_at(bytes, eocd + 8)?, u16_at(bytes, eocd + 10)?);
    let (size, offset) = (u32_at(bytes, eocd + 12)?, u32_at(bytes, eocd + 16)?);
    let dir = if entries == u16::MAX || size == u32::MAX || offset == u32::MAX {
        let locator = eocd.checked_sub(20)?;
        if !sig_at(bytes, locator, END64_LOCATOR) || u32_at(bytes, locator + 4)? != 0 {
            return None;
        }
        let record = usize::try_from(u64_at(bytes, locator + 8)?).ok()?;
        if !sig_at(bytes, record, END64)
            || u32_at(bytes, record + 16)? != 0
            || u32_at(bytes, record + 20)? != 0
            || u64_at(bytes, record + 24)? != u64_at(bytes, record + 32)?
            || record.checked_add(56)? > locator
        {
            return None;
        }
        Directory {
            entries: u64_at(bytes, record + 32)?,
            size: u64_at(bytes, record + 40)?,
            offset: u64_at(bytes, record + 48)?,
            end: record,
        }
    } else {
        if disk != 0 || cd_disk != 0 || here != entries {
            return None;
        }
        Directory {
            entries: entries.into(),
            size: size.into(),
            offset: offset.into(),
            end: eocd,
        }
    };
    (dir.offset.checked_add(dir.size)? == dir.end as u64).then_some(dir)
}

/// The zip64 values an entry leaves in its extra field (those its header sets to all ones).
fn zip64_extra(extra: &[u8], wanted: [bool; 3]) -> Option<[Option<u64>; 3]> {
    let mut at = 0;
    while at + 4 <= extra.len() {
        let (id, len) = (u16_at(extra, at)?, usize::from(u16_at(extra, at + 2)?));
        let data = extra.get(at + 4..at + 4 + len)?;
        if id == 1 {
            let mut found = [None; 3];
            let mut pos = 0;
            for (slot, want) in found.iter_mut().zip(wanted) {
                if want {
                    *slot = Some(u64_at(data, pos)?);
                    pos += 8;
                }
            }
            return Some(found);
        }
        at += 4 + len;
    }
    None
}

fn entries<'a>(bytes: &'a [u8], dir: &Directory) -> Option<Vec<Entry<'a>>> {
    // Each header is at least 46 bytes: the count cannot make us allocate more than the input.
    if dir.entries.checked_mul(46)? > dir.size {
        return None;
    }
    let mut out = Vec::with_capacity(usize::try_from(dir.entries).ok()?);
    let mut at = usize::try_from(dir.offset).ok()?;
    for _ in 0..dir.entries {
        if !sig_at(bytes, at, CENTRAL_HEADER) || u16_at(bytes, at + 34)? != 0 {
            return None;
        }
        let method = u16_at(bytes, at + 10)?;
        let (compressed, size) = (u32_at(bytes, at + 20)?, u32_at(bytes, at + 24)?);
        let name_len = usize::from(u16_at(bytes, at + 28)?);
        let extra_len = usize::from(u16_at(bytes, at + 30)?);
        let comment_len = usize::from(u16_at(bytes, at + 32)?);
        let offset = u32_at(bytes, at + 42)?;
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        let extra = bytes.get(at + 46 + name_len..at + 46 + name_len + extra_len)?;
        let wanted = [size == u32::MAX, compressed == u32::MAX, offset == u32::MAX];
        let big = if wanted.contains(&true) {
            zip64_extra(extra, wanted)?
        } else {
            [None; 3]
        };
        out.push(Entry {
            name,
            method,
            size: big[0].unwrap_or(size.into()),
            compressed: big[1].unwrap_or(compressed.into()),
            offset: big[2].unwrap_or(offset.into()),
        });
        at += 46 + name_len + extra_len + comment_len;
        if at > dir.end {
            return None;
        }
    }
    (at == dir.end).then_some(out)
}

/// Where an entry's local header starts and its data ends.
fn span(bytes: &[u8], e: &Entry) -> Option<(u64, u64)> {
    let at = usize::try_from(e.offset).ok()?;
    if !sig_at(bytes, at, LOCAL_HEADER) {
        return None;
    }
    let name_len = u64::from(u16_at(bytes, at + 26)?);
    let extra_len = u64::from(u16_at(bytes, at + 28)?);
    let end = e
        .offset
        .checked_add(30 + name_len + extra_len)?
        .checked_add(e.compressed)?;
    Some((e.offset, end))
}

/// A name that would be unpacked outside the target folder (`../`, absolute, a drive).
fn unsafe_path(name: &[u8]) -> bool {
    name.first().is_some_and(|c| matches!(c, b'/' | b'\\'))
        || (name.get(1) == Some(&b':') && name.first().is_some_and(u8::is_ascii_alphabetic))
        || name.contains(&0)
        || name
            .split(|c| matches!(c, b'/' | b'\\'))
            .any(|part| part == b"..")
}

fn refused(why: &str) -> FileRefusal {
    FileRefusal::Refused(why.into())
}

/// What a file starting with a zip local header is: an Office document, a zip, refused, or
/// not a zip we understand (`TypeNotAllowed`: no end record at the very end, a directory
/// that does not add up, a local header that is not where the directory says, multi-disk).
pub(super) fn examine(bytes: &[u8]) -> Result<&'static Type, FileRefusal> {
    let not_zip = FileRefusal::TypeNotAllowed;
    let dir = directory(bytes).ok_or(not_zip.clone())?;
    let entries = entries(bytes, &dir).ok_or(not_zip.clone())?;
    let mut spans = entries
        .iter()
        .map(|e| span(bytes, e))
        .collect::<Option<Vec<_>>>()
        .ok_or(not_zip.clone())?;
    spans.sort_unstable();
    // The header at offset 0 must be an entry's: nothing hidden in front of the archive.
    if spans.first().is_some_and(|s| s.0 != 0) {
        return Err(not_zip);
    }
    if spans.windows(2).any(|w| w[0].1 > w[1].0) || spans.last().is_some_and(|s| s.1 > dir.offset) {
        return Err(refused("its entries overlap (a zip bomb)"));
    }
    let unpacked = entries
        .iter()
        .fold(0u64, |sum, e| sum.saturating_add(e.size));
    if unpacked > MAX_UNPACKED {
        return Err(refused("it unpacks to more than 1 GiB (a zip bomb)"));
    }
    if entries.iter().any(|e| unsafe_path(e.name)) {
        return Err(refused("it has entries that unpack outside their folder"));
    }
    office(bytes, &entries)
}

fn starts_with_ignore_case(name: &[u8], prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn ends_with_ignore_case(name: &[u8], suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// OpenDocument: a stored `mimetype` entry naming the type, with `content.xml` and the
/// manifest. OOXML: `[Content_Types].xml` and the parts under `word/`, `xl/` or `ppt/`.
/// Macros (`Basic/` or `Scripts/` in OpenDocument, `vbaProject.bin` in OOXML) are refused.
fn office(bytes: &[u8], entries: &[Entry]) -> Result<&'static Type, FileRefusal> {
    let has = |n: &str| entries.iter().any(|e| e.name == n.as_bytes());
    let any_prefixed = |p: &str| entries.iter().any(|e| starts_with_ignore_case(e.name, p));
    let macros = refused("documents with macros are not accepted");
    if has("content.xml") && has("META-INF/manifest.xml") {
        let declared = entries
            .iter()
            .find(|e| e.name == b"mimetype")
            .and_then(|e| stored(bytes, e));
        let kind = match declared {
            Some(b"application/vnd.oasis.opendocument.text") => Some(&sniff::ODT),
            Some(b"application/vnd.oasis.opendocument.spreadsheet") => Some(&sniff::ODS),
            Some(b"application/vnd.oasis.opendocument.presentation") => Some(&sniff::ODP),
            _ => None,
        };
        if let Some(kind) = kind {
            if any_prefixed("Basic/") || any_prefixed("Scripts/") {
                return Err(macros);
            }
            return Ok(kind);
        }
    }
    if entries
        .iter()
        .any(|e| e.name.eq_ignore_ascii_case(b"[Content_Types].xml"))
    {
        let kind = [
            ("word/", &sniff::DOCX),
            ("xl/", &sniff::XLSX),
            ("ppt/", &sniff::PPTX),
        ]
        .into_iter()
        .find(|(p, _)| any_prefixed(p))
        .map(|(_, kind)| kind);
        if let Some(kind) = kind {
            if entries
                .iter()
                .any(|e| ends_with_ignore_case(e.name, "vbaProject.bin"))
            {
                return Err(macros);
            }
            return Ok(kind);
        }
    }
    Ok(&sniff::ZIP)
}

/// The bytes of a small stored (uncompressed) entry, read from behind its local header.
fn stored<'a>(bytes: &'a [u8], e: &Entry) -> Option<&'a [u8]> {
    if e.method != 0 || e.compressed != e.size || e.size > 128 {
        return None;
    }
    let (_, end) = span(bytes, e)?;
    let data_start = end.checked_sub(e.compressed)?;
    bytes.get(usize::try_from(data_start).ok()?..usize::try_from(end).ok()?)
}

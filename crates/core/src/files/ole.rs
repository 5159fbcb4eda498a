//! Legacy Office documents (Word 97–2003 `.doc`, Excel `.xls`, PowerPoint `.ppt`): compound
//! files (OLE2 / CFB) told from the other compound files (installers `.msi`, Outlook `.msg`,
//! encrypted OOXML, thumbnails databases) by the streams their directory lists. Only the
//! directory is read, sector by sector along its chain; every step is bounded by the file's
//! size, so a looping or lying chain ends as "not a document".
//!
//! Macros in `.doc` (`Macros/VBA`) and `.xls` (`_VBA_PROJECT_CUR`) are seen in the directory
//! and refused; a `.ppt` keeps its macros inside its main stream, which is not parsed.

use super::FileRefusal;
use super::sniff::{self, Type};

pub(super) const MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here on are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
/// FAT sector numbers kept in the header itself.
const HEADER_DIFAT: usize = 109;

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

struct Compound<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Whole sectors in the file (after the header sector).
    sectors: usize,
}

impl<'a> Compound<'a> {
    fn sector(&self, n: u32) -> Option<&'a [u8]> {
        if n >= MAX_REGULAR {
            return None;
        }
        let start = usize::try_from(n)
            .ok()?
            .checked_add(1)?
            .checked_mul(self.sector_size)?;
        self.bytes.get(start..start.checked_add(self.sector_size)?)
    }

    /// The sector allocation table: the FAT sectors listed in the header, then along the
    /// DIFAT chain.
    fn fat(&self) -> Option<Vec<u32>> {
        let b = self.bytes;
        let count = usize::try_from(u32_at(b, 0x2C)?).ok()?;
        if count > self.sectors {
            return None;
        }
        let mut fat_sectors = Vec::with_capacity(count);
        for i in 0..count.min(HEADER_DIFAT) {
            fat_sectors.push(u32_at(b, 0x4C + 4 * i)?);
        }
        let mut next = u32_at(b, 0x44)?;
        let mut steps = 0;
        while fat_sectors.len() < count {
            steps += 1;
            let s = self.sector(next).filter(|_| steps <= self.sectors)?;
            let per = self.sector_size / 4 - 1;
            for i in 0..per.min(count - fat_sectors.len()) {
                fat_sectors.push(u32_at(s, 4 * i)?);
            }
            next = u32_at(s, self.sector_size - 4)?;
        }
        let mut fat = Vec::with_capacity(count * self.sector_size / 4);
        for n in fat_sectors {
            let s = self.sector(n)?;
            fat.extend(s.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        }
        Some(fat)
    }

    /// The names of the storages and streams in the directory (the root first).
    fn names(&self) -> Option<Vec<String>> {
        let fat = self.fat()?;
        let mut names = Vec::new();
        let mut n = u32_at(self.bytes, 0x30)?;
        let mut steps = 0;
        while n != END_OF_CHAIN {
            steps += 1;
            let s = self.sector(n).filter(|_| steps <= self.sectors)?;
            for entry in s.chunks_exact(128) {
                let len = usize::from(u16_at(entry, 0x40)?);
                let kind = *entry.get(0x42)?;
                if matches!(kind, 1 | 2 | 5) && (2..=64).contains(&len) && len % 2 == 0 {
                    let units: Vec<u16> = entry[..len - 2]
                        .chunks_exact(2)
                        .filter_map(|c| u16_at(c, 0))
                        .collect();
                    if names.is_empty() && kind != 5 {
                        return None; // the first entry is the root
                    }
                    names.push(String::from_utf16_lossy(&units));
                }
            }
            n = *fat.get(usize::try_from(n).ok()?)?;
        }
        (!names.is_empty()).then_some(names)
    }
}

fn compound(bytes: &[u8]) -> Option<Compound<'_>> {
    if u16_at(bytes, 0x1C)? != 0xFFFE {
        return None;
    }
    let sector_size = match (u16_at(bytes, 0x1A)?, u16_at(bytes, 0x1E)?) {
        (3, 9) => 512,
        (4, 12) => 4096,
        _ => return None,
    };
    Some(Compound {
        bytes,
        sector_size,
        sectors: (bytes.len() / sector_size).saturating_sub(1),
    })
}

/// What a compound file is: `.doc`, `.xls`, `.ppt`, refused (macros), or not a document we
/// accept (`TypeNotAllowed`).
pub(super) fn examine(bytes: &[u8]) -> Result<&'static Type, FileRefusal> {
    let names = compound(bytes)
        .and_then(|c| c.names())
        .ok_or(FileRefusal::TypeNotAllowed)?;
    // Directory names compare without case (MS-CFB 2.6.4).
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let kind = if has("WordDocument") {
        &sniff::DOC
    } else if has("Workbook") || has("Book") {
        &sniff::XLS
    } else if has("PowerPoint Document") {
        &sniff::PPT
    } else {
        return Err(FileRefusal::TypeNotAllowed);
    };
    if ["Macros", "VBA", "_VBA_PROJECT", "_VBA_PROJECT_CUR"]
        .iter()
        .any(|n| has(n))
    {
        return Err(FileRefusal::Refused(
            "documents with macros are not accepted".into(),
        ));
    }
    Ok(kind)
}

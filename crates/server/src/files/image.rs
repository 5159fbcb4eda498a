//! Raster images: pixel size within limits, and a re-encoded thumbnail (so the bytes shown
//! inline are ours, not the uploader's). FOUNDATION: the file-safety work replaces this stub
//! (it reports no size and no thumbnail).

use frontdesk_core::files::FileRefusal;

/// A raster image's pixel size and its thumbnail (PNG or JPEG bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
}

/// Inspects a file whose type was decided as `mime`: `Ok(None)` for anything but a raster
/// image; for an image its size and thumbnail, or a refusal (too many pixels, cannot be
/// decoded).
pub fn inspect(_bytes: &[u8], _mime: &str) -> Result<Option<Inspected>, FileRefusal> {
    Ok(None)
}

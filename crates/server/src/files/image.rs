//! Raster images: pixel size within limits, and a re-encoded thumbnail (so the bytes shown
//! inline are ours, not the uploader's).
//!
//! The size is read from the header and checked before anything is decoded: a 100,000 ×
//! 100,000 PNG of a few dozen bytes (a pixel flood) costs a header read. Decoding then runs
//! under `image::Limits` (sides and allocation) as a second fence. Only the formats the core
//! accepts are compiled in (PNG, JPEG, GIF, WebP), and the decoder is chosen by the type the
//! core decided from the content, never guessed again. The thumbnail has no metadata (no
//! EXIF location); the original is kept and served as uploaded.
//!
//! Decoding is CPU work of up to a second for the largest photo: callers run [`inspect`] on
//! a blocking thread.

use frontdesk_core::files::FileRefusal;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, metadata::Orientation,
};
use std::io::Cursor;

/// The most pixels an image may have (50 megapixels: the largest common phone photo).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side an image may have.
pub const MAX_SIDE: u32 = 20_000;
/// The most memory one decode may allocate (a 50 MP RGBA image is 200 MB).
pub const MAX_DECODE_BYTES: u64 = 256 << 20;
/// Thumbnails fit in this square, keeping the aspect ratio (smaller images keep their size).
pub const THUMB_SIDE: u32 = 320;
/// JPEG quality of photo thumbnails.
const THUMB_JPEG_QUALITY: u8 = 80;

/// A raster image's pixel size and its thumbnail (PNG or JPEG bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
}

/// The type of a thumbnail made by [`inspect`]: JPEG for photos (JPEG originals), PNG for
/// the others (they may be transparent).
pub fn thumb_mime(thumb: &[u8]) -> &'static str {
    if thumb.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        "image/png"
    }
}

fn format(mime: &str) -> Option<ImageFormat> {
    match mime {
        "image/png" => Some(ImageFormat::Png),
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/gif" => Some(ImageFormat::Gif),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn too_large(width: u32, height: u32) -> FileRefusal {
    FileRefusal::Refused(format!(
        "the image is too large ({width} × {height} pixels; at most {} megapixels and {MAX_SIDE} on a side)",
        MAX_PIXELS / 1_000_000
    ))
}

fn unreadable(e: ImageError) -> FileRefusal {
    match e {
        ImageError::Limits(_) => FileRefusal::Refused(format!(
            "the image is too large (at most {} megapixels and {MAX_SIDE} on a side)",
            MAX_PIXELS / 1_000_000
        )),
        _ => FileRefusal::Refused("the image cannot be read (damaged or not an image)".into()),
    }
}

/// Inspects a file whose type was decided as `mime`: `Ok(None)` for anything but a raster
/// image; for an image its size (as displayed: EXIF orientation applied) and thumbnail, or a
/// refusal (too many pixels or too long a side, cannot be decoded). An animated GIF or WebP
/// shows its first frame.
pub fn inspect(bytes: &[u8], mime: &str) -> Result<Option<Inspected>, FileRefusal> {
    let Some(format) = format(mime) else {
        return Ok(None);
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    // The header only: a side over the limit is refused here by `Limits`.
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(unreadable(ImageError::IoError(
            std::io::ErrorKind::InvalidData.into(),
        )));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(too_large(width, height));
    }
    limits()
        .reserve(decoder.total_bytes())
        .map_err(unreadable)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let thumb = thumbnail(&image, format == ImageFormat::Jpeg)?;
    Ok(Some(Inspected {
        width: image.width(),
        height: image.height(),
        thumb,
    }))
}

/// The size that fits `width` × `height` in the thumbnail square, at least one pixel a side.
fn fit(width: u32, height: u32) -> (u32, u32) {
    if width <= THUMB_SIDE && height <= THUMB_SIDE {
        return (width, height);
    }
    let scale = f64::from(THUMB_SIDE) / f64::from(width.max(height));
    let side = |n: u32| ((f64::from(n) * scale).round() as u32).clamp(1, THUMB_SIDE);
    (side(width), side(height))
}

fn thumbnail(image: &DynamicImage, photo: bool) -> Result<Vec<u8>, FileRefusal> {
    let (w, h) = fit(image.width(), image.height());
    let small = if (w, h) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.thumbnail_exact(w, h)
    };
    let mut out = Cursor::new(Vec::new());
    let encoded = if photo {
        let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMB_JPEG_QUALITY)
            .encode_image(&rgb)
    } else if small.color().has_alpha() {
        DynamicImage::ImageRgba8(small.to_rgba8()).write_to(&mut out, ImageFormat::Png)
    } else {
        DynamicImage::ImageRgb8(small.to_rgb8()).write_to(&mut out, ImageFormat::Png)
    };
    encoded.map_err(|_| FileRefusal::Refused("the image cannot be read".into()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
#[path = "image_tests.rs"]
mod tests;

//! Images made by the encoders of the `image` crate, and headers crafted by hand for the
//! pixel floods (a few dozen bytes declaring billions of pixels).
#![allow(clippy::unwrap_used)]

use super::*;
use frontdesk_core::files::sniff;
use image::codecs::gif::GifEncoder;
use image::{Delay, Frame, Rgb, RgbImage, Rgba, RgbaImage};

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn noise(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) as u8;
        Rgb([v, v.wrapping_mul(3), v.wrapping_add(91)])
    }))
}

fn refusal(bytes: &[u8], mime: &str) -> String {
    match inspect(bytes, mime) {
        Err(FileRefusal::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// CRC-32 (IEEE), for hand-made PNG chunks: the decoder checks it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&crc32(&[&kind[..], data].concat()).to_be_bytes());
    c
}

/// A PNG header declaring `width` × `height` RGBA pixels, a tiny IDAT and no pixel data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01"));
    png.extend(png_chunk(b"IEND", b""));
    png
}

#[test]
fn a_pixel_of_each_format_gives_its_size_and_a_thumbnail_that_decodes() {
    let pixel = DynamicImage::ImageRgba8(RgbaImage::from_pixel(1, 1, Rgba([200, 10, 10, 255])));
    let table = [
        (ImageFormat::Png, "image/png", "image/png"),
        (ImageFormat::Jpeg, "image/jpeg", "image/jpeg"),
        (ImageFormat::Gif, "image/gif", "image/png"),
        (ImageFormat::WebP, "image/webp", "image/png"),
    ];
    for (format, mime, thumb_type) in table {
        let source = if format == ImageFormat::Jpeg {
            DynamicImage::ImageRgb8(pixel.to_rgb8())
        } else {
            pixel.clone()
        };
        let bytes = encode(&source, format);
        // The core's sniffing agrees with a real encoder's output.
        assert_eq!(sniff(&bytes).map(|s| s.mime), Some(mime), "{format:?}");
        let found = inspect(&bytes, mime).unwrap().unwrap();
        assert_eq!((found.width, found.height), (1, 1), "{format:?}");
        assert_eq!(thumb_mime(&found.thumb), thumb_type, "{format:?}");
        let thumb = image::load_from_memory(&found.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (1, 1), "{format:?}");
    }
}

/// What an upload carries besides pixels (text chunks, here markup) is not in the
/// thumbnail: it is decoded pixels, encoded by us.
#[test]
fn the_thumbnail_is_pixels_we_encoded() {
    let png = encode(&noise(4, 4), ImageFormat::Png);
    let text = png_chunk(b"tEXt", b"Comment\0<script>alert(1)</script>");
    let carrying = [&png[..33], &text, &png[33..]].concat();
    let found = inspect(&carrying, "image/png").unwrap().unwrap();
    assert!(!found.thumb.windows(7).any(|w| w == b"<script"));
    assert_eq!(
        image::load_from_memory(&found.thumb).unwrap().to_rgb8(),
        noise(4, 4).to_rgb8()
    );
}

#[test]
fn thumbnails_fit_in_the_square_keeping_the_aspect() {
    for (w, h, format, expected) in [
        (640, 320, ImageFormat::Png, (320, 160)),
        (200, 800, ImageFormat::Jpeg, (80, 320)),
        (2000, 3, ImageFormat::Png, (320, 1)),
        (200, 120, ImageFormat::WebP, (200, 120)),
    ] {
        let bytes = encode(&noise(w, h), format);
        let mime = sniff(&bytes).unwrap().mime;
        let found = inspect(&bytes, mime).unwrap().unwrap();
        assert_eq!((found.width, found.height), (w, h));
        let thumb = image::load_from_memory(&found.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), expected, "{w}x{h}");
    }
}

/// A pixel flood: a few dozen bytes of header declaring more pixels than memory holds. The
/// header is read, the size refused, nothing decoded (a decode would need 40 GB).
#[test]
fn pixel_floods_are_refused_from_the_header() {
    let flood = png_header(100_000, 100_000);
    assert!(flood.len() < 100);
    assert_eq!(sniff(&flood).map(|s| s.mime), Some("image/png"));
    assert!(refusal(&flood, "image/png").contains("too large"));
    // Within the side limit, over the pixel count.
    let square = png_header(10_000, 10_000);
    assert!(refusal(&square, "image/png").contains("10000 × 10000"));
    // One side too long.
    assert!(refusal(&png_header(MAX_SIDE + 1, 1), "image/png").contains("too large"));
    // GIF: a 1x1 frame on a 65535 × 65535 logical screen.
    let mut gif = encode(&noise(1, 1), ImageFormat::Gif);
    gif[6..10].copy_from_slice(&[0xFF; 4]);
    let why = refusal(&gif, "image/gif");
    assert!(why.contains("too large"), "{why}");
    // WebP: a 1x1 lossless image behind a VP8X header declaring a 16384 × 16384 canvas.
    let pixel = encode(&noise(1, 1), ImageFormat::WebP);
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\xff\x3f\x00\xff\x3f\x00".to_vec();
    webp.extend_from_slice(&pixel[12..]);
    let riff = (webp.len() - 8) as u32;
    webp[4..8].copy_from_slice(&riff.to_le_bytes());
    assert_eq!(sniff(&webp).map(|s| s.mime), Some("image/webp"));
    let why = refusal(&webp, "image/webp");
    assert!(why.contains("too large"), "{why}");
    // JPEG: a frame header of 60000 × 60000.
    let mut jpeg = encode(
        &DynamicImage::ImageRgb8(RgbImage::new(8, 8)),
        ImageFormat::Jpeg,
    );
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert!(refusal(&jpeg, "image/jpeg").contains("too large"));
}

#[test]
fn damaged_images_are_refused() {
    let png = encode(&noise(64, 64), ImageFormat::Png);
    let cut = &png[..png.len() / 2];
    assert!(refusal(cut, "image/png").contains("cannot be read"));
    // A PNG header followed by a page: a PNG by its header, refused by its decoding.
    let mut png_html = png[..33].to_vec();
    png_html.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(sniff(&png_html).map(|s| s.mime), Some("image/png"));
    assert!(refusal(&png_html, "image/png").contains("cannot be read"));
    let jpeg = encode(&noise(64, 64), ImageFormat::Jpeg);
    assert!(refusal(&jpeg[..40], "image/jpeg").contains("cannot be read"));
    assert!(refusal(b"GIF89a\x01\x00\x01\x00garbage", "image/gif").contains("cannot be read"));
    assert!(
        refusal(b"RIFF\x10\x00\x00\x00WEBPVP8 junkjunk", "image/webp").contains("cannot be read")
    );
    // The type the core decided is the decoder used: a PNG claimed as JPEG does not decode.
    assert!(refusal(&png, "image/jpeg").contains("cannot be read"));
}

#[test]
fn anything_but_a_raster_image_has_no_thumbnail() {
    assert_eq!(inspect(b"%PDF-1.4", "application/pdf"), Ok(None));
    assert_eq!(inspect(b"<svg/>", "image/svg+xml"), Ok(None));
    assert_eq!(inspect(b"hello", "text/plain; charset=utf-8"), Ok(None));
}

#[test]
fn an_animated_gif_shows_its_first_frame() {
    let red = RgbaImage::from_pixel(4, 4, Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(4, 4, Rgba([0, 0, 255, 255]));
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        let delay = Delay::from_numer_denom_ms(100, 1);
        encoder
            .encode_frames([
                Frame::from_parts(red, 0, 0, delay),
                Frame::from_parts(blue, 0, 0, delay),
            ])
            .unwrap();
    }
    let found = inspect(&bytes, "image/gif").unwrap().unwrap();
    let thumb = image::load_from_memory(&found.thumb).unwrap().to_rgba8();
    assert_eq!(thumb.get_pixel(2, 2), &Rgba([255, 0, 0, 255]));
}

/// A GIF whose header is also JavaScript (`GIF89a/*…*/=alert(1)//`): a GIF for the core,
/// decoded as a GIF, and what is shown inline is a PNG we encoded, not the polyglot.
#[test]
fn a_polyglot_gif_is_shown_as_our_own_png() {
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif)
        .encode_frame(Frame::new(RgbaImage::from_pixel(
            1,
            1,
            Rgba([9, 9, 9, 255]),
        )))
        .unwrap();
    // The width bytes become "/*" (10799 wide): the rest is a comment until "*/".
    gif[6..8].copy_from_slice(b"/*");
    let trailer = gif.len() - 1;
    let js = b"*/=alert(1);//";
    let comment = [&[0x21, 0xFE, js.len() as u8][..], js, &[0]].concat();
    gif.splice(trailer..trailer, comment);
    assert_eq!(sniff(&gif).map(|s| s.mime), Some("image/gif"));
    let found = inspect(&gif, "image/gif").unwrap().unwrap();
    assert_eq!(found.width, 10799);
    assert_eq!(thumb_mime(&found.thumb), "image/png");
    assert!(!found.thumb.windows(5).any(|w| w == b"alert"));
}

//! Uploaded pictures (avatars, article images): the type and size limits, the picture's
//! dimensions read from its header and checked before any of it is decoded (a small file
//! can declare a huge picture, and decoding takes memory by the pixel), decoding with a
//! memory cap, at most two decodes at once on a node, and re-encoding to JPEG, which drops
//! every piece of metadata, EXIF location included. What to do with the picture in
//! between (crop it square, shrink it to a column) is the caller's.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::{AppError, AppResult};

/// The largest upload taken.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most pixels decoded: 20 megapixels, more than a phone camera's 12.
pub const MAX_PIXELS: u64 = 20_000_000;
/// The longest side decoded, whatever the pixel count.
pub const MAX_SIDE: u32 = 10_000;
/// Memory one decode may allocate: 20 megapixels at 4 bytes, with room to spare.
const MAX_ALLOC: u64 = 100 * 1024 * 1024;
/// Pictures decoded at once on a node. One more at the same moment is refused with a
/// "retry in a moment" rather than queued: the limit bounds decoding memory whatever
/// the number of uploads.
const DECODES_AT_ONCE: usize = 2;
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);

/// Checks and decodes an uploaded JPEG, PNG or WebP; each refusal is a validation error
/// on the form field `field`, in words for the person uploading.
pub fn decode(bytes: &[u8], field: &str) -> AppResult<DynamicImage> {
    if bytes.is_empty() {
        return Err(AppError::field(field, "Choose an image file to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field(field, "That image is larger than 5 MB. Choose a smaller one."));
    }
    let format = match image::guess_format(bytes).ok() {
        Some(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => f,
        _ => return Err(AppError::field(field, "Upload a JPEG, PNG or WebP image.")),
    };
    let unreadable = |_| AppError::field(field, "We could not read that image. Try another file.");
    let (width, height) = reader(bytes, format).into_dimensions().map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width.max(height) > MAX_SIDE {
        return Err(AppError::field(
            field,
            format!(
                "That image is {width} × {height} pixels; the largest we take is 20 megapixels \
                 (5000 × 4000, say). Choose a smaller one."
            ),
        ));
    }
    reader(bytes, format).decode().map_err(unreadable)
}

/// A reader of `bytes` that allocates at most [`MAX_ALLOC`], whatever the file says.
fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader
}

/// The picture as a JPEG of quality 85, without any of the original's metadata.
pub fn jpeg(img: &DynamicImage) -> AppResult<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img.to_rgb8())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out)
}

/// Runs `work` (a decode and re-encode) on a blocking thread, at most [`DECODES_AT_ONCE`]
/// at a time on this node; when all are busy the upload is refused at once (429, retry
/// in two seconds).
pub async fn on_decoder<T: Send + 'static>(work: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    let permit = DECODES.try_acquire().map_err(|_| AppError::RateLimited { retry_after_secs: 2 })?;
    tokio::task::spawn_blocking(move || {
        let _decoding = permit;
        work()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

//! Avatars: size and type limits, resized to a square, re-encoded (which drops every
//! piece of metadata, EXIF location included).

use std::io::Cursor;
use std::path::PathBuf;

use image::{ImageFormat, ImageReader, Limits};
use kernel::ids::MemberId;
use kernel::secret::random_token;
use kernel::{AppError, AppResult, AppState};

pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const SIDE: u32 = 256;

/// The most pixels decoded: 20 megapixels, more than a phone camera's 12. A picture's
/// header says its size, and a larger one is refused before any of it is decoded: a
/// small file can declare a huge picture, and decoding takes memory by the pixel.
pub const MAX_PIXELS: u64 = 20_000_000;
/// The longest side decoded, whatever the pixel count.
const MAX_SIDE: u32 = 10_000;
/// Memory one decode may allocate: 20 megapixels at 4 bytes, with room to spare.
const MAX_ALLOC: u64 = 100 * 1024 * 1024;
/// Pictures decoded at once on a node. One more at the same moment is refused with a
/// "retry in a moment" rather than queued: the limit bounds decoding memory whatever
/// the number of uploads.
const DECODES_AT_ONCE: usize = 2;
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);

fn dir(state: &AppState) -> PathBuf {
    state.config.uploads_dir().join("avatars")
}

/// Checks, resizes and re-encodes an uploaded image to a JPEG; the bytes to store.
pub fn process(bytes: &[u8]) -> AppResult<Vec<u8>> {
    if bytes.is_empty() {
        return Err(AppError::field("avatar", "Choose an image file to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field("avatar", "That image is larger than 5 MB. Choose a smaller one."));
    }
    let format = image::guess_format(bytes).ok();
    if !matches!(format, Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) {
        return Err(AppError::field("avatar", "Upload a JPEG, PNG or WebP image."));
    }
    let format = format.unwrap_or(ImageFormat::Png);
    let unreadable = |_| AppError::field("avatar", "We could not read that image. Try another file.");
    let (width, height) = reader(bytes, format).into_dimensions().map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width.max(height) > MAX_SIDE {
        return Err(AppError::field(
            "avatar",
            format!(
                "That image is {width} × {height} pixels; the largest we take is 20 megapixels \
                 (5000 × 4000, say). Choose a smaller one."
            ),
        ));
    }
    let img = reader(bytes, format).decode().map_err(unreadable)?;
    let square = img.resize_to_fill(SIDE, SIDE, image::imageops::FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&square)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out)
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

/// [`process`] on a blocking thread, at most [`DECODES_AT_ONCE`] at a time on this node;
/// when all are busy the upload is refused at once (429, retry in two seconds).
pub async fn process_limited(bytes: axum::body::Bytes) -> AppResult<Vec<u8>> {
    let permit = DECODES.try_acquire().map_err(|_| AppError::RateLimited { retry_after_secs: 2 })?;
    tokio::task::spawn_blocking(move || {
        let _decoding = permit;
        process(&bytes)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

/// Stores a processed avatar and points the member at it; the old file is removed.
pub async fn save(state: &AppState, member: MemberId, jpeg: Vec<u8>) -> AppResult<()> {
    let dir = dir(state);
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
    let name = format!("{member}-{}.jpg", random_token(6));
    tokio::fs::write(dir.join(&name), jpeg).await.map_err(|e| AppError::Internal(e.into()))?;
    let old = crate::profile::set_avatar(state, member, Some(&name)).await?;
    if let Some(old) = old {
        remove_file(state, &old).await;
    }
    Ok(())
}

/// Removes the avatar entirely.
pub async fn clear(state: &AppState, member: MemberId) -> AppResult<()> {
    if let Some(old) = crate::profile::set_avatar(state, member, None).await? {
        remove_file(state, &old).await;
    }
    Ok(())
}

pub async fn read(state: &AppState, file: &str) -> AppResult<Vec<u8>> {
    tokio::fs::read(dir(state).join(safe_name(file)?)).await.map_err(|_| AppError::NotFound)
}

pub async fn remove_file(state: &AppState, file: &str) {
    if let Ok(name) = safe_name(file) {
        let _ = tokio::fs::remove_file(dir(state).join(name)).await;
    }
}

/// Stored names are ours, but never let one climb out of the folder.
fn safe_name(file: &str) -> AppResult<&str> {
    if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
        return Err(AppError::NotFound);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_squared_and_reencoded_and_junk_refused() {
        let img = image::RgbImage::from_pixel(640, 480, image::Rgb([200, 30, 30]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let out = process(&png).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (SIDE, SIDE));
        assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
        assert!(process(b"GIF89a not allowed").is_err());
        assert!(process(b"<svg onload=alert(1)>").is_err());
        assert!(process(&[]).is_err());
    }
}

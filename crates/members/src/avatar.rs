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
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format.unwrap_or(ImageFormat::Png));
    let mut limits = Limits::default();
    limits.max_image_width = Some(8000);
    limits.max_image_height = Some(8000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img =
        reader.decode().map_err(|_| AppError::field("avatar", "We could not read that image. Try another file."))?;
    let square = img.resize_to_fill(SIDE, SIDE, image::imageops::FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&square)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out)
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

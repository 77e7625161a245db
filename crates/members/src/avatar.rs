//! Avatars: size and type limits, resized to a square, re-encoded (which drops every
//! piece of metadata, EXIF location included).

use std::path::PathBuf;

use kernel::ids::MemberId;
use kernel::secret::random_token;
use kernel::{AppError, AppResult, AppState};

/// The side of the square an avatar is cropped to. The upload's limits (5 MB, 20
/// megapixels, JPEG, PNG or WebP) are `kernel::image`'s.
pub const SIDE: u32 = 256;

fn dir(state: &AppState) -> PathBuf {
    state.config.uploads_dir().join("avatars")
}

/// Checks, resizes and re-encodes an uploaded image to a JPEG; the bytes to store.
pub fn process(bytes: &[u8]) -> AppResult<Vec<u8>> {
    let img = kernel::image::decode(bytes, "avatar")?;
    let square = img.resize_to_fill(SIDE, SIDE, image::imageops::FilterType::Triangle);
    kernel::image::jpeg(&square)
}

/// [`process`] on a blocking thread, at most two at a time on this node (with every other
/// picture being decoded); when all are busy the upload is refused at once (429, retry
/// in two seconds).
pub async fn process_limited(bytes: axum::body::Bytes) -> AppResult<Vec<u8>> {
    kernel::image::on_decoder(move || process(&bytes)).await
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
    use std::io::Cursor;

    use image::ImageFormat;

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

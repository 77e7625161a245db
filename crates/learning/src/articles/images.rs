//! Images in articles: uploaded by the author, checked and re-encoded like avatars
//! (`kernel::image`: limits read from the header before decoding, at most two decodes at
//! once on a node, re-encoded to JPEG, which drops every piece of metadata, EXIF location
//! included), kept in their proportions but shrunk to a page column, stored under the
//! uploads folder and served to whoever may read the article they belong to.

use std::path::{Path, PathBuf};

use kernel::config::Config;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, db, params};
use uuid::Uuid;

use super::policy;
use super::store;

/// The widest an image is kept: enough for a page column on a large screen.
const MAX_WIDTH: u32 = 1600;
/// Images one article may hold.
const PER_ARTICLE: i64 = 20;

pub(crate) fn dir(config: &Config) -> PathBuf {
    config.uploads_dir().join("articles")
}

fn refused(message: &str) -> AppError {
    AppError::field("image", message.to_string())
}

/// Checks, shrinks to at most [`MAX_WIDTH`] wide and re-encodes an uploaded image.
pub(crate) fn process(bytes: &[u8]) -> AppResult<Vec<u8>> {
    let mut img = kernel::image::decode(bytes, "image")?;
    if img.width() > MAX_WIDTH {
        img = img.resize(MAX_WIDTH, kernel::image::MAX_SIDE, image::imageops::FilterType::Triangle);
    }
    kernel::image::jpeg(&img)
}

/// Adds an image to the author's own article (while they may edit it); the Markdown
/// that shows it, to paste into the text.
pub(crate) async fn upload(state: &AppState, viewer: &Viewer, id: Uuid, bytes: axum::body::Bytes) -> AppResult<String> {
    let row = store::authored(state.db.reader(), viewer, id).await?;
    if !row.status().author_may_edit() {
        return Err(refused("Images can be added while the article is a draft or changes are requested."));
    }
    let held: Option<i64> =
        state.db.scalar("SELECT COUNT(*) FROM article_images WHERE article_id = $1", params![id]).await?;
    if held.unwrap_or(0) >= PER_ARTICLE {
        return Err(refused("An article holds at most 20 images."));
    }
    let jpeg = kernel::image::on_decoder(move || process(&bytes)).await?;
    let folder = dir(&state.config);
    tokio::fs::create_dir_all(&folder).await.map_err(|e| AppError::Internal(e.into()))?;
    let file = format!("{}.jpg", Uuid::now_v7());
    tokio::fs::write(folder.join(&file), jpeg).await.map_err(|e| AppError::Internal(e.into()))?;
    let markdown = format!("![Describe the image](/articles/images/{file})");
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO article_images (id, article_id, file, created_at) VALUES ($1, $2, $3, $4)",
        params![Uuid::now_v7(), id, file.clone(), now()],
    )
    .await?;
    // Added at the end of the text, where the author sees it and moves it.
    db::exec(
        &tx,
        "UPDATE articles SET body = body || $1, updated_at = $2 WHERE id = $3",
        params![format!("\n\n{markdown}"), now(), id],
    )
    .await?;
    tx.commit().await?;
    Ok(markdown)
}

/// An image's bytes, for whoever may read its article (404 for anyone else).
pub(crate) async fn read(state: &AppState, viewer: &Viewer, file: &str) -> AppResult<Vec<u8>> {
    if !super::text::is_image_file(file) {
        return Err(AppError::NotFound);
    }
    let article: Option<Uuid> =
        state.db.scalar("SELECT article_id FROM article_images WHERE file = $1", params![file.to_string()]).await?;
    let row = store::by_id(state.db.reader(), article.ok_or(AppError::NotFound)?).await?;
    if !policy::may_read(viewer, &row.access()) {
        return Err(AppError::NotFound);
    }
    tokio::fs::read(dir(&state.config).join(file)).await.map_err(|_| AppError::NotFound)
}

/// Removes stored files (after their rows are gone); a file already gone is fine.
pub(crate) async fn remove_files(folder: &Path, files: &[String]) {
    for f in files.iter().filter(|f| super::text::is_image_file(f)) {
        let _ = tokio::fs::remove_file(folder.join(f)).await;
    }
}

/// The files of `articles`' images, read before the rows are deleted.
pub(crate) async fn files_of_author<C: sea_orm::ConnectionTrait>(
    c: &C,
    author: kernel::ids::MemberId,
) -> Result<Vec<String>, sea_orm::DbErr> {
    db::column(
        c,
        "SELECT i.file FROM article_images i JOIN articles a ON a.id = i.article_id WHERE a.author_id = $1",
        params![author],
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::ImageFormat;

    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([20, 120, 200]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn images_keep_their_shape_shrink_to_the_column_and_become_jpeg() {
        let out = process(&png(3200, 800)).unwrap();
        assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (MAX_WIDTH, 400));
        let small = image::load_from_memory(&process(&png(300, 200)).unwrap()).unwrap();
        assert_eq!((small.width(), small.height()), (300, 200));
    }

    #[test]
    fn junk_and_other_formats_are_refused() {
        for bad in [&b"GIF89a nope"[..], b"<svg onload=alert(1)>", b""] {
            assert!(process(bad).is_err());
        }
    }
}

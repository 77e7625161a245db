//! The articles' pages, plain HTML forms that work without JavaScript: the public list
//! and article pages with their feeds (`public.rs`), the author's desk — my articles,
//! the editor, images, submitting (`author.rs`) — and the editors' queue and review
//! (`editorial.rs`).

mod author;
mod editorial;
mod public;

use axum::Router;
use axum::routing::{get, post};
use kernel::AppState;

use super::feed;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(public::list_page))
        .route("/articles/feed.atom", get(feed::site_feed))
        .route("/articles/authors/{id}/feed.atom", get(feed::author_feed))
        .route("/articles/mine", get(author::mine_page))
        .route("/articles/new", get(author::new_page).post(author::new_submit))
        .route("/articles/images/{file}", get(public::image))
        .route("/articles/{id}/edit", get(author::edit_page).post(author::edit_submit))
        .route("/articles/{id}/submit", post(author::submit))
        .route("/articles/{id}/images", post(author::image_upload))
        .route("/articles/{id}/delete", post(author::delete))
        .route("/articles/{slug}", get(public::article_page))
        .route("/admin/articles", get(editorial::queue_page))
        .route("/admin/articles/{id}", get(editorial::review_page))
        .route("/admin/articles/{id}/comments", post(editorial::comment_submit))
        .route("/admin/articles/{id}/status", post(editorial::status_submit))
}

/// A moment as people read it on these pages (UTC).
pub(crate) fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// A day as people read it.
pub(crate) fn day(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

//! The author's side: writing a draft, revising it, and submitting it to the editors.
//! One set of rules and messages for the API and the form, so the form can show each
//! message beside its field and keep what was typed.

use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, db, params};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Status;
use super::store::{self, ArticleRow};
use super::text;

pub(crate) const TITLE_MAX: usize = 160;
pub(crate) const BODY_MAX: usize = 60_000;
/// Drafts a member may hold at once that are not yet published, so one account cannot
/// fill the database.
const OPEN_DRAFTS_MAX: i64 = 50;

/// An article's title and text (Markdown).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleInput {
    /// 3 to 160 characters.
    pub title: String,
    /// Markdown, up to 60,000 characters; blank lines separate paragraphs.
    pub body: String,
}

/// Checks a title and text; each problem against its field.
pub(crate) fn validate(input: &ArticleInput) -> Result<ArticleInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = input.title.trim().to_string();
    e.check_length("title", &title, 3..=TITLE_MAX, "Give a title of 3 to 160 characters.");
    if title.chars().any(char::is_control) {
        e.add("title", "Keep the title to one line of text.");
    }
    if input.body.trim().is_empty() {
        e.add("body", "Write the article's text.");
    } else if input.body.chars().count() > BODY_MAX {
        e.add("body", "Keep the article under 60,000 characters.");
    }
    if input.body.contains('\0') {
        e.add("body", "The text holds a character we cannot store.");
    }
    if e.is_empty() { Ok(ArticleInput { title, body: input.body.replace("\r\n", "\n") }) } else { Err(e) }
}

/// Starts a draft by `me`; its id.
pub(crate) async fn create(state: &AppState, me: MemberId, input: &ArticleInput) -> AppResult<Uuid> {
    let clean = validate(input).map_err(AppError::Validation)?;
    let tx = state.db.begin().await?;
    let open: Option<i64> =
        db::scalar(&tx, "SELECT COUNT(*) FROM articles WHERE author_id = $1 AND published_at IS NULL", params![me])
            .await?;
    if open.unwrap_or(0) >= OPEN_DRAFTS_MAX {
        return Err(AppError::conflict(
            "too_many_drafts",
            "You have 50 unpublished articles; finish or delete some first.",
        ));
    }
    let id = Uuid::now_v7();
    let t = now();
    let slug = format!("{}-{}", text::slug_base(&clean.title), slug_suffix());
    db::exec(
        &tx,
        "INSERT INTO articles (id, author_id, title, slug, body, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6)",
        params![id, me, clean.title, slug, clean.body, t],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A random tail that keeps two articles of the same title apart in their addresses.
fn slug_suffix() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// The slug's random tail, kept when the title (and so the slug) changes.
fn slug_tail(slug: &str) -> &str {
    slug.rsplit_once('-').map(|(_, t)| t).unwrap_or(slug)
}

/// Revises the author's own article while it is a draft or sent back for changes. The
/// address follows the title until the article is first published, then stays.
pub(crate) async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: &ArticleInput) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let row = store::authored(&tx, viewer, id).await?;
    let clean = validate(input).map_err(AppError::Validation)?;
    if !row.status().author_may_edit() {
        return Err(not_editable(&row));
    }
    let slug = match row.published_at {
        Some(_) => row.slug.clone(),
        None => format!("{}-{}", text::slug_base(&clean.title), slug_tail(&row.slug)),
    };
    let n = db::exec(
        &tx,
        "UPDATE articles SET title = $1, body = $2, slug = $3, updated_at = $4 WHERE id = $5 AND status = $6",
        params![clean.title, clean.body, slug, now(), id, row.status.clone()],
    )
    .await?;
    if n != 1 {
        return Err(not_editable(&row));
    }
    tx.commit().await?;
    Ok(())
}

fn not_editable(row: &ArticleRow) -> AppError {
    AppError::conflict(
        "not_editable",
        format!(
            "The article is {}; you can change it while it is a draft or when changes are requested.",
            row.status().label().to_lowercase()
        ),
    )
}

/// Sends the author's draft or revision to the editors.
pub(crate) async fn submit(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let row = store::authored(&tx, viewer, id).await?;
    let from = row.status();
    if !from.author_may_edit() {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("The article is {}; only a draft or a revision can be submitted.", from.label().to_lowercase()),
        ));
    }
    let n = db::exec(
        &tx,
        "UPDATE articles SET status = 'submitted', updated_at = $1 WHERE id = $2 AND status = $3",
        params![now(), id, from.as_str()],
    )
    .await?;
    if n != 1 {
        return Err(AppError::conflict("invalid_transition", "The article changed meanwhile; reload it."));
    }
    db::exec(
        &tx,
        "INSERT INTO article_comments (id, article_id, author_id, paragraph, status_change, body, created_at) \
         VALUES ($1, $2, $3, NULL, $4, '', $5)",
        params![Uuid::now_v7(), id, row.author_id, Status::Submitted.as_str(), now()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the author's own article before it is ever published (with its comments and
/// images); the files go once the rows have.
pub(crate) async fn delete(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let row = store::authored(&tx, viewer, id).await?;
    if row.published_at.is_some() || !row.status().author_may_edit() {
        return Err(not_editable(&row));
    }
    let files: Vec<String> =
        db::column(&tx, "SELECT file FROM article_images WHERE article_id = $1", params![id]).await?;
    db::exec(&tx, "DELETE FROM articles WHERE id = $1", params![id]).await?;
    tx.commit().await?;
    super::images::remove_files(&super::images::dir(&state.config), &files).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_texts_are_bounded_and_reported_by_field() {
        let e = validate(&ArticleInput { title: "x".into(), body: " ".into() }).unwrap_err();
        assert!(e.get("title").is_some() && e.get("body").is_some());
        let long = ArticleInput { title: "Fine title".into(), body: "a".repeat(BODY_MAX + 1) };
        assert!(validate(&long).unwrap_err().get("body").is_some());
        let ok = validate(&ArticleInput { title: "  My year  ".into(), body: "Line\r\nline".into() }).unwrap();
        assert_eq!((ok.title.as_str(), ok.body.as_str()), ("My year", "Line\nline"));
    }
}

//! The editors' pages (staff; 404 to everyone else): the queue by status, and the review
//! of one article — its paragraphs numbered with their inline comments, the whole
//! conversation, a comment form (on the whole or one paragraph) and the status change.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use contracts::members::directory;
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id, redirect};
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::super::access::editor;
use super::super::editorial::{self, NewComment, StatusChange};
use super::super::model::Status;
use super::super::store::{self, ArticleRow};
use super::super::text;
use super::author::{CommentLine, comment_lines};
use super::when;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "editorial_queue.html")]
struct QueuePage {
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// (row, author name, last change)
    rows: Vec<(ArticleRow, String, String)>,
    showing: &'static str,
}

/// The queue's tabs: waiting (submitted and in review) first.
const TABS: [(&str, &str); 6] = [
    ("waiting", "Waiting for editors"),
    ("changes_requested", "Changes requested"),
    ("scheduled", "Scheduled"),
    ("published", "Published"),
    ("featured", "Featured"),
    ("draft", "Drafts"),
];

pub(crate) async fn queue_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<QueueQuery>) -> AppResult<Response> {
    editor(&ctx.viewer)?;
    let tab = TABS.iter().find(|(k, _)| Some(*k) == q.status.as_deref()).copied().unwrap_or(TABS[0]);
    let statuses = match Status::parse(tab.0) {
        Some(s) => vec![s],
        None => vec![Status::Submitted, Status::InReview],
    };
    let found = store::queue(&state.db, &ctx.viewer, &statuses).await?;
    let ids: Vec<_> = found.iter().map(|r| r.author_id).collect();
    let names = directory(&state)?.display_names((&state.db).into(), &ids).await?;
    let rows = found
        .into_iter()
        .map(|r| {
            let name = names.get(&r.author_id).cloned().unwrap_or_else(|| "A member".into());
            let at = when(&r.updated_at);
            (r, name, at)
        })
        .collect();
    let page = QueuePage { tabs: TABS.iter().map(|(k, l)| (*k, *l, *k == tab.0)).collect(), rows, showing: tab.1 };
    Ok(ui::page(&state, &ctx, "Editorial queue", "/admin/articles", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "editorial_review.html")]
struct ReviewPage<'a> {
    a: ArticleRow,
    author_name: String,
    status_label: &'static str,
    csrf: &'a str,
    /// (number, HTML, its comments)
    paragraphs: Vec<(i64, String, Vec<CommentLine>)>,
    general: Vec<CommentLine>,
    moves: Vec<(&'static str, &'static str)>,
    summary: String,
    comment_fields: String,
    status_fields: String,
    typed_paragraph: String,
    typed_status: String,
    typed_publish_at: String,
    paragraph_error: Option<String>,
    status_error: Option<String>,
    publish_error: Option<String>,
}

/// What an editor typed into the review page's two forms.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReviewForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    publish_at: String,
}

async fn render_review(
    state: &AppState,
    ctx: &RequestContext,
    a: ArticleRow,
    typed: &ReviewForm,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let names = directory(state)?.display_names((&state.db).into(), &[a.author_id]).await?;
    let (general, mut inline) = comment_lines(state, store::comments(&state.db, a.id).await?).await?;
    let paragraphs = text::paragraphs(&a.body)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i as i64 + 1;
            let mine = inline.extract_if(.., |(k, _)| *k == n).map(|(_, l)| l).collect();
            (n, text::paragraph_html(p), mine)
        })
        .collect();
    let comment_fields = Field::new("body", "Comment", &typed.body, Input::TextArea).errors(errors).html();
    let status_fields = Field::new("comment", "Note to the author", &typed.comment, Input::TextArea)
        .hint("Required when asking for changes; the author sees it.")
        .errors(errors)
        .html();
    let page = ReviewPage {
        author_name: names.get(&a.author_id).cloned().unwrap_or_else(|| "A member".into()),
        status_label: a.status().label(),
        csrf: &ctx.csrf,
        paragraphs,
        general,
        moves: a.status().editor_moves().iter().map(|s| (s.as_str(), s.label())).collect(),
        summary: error_summary(errors),
        comment_fields,
        status_fields,
        typed_paragraph: typed.paragraph.clone(),
        typed_status: typed.status.clone(),
        typed_publish_at: typed.publish_at.clone(),
        paragraph_error: errors.get("paragraph").map(String::from),
        status_error: errors.get("status").map(String::from),
        publish_error: errors.get("publish_at").map(String::from),
        a,
    };
    let title = format!("Review: {}", page.a.title);
    Ok((errors.page_status(), ui::page(state, ctx, &title, "/admin/articles", &ui::render(&page))).into_response())
}

pub(crate) async fn review_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    editor(&ctx.viewer)?;
    let a = store::by_id(state.db.reader(), path_id(&id)?).await?;
    render_review(&state, &ctx, a, &ReviewForm::default(), &FieldErrors::new()).await
}

pub(crate) async fn comment_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ReviewForm>,
) -> AppResult<Response> {
    let me = editor(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let a = store::by_id(state.db.reader(), id).await?;
    let paragraph = match f.paragraph.trim() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return render_review(&state, &ctx, a, &f, &one("paragraph", "Choose a paragraph from the list."))
                    .await;
            }
        },
    };
    match editorial::comment(&state, me.id, id, &NewComment { body: f.body.clone(), paragraph }).await {
        Ok(_) => Ok(redirect(&format!("/admin/articles/{id}#comments-h"))),
        Err(AppError::Validation(e)) => render_review(&state, &ctx, a, &f, &e).await,
        Err(e) => Err(e),
    }
}

fn one(field: &str, message: &str) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(field, message);
    e
}

pub(crate) async fn status_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ReviewForm>,
) -> AppResult<Response> {
    let me = editor(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let a = store::by_id(state.db.reader(), id).await?;
    let change = StatusChange {
        status: f.status.clone(),
        comment: Some(f.comment.clone()),
        publish_at: Some(f.publish_at.clone()),
    };
    match editorial::set_status(&state, me.id, id, &change).await {
        Ok(_) => Ok(redirect(&format!("/admin/articles/{id}"))),
        Err(AppError::Validation(e)) => render_review(&state, &ctx, a, &f, &e).await,
        Err(AppError::Conflict { message, .. }) => render_review(&state, &ctx, a, &f, &one("status", &message)).await,
        Err(e) => Err(e),
    }
}

//! The author's pages: my articles, a new one, the editor (with the editors' comments,
//! inline ones beside their paragraph), images, submitting and deleting a draft. Forms
//! re-render with what was typed and each message beside its field.

use askama::Template;
use axum::extract::{Multipart, Path};
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, login_redirect, path_id, redirect};
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::super::drafting::{self, ArticleInput};
use super::super::store::{self, ArticleRow, CommentRow};
use super::super::{images, text};
use super::when;

#[derive(Template)]
#[template(path = "article_mine.html")]
struct MinePage {
    rows: Vec<ArticleRow>,
}

impl MinePage {
    fn label(&self, a: &ArticleRow) -> &'static str {
        a.status().label()
    }
    fn editable(&self, a: &ArticleRow) -> bool {
        a.status().author_may_edit()
    }
    fn changed(&self, a: &ArticleRow) -> String {
        when(&a.updated_at)
    }
}

pub(crate) async fn mine_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/articles/mine")) };
    let page = MinePage { rows: store::mine(&state.db, me.id).await? };
    Ok(ui::page(&state, &ctx, "My articles", "/articles", &ui::render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ArticleForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// "submit" to save and send to the editors at once.
    #[serde(default)]
    then: String,
}

impl EditPage<'_> {
    /// Whether the form is shown: the author may change the article now.
    fn editable(&self) -> bool {
        self.a.as_ref().is_some_and(|a| a.status().author_may_edit())
    }
}

#[derive(Template)]
#[template(path = "article_edit.html")]
struct EditPage<'a> {
    /// None for a new article.
    a: Option<ArticleRow>,
    status_label: &'static str,
    summary: String,
    fields: String,
    csrf: &'a str,
    /// (number, paragraph HTML, comments on it)
    paragraphs: Vec<(i64, String, Vec<CommentLine>)>,
    general: Vec<CommentLine>,
    image_error: Option<String>,
    notice: Option<&'a str>,
}

/// A comment as the author reads it.
pub(crate) struct CommentLine {
    pub by: String,
    pub at: String,
    pub change: Option<&'static str>,
    pub body: String,
}

/// The editors' comments in lines, the general ones and those of each paragraph.
pub(crate) async fn comment_lines(
    state: &AppState,
    comments: Vec<CommentRow>,
) -> AppResult<(Vec<CommentLine>, Vec<(i64, CommentLine)>)> {
    let ids: Vec<_> = comments.iter().map(|c| c.author_id).collect();
    let names = contracts::members::directory(state)?.display_names((&state.db).into(), &ids).await?;
    let (mut general, mut inline) = (Vec::new(), Vec::new());
    for c in comments {
        let line = CommentLine {
            by: names.get(&c.author_id).cloned().unwrap_or_else(|| "A member".into()),
            at: when(&c.created_at),
            change: c.status_change.as_deref().and_then(super::super::model::Status::parse).map(|s| s.label()),
            body: c.body,
        };
        match c.paragraph {
            Some(p) => inline.push((p, line)),
            None => general.push(line),
        }
    }
    Ok((general, inline))
}

async fn render_edit(
    state: &AppState,
    ctx: &RequestContext,
    a: Option<ArticleRow>,
    typed: &ArticleForm,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Response> {
    let fields = [
        Field::new("title", "Title", &typed.title, Input::Text).errors(errors).required().html(),
        Field::new("body", "Text", &typed.body, Input::TextArea)
            .hint("Markdown: a blank line starts a new paragraph; **bold**, *italic*, [links](https://example.org). Images you upload are added at the end.")
            .errors(errors)
            .required()
            .html(),
    ]
    .concat();
    let (general, mut inline) = match &a {
        Some(a) => comment_lines(state, store::comments(&state.db, a.id).await?).await?,
        None => (vec![], vec![]),
    };
    let source = a.as_ref().map(|a| a.body.clone()).unwrap_or_default();
    let paragraphs = text::paragraphs(&source)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i as i64 + 1;
            let mine: Vec<CommentLine> = inline.extract_if(.., |(k, _)| *k == n).map(|(_, l)| l).collect();
            (n, text::paragraph_html(p), mine)
        })
        .filter(|(_, _, c)| !c.is_empty())
        .collect();
    let page = EditPage {
        status_label: a.as_ref().map(|a| a.status().label()).unwrap_or("New"),
        a,
        summary: error_summary(errors),
        fields,
        csrf: &ctx.csrf,
        paragraphs,
        general,
        image_error: errors.get("image").map(String::from),
        notice,
    };
    let title = if page.a.is_some() { "Edit your article" } else { "Write an article" };
    Ok((errors.page_status(), ui::page(state, ctx, title, "/articles", &ui::render(&page))).into_response())
}

pub(crate) async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect("/articles/new"));
    }
    render_edit(&state, &ctx, None, &ArticleForm::default(), &FieldErrors::new(), None).await
}

pub(crate) async fn new_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<ArticleForm>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let input = ArticleInput { title: f.title.clone(), body: f.body.clone() };
    match drafting::create(&state, me.id, &input).await {
        Ok(id) => Ok(redirect(&format!("/articles/{id}/edit?done=saved"))),
        Err(AppError::Validation(e)) => render_edit(&state, &ctx, None, &f, &e, None).await,
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

fn notice_of(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "saved" => Some("Your article is saved."),
        "image" => Some(
            "The image was added at the end of your text. Describe it in the brackets and move it where it belongs.",
        ),
        "submitted" => Some("Your article was sent to the editors. They will comment here."),
        _ => None,
    }
}

pub(crate) async fn edit_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<Done>,
) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect(&format!("/articles/{id}/edit")));
    }
    let a = store::authored(state.db.reader(), &ctx.viewer, path_id(&id)?).await?;
    let typed = ArticleForm { title: a.title.clone(), body: a.body.clone(), then: String::new() };
    render_edit(&state, &ctx, Some(a), &typed, &FieldErrors::new(), notice_of(q.done.as_deref())).await
}

pub(crate) async fn edit_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ArticleForm>,
) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let a = store::authored(state.db.reader(), &ctx.viewer, id).await?;
    let input = ArticleInput { title: f.title.clone(), body: f.body.clone() };
    let saved = drafting::update(&state, &ctx.viewer, id, &input).await;
    let errors = match saved {
        Ok(()) if f.then == "submit" => return submit_and_show(&state, &ctx, id).await,
        Ok(()) => return Ok(redirect(&format!("/articles/{id}/edit?done=saved"))),
        Err(AppError::Validation(e)) => e,
        Err(AppError::Conflict { message, .. }) => one_error("body", message),
        Err(e) => return Err(e),
    };
    render_edit(&state, &ctx, Some(a), &f, &errors, None).await
}

fn one_error(field: &str, message: String) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(field, message);
    e
}

async fn submit_and_show(state: &AppState, ctx: &RequestContext, id: Uuid) -> AppResult<Response> {
    match drafting::submit(state, &ctx.viewer, id).await {
        Ok(()) => Ok(redirect(&format!("/articles/{id}/edit?done=submitted"))),
        Err(AppError::Conflict { message, .. }) => {
            let a = store::authored(state.db.reader(), &ctx.viewer, id).await?;
            let typed = ArticleForm { title: a.title.clone(), body: a.body.clone(), then: String::new() };
            let e = one_error("body", message);
            render_edit(state, ctx, Some(a), &typed, &e, None).await
        }
        Err(e) => Err(e),
    }
}

pub(crate) async fn submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    submit_and_show(&state, &ctx, path_id(&id)?).await
}

pub(crate) async fn delete(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    drafting::delete(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(redirect("/articles/mine"))
}

pub(crate) async fn image_upload(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let a = store::authored(state.db.reader(), &ctx.viewer, id).await?;
    let mut bytes = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::field("image", "The upload could not be read. Try again."))?
    {
        if field.name() == Some("image") {
            let data = field
                .bytes()
                .await
                .map_err(|_| AppError::field("image", "That image is larger than 5 MB. Choose a smaller one."))?;
            bytes = Some(data);
        }
    }
    let result = match bytes {
        Some(b) => images::upload(&state, &ctx.viewer, id, b).await,
        None => Err(AppError::field("image", "Choose an image file to upload.")),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/articles/{id}/edit?done=image"))),
        Err(AppError::Validation(e)) => {
            let typed = ArticleForm { title: a.title.clone(), body: a.body.clone(), then: String::new() };
            render_edit(&state, &ctx, Some(a), &typed, &e, None).await
        }
        Err(e) => Err(e),
    }
}

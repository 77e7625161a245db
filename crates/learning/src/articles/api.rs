//! The articles' JSON API. Fixed by the issue: `POST /api/v1/articles`,
//! `POST /api/v1/articles/{id}/submit`, `GET /api/v1/articles/{id}` (404 to anyone who
//! may not read it) and the staff `POST /api/v1/admin/articles/{id}/status`.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::page::{self, Page};
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::{api_editor, json};
use super::drafting::{self, ArticleInput};
use super::editorial::{self, Moved, NewComment, StatusChange};
use super::model::Status;
use super::store::{self, CommentRow};
use super::views::{self, ArticleSummary, ArticleView, AuthorRef};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles", get(list).post(create))
        .route("/api/v1/articles/{id}", get(get_one).put(update))
        .route("/api/v1/articles/{id}/submit", post(submit))
        .route("/api/v1/me/articles", get(mine))
        .route("/api/v1/admin/articles", get(queue))
        .route("/api/v1/admin/articles/{id}/status", post(set_status))
        .route("/api/v1/admin/articles/{id}/comments", post(comment))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, get_one, update, submit, mine, queue, set_status, comment),
    components(schemas(
        ArticleView,
        ArticleSummary,
        AuthorRef,
        ArticleInput,
        Status,
        CommentRow,
        StatusChange,
        NewComment,
        Moved,
        Commented
    ))
)]
pub(crate) struct ArticlesApi;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// Published articles, newest first (public).
#[utoipa::path(get, path = "/api/v1/articles", tag = "articles", params(ListQuery),
    responses((status = 200, body = Page<ArticleSummary>)))]
async fn list(Req { state, .. }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<Page<ArticleSummary>>> {
    let rows = store::published(&state.db, None, q.cursor.as_deref(), page::limit(q.limit)).await?;
    Ok(Json(Page { items: views::summaries(&state, rows.items).await?, next_cursor: rows.next_cursor }))
}

/// Start a draft.
#[utoipa::path(post, path = "/api/v1/articles", tag = "articles", request_body = ArticleInput, security(("bearer" = [])),
    responses((status = 201, body = ArticleView), (status = 401), (status = 409, description = "too_many_drafts"), (status = 422)))]
async fn create(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let input: ArticleInput = json(&body)?;
    let id = drafting::create(&state, me.id, &input).await?;
    let row = store::by_id(state.db.reader(), id).await?;
    Ok((StatusCode::CREATED, Json(views::view(&state, &ctx.viewer, row).await?)).into_response())
}

/// One article: published ones to anyone; drafts and articles in review only to their
/// author and the editors (404 to anyone else). `comments` only for those two.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "articles", params(("id" = Uuid, Path)),
    responses((status = 200, body = ArticleView), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<ArticleView>> {
    let row = store::readable(&state.db, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(views::view(&state, &ctx.viewer, row).await?))
}

/// Revise my article's title and text (while a draft, or when changes are requested).
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "articles", params(("id" = Uuid, Path)), request_body = ArticleInput,
    security(("bearer" = [])),
    responses((status = 200, body = ArticleView), (status = 401), (status = 404), (status = 409, description = "not_editable"), (status = 422)))]
async fn update(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<ArticleView>> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    store::authored(state.db.reader(), &ctx.viewer, id).await?;
    let input: ArticleInput = json(&body)?;
    drafting::update(&state, &ctx.viewer, id, &input).await?;
    let row = store::by_id(state.db.reader(), id).await?;
    Ok(Json(views::view(&state, &ctx.viewer, row).await?))
}

/// Submit my draft (or my revision after changes were requested) to the editors.
#[utoipa::path(post, path = "/api/v1/articles/{id}/submit", tag = "articles", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ArticleView), (status = 401), (status = 404), (status = 409, description = "invalid_transition")))]
async fn submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<ArticleView>> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    drafting::submit(&state, &ctx.viewer, id).await?;
    let row = store::by_id(state.db.reader(), id).await?;
    Ok(Json(views::view(&state, &ctx.viewer, row).await?))
}

/// My articles, whatever their status, most recently changed first.
#[utoipa::path(get, path = "/api/v1/me/articles", tag = "articles", security(("bearer" = [])),
    responses((status = 200, body = Vec<ArticleSummary>), (status = 401)))]
async fn mine(Req { state, ctx }: Req) -> AppResult<Json<Vec<ArticleSummary>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(views::summaries(&state, store::mine(&state.db, me.id).await?).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueQuery {
    /// One status (submitted, in_review, changes_requested, scheduled, …); without it, the
    /// articles waiting for editors (submitted and in review).
    #[serde(default)]
    pub status: Option<String>,
}

/// The editorial queue (staff).
#[utoipa::path(get, path = "/api/v1/admin/articles", tag = "articles (staff)", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ArticleSummary>), (status = 401), (status = 404)))]
async fn queue(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<QueueQuery>) -> AppResult<Json<Vec<ArticleSummary>>> {
    api_editor(&ctx.viewer)?;
    let statuses = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => vec![Status::parse(s).ok_or_else(|| AppError::bad_request("invalid_query", "Unknown status."))?],
        None => vec![Status::Submitted, Status::InReview],
    };
    let rows = store::queue(&state.db, &ctx.viewer, &statuses).await?;
    Ok(Json(views::summaries(&state, rows).await?))
}

/// Move an article through the workflow (staff), with a note to the author:
/// submitted → in_review, changes_requested, scheduled or published; in_review → changes_requested, scheduled
/// or published; scheduled → published or back to in_review; published → featured;
/// featured → published. `publish_at` for scheduled (now when absent). The author earns
/// points the first time it is published and the first time it is featured.
#[utoipa::path(post, path = "/api/v1/admin/articles/{id}/status", tag = "articles (staff)", params(("id" = Uuid, Path)),
    request_body = StatusChange, security(("bearer" = [])),
    responses((status = 200, body = Moved), (status = 401), (status = 404), (status = 409, description = "invalid_transition"), (status = 422)))]
async fn set_status(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Moved>> {
    let me = api_editor(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let change: StatusChange = json(&body)?;
    Ok(Json(editorial::set_status(&state, me.id, id, &change).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArticleCommented)]
pub(crate) struct Commented {
    pub id: Uuid,
}

/// Comment on an article (staff): on the whole, or on one paragraph (`paragraph`, from 1).
#[utoipa::path(post, path = "/api/v1/admin/articles/{id}/comments", tag = "articles (staff)", params(("id" = Uuid, Path)),
    request_body = NewComment, security(("bearer" = [])),
    responses((status = 201, body = Commented), (status = 401), (status = 404), (status = 422)))]
async fn comment(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = api_editor(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let c: NewComment = json(&body)?;
    let comment_id = editorial::comment(&state, me.id, id, &c).await?;
    Ok((StatusCode::CREATED, Json(Commented { id: comment_id })).into_response())
}

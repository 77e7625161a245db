//! The newsletter JSON API: the signed-in member's preferences, and the staff routes
//! for drafting an issue and previewing it as any member would receive it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use crate::assembly::{self, Edition, Item};
use crate::bounces::{self, NewsletterBounceReport, NewsletterBounceReports, NewsletterBounceResult};
use crate::delivery::{self, DeliveryFigures, IssueWithDelivery};
use crate::issues::{self, Featured, IssueEdit, IssueView, NewIssue};
use crate::preferences::{self, Preferences};
use crate::schedule::NewsletterSchedule;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/newsletter-preferences", get(get_preferences).put(put_preferences))
        .route("/api/v1/admin/newsletters", post(create_issue))
        .route("/api/v1/admin/newsletters/{id}", get(get_issue).put(edit_issue))
        .route("/api/v1/admin/newsletters/{id}/preview", get(preview))
        .route("/api/v1/admin/newsletters/{id}/schedule", post(schedule_issue))
        .route("/api/v1/admin/newsletters/{id}/send", post(send_issue))
        .route("/api/v1/newsletter/bounces", post(bounce_reports))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_preferences,
        put_preferences,
        create_issue,
        get_issue,
        edit_issue,
        preview,
        schedule_issue,
        send_issue,
        bounce_reports
    ),
    components(schemas(
        Preferences,
        NewIssue,
        IssueEdit,
        IssueView,
        Featured,
        Edition,
        Item,
        NewsletterSchedule,
        crate::assembly::NewsletterPoints,
        IssueWithDelivery,
        DeliveryFigures,
        NewsletterBounceReport,
        NewsletterBounceReports,
        NewsletterBounceResult
    ))
)]
pub(crate) struct NewsletterApi;

use kernel::viewer::api_staff;

/// Drafts the issue of an ISO week.
#[utoipa::path(post, path = "/api/v1/admin/newsletters", tag = "newsletter", security(("bearer" = [])),
    request_body = NewIssue,
    responses((status = 201, body = IssueView), (status = 400), (status = 401), (status = 404),
        (status = 409, description = "week_taken"), (status = 422)))]
async fn create_issue(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = api_staff(&ctx.viewer)?;
    let new: NewIssue = kernel::http::json(&body)?;
    let id = issues::create(&state, me.id, &new).await?;
    Ok((StatusCode::CREATED, Json(issues::get(&state, id).await?)).into_response())
}

/// One issue, with its delivery figures (sent / total, rate, errors).
#[utoipa::path(get, path = "/api/v1/admin/newsletters/{id}", tag = "newsletter", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = IssueWithDelivery), (status = 401), (status = 404)))]
async fn get_issue(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<IssueWithDelivery>> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let issue = issues::get(&state, id).await?;
    Ok(Json(IssueWithDelivery { issue, delivery: delivery::figures(&state, id).await? }))
}

/// Sends the issue now to every verified member who receives the weekly issue, each
/// exactly once; progress shows in the issue's delivery figures.
#[utoipa::path(post, path = "/api/v1/admin/newsletters/{id}/send", tag = "newsletter", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 202, body = IssueWithDelivery), (status = 401), (status = 404),
        (status = 409, description = "already_sent")))]
async fn send_issue(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    delivery::start(&state, id, None).await?;
    let issue = issues::get(&state, id).await?;
    let body = IssueWithDelivery { issue, delivery: delivery::figures(&state, id).await? };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// Bounce and complaint reports from the mail provider (a webhook, with a staff API
/// token): each address is never written to again, and its member is told on their
/// next visit.
#[utoipa::path(post, path = "/api/v1/newsletter/bounces", tag = "newsletter", security(("bearer" = [])),
    request_body = NewsletterBounceReports,
    responses((status = 200, body = NewsletterBounceResult), (status = 400), (status = 401), (status = 404),
        (status = 422)))]
async fn bounce_reports(Req { state, ctx }: Req, body: Bytes) -> AppResult<Json<NewsletterBounceResult>> {
    api_staff(&ctx.viewer)?;
    let reports: NewsletterBounceReports = kernel::http::json(&body)?;
    Ok(Json(bounces::record(&state.db, &reports).await?))
}

/// Edits a draft's intro and featured links.
#[utoipa::path(put, path = "/api/v1/admin/newsletters/{id}", tag = "newsletter", params(("id" = Uuid, Path)),
    request_body = IssueEdit, security(("bearer" = [])),
    responses((status = 200, body = IssueView), (status = 400), (status = 401), (status = 404),
        (status = 409, description = "not_a_draft"), (status = 422)))]
async fn edit_issue(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<IssueView>> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let edit: IssueEdit = kernel::http::json(&body)?;
    Ok(Json(issues::edit(&state, id, &edit).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PreviewQuery {
    /// The member whose edition to show.
    member_id: Uuid,
}

/// The issue exactly as one member would receive it: only what they may read on the site.
#[utoipa::path(get, path = "/api/v1/admin/newsletters/{id}/preview", tag = "newsletter",
    params(("id" = Uuid, Path), PreviewQuery), security(("bearer" = [])),
    responses((status = 200, body = Edition), (status = 400), (status = 401), (status = 404)))]
async fn preview(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<Edition>> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    // Read only after the caller is known to be staff, so a stranger learns nothing.
    let q: PreviewQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|_| AppError::bad_request("invalid_query", "Give member_id, a member's id."))?;
    Ok(Json(assembly::edition(&state, id, kernel::ids::MemberId(q.member_id)).await?))
}

/// What the signed-in member receives: the weekly issue, the monthly resources, topics.
#[utoipa::path(get, path = "/api/v1/me/newsletter-preferences", tag = "newsletter", security(("bearer" = [])),
    responses((status = 200, body = Preferences), (status = 401)))]
async fn get_preferences(Req { state, ctx }: Req) -> AppResult<Json<Preferences>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(preferences::load(&state.db, me.id).await?))
}

/// Replaces the signed-in member's preferences. Topics must be codes of the list shown
/// on the preferences page, each at most once.
#[utoipa::path(put, path = "/api/v1/me/newsletter-preferences", tag = "newsletter", security(("bearer" = [])),
    request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 400), (status = 401), (status = 422)))]
async fn put_preferences(Req { state, ctx }: Req, body: Bytes) -> AppResult<Json<Preferences>> {
    let me = ctx.viewer.require_member()?;
    let p: Preferences = kernel::http::json(&body)?;
    preferences::save(&state.db, me.id, &p).await?;
    Ok(Json(p))
}

/// Schedules an issue: `send_at` must be in the future (and within a year). A draft or a
/// scheduled issue may be (re)scheduled; one being sent or sent may not.
#[utoipa::path(post, path = "/api/v1/admin/newsletters/{id}/schedule", tag = "newsletter",
    params(("id" = Uuid, Path)), request_body = NewsletterSchedule, security(("bearer" = [])),
    responses((status = 200, body = IssueView), (status = 400), (status = 401), (status = 404),
        (status = 409, description = "not_schedulable"), (status = 422, description = "send_at in the past")))]
async fn schedule_issue(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<IssueView>> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let s: NewsletterSchedule = kernel::http::json(&body)?;
    let at = crate::schedule::parse_send_at(&s.send_at, kernel::time::now())?;
    Ok(Json(crate::schedule::schedule(&state, id, at).await?))
}

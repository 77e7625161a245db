//! The staff API for courses. Every route answers 401 without a token and 404 to members
//! who are not staff, before reading the body.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::{AppResult, AppState};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::json;
use crate::courses::builder::{self, NewCourse};
use crate::courses::model::CourseStatus;
use crate::courses::outline::{self, CourseView};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/courses", post(create_course))
        .route("/api/v1/admin/courses/{id}/status", post(set_status))
}

pub(crate) use kernel::viewer::api_staff;

/// Create a course with its modules, lessons, quiz and cohort (staff). Published unless
/// `status` says `draft`; a lesson with a video needs its captions to publish.
#[utoipa::path(post, path = "/api/v1/admin/courses", tag = "courses (staff)", request_body = NewCourse,
    security(("bearer" = [])),
    responses((status = 201, body = CourseView), (status = 400), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn create_course(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = api_staff(&ctx.viewer)?;
    let n: NewCourse = json(&body)?;
    let id = builder::create(&state, me.id, &n).await?;
    Ok((StatusCode::CREATED, Json(outline::view(&state, &ctx.viewer, id).await?)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseStatusChange {
    pub status: CourseStatus,
}

/// Publish a course or take it back to draft (staff). Publishing needs captions for
/// every video (422).
#[utoipa::path(post, path = "/api/v1/admin/courses/{id}/status", tag = "courses (staff)", params(("id" = Uuid, Path)),
    request_body = CourseStatusChange, security(("bearer" = [])),
    responses((status = 204), (status = 400), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn set_status(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let s: CourseStatusChange = json(&body)?;
    builder::set_status(&state, id, s.status).await?;
    Ok(StatusCode::NO_CONTENT)
}

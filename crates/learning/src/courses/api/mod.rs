//! The courses' JSON API: the catalogue and a course's outline (anyone), enrolment,
//! lesson completion, quiz attempts and credentials (members), and the staff routes
//! (`staff.rs`). The routes named in the issue are fixed.

mod staff;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::page::{self, Page};
use kernel::{AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::catalogue::{self, CourseSummary};
use super::certificates::{self, MyCredential};
use super::enrolment;
use super::lessons::{self, LessonDone};
use super::model::Enrolment;
use super::outline::{self, CourseView};
use super::quizzes::{self, Answers, Marked};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses", get(list))
        .route("/api/v1/courses/{id}", get(get_one))
        .route("/api/v1/courses/{id}/enrolment", post(enrol).delete(withdraw))
        .route("/api/v1/lessons/{id}/completion", post(complete_lesson))
        .route("/api/v1/quizzes/{id}/attempts", post(attempt))
        .route("/api/v1/me/credentials", get(my_credentials))
        .route("/api/v1/me/credentials/{code}/shown", put(show_credential))
        .merge(staff::router())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        get_one,
        enrol,
        withdraw,
        complete_lesson,
        attempt,
        my_credentials,
        show_credential,
        staff::create_course,
        staff::set_status
    ),
    components(schemas(
        CourseSummary,
        catalogue::Cohort,
        catalogue::QuizView,
        catalogue::QuestionView,
        catalogue::OptionView,
        CourseView,
        outline::ModuleView,
        outline::LessonRef,
        outline::MyProgress,
        Enrolment,
        super::model::CourseStatus,
        Enrolled,
        LessonDone,
        Answers,
        Marked,
        quizzes::QuestionResult,
        MyCredential,
        Shown,
        super::builder::NewCourse,
        super::builder::NewModule,
        super::builder::NewLesson,
        super::builder::FileLink,
        super::builder::NewQuiz,
        super::builder::NewQuestion,
        super::builder::NewOption,
        super::builder::NewCohort,
        staff::CourseStatusChange
    ))
)]
pub(crate) struct CoursesApi;

pub(crate) use kernel::http::json;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A moment id (`GET /api/v1/moments`): only courses tagged with it.
    #[serde(default)]
    pub moment: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// The published courses, by title (staff also see drafts).
#[utoipa::path(get, path = "/api/v1/courses", tag = "courses", params(ListQuery),
    responses((status = 200, body = Page<CourseSummary>), (status = 400), (status = 422, description = "an unknown moment")))]
async fn list(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<Page<CourseSummary>>> {
    let only = contracts::moments::moment_filter(&state, "course", q.moment.as_deref().unwrap_or_default())
        .await?
        .map_err(|m| kernel::AppError::field("moment", m))?;
    Ok(Json(catalogue::list(&state.db, &ctx.viewer, only.as_deref(), q.cursor.as_deref(), page::limit(q.limit)).await?))
}

/// One course: its modules and lesson ids, its quiz with question and option ids (never
/// which option is correct), and where the signed-in viewer stands.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "courses", params(("id" = Uuid, Path)),
    responses((status = 200, body = CourseView), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<CourseView>> {
    Ok(Json(outline::view(&state, &ctx.viewer, path_id(&id)?).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolled {
    pub course_id: Uuid,
    pub status: Enrolment,
}

/// Enrol: 201 with a seat, 202 on the waitlist, 409 `closed` outside the enrolment window.
#[utoipa::path(post, path = "/api/v1/courses/{id}/enrolment", tag = "courses", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = Enrolled, description = "enrolled"), (status = 202, body = Enrolled, description = "waitlisted"),
        (status = 401), (status = 404), (status = 409, description = "closed")))]
async fn enrol(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let status = enrolment::enrol(&state, &ctx.viewer, id).await?;
    let code = match status {
        Enrolment::Enrolled => StatusCode::CREATED,
        Enrolment::Waitlisted => StatusCode::ACCEPTED,
    };
    Ok((code, Json(Enrolled { course_id: id, status })).into_response())
}

/// Leave a course or its waitlist; a freed seat goes to the first on the waitlist.
#[utoipa::path(delete, path = "/api/v1/courses/{id}/enrolment", tag = "courses", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 401), (status = 404)))]
async fn withdraw(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    ctx.viewer.require_member()?;
    enrolment::withdraw(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark a lesson complete (a seat in its course needed); completes the course when it
/// was the last step.
#[utoipa::path(post, path = "/api/v1/lessons/{id}/completion", tag = "courses", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = LessonDone), (status = 401), (status = 404), (status = 409, description = "not_enrolled")))]
async fn complete_lesson(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<LessonDone>> {
    ctx.viewer.require_member()?;
    Ok(Json(lessons::complete(&state, &ctx.viewer, path_id(&id)?).await?))
}

/// Answer a quiz: `{answers: {question_id: [option_id, ..]}}` → the score and whether it
/// passed, with each question's explanation.
#[utoipa::path(post, path = "/api/v1/quizzes/{id}/attempts", tag = "courses", params(("id" = Uuid, Path)),
    request_body = Answers, security(("bearer" = [])),
    responses((status = 201, body = Marked), (status = 400), (status = 401), (status = 404),
        (status = 409, description = "not_enrolled or no_attempts_left"), (status = 422)))]
async fn attempt(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let a: Answers = json(&body)?;
    let marked = quizzes::attempt(&state, &ctx.viewer, id, &a).await?;
    Ok((StatusCode::CREATED, Json(marked)).into_response())
}

/// The signed-in member's credentials (one per completed course), newest first.
#[utoipa::path(get, path = "/api/v1/me/credentials", tag = "courses", security(("bearer" = [])),
    responses((status = 200, body = Vec<MyCredential>), (status = 401)))]
async fn my_credentials(Req { state, ctx }: Req) -> AppResult<Json<Vec<MyCredential>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(certificates::mine(&state, me.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shown {
    /// Whether the profile shows this credential.
    pub shown: bool,
}

/// Show a credential on my profile, or stop showing it.
#[utoipa::path(put, path = "/api/v1/me/credentials/{code}/shown", tag = "courses", params(("code" = String, Path)),
    request_body = Shown, security(("bearer" = [])),
    responses((status = 204), (status = 400), (status = 401), (status = 404)))]
async fn show_credential(Req { state, ctx }: Req, Path(code): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    let s: Shown = json(&body)?;
    certificates::set_shown(&state, me.id, &code, s.shown).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The judges' API: their assignments (never a conflicted one), scoring, and declaring
//! a conflict of interest; and the staff's side: assigning judges, recording a
//! conflict, the standings and locking the winners.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::ids::MemberId;
use kernel::{AppResult, AppState};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::year_of;
use crate::access::{api_staff as staff, json};
use crate::judging::{self, Assigned, AssignmentView, JudgeAssignment, Scores};
use crate::programmes;
use crate::results::{self, Locked, Standings};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/judging/assignments", get(assignments))
        .route("/api/v1/judging/{assignment_id}/scores", post(score))
        .route("/api/v1/judging/{assignment_id}/conflict", post(declare_conflict))
        .route("/api/v1/admin/awards/{year}/judges", post(assign))
        .route("/api/v1/admin/awards/{year}/conflicts", post(record_conflict))
        .route("/api/v1/admin/awards/{year}/standings", get(standings))
        .route("/api/v1/admin/awards/{year}/lock", post(lock))
}

/// The signed-in judge's assignments: each finalist with the entry, the criteria and
/// the judge's scores so far. Conflicted pairs never appear.
#[utoipa::path(get, path = "/api/v1/judging/assignments", tag = "awards (judging)", security(("bearer" = [])),
    responses((status = 200, body = Vec<AssignmentView>), (status = 401)))]
pub(super) async fn assignments(Req { state, ctx }: Req) -> AppResult<Json<Vec<AssignmentView>>> {
    let me = ctx.viewer.require_account()?;
    Ok(Json(judging::assignments(&state, me.id).await?))
}

/// Score an assignment's criteria, 1 to 10 each, while judging is open (audited).
#[utoipa::path(post, path = "/api/v1/judging/{assignment_id}/scores", tag = "awards (judging)",
    params(("assignment_id" = Uuid, Path)), request_body = Scores, security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404), (status = 409, description = "phase_closed"), (status = 422)))]
pub(super) async fn score(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_account()?;
    let id: Uuid = path_id(&id)?;
    let s: Scores = json(&body)?;
    judging::score(&state, me.id, id, &s, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declare a conflict of interest with an assignment's nominee: the assignment and its
/// scores go, and the judge is never assigned that nominee again (audited).
#[utoipa::path(post, path = "/api/v1/judging/{assignment_id}/conflict", tag = "awards (judging)",
    params(("assignment_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404)))]
pub(super) async fn declare_conflict(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_account()?;
    let id: Uuid = path_id(&id)?;
    let nominee = judging::nominee_of_assignment(&state, me.id, id).await?;
    judging::record_conflict(&state, me.id, me.id, nominee, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Assign a judge every finalist of some categories, conflicts excluded (staff, audited).
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/judges", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = JudgeAssignment, security(("bearer" = [])),
    responses((status = 200, body = Assigned), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn assign(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Json<Assigned>> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let a: JudgeAssignment = json(&body)?;
    Ok(Json(judging::assign(&state, me.id, year, &a, &ctx.client_ip).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub judge_id: MemberId,
    pub nominee_id: Uuid,
}

/// Record a judge's conflict of interest with a nominee (staff, audited): any assignment
/// of the pair and its scores go.
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/conflicts", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = Conflict, security(("bearer" = [])), responses((status = 204), (status = 401), (status = 404)))]
pub(super) async fn record_conflict(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let c: Conflict = json(&body)?;
    let p = programmes::by_year(state.db.reader(), year).await?;
    judging::nominee_in_programme(&state, &p, c.nominee_id).await?;
    judging::record_conflict(&state, me.id, c.judge_id, c.nominee_id, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Each finalist's raw and normalised figures per judge, combined figure and rank, and
/// each judge's progress (staff).
#[utoipa::path(get, path = "/api/v1/admin/awards/{year}/standings", tag = "awards (staff)", params(("year" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Standings), (status = 401), (status = 404)))]
pub(super) async fn standings(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Json<Standings>> {
    staff(&ctx.viewer)?;
    let p = programmes::by_year(state.db.reader(), year_of(&year)?).await?;
    Ok(Json(results::standings(state.db.reader(), &p).await?))
}

/// Lock the winners (staff, audited): they stay hidden from everyone else until the
/// ceremony's start.
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/lock", tag = "awards (staff)", params(("year" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Locked), (status = 401), (status = 404), (status = 409, description = "already_locked or no_ceremony")))]
pub(super) async fn lock(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let done = results::lock(&state, me.id, year_of(&year)?, &ctx.client_ip).await?;
    Ok((StatusCode::OK, Json(done)).into_response())
}

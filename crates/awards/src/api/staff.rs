//! The staff API: creating a programme, moving its phase, screening nominees, adding
//! finalists. Every route answers 401 without a token and 404 to anyone but staff,
//! before reading the body.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::Req;
use kernel::{AppResult, AppState};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::year_of;
use crate::access::{api_staff as staff, json};
use crate::finalists;
use crate::guest_judges::{self, AwardsGuestJudgeInvitation, AwardsGuestJudgeInvited};
use crate::model::Phase;
use crate::nominations::{self, Screened, ScreeningDecision};
use crate::programmes::{self, Created, NewProgramme};
use crate::screening_queue::{self, QueuedNominee};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/awards", post(create))
        .route("/api/v1/admin/awards/{year}/phase", post(set_phase))
        .route("/api/v1/admin/awards/{year}/nominees", get(queue))
        .route("/api/v1/admin/awards/{year}/screening", post(screen))
        .route("/api/v1/admin/awards/{year}/finalists", post(add_finalist))
        .route("/api/v1/admin/awards/{year}/guest-judges", post(invite_guest_judge))
}

/// Create a year's programme with its categories and rubric (staff); it opens in the
/// nominations phase.
#[utoipa::path(post, path = "/api/v1/admin/awards", tag = "awards (staff)", request_body = NewProgramme,
    security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 401), (status = 404),
        (status = 409, description = "programme_exists"), (status = 422)))]
pub(super) async fn create(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let p: NewProgramme = json(&body)?;
    let created = programmes::create(&state, me.id, &p, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseChange {
    pub phase: Phase,
}

/// Move the programme forward to a phase (staff, audited). Leaving the endorsements
/// draws each category's finalists.
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/phase", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = PhaseChange, security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404), (status = 409, description = "phase_not_ahead")))]
pub(super) async fn set_phase(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let c: PhaseChange = json(&body)?;
    programmes::set_phase(&state, me.id, year, c.phase, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every nominee of the year with their statements, pending first (staff; the read is audited).
#[utoipa::path(get, path = "/api/v1/admin/awards/{year}/nominees", tag = "awards (staff)", params(("year" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Vec<QueuedNominee>), (status = 401), (status = 404)))]
pub(super) async fn queue(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Json<Vec<QueuedNominee>>> {
    let me = staff(&ctx.viewer)?;
    Ok(Json(screening_queue::list(&state, me.id, year_of(&year)?, &ctx.client_ip).await?))
}

/// Accept or decline nominees in bulk, with a reason (staff; each decision audited).
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/screening", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = ScreeningDecision, security(("bearer" = [])),
    responses((status = 200, body = Screened), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn screen(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Json<Screened>> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let d: ScreeningDecision = json(&body)?;
    Ok(Json(nominations::screen(&state, me.id, year, &d, &ctx.client_ip).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinalistAddition {
    pub nominee_id: Uuid,
}

/// Make an accepted nominee a finalist beyond those drawn (staff, audited).
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/finalists", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = FinalistAddition, security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404)))]
pub(super) async fn add_finalist(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let f: FinalistAddition = json(&body)?;
    finalists::add(&state, me.id, year, f.nominee_id, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invite an industry guest judge for some categories (staff, audited): a judge-only
/// account (no member anywhere but judging) is created, assigned every finalist of the
/// categories, and e-mailed a one-time link to choose a password.
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/guest-judges", tag = "awards (staff)",
    params(("year" = i64, Path)), request_body = AwardsGuestJudgeInvitation, security(("bearer" = [])),
    responses((status = 201, body = AwardsGuestJudgeInvited), (status = 401),
        (status = 404), (status = 422)))]
pub(super) async fn invite_guest_judge(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let inv: AwardsGuestJudgeInvitation = json(&body)?;
    let done: AwardsGuestJudgeInvited = guest_judges::invite(&state, me.id, year, &inv, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

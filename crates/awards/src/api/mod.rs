//! The awards JSON API: the programme, nominating, nominees and endorsing (here) and
//! the staff routes (`staff.rs`). The routes named in the issue are fixed.

mod judging;
mod staff;
mod voting;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::{AppResult, AppState};
use utoipa::OpenApi;
use uuid::Uuid;

use crate::access::json;
use crate::endorsements::{self, Endorsed};
use crate::nominations::{self, NewNomination, Nominated};
use crate::nominees::{self, NomineeView};
use crate::overview::{self, ProgrammeView};
use crate::programmes;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/awards/{year}", get(programme))
        .route("/api/v1/awards/{year}/nominees", get(nominees_of))
        .route("/api/v1/awards/{year}/nominations", post(nominate))
        .route("/api/v1/nominees/{id}", get(nominee))
        .route("/api/v1/nominees/{id}/endorse", post(endorse))
        .route("/api/v1/nominees/{id}/badge.svg", get(badge))
        .merge(staff::router())
        .merge(judging::router())
        .merge(voting::router())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        programme,
        nominees_of,
        nominate,
        nominee,
        endorse,
        badge,
        staff::create,
        staff::set_phase,
        staff::screen,
        staff::add_finalist,
        staff::queue,
        staff::invite_guest_judge,
        judging::assignments,
        judging::score,
        judging::declare_conflict,
        judging::assign,
        judging::record_conflict,
        judging::standings,
        judging::lock,
        voting::vote,
        voting::signals,
        voting::void
    ),
    components(schemas(
        ProgrammeView,
        crate::overview::Winner,
        crate::programmes::Category,
        crate::programmes::Criterion,
        crate::model::Phase,
        crate::model::Screening,
        NewNomination,
        crate::nominations::Invitee,
        Nominated,
        NomineeView,
        Endorsed,
        crate::programmes::NewProgramme,
        crate::programmes::NewCategory,
        crate::programmes::NewCriterion,
        crate::programmes::Created,
        crate::nominations::ScreeningDecision,
        crate::nominations::Screened,
        crate::screening_queue::QueuedNominee,
        crate::screening_queue::Statement,
        staff::PhaseChange,
        staff::FinalistAddition,
        crate::guest_judges::AwardsGuestJudgeInvitation,
        crate::guest_judges::AwardsGuestJudgeInvited,
        judging::Conflict,
        crate::judging::JudgeAssignment,
        crate::judging::Assigned,
        crate::judging::AssignmentView,
        crate::judging::Scores,
        crate::results::Standings,
        crate::results::CategoryStandings,
        crate::results::FinalistStanding,
        crate::results::JudgeFigure,
        crate::results::JudgeProgress,
        crate::results::Locked,
        crate::voting::Voted,
        crate::voting::Signals,
        crate::voting::AddressSignal,
        crate::voting::NewAccountVote,
        crate::voting::VoidVote
    ))
)]
pub struct AwardsApi;

fn year_of(raw: &str) -> AppResult<i64> {
    path_id::<i64>(raw)
}

/// A year's programme: categories, criteria, phase, ceremony, and winners (an empty list
/// for everyone but staff until the ceremony starts). Open to everyone.
#[utoipa::path(get, path = "/api/v1/awards/{year}", tag = "awards", params(("year" = i64, Path)),
    responses((status = 200, body = ProgrammeView), (status = 404)))]
async fn programme(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Json<ProgrammeView>> {
    Ok(Json(overview::view(&state, &ctx.viewer, year_of(&year)?).await?))
}

/// A year's accepted nominees, by category then nomination order. Open to everyone.
#[utoipa::path(get, path = "/api/v1/awards/{year}/nominees", tag = "awards", params(("year" = i64, Path)),
    responses((status = 200, body = Vec<NomineeView>), (status = 404)))]
async fn nominees_of(Req { state, .. }: Req, Path(year): Path<String>) -> AppResult<Json<Vec<NomineeView>>> {
    let p = programmes::by_year(state.db.reader(), year_of(&year)?).await?;
    let rows = nominees::of_programme(state.db.reader(), p.id).await?;
    Ok(Json(nominees::views(&state, rows).await?))
}

/// Nominate yourself or a peer: a member (`nominee_member_id`) or someone not yet a
/// member (`nominee: {name, email}`). Nominations of one person in one category share
/// their `nominee_id`.
#[utoipa::path(post, path = "/api/v1/awards/{year}/nominations", tag = "awards", params(("year" = i64, Path)),
    request_body = NewNomination, security(("bearer" = [])),
    responses((status = 201, body = Nominated), (status = 400),
        (status = 401), (status = 404),
        (status = 409, description = "phase_closed or already_nominated"),
        (status = 422)))]
async fn nominate(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let year = year_of(&year)?;
    let n: NewNomination = json(&body)?;
    let done = nominations::nominate(&state, me, year, &n).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// An accepted nominee. Open to everyone; others are not found.
#[utoipa::path(get, path = "/api/v1/nominees/{id}", tag = "awards", params(("id" = Uuid, Path)),
    responses((status = 200, body = NomineeView), (status = 404)))]
async fn nominee(Req { state, .. }: Req, Path(id): Path<String>) -> AppResult<Json<NomineeView>> {
    let row = nominees::public(state.db.reader(), path_id::<Uuid>(&id)?).await?;
    let mut views = nominees::views(&state, vec![row]).await?;
    Ok(Json(views.remove(0)))
}

/// Endorse a nominee, once, while endorsements are open.
#[utoipa::path(post, path = "/api/v1/nominees/{id}/endorse", tag = "awards", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = Endorsed), (status = 401),
        (status = 404),
        (status = 409, description = "already_endorsed or phase_closed")))]
async fn endorse(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let done = endorsements::endorse(&state, me.id, path_id::<Uuid>(&id)?).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// An accepted nominee's badge as SVG: Nominee, Finalist (once announced) or Winner
/// (from the ceremony on). Open to everyone, for embedding; no script.
#[utoipa::path(get, path = "/api/v1/nominees/{id}/badge.svg", tag = "awards", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404)))]
async fn badge(Req { state, .. }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let svg = crate::badge::svg(state.db.reader(), path_id::<Uuid>(&id)?).await?;
    let headers =
        [(axum::http::header::CONTENT_TYPE, "image/svg+xml"), (axum::http::header::CACHE_CONTROL, "no-cache")];
    Ok((headers, svg).into_response())
}

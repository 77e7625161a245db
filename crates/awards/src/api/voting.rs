//! Voting routes: a member's vote, and the staff's fraud signals and voiding.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::{AppResult, AppState};
use uuid::Uuid;

use super::year_of;
use crate::access::{api_staff as staff, json};
use crate::voting::{self, Signals, VoidVote, Voted};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/nominees/{id}/vote", post(vote))
        .route("/api/v1/admin/awards/{year}/votes/signals", get(signals))
        .route("/api/v1/admin/awards/{year}/votes/void", post(void))
}

/// Vote for a finalist: one vote per member per category, while voting is open, in a
/// category with a public vote. Counts stay hidden from members.
#[utoipa::path(post, path = "/api/v1/nominees/{id}/vote", tag = "awards", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = Voted), (status = 401), (status = 404),
        (status = 409, description = "already_voted, phase_closed or no_public_vote")))]
pub(super) async fn vote(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let done = voting::vote(&state, me.id, path_id::<Uuid>(&id)?, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// Fraud signals: many votes from one address, votes from accounts less than a day old (staff).
#[utoipa::path(get, path = "/api/v1/admin/awards/{year}/votes/signals", tag = "awards (staff)", params(("year" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Signals), (status = 401), (status = 404)))]
pub(super) async fn signals(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Json<Signals>> {
    staff(&ctx.viewer)?;
    Ok(Json(voting::signals(&state, year_of(&year)?).await?))
}

/// Void a member's vote in a category, with a reason (staff, audited).
#[utoipa::path(post, path = "/api/v1/admin/awards/{year}/votes/void", tag = "awards (staff)", params(("year" = i64, Path)),
    request_body = VoidVote, security(("bearer" = [])), responses((status = 204), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn void(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let year = year_of(&year)?;
    let v: VoidVote = json(&body)?;
    voting::void(&state, me.id, year, &v, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

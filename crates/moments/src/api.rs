//! The moments JSON API: the list of moments, a member's own moments, the been-there
//! directory, support requests, and the staff's moment tags on content.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::viewer::api_staff;
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use crate::been_there::{self, BeenThereCard};
use crate::marks::{self, HistoryEntry, MomentInfo, MomentMark, MomentVisibility, MyMoments};
use crate::support::{
    self, MomentsAccepted, MomentsCheckIn, MomentsSupportOffer, MomentsSupportRequest, NewSupportRequest,
};
use crate::tags::{self, MomentTags, MomentsContentGroup, MomentsContentItem};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/moments", get(list))
        .route("/api/v1/moments/{id}/content", get(content))
        .route("/api/v1/me/moments", get(get_mine).put(put_mine))
        .route("/api/v1/me/moments/history", get(history))
        .route("/api/v1/been-there", get(been_there))
        .route("/api/v1/support-requests", get(my_requests).post(ask))
        .route("/api/v1/support-requests/{id}/accept", post(accept))
        .route("/api/v1/support-requests/{id}/decline", post(decline))
        .route("/api/v1/support-requests/{id}/check-in", post(check_in))
        .route("/api/v1/me/support-offers", get(my_offers))
        .route("/api/v1/admin/moment-tags/{kind}/{id}", get(get_tags).put(put_tags))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        content,
        get_mine,
        put_mine,
        history,
        been_there,
        my_requests,
        ask,
        accept,
        decline,
        check_in,
        my_offers,
        get_tags,
        put_tags
    ),
    components(schemas(
        MomentInfo,
        MyMoments,
        MomentMark,
        MomentVisibility,
        HistoryEntry,
        BeenThereCard,
        NewSupportRequest,
        MomentsSupportRequest,
        MomentsSupportOffer,
        MomentsAccepted,
        MomentsCheckIn,
        MomentTags,
        MomentsContentGroup,
        MomentsContentItem,
        crate::model::Contact
    ))
)]
pub(crate) struct MomentsApi;

/// The moments of a health journey, with their stable ids.
#[utoipa::path(get, path = "/api/v1/moments", tag = "moments", responses((status = 200, body = [MomentInfo])))]
async fn list() -> Json<Vec<MomentInfo>> {
    Json(marks::list())
}

/// What is tagged with a moment that the signed-in member may open, by kind.
#[utoipa::path(get, path = "/api/v1/moments/{id}/content", tag = "moments", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [MomentsContentGroup]), (status = 401), (status = 422)))]
async fn content(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<Vec<MomentsContentGroup>>> {
    ctx.viewer.require_member()?;
    Ok(Json(tags::all_content(&state, &ctx.viewer, &id, 20).await?))
}

/// The signed-in member's moments, their visibility and whether they offer support.
#[utoipa::path(get, path = "/api/v1/me/moments", tag = "moments", security(("bearer" = [])),
    responses((status = 200, body = MyMoments), (status = 401)))]
async fn get_mine(Req { state, ctx }: Req) -> AppResult<Json<MyMoments>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(marks::load(&state.db, me.id).await?))
}

/// Replaces the signed-in member's moments (send empty lists to clear them).
#[utoipa::path(put, path = "/api/v1/me/moments", tag = "moments", security(("bearer" = [])), request_body = MyMoments,
    responses((status = 200, body = MyMoments), (status = 400), (status = 401), (status = 422)))]
async fn put_mine(Req { state, ctx }: Req, body: Bytes) -> AppResult<Json<MyMoments>> {
    ctx.viewer.require_member()?;
    let m: MyMoments = kernel::http::json(&body)?;
    Ok(Json(marks::save(&state, &ctx.viewer, &m).await?))
}

/// The signed-in member's history of marks (only they see it).
#[utoipa::path(get, path = "/api/v1/me/moments/history", tag = "moments", security(("bearer" = [])),
    responses((status = 200, body = [HistoryEntry]), (status = 401)))]
async fn history(Req { state, ctx }: Req) -> AppResult<Json<Vec<HistoryEntry>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(marks::history(&state.db, me.id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BeenThereQuery {
    /// A moment's id.
    moment_id: String,
    /// Only people who went through it with this condition.
    condition_id: Option<Uuid>,
}

/// Members who have been through a moment (with the condition, when given) and offer
/// support, as the signed-in member may see them, best match first.
#[utoipa::path(get, path = "/api/v1/been-there", tag = "moments", params(BeenThereQuery), security(("bearer" = [])),
    responses((status = 200, body = [BeenThereCard]), (status = 400), (status = 401), (status = 422)))]
async fn been_there(Req { state, ctx }: Req, RawQuery(query): RawQuery) -> AppResult<Json<Vec<BeenThereCard>>> {
    ctx.viewer.require_member()?;
    let q: BeenThereQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|_| AppError::bad_request("invalid_query", "Give moment_id and optionally condition_id (a UUID)."))?;
    Ok(Json(been_there::find(&state, &ctx.viewer, &q.moment_id, q.condition_id).await?))
}

/// The signed-in member's requests for support (never who was asked or who declined).
#[utoipa::path(get, path = "/api/v1/support-requests", tag = "moments", security(("bearer" = [])),
    responses((status = 200, body = [MomentsSupportRequest]), (status = 401)))]
async fn my_requests(Req { state, ctx }: Req) -> AppResult<Json<Vec<MomentsSupportRequest>>> {
    Ok(Json(support::my_requests(&state, &ctx.viewer).await?))
}

/// Asks for support at a moment; offered to up to N matching volunteers.
#[utoipa::path(post, path = "/api/v1/support-requests", tag = "moments", security(("bearer" = [])),
    request_body = NewSupportRequest,
    responses((status = 201, body = MomentsSupportRequest), (status = 400), (status = 401),
        (status = 409, description = "too_many"), (status = 422)))]
async fn ask(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let new: NewSupportRequest = kernel::http::json(&body)?;
    Ok((StatusCode::CREATED, Json(support::ask(&state, &ctx.viewer, &new).await?)).into_response())
}

/// A volunteer accepts a request offered to them: the first acceptance opens the
/// conversation with the asker.
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/accept", tag = "moments", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = MomentsAccepted), (status = 401), (status = 404),
        (status = 409, description = "taken, declined or unavailable")))]
async fn accept(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    Ok((StatusCode::CREATED, Json(support::accept(&state, &ctx.viewer, id).await?)).into_response())
}

/// A volunteer declines a request offered to them (the asker is not told).
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/decline", tag = "moments", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404), (status = 409, description = "answered")))]
async fn decline(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    ctx.viewer.require_member()?;
    support::decline(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The asker says whether the support helped.
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/check-in", tag = "moments", params(("id" = Uuid, Path)),
    security(("bearer" = [])), request_body = MomentsCheckIn,
    responses((status = 200, body = MomentsSupportRequest), (status = 400), (status = 401), (status = 404),
        (status = 409, description = "not_accepted")))]
async fn check_in(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<MomentsSupportRequest>> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let c: MomentsCheckIn = kernel::http::json(&body)?;
    Ok(Json(support::check_in(&state, &ctx.viewer, id, c.helped).await?))
}

/// The requests offered to the signed-in member as a volunteer.
#[utoipa::path(get, path = "/api/v1/me/support-offers", tag = "moments", security(("bearer" = [])),
    responses((status = 200, body = [MomentsSupportOffer]), (status = 401)))]
async fn my_offers(Req { state, ctx }: Req) -> AppResult<Json<Vec<MomentsSupportOffer>>> {
    Ok(Json(support::my_offers(&state, &ctx.viewer).await?))
}

/// The moments a piece of content carries (staff).
#[utoipa::path(get, path = "/api/v1/admin/moment-tags/{kind}/{id}", tag = "moments",
    params(("kind" = String, Path, description = "resource, course, thread or event"), ("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = MomentTags), (status = 401), (status = 404), (status = 422)))]
async fn get_tags(Req { state, ctx }: Req, Path((kind, id)): Path<(String, String)>) -> AppResult<Json<MomentTags>> {
    api_staff(&ctx.viewer)?;
    Ok(Json(tags::of(&state, &kind, path_id(&id)?).await?))
}

/// Replaces the moments a piece of content carries (staff).
#[utoipa::path(put, path = "/api/v1/admin/moment-tags/{kind}/{id}", tag = "moments",
    params(("kind" = String, Path, description = "resource, course, thread or event"), ("id" = Uuid, Path)),
    security(("bearer" = [])), request_body = MomentTags,
    responses((status = 200, body = MomentTags), (status = 400), (status = 401), (status = 404), (status = 422)))]
async fn put_tags(
    Req { state, ctx }: Req,
    Path((kind, id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Json<MomentTags>> {
    let me = api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let t: MomentTags = kernel::http::json(&body)?;
    tags::set(&state, &ctx.viewer, me.id, &kind, id, &t).await?;
    Ok(Json(tags::of(&state, &kind, id).await?))
}

//! The opportunities JSON API: the board, applying and handing in work for members
//! (here), and the staff routes (`staff.rs`). The routes named in the issue are fixed.

mod staff;

pub(crate) use staff::csv_response;

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

use crate::access::json;
use crate::applying::{self, MyApplicationView, NewApplication};
use crate::board::{self, OpportunityView};
use crate::catalogue::{self, Shelf};
use crate::deliverables::{self, DeliverableView, NewDeliverable};
use crate::model::{Kind, Status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/opportunities", get(list))
        .route("/api/v1/opportunities/{id}", get(get_one))
        .route("/api/v1/opportunities/{id}/applications", post(apply))
        .route("/api/v1/me/applications", get(my_applications))
        .route("/api/v1/applications/{id}/withdrawal", post(withdraw))
        .route("/api/v1/applications/{id}/deliverables", post(deliver))
        .route("/api/v1/partner/figures", get(partner_figures))
        .merge(staff::router())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        get_one,
        apply,
        my_applications,
        withdraw,
        deliver,
        partner_figures,
        staff::create_partner,
        staff::add_contact,
        staff::create_opportunity,
        staff::close_opportunity,
        staff::applicants,
        staff::eligibility,
        staff::bulk_status,
        staff::set_status,
        staff::override_check,
        staff::mark_paid,
        staff::payouts_csv,
        staff::payout_totals,
        staff::set_tax_form
    ),
    components(schemas(
        OpportunityView,
        crate::board::PartnerRef,
        crate::board::MyApplication,
        crate::model::Pay,
        Status,
        Kind,
        NewApplication,
        Applied,
        MyApplicationView,
        crate::history::Change,
        NewDeliverable,
        DeliverableView,
        crate::deliverables::Override,
        crate::disclosure::Verdict,
        crate::partners::NewPartner,
        crate::partners::Partner,
        crate::drafting::NewOpportunity,
        crate::drafting::CompensationInput,
        crate::drafting::MoneyInput,
        crate::drafting::PointsInput,
        crate::drafting::RulesInput,
        crate::drafting::MinFollowers,
        crate::screening::StatusChange,
        crate::screening::Applicant,
        crate::screening::Eligibility,
        crate::screening::BulkResult,
        crate::screening::Skipped,
        crate::payouts::Payment,
        crate::payouts::PayoutView,
        crate::model::PayoutStatus,
        crate::model::TaxForm,
        crate::finance::Total,
        staff::BulkChange,
        staff::Contact,
        staff::TaxFormStatus,
        crate::partner_view::PartnerFigures,
        crate::partner_view::OpportunityFigures,
        crate::partner_view::Cell
    ))
)]
pub struct OpportunitiesApi;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// true: every open opportunity, each with `eligible` and `reasons`; otherwise only
    /// those the viewer is eligible for.
    #[serde(default)]
    pub all: Option<bool>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// Open opportunities for the signed-in member, nearest deadline first: those they are
/// eligible for, or with `?all=true` every open one with `eligible` and `reasons`.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<OpportunityView>), (status = 401)))]
async fn list(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<Page<OpportunityView>>> {
    let me = ctx.viewer.require_member()?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| AppError::bad_request("invalid_query", "Unknown kind."))?),
        None => None,
    };
    let shelf = if q.all == Some(true) { Shelf::AllOpen } else { Shelf::EligibleForMe };
    let me = board::candidate_of(&state, me.id).await?;
    let rows = catalogue::list(&state.db, &me, shelf, kind, q.cursor.as_deref(), page::limit(q.limit)).await?;
    let items = board::views(&state, &ctx.viewer, rows.items).await?;
    Ok(Json(Page { items, next_cursor: rows.next_cursor }))
}

/// One opportunity, with whether the viewer is eligible and why not.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = OpportunityView), (status = 401), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<OpportunityView>> {
    ctx.viewer.require_member()?;
    Ok(Json(board::one(&state, &ctx.viewer, path_id(&id)?).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    pub id: Uuid,
    pub status: Status,
}

/// Apply: answers to the questions, in order, and the channels (platform codes of the
/// member's profile) they would post on.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/applications", tag = "opportunities", params(("id" = Uuid, Path)),
    request_body = NewApplication, security(("bearer" = [])),
    responses((status = 201, body = Applied), (status = 403, description = "not_eligible: `error.reasons` names each requirement not met"),
        (status = 404), (status = 409, description = "already_applied or closed"), (status = 422)))]
async fn apply(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> Response {
    let answer = async {
        ctx.viewer.require_member()?;
        let id: Uuid = path_id(&id)?;
        let a: NewApplication = json(&body)?;
        applying::apply(&state, &ctx.viewer, id, &a).await
    };
    match answer.await {
        Ok(id) => (StatusCode::CREATED, Json(Applied { id, status: Status::Applied })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The signed-in member's applications, newest first, each with its history.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "opportunities", security(("bearer" = [])),
    responses((status = 200, body = Vec<MyApplicationView>), (status = 401)))]
async fn my_applications(Req { state, ctx }: Req) -> AppResult<Json<Vec<MyApplicationView>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(applying::mine(&state, me.id).await?))
}

/// Withdraw my application (before the work is handed in).
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdrawal", tag = "opportunities", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409, description = "cannot_withdraw")))]
async fn withdraw(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    ctx.viewer.require_member()?;
    applying::withdraw(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hand in a published post: its link and caption. The caption is checked for the FTC
/// disclosure at once; `disclosure.ok` says whether it passed and `disclosure.reason` why.
#[utoipa::path(post, path = "/api/v1/applications/{id}/deliverables", tag = "opportunities", params(("id" = Uuid, Path)),
    request_body = NewDeliverable, security(("bearer" = [])),
    responses((status = 201, body = DeliverableView), (status = 404), (status = 409, description = "cannot_deliver"), (status = 422)))]
async fn deliver(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let d: NewDeliverable = json(&body)?;
    let v = deliverables::submit(&state, &ctx.viewer, id, &d).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// A partner's contact person: their opportunities' figures, counts only, each figure
/// that covers fewer members than the smallest cell left out (`value` null). 404 for
/// anyone who is not a partner's contact.
#[utoipa::path(get, path = "/api/v1/partner/figures", tag = "opportunities", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::partner_view::PartnerFigures>), (status = 401), (status = 404)))]
async fn partner_figures(Req { state, ctx }: Req) -> AppResult<Json<Vec<crate::partner_view::PartnerFigures>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(crate::partner_view::figures(&state, me.id).await?))
}

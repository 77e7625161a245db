//! The staff API: partners, opportunities, screening, the disclosure override, payouts
//! and tax forms. Every route answers 404 to anyone but staff, before reading the body.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kernel::http::{Req, path_id};
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{api_staff as staff, json};
use crate::board::{self, OpportunityView};
use crate::catalogue;
use crate::deliverables::{self, DeliverableView, OverrideInput};
use crate::drafting::{self, Draft, NewOpportunity};
use crate::finance::{self, Total};
use crate::model::{Status, TaxForm};
use crate::partners::{self, NewPartner, Partner};
use crate::payouts::{self, Payment, PayoutView};
use crate::screening::{self, Applicant, BulkResult, Eligibility, StatusChange};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/partners", post(create_partner))
        .route("/api/v1/admin/partners/{id}/contacts", post(add_contact))
        .route("/api/v1/admin/opportunities", post(create_opportunity))
        .route("/api/v1/admin/opportunities/{id}/close", post(close_opportunity))
        .route("/api/v1/admin/opportunities/{id}/applications", get(applicants))
        .route("/api/v1/admin/opportunities/{id}/applications/status", post(bulk_status))
        .route("/api/v1/admin/opportunities/{id}/eligibility/{member_id}", get(eligibility))
        .route("/api/v1/admin/applications/{id}/status", post(set_status))
        .route("/api/v1/admin/deliverables/{id}/override", post(override_check))
        .route("/api/v1/admin/payouts/{id}/paid", post(mark_paid))
        .route("/api/v1/admin/payouts.csv", get(payouts_csv))
        .route("/api/v1/admin/payouts/totals", get(payout_totals))
        .route("/api/v1/admin/tax-forms/{member_id}", put(set_tax_form))
}

/// Add a partner (staff), optionally with its contact people.
#[utoipa::path(post, path = "/api/v1/admin/partners", tag = "opportunities (staff)", request_body = NewPartner,
    security(("bearer" = [])), responses((status = 201, body = Partner), (status = 404), (status = 409, description = "partner_exists"), (status = 422)))]
pub(super) async fn create_partner(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let p: NewPartner = json(&body)?;
    let partner = partners::create(&state, me.id, &p, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(partner)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub member_id: MemberId,
}

/// Make a member a contact person of a partner (staff): they see its opportunities' figures.
#[utoipa::path(post, path = "/api/v1/admin/partners/{id}/contacts", tag = "opportunities (staff)", params(("id" = Uuid, Path)),
    request_body = Contact, security(("bearer" = [])), responses((status = 204), (status = 404), (status = 422)))]
pub(super) async fn add_contact(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let c: Contact = json(&body)?;
    partners::add_contact_person(&state, me.id, path_id(&id)?, c.member_id, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Post an opportunity (staff). Every rule field is optional; an empty rule set means every member.
#[utoipa::path(post, path = "/api/v1/admin/opportunities", tag = "opportunities (staff)", request_body = NewOpportunity,
    security(("bearer" = [])), responses((status = 201, body = OpportunityView), (status = 404), (status = 422)))]
pub(super) async fn create_opportunity(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let n: NewOpportunity = json(&body)?;
    let clean = drafting::validate(&Draft::from(n)).map_err(AppError::Validation)?;
    let id = catalogue::create(&state, me.id, &clean, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(board::one(&state, &ctx.viewer, id).await?)).into_response())
}

/// Close an opportunity to applications before its deadline (staff).
#[utoipa::path(post, path = "/api/v1/admin/opportunities/{id}/close", tag = "opportunities (staff)", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub(super) async fn close_opportunity(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    catalogue::close(&state, me.id, path_id(&id)?, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everyone who applied, with their answers, history, deliverables, payout and why they
/// are or are not eligible (staff; each read is audited).
#[utoipa::path(get, path = "/api/v1/admin/opportunities/{id}/applications", tag = "opportunities (staff)",
    params(("id" = Uuid, Path)), security(("bearer" = [])), responses((status = 200, body = Vec<Applicant>), (status = 404)))]
pub(super) async fn applicants(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<Vec<Applicant>>> {
    let me = staff(&ctx.viewer)?;
    let row = catalogue::load(state.db.reader(), path_id(&id)?).await?;
    Ok(Json(screening::applicants(&state, me.id, &row, &ctx.client_ip).await?))
}

/// Why a given member is or is not eligible (staff).
#[utoipa::path(get, path = "/api/v1/admin/opportunities/{id}/eligibility/{member_id}", tag = "opportunities (staff)",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Eligibility), (status = 404)))]
pub(super) async fn eligibility(
    Req { state, ctx }: Req,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Json<Eligibility>> {
    staff(&ctx.viewer)?;
    let row = catalogue::load(state.db.reader(), path_id(&id)?).await?;
    Ok(Json(screening::eligibility(&state, &row, path_id(&member)?).await?))
}

/// Many applications, one move and one message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkChange {
    pub applications: Vec<Uuid>,
    /// shortlisted, selected, in_progress, approved or declined.
    pub status: String,
    #[serde(default)]
    pub message: String,
}

/// Move many applications of one opportunity at once (staff): those that cannot move
/// are listed with the reason, the others move.
#[utoipa::path(post, path = "/api/v1/admin/opportunities/{id}/applications/status", tag = "opportunities (staff)",
    params(("id" = Uuid, Path)), request_body = BulkChange, security(("bearer" = [])),
    responses((status = 200, body = BulkResult), (status = 404), (status = 422)))]
pub(super) async fn bulk_status(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<BulkResult>> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let b: BulkChange = json(&body)?;
    catalogue::load(state.db.reader(), id).await?;
    let change = StatusChange { status: b.status, message: b.message };
    Ok(Json(screening::bulk(&state, me.id, id, &b.applications, &change, &ctx.client_ip).await?))
}

#[derive(Debug, Serialize, ToSchema)]
struct Moved {
    id: Uuid,
    status: Status,
}

/// Move one application (staff): shortlisted, selected (409 `no_seats` when full),
/// in_progress, approved (the latest deliverable must pass the disclosure check) or
/// declined, with a message for the member.
#[utoipa::path(post, path = "/api/v1/admin/applications/{id}/status", tag = "opportunities (staff)", params(("id" = Uuid, Path)),
    request_body = StatusChange, security(("bearer" = [])),
    responses((status = 200, description = "the application's id and new status"), (status = 404),
        (status = 409, description = "invalid_transition, no_seats, no_deliverable or disclosure_missing"), (status = 422)))]
pub(super) async fn set_status(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let change: StatusChange = json(&body)?;
    let app = screening::set_status(&state, me.id, id, &change, &ctx.client_ip).await?;
    Ok(Json(Moved { id: app.id, status: app.status() }).into_response())
}

/// Set the disclosure check aside for one deliverable (staff), with the reason; audited.
#[utoipa::path(post, path = "/api/v1/admin/deliverables/{id}/override", tag = "opportunities (staff)", params(("id" = Uuid, Path)),
    request_body = OverrideInput, security(("bearer" = [])),
    responses((status = 200, body = DeliverableView), (status = 404), (status = 409), (status = 422)))]
pub(super) async fn override_check(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<DeliverableView>> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let o: OverrideInput = json(&body)?;
    Ok(Json(deliverables::override_check(&state, me.id, id, &o, &ctx.client_ip).await?))
}

/// Mark a payout paid (staff), with the payment's reference and date; the work must be approved.
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/paid", tag = "opportunities (staff)", params(("id" = Uuid, Path)),
    request_body = Payment, security(("bearer" = [])),
    responses((status = 200, body = PayoutView), (status = 404), (status = 409, description = "not_pending or not_approved"), (status = 422)))]
pub(super) async fn mark_paid(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<PayoutView>> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let p: Payment = json(&body)?;
    Ok(Json(payouts::mark_paid(&state, me.id, id, &p, &ctx.client_ip).await?))
}

/// Every pending and paid payout as CSV, for finance (staff).
#[utoipa::path(get, path = "/api/v1/admin/payouts.csv", tag = "opportunities (staff)", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404)))]
pub(super) async fn payouts_csv(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    Ok(csv_response(finance::csv(&state).await?))
}

/// A CSV file to download.
pub(crate) fn csv_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"payouts.csv\""),
        ],
        body,
    )
        .into_response()
}

/// Paid totals per partner, month and currency (staff).
#[utoipa::path(get, path = "/api/v1/admin/payouts/totals", tag = "opportunities (staff)", security(("bearer" = [])),
    responses((status = 200, body = Vec<Total>), (status = 404)))]
pub(super) async fn payout_totals(Req { state, ctx }: Req) -> AppResult<Json<Vec<Total>>> {
    staff(&ctx.viewer)?;
    Ok(Json(finance::totals(&state).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxFormStatus {
    pub status: TaxForm,
}

/// Record whether the team holds a member's tax form (staff); the form itself is never stored here.
#[utoipa::path(put, path = "/api/v1/admin/tax-forms/{member_id}", tag = "opportunities (staff)", params(("member_id" = Uuid, Path)),
    request_body = TaxFormStatus, security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub(super) async fn set_tax_form(
    Req { state, ctx }: Req,
    Path(member): Path<String>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let me = staff(&ctx.viewer)?;
    let member: MemberId = path_id(&member)?;
    let t: TaxFormStatus = json(&body)?;
    payouts::set_tax_form(&state, me.id, member, t.status, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

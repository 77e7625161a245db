//! The surveys JSON API: research consent, the surveys offered and answering them (here),
//! the staff routes (`staff.rs`) and the partner's results. The routes named in the
//! issue are fixed.

mod staff;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::access::json;
use crate::consent::{self, ConsentChange};
use crate::model::Consent;
use crate::results::{self, Audience, Results};
use crate::view::{self, SurveySummary, SurveyView};
use crate::{offering, partner, taking};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/research-consent", get(get_consent).put(put_consent))
        .route("/api/v1/surveys", get(list))
        .route("/api/v1/surveys/{id}", get(get_one))
        .route("/api/v1/surveys/{id}/responses", post(respond))
        .route("/api/v1/partner/surveys/{id}/results", get(partner_results))
        .merge(staff::router())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_consent,
        put_consent,
        list,
        get_one,
        respond,
        partner_results,
        staff::create,
        staff::list_all,
        staff::replace,
        staff::publish,
        staff::copy,
        staff::import,
        staff::results,
        staff::results_csv
    ),
    components(schemas(
        ConsentView,
        ConsentInput,
        ConsentChange,
        Consent,
        SurveyView,
        SurveySummary,
        crate::view::QuestionView,
        crate::view::QuotaView,
        crate::view::ShowIfView,
        crate::model::Kind,
        crate::model::Status,
        NewResponse,
        Responded,
        crate::building::NewSurvey,
        crate::building::NewQuestion,
        crate::building::ShowIf,
        crate::building::RulesInput,
        crate::building::QuotaInput,
        crate::building::IncentiveInput,
        staff::Imported,
        Results,
        crate::results::QuestionResult,
        crate::results::Segment,
        crate::results::Cell
    ))
)]
pub(crate) struct SurveysApi;

/// A member's research consent and its history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ResearchConsentView)]
pub struct ConsentView {
    /// yes, ask (each time) or no; "ask" until the member answers.
    pub consent: Consent,
    pub history: Vec<ConsentChange>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResearchConsentInput)]
pub struct ConsentInput {
    pub consent: Consent,
}

/// My standing consent to research invitations.
#[utoipa::path(get, path = "/api/v1/me/research-consent", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, body = ConsentView), (status = 401)))]
async fn get_consent(Req { state, ctx }: Req) -> AppResult<Json<ConsentView>> {
    let me = ctx.viewer.require_member()?;
    let db = state.db.reader();
    Ok(Json(ConsentView { consent: consent::of(db, me.id).await?, history: consent::history(db, me.id).await? }))
}

/// Set my consent to research invitations: yes, ask (each time) or no. "no" is never invited.
#[utoipa::path(put, path = "/api/v1/me/research-consent", tag = "surveys", request_body = ConsentInput,
    security(("bearer" = [])), responses((status = 200, body = ConsentView), (status = 401)))]
async fn put_consent(Req { state, ctx }: Req, body: Bytes) -> AppResult<Json<ConsentView>> {
    let me = ctx.viewer.require_member()?;
    let input: ConsentInput = json(&body)?;
    consent::set(&state, me.id, input.consent).await?;
    let db = state.db.reader();
    Ok(Json(ConsentView { consent: consent::of(db, me.id).await?, history: consent::history(db, me.id).await? }))
}

/// The surveys I am invited to: open, for members like me, not yet answered; none when my consent is "no".
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, body = Vec<SurveySummary>), (status = 401)))]
async fn list(Req { state, ctx }: Req) -> AppResult<Json<Vec<SurveySummary>>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(offering::offered(&state, me.id).await?.iter().map(view::summary).collect()))
}

/// A published survey with its questions (a draft only for staff).
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = SurveyView), (status = 401), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<SurveyView>> {
    ctx.viewer.require_member()?;
    let staff = ctx.viewer.is_staff();
    let s = taking::visible(&state, path_id(&id)?, staff).await?;
    Ok(Json(view::of(&s, staff)))
}

/// Answers: question id → an option label, a list of labels, a number or text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSurveyResponse)]
pub struct NewResponse {
    #[schema(value_type = Object)]
    pub answers: HashMap<String, serde_json::Value>,
    /// With research consent "ask each time": true to consent to this survey.
    #[serde(default)]
    pub consent: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SurveyResponded)]
pub struct Responded {
    pub id: Uuid,
    /// Points the survey's incentive credits (through the ledger, shortly).
    pub incentive_points: i64,
}

/// Answer a survey, once. 403 `no_consent` (consent "no", or "ask" without `consent: true`)
/// or `not_eligible`; 409 `already_responded`, `quota_full` or `closed`; 422 naming each
/// question whose answer is wrong (`fields["answers.<question id>"]`).
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "surveys", params(("id" = Uuid, Path)),
    request_body = NewResponse, security(("bearer" = [])),
    responses((status = 201, body = Responded), (status = 401), (status = 403, description = "no_consent or not_eligible"),
        (status = 404), (status = 409, description = "already_responded, quota_full or closed"), (status = 422)))]
async fn respond(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> Response {
    let answer = async {
        let me = ctx.viewer.require_member()?;
        let survey = taking::visible(&state, path_id(&id)?, false).await?;
        let input: NewResponse = json(&body)?;
        let mut given = HashMap::new();
        for (key, value) in input.answers.into_iter().take(crate::building::MAX_QUESTIONS + 1) {
            let id: Uuid =
                key.parse().map_err(|_| AppError::field("answers", "Key each answer by its question's id."))?;
            given.insert(id, value);
        }
        let id = taking::submit(&state, &survey, me.id, &given, input.consent).await?;
        Ok::<_, taking::SubmitError>((id, survey.row.incentive_points))
    };
    match answer.await {
        Ok((id, incentive_points)) => (StatusCode::CREATED, Json(Responded { id, incentive_points })).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// member_type, country or condition: a cross-tab.
    #[serde(default)]
    pub by: Option<String>,
}

/// A partner's contact person: the results of a survey their partner commissioned,
/// aggregates only, with small cells suppressed. 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/partner/surveys/{id}/results", tag = "surveys", params(("id" = Uuid, Path), PartnerQuery),
    security(("bearer" = [])), responses((status = 200, body = Results), (status = 401), (status = 404)))]
async fn partner_results(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PartnerQuery>,
) -> AppResult<Json<Results>> {
    let me = ctx.viewer.require_member()?;
    let survey = partner::survey_for(&state, me.id, path_id(&id)?).await?;
    let by = results::by_of(q.by.as_deref())?;
    let k = crate::settings::SurveySettings::of(&state)?.min_cell;
    Ok(Json(results::of(&state, &survey, Audience::Partner { k }, by).await?))
}

//! The staff API: build, edit a draft, publish, copy, import and read results. Every
//! route answers 401 without a token and 404 to members who are not staff, before the
//! body is read.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{api_staff as staff, json};
use crate::building::{self, NewSurvey};
use crate::results::{self, Audience, Results};
use crate::settings::SurveySettings;
use crate::store;
use crate::view::{self, SurveySummary, SurveyView};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/surveys", post(create).get(list_all))
        .route("/api/v1/admin/surveys/{id}", axum::routing::put(replace))
        .route("/api/v1/admin/surveys/{id}/publish", post(publish))
        .route("/api/v1/admin/surveys/{id}/copy", post(copy))
        .route("/api/v1/admin/surveys/{id}/import", post(import))
        .route("/api/v1/admin/surveys/{id}/results", get(results))
        .route("/api/v1/admin/surveys/{id}/results.csv", get(results_csv))
}

async fn created(state: &AppState, id: uuid::Uuid) -> AppResult<Response> {
    let s = store::load(state.db.reader(), id).await?;
    Ok((StatusCode::CREATED, Json(view::of(&s, true))).into_response())
}

/// Build a survey (staff): a draft, until published. `rules`, `quotas` and `incentive` are optional.
#[utoipa::path(post, path = "/api/v1/admin/surveys", tag = "surveys (staff)", request_body = NewSurvey,
    security(("bearer" = [])), responses((status = 201, body = SurveyView), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn create(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let n: NewSurvey = json(&body)?;
    let clean = building::validate(&n).map_err(AppError::Validation)?;
    let id = store::create(&state, me.id, &clean, &ctx.client_ip).await?;
    created(&state, id).await
}

/// Every survey, newest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/surveys", tag = "surveys (staff)", security(("bearer" = [])),
    responses((status = 200, body = Vec<SurveySummary>), (status = 401), (status = 404)))]
pub(super) async fn list_all(Req { state, ctx }: Req) -> AppResult<Json<Vec<SurveySummary>>> {
    staff(&ctx.viewer)?;
    Ok(Json(store::all_surveys(&state.db, 200).await?.iter().map(view::summary).collect()))
}

/// Replace a draft's questions and settings (staff); a published survey is frozen (409 `frozen`).
#[utoipa::path(put, path = "/api/v1/admin/surveys/{id}", tag = "surveys (staff)", params(("id" = uuid::Uuid, Path)),
    request_body = NewSurvey, security(("bearer" = [])),
    responses((status = 200, body = SurveyView), (status = 401), (status = 404), (status = 409, description = "frozen"), (status = 422)))]
pub(super) async fn replace(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<SurveyView>> {
    let me = staff(&ctx.viewer)?;
    let id = path_id(&id)?;
    let n: NewSurvey = json(&body)?;
    let clean = building::validate(&n).map_err(AppError::Validation)?;
    store::replace(&state, me.id, id, &clean, &ctx.client_ip).await?;
    Ok(Json(view::of(&store::load(state.db.reader(), id).await?, true)))
}

/// Publish a draft (staff): members may answer it from now on, and its questions are frozen.
#[utoipa::path(post, path = "/api/v1/admin/surveys/{id}/publish", tag = "surveys (staff)", params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = SurveyView), (status = 401), (status = 404)))]
pub(super) async fn publish(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<SurveyView>> {
    let me = staff(&ctx.viewer)?;
    let id = path_id(&id)?;
    store::publish(&state, me.id, id, &ctx.client_ip).await?;
    Ok(Json(view::of(&store::load(state.db.reader(), id).await?, true)))
}

/// Copy a survey into a new draft that can be edited (staff).
#[utoipa::path(post, path = "/api/v1/admin/surveys/{id}/copy", tag = "surveys (staff)", params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])), responses((status = 201, body = SurveyView), (status = 401), (status = 404)))]
pub(super) async fn copy(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let new = store::copy(&state, me.id, path_id(&id)?, &ctx.client_ip).await?;
    created(&state, new).await
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SurveyImported)]
pub struct Imported {
    pub imported: usize,
}

/// Import responses collected elsewhere (staff): a CSV file (`Content-Type: text/csv`),
/// one row per respondent, one column per question headed by its exact text, options by
/// label (several separated by `;`), optional `member_type` and `country` columns.
/// Any bad row: 422 naming each row and column in `fields`, and nothing is imported.
#[utoipa::path(post, path = "/api/v1/admin/surveys/{id}/import", tag = "surveys (staff)", params(("id" = uuid::Uuid, Path)),
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 201, body = Imported), (status = 401), (status = 404), (status = 422)))]
pub(super) async fn import(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let survey = store::load(state.db.reader(), path_id(&id)?).await?;
    let text =
        std::str::from_utf8(&body).map_err(|_| AppError::bad_request("invalid_body", "The file is not UTF-8 text."))?;
    let rows = crate::import::read(&survey, text).map_err(AppError::Validation)?;
    let imported = crate::import::store(&state, me.id, &survey, &rows, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(Imported { imported })).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// staff (default) or partner: with partner, every cell below k and any a shown total
    /// would give away is suppressed (`count: null, suppressed: true`).
    #[serde(default)]
    pub audience: Option<String>,
    /// member_type, country or condition: a cross-tab.
    #[serde(default)]
    pub by: Option<String>,
}

async fn results_of(state: &AppState, id: &str, q: &ResultsQuery) -> AppResult<Results> {
    let audience = match q.audience.as_deref().filter(|a| !a.is_empty()) {
        None | Some("staff") => Audience::Staff,
        Some("partner") => Audience::Partner { k: SurveySettings::of(state)?.min_cell },
        Some(_) => return Err(AppError::bad_request("invalid_query", "audience is staff or partner.")),
    };
    let by = results::by_of(q.by.as_deref())?;
    let survey = store::load(state.db.reader(), path_id(id)?).await?;
    results::of(state, &survey, audience, by).await
}

/// A survey's results (staff): per question, respondents and each option's count and percent.
#[utoipa::path(get, path = "/api/v1/admin/surveys/{id}/results", tag = "surveys (staff)",
    params(("id" = uuid::Uuid, Path), ResultsQuery), security(("bearer" = [])),
    responses((status = 200, body = Results), (status = 401), (status = 404)))]
pub(super) async fn results(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> AppResult<Json<Results>> {
    staff(&ctx.viewer)?;
    Ok(Json(results_of(&state, &id, &q).await?))
}

/// The same results as a CSV file of aggregates (staff).
#[utoipa::path(get, path = "/api/v1/admin/surveys/{id}/results.csv", tag = "surveys (staff)",
    params(("id" = uuid::Uuid, Path), ResultsQuery), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 404)))]
pub(super) async fn results_csv(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let r = results_of(&state, &id, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"survey-results.csv\""),
        ],
        results::csv(&r),
    )
        .into_response())
}

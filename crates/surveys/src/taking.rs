//! Taking a survey: who may (`policy`), the answers (`answers`), and the response
//! written in one transaction with its outbox events. One response per member and the
//! quotas hold under concurrent submissions because the database decides: a unique
//! index on (survey, member), and conditional counter updates (`filled < target`,
//! `responses_count < target_total`) whose miss rolls the whole response back.

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::eligibility::Candidate;
use contracts::events::SurveyCompleted;
use contracts::surveys::SurveyIncentiveEarned;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, outbox, params};
use serde_json::Value;
use uuid::Uuid;

use crate::answers::{self, Accepted};
use crate::consent;
use crate::policy::{self, Refusal};
use crate::store::{self, Survey};

/// The member's profile as the members port offers it for matching.
pub async fn candidate_of(state: &AppState, member: MemberId) -> AppResult<Candidate> {
    let people = contracts::members::directory(state)?;
    let profile = people.match_profiles((&state.db).into(), &[member]).await?.remove(&member).unwrap_or_default();
    Ok(Candidate { profile, credentials: vec![] })
}

/// A published survey as a member may see it; drafts are 404 to everyone but staff.
pub async fn visible(state: &AppState, id: Uuid, staff: bool) -> AppResult<Survey> {
    let s = store::load(state.db.reader(), id).await?;
    if s.status() == crate::model::Status::Draft && !staff {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

pub const NO_CONSENT: &str = "Your research consent is \u{201c}no\u{201d}: change it to take part in surveys.";
pub const CONSENT_NEEDED: &str =
    "You asked to be asked each time: consent to this survey (send \u{201c}consent\u{201d}: true) to answer it.";
pub const NOT_ELIGIBLE: &str = "This survey is for members other than you.";

/// A refusal as an API answer (403 with its code); other errors as usual.
pub fn forbidden(r: &Refusal) -> Response {
    let (code, message) = match r {
        Refusal::NoConsent => ("no_consent", NO_CONSENT),
        Refusal::ConsentNeeded => ("no_consent", CONSENT_NEEDED),
        Refusal::NotEligible => ("not_eligible", NOT_ELIGIBLE),
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    let mut res = (StatusCode::FORBIDDEN, Json(body)).into_response();
    res.extensions_mut().insert(kernel::error::ErrorPage { status: StatusCode::FORBIDDEN, message: message.into() });
    res
}

/// Why a submission did not become a response.
#[derive(Debug)]
pub enum SubmitError {
    Refused(Refusal),
    Other(AppError),
}

impl From<AppError> for SubmitError {
    fn from(e: AppError) -> Self {
        SubmitError::Other(e)
    }
}

impl From<sea_orm::DbErr> for SubmitError {
    fn from(e: sea_orm::DbErr) -> Self {
        SubmitError::Other(e.into())
    }
}

impl IntoResponse for SubmitError {
    fn into_response(self) -> Response {
        match self {
            SubmitError::Refused(r) => forbidden(&r),
            SubmitError::Other(e) => e.into_response(),
        }
    }
}

/// Whether `member` may take `survey` now (consenting to it if `consented`).
pub async fn may_take(
    state: &AppState,
    survey: &Survey,
    member: MemberId,
    consented: bool,
) -> Result<Candidate, SubmitError> {
    if !survey.open(now()) {
        return Err(closed().into());
    }
    let standing = consent::of(state.db.reader(), member).await?;
    let candidate = candidate_of(state, member).await?;
    policy::may_take(standing, consented, &survey.rules(), &candidate).map_err(SubmitError::Refused)?;
    Ok(candidate)
}

pub fn closed() -> AppError {
    AppError::conflict(
        "closed",
        "This survey is closed: it has all the responses it needs, or its closing date passed.",
    )
}

pub fn already_responded() -> AppError {
    AppError::conflict("already_responded", "You have already answered this survey.")
}

pub fn quota_full() -> AppError {
    AppError::conflict("quota_full", "This survey has all the responses it needs from members like you.")
}

/// Problems with answers as field errors keyed `answers.<question id>`.
pub fn answer_errors(problems: answers::Problems) -> AppError {
    let mut e = FieldErrors::new();
    for (id, message) in problems {
        let key = if id.is_nil() { "answers".to_string() } else { format!("answers.{id}") };
        e.add(&key, message);
    }
    AppError::Validation(e)
}

/// `member` answers `survey` with `given`; returns the response's id. Refused with 403
/// (no consent, not eligible), 409 (`already_responded`, `quota_full`, `closed`) or 422
/// naming each question whose answer is wrong.
pub async fn submit(
    state: &AppState,
    survey: &Survey,
    member: MemberId,
    given: &HashMap<Uuid, Value>,
    consented: bool,
) -> Result<Uuid, SubmitError> {
    let candidate = may_take(state, survey, member, consented).await?;
    let accepted = answers::check(&survey.questions, given).map_err(answer_errors)?;
    let p = &candidate.profile;
    let member_type = p.member_type.map(|t| t.as_str().to_string());
    let conditions = serde_json::to_string(&p.conditions).unwrap_or_else(|_| "[]".into());
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    let added = db::exec(
        &tx,
        "INSERT INTO survey_responses (id, survey_id, member_id, source, member_type, country, conditions, consented, created_at) \
         VALUES ($1, $2, $3, 'member', $4, $5, $6, $7, $8) ON CONFLICT (survey_id, member_id) DO NOTHING",
        params![id, survey.row.id, member, member_type.clone(), p.country.clone(), conditions, consented, now()],
    )
    .await?;
    if added == 0 {
        return Err(already_responded().into());
    }
    if let Some(t) = &member_type
        && survey.quotas.iter().any(|q| q.member_type == *t)
    {
        let taken = db::exec(
            &tx,
            "UPDATE survey_quotas SET filled = filled + 1 WHERE survey_id = $1 AND member_type = $2 AND filled < target",
            params![survey.row.id, t.clone()],
        )
        .await?;
        if taken == 0 {
            return Err(quota_full().into());
        }
    }
    let counted = db::exec(
        &tx,
        "UPDATE surveys SET responses_count = responses_count + 1 \
         WHERE id = $1 AND status = 'published' AND (target_total IS NULL OR responses_count < target_total)",
        params![survey.row.id],
    )
    .await?;
    if counted == 0 {
        return Err(closed().into());
    }
    write_answers(&tx, id, &accepted).await?;
    db::exec(&tx, "DELETE FROM survey_drafts WHERE survey_id = $1 AND member_id = $2", params![survey.row.id, member])
        .await?;
    outbox::publish(&tx, Some(member), &SurveyCompleted { member_id: member }).await?;
    if survey.row.incentive_points > 0 {
        let earned = SurveyIncentiveEarned {
            member_id: member,
            survey_id: survey.row.id,
            response_id: id,
            survey_title: survey.row.title.clone(),
            points: survey.row.incentive_points,
        };
        outbox::publish(&tx, Some(member), &earned).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The accepted answers of response `id`, one row per value.
pub async fn write_answers<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid, accepted: &Accepted) -> AppResult<()> {
    for (question, values) in accepted {
        for v in values {
            db::exec(
                c,
                "INSERT INTO survey_answers (response_id, question_id, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                params![id, *question, v.clone()],
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether `member` has answered `survey`.
pub async fn responded(state: &AppState, survey: Uuid, member: MemberId) -> AppResult<bool> {
    let found: Option<Uuid> = state
        .db
        .scalar("SELECT id FROM survey_responses WHERE survey_id = $1 AND member_id = $2", params![survey, member])
        .await?;
    Ok(found.is_some())
}

//! A member's side of an application: applying (once per opportunity, however many
//! requests race), withdrawing, and their list with each application's history.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::opportunities::ApplicationSubmitted;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, outbox, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::board::{candidate_of, condition_names};
use crate::catalogue;
use crate::history::{self, ApplicationRow, Change};
use crate::model::Status;
use crate::payouts;
use crate::policy;

/// An application: answers to the opportunity's questions, in order, and the channels
/// (platform codes from the member's profile) the member would use.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
}

/// Why an application was refused: not eligible (with the reasons), or any other error.
#[derive(Debug)]
pub enum ApplyError {
    NotEligible(Vec<String>),
    Other(AppError),
}

impl From<AppError> for ApplyError {
    fn from(e: AppError) -> Self {
        ApplyError::Other(e)
    }
}

impl From<sea_orm::DbErr> for ApplyError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApplyError::Other(e.into())
    }
}

pub const NOT_ELIGIBLE: &str = "You do not meet what this opportunity asks for.";

impl IntoResponse for ApplyError {
    /// The API's error shape, with the reasons beside the message.
    fn into_response(self) -> Response {
        match self {
            ApplyError::NotEligible(reasons) => {
                let body = serde_json::json!({ "error": { "code": "not_eligible", "message": NOT_ELIGIBLE, "reasons": reasons } });
                let mut res = (StatusCode::FORBIDDEN, Json(body)).into_response();
                let page = kernel::error::ErrorPage { status: StatusCode::FORBIDDEN, message: NOT_ELIGIBLE.into() };
                res.extensions_mut().insert(page);
                res
            }
            ApplyError::Other(e) => e.into_response(),
        }
    }
}

/// Answers as given, trimmed: one for each question, none empty.
fn checked_answers(questions: &[String], answers: &[String], e: &mut FieldErrors) -> Vec<String> {
    let answers: Vec<String> = answers.iter().map(|a| a.trim().to_string()).collect();
    if answers.len() != questions.len() || answers.iter().any(String::is_empty) {
        e.add("answers", format!("Answer each of the {} questions.", questions.len()));
    } else if answers.iter().any(|a| a.chars().count() > 2000) {
        e.add("answers", "Keep each answer under 2,000 characters.");
    }
    answers
}

/// Channels chosen, each one the member lists on their profile.
fn checked_channels(chosen: &[String], listed: &[(String, i64)], e: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in chosen.iter().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()) {
        if !listed.iter().any(|(platform, _)| *platform == c) {
            e.add("channels", "Choose channels you list on your profile.");
        } else if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// `viewer` applies for opportunity `id`. Refused with 409 `already_applied` (one
/// application each, also when requests race), 409 `closed`, 403 `not_eligible` with
/// the reasons, or 422 for missing answers or unknown channels.
pub async fn apply(state: &AppState, viewer: &Viewer, id: Uuid, a: &NewApplication) -> Result<Uuid, ApplyError> {
    let me = viewer.require_member()?;
    // Read outside the transaction first: a transaction waiting for a second pooled
    // connection can starve the pool under load.
    let candidate = candidate_of(state, me.id).await?;
    let names = condition_names(state).await?;
    let row = catalogue::load(state.db.reader(), id).await?;
    let tx = state.db.begin().await?;
    let existing: Option<Uuid> =
        db::scalar(&tx, "SELECT id FROM applications WHERE opportunity_id = $1 AND member_id = $2", params![id, me.id])
            .await?;
    if existing.is_some() {
        return Err(already_applied().into());
    }
    if row.closed(now()) {
        return Err(AppError::conflict("closed", "Applications for this opportunity are closed.").into());
    }
    let rules = catalogue::rules_of(&tx, &row).await?;
    let reasons = policy::reasons(&rules, &candidate, &names);
    if !reasons.is_empty() {
        return Err(ApplyError::NotEligible(reasons));
    }
    let mut e = FieldErrors::new();
    let answers = checked_answers(&row.question_list(), &a.answers, &mut e);
    let channels = checked_channels(&a.channels, &candidate.profile.channels, &mut e);
    e.into_result()?;
    let application = Uuid::now_v7();
    let t = now();
    let added = db::exec(
        &tx,
        "INSERT INTO applications (id, opportunity_id, member_id, status, answers, channels, created_at, updated_at) \
         VALUES ($1, $2, $3, 'applied', $4, $5, $6, $6) ON CONFLICT (opportunity_id, member_id) DO NOTHING",
        params![application, id, me.id, json(&answers), json(&channels), t],
    )
    .await?;
    if added == 0 {
        return Err(already_applied().into());
    }
    let app = history::load(&tx, application).await?;
    history::record(&tx, &app, Status::Applied, "", Some(me.id)).await?;
    let event = ApplicationSubmitted { member_id: me.id, opportunity_id: id, application_id: application };
    outbox::publish(&tx, Some(me.id), &event).await?;
    tx.commit().await?;
    Ok(application)
}

fn already_applied() -> AppError {
    AppError::conflict("already_applied", "You have already applied for this opportunity.")
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The member withdraws their application (while it is not yet submitted).
pub async fn withdraw(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    let app = history::lock(&tx, id).await?;
    if app.member_id != me.id {
        return Err(AppError::NotFound);
    }
    if !app.status().may_withdraw() {
        return Err(AppError::conflict(
            "cannot_withdraw",
            format!("An application that is {} can no longer be withdrawn.", app.status().label().to_lowercase()),
        ));
    }
    payouts::cancel_pending(&tx, app.id).await?;
    history::record(&tx, &app, Status::Withdrawn, "", Some(me.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// One of the member's applications, with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyApplicationView {
    pub id: Uuid,
    pub opportunity_id: Uuid,
    pub opportunity_title: String,
    pub status: Status,
    pub status_label: String,
    pub answers: Vec<String>,
    pub channels: Vec<String>,
    pub applied_at: chrono::DateTime<chrono::Utc>,
    pub history: Vec<Change>,
    /// What the member handed in, newest first, each with the disclosure check.
    pub deliverables: Vec<crate::deliverables::DeliverableView>,
    pub may_withdraw: bool,
    pub may_deliver: bool,
}

/// The member's applications, newest first, each with its history and deliverables.
pub async fn mine(state: &AppState, member: MemberId) -> AppResult<Vec<MyApplicationView>> {
    let rows = history::of_member(&state.db, member).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut changes = history::of(state, &ids, Some(member)).await?;
    let mut delivered = crate::deliverables::of_applications(&state.db, &ids).await?;
    Ok(rows.into_iter().map(|r| my_view(r, &mut changes, &mut delivered)).collect())
}

fn my_view(
    r: ApplicationRow,
    changes: &mut std::collections::HashMap<Uuid, Vec<Change>>,
    delivered: &mut std::collections::HashMap<Uuid, Vec<crate::deliverables::DeliverableView>>,
) -> MyApplicationView {
    let status = r.status();
    MyApplicationView {
        id: r.id,
        opportunity_id: r.opportunity_id,
        status,
        status_label: status.label().to_string(),
        answers: r.answer_list(),
        channels: r.channel_list(),
        applied_at: r.created_at,
        history: changes.remove(&r.id).unwrap_or_default(),
        deliverables: delivered.remove(&r.id).unwrap_or_default(),
        may_withdraw: status.may_withdraw(),
        may_deliver: status.may_deliver(),
        opportunity_title: r.title,
    }
}

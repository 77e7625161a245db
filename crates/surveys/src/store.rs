//! Surveys in the database: create and replace a draft, publish (which freezes the
//! questions), copy, and load one with its questions and quotas.

use std::collections::HashMap;

use contracts::eligibility::Rules;
use contracts::members::MemberType;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use uuid::Uuid;

use crate::building::{CleanSurvey, rules_from_json, rules_json};
use crate::model::{Kind, Status};

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct SurveyRow {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: String,
    pub partner_id: Option<Uuid>,
    pub rules: String,
    pub incentive_points: i64,
    pub target_total: Option<i64>,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    pub responses_count: i64,
}

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct QuestionRow {
    id: Uuid,
    position: i64,
    section: String,
    text: String,
    kind: String,
    options: String,
    required: bool,
    show_if_question: Option<Uuid>,
    show_if_value: Option<String>,
}

/// A stored question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: Uuid,
    pub position: i64,
    pub section: String,
    pub text: String,
    pub kind: Kind,
    pub options: Vec<String>,
    pub required: bool,
    pub long: bool,
    /// Shown only when the question with this id was answered with this option.
    pub show_if: Option<(Uuid, String)>,
}

/// A stored quota.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct Quota {
    pub member_type: String,
    pub target: i64,
    pub filled: i64,
}

/// A survey with everything that describes it.
#[derive(Debug, Clone)]
pub struct Survey {
    pub row: SurveyRow,
    pub questions: Vec<Question>,
    pub quotas: Vec<Quota>,
}

impl Survey {
    pub fn status(&self) -> Status {
        Status::parse(&self.row.status)
    }

    pub fn rules(&self) -> Rules {
        rules_from_json(&self.row.rules)
    }

    /// Whether members may answer now: published, before its closing date, below its target total.
    pub fn open(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.status() == Status::Published
            && self.row.closes_at.is_none_or(|c| at < c)
            && self.row.target_total.is_none_or(|t| self.row.responses_count < t)
    }

    pub fn question(&self, id: Uuid) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

pub const SURVEY_COLUMNS: &str = "id, title, description, status, partner_id, rules, incentive_points, target_total, \
     closes_at, responses_count";

/// Loads survey `id` (any status), or 404.
pub async fn load<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<Survey> {
    let row: SurveyRow = db::one(c, &format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<QuestionRow> = db::all(
        c,
        "SELECT id, position, section, text, kind, options, required, show_if_question, show_if_value \
         FROM survey_questions WHERE survey_id = $1 ORDER BY position",
        params![id],
    )
    .await?;
    let quotas: Vec<Quota> = db::all(
        c,
        "SELECT member_type, target, filled FROM survey_quotas WHERE survey_id = $1 ORDER BY member_type",
        params![id],
    )
    .await?;
    Ok(Survey { row, questions: rows.into_iter().map(question_of).collect(), quotas })
}

fn question_of(r: QuestionRow) -> Question {
    let stored: StoredOptions = serde_json::from_str(&r.options).unwrap_or_default();
    Question {
        id: r.id,
        position: r.position,
        section: r.section,
        text: r.text,
        kind: Kind::parse(&r.kind).unwrap_or(Kind::Text),
        options: stored.options,
        required: r.required,
        long: stored.long,
        show_if: r.show_if_question.zip(r.show_if_value),
    }
}

/// A question's options and presentation, kept as one JSON column.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct StoredOptions {
    options: Vec<String>,
    #[serde(default)]
    long: bool,
}

/// The published surveys open now, newest first (at most `limit`).
pub async fn open_surveys(db: &Db, limit: u64) -> AppResult<Vec<SurveyRow>> {
    let t = now();
    Ok(db
        .all(
            &format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE status = 'published' AND (closes_at IS NULL OR closes_at > $1) \
                 AND (target_total IS NULL OR responses_count < target_total) ORDER BY created_at DESC, id LIMIT $2"
            ),
            params![t, limit as i64],
        )
        .await?)
}

/// Every survey, newest first (staff), at most `limit`.
pub async fn all_surveys(db: &Db, limit: u64) -> AppResult<Vec<SurveyRow>> {
    Ok(db
        .all(
            &format!("SELECT {SURVEY_COLUMNS} FROM surveys ORDER BY created_at DESC, id LIMIT $1"),
            params![limit as i64],
        )
        .await?)
}

/// Stores a new draft survey; returns its id.
pub async fn create(state: &AppState, actor: MemberId, s: &CleanSurvey, ip: &str) -> AppResult<Uuid> {
    crate::partner::check_known(state, s.partner_id).await?;
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO surveys (id, title, description, status, partner_id, rules, incentive_points, target_total, closes_at, \
         responses_count, created_by, created_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, 0, $9, $10)",
        params![
            id,
            s.title.clone(),
            s.description.clone(),
            s.partner_id,
            rules_json(&s.rules),
            s.incentive_points,
            s.target_total,
            s.closes_at,
            actor,
            now()
        ],
    )
    .await?;
    write_parts(&tx, id, s).await?;
    audit::record(&tx, Some(actor), "survey.create", None, Some(ip), serde_json::json!({ "survey_id": id })).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a draft's description and questions; a published survey is frozen (409).
pub async fn replace(state: &AppState, actor: MemberId, id: Uuid, s: &CleanSurvey, ip: &str) -> AppResult<()> {
    crate::partner::check_known(state, s.partner_id).await?;
    let tx = state.db.begin().await?;
    let status: String =
        db::scalar(&tx, "SELECT status FROM surveys WHERE id = $1", params![id]).await?.ok_or(AppError::NotFound)?;
    if Status::parse(&status) != Status::Draft {
        return Err(frozen());
    }
    db::exec(
        &tx,
        "UPDATE surveys SET title = $2, description = $3, partner_id = $4, rules = $5, incentive_points = $6, \
         target_total = $7, closes_at = $8 WHERE id = $1 AND status = 'draft'",
        params![
            id,
            s.title.clone(),
            s.description.clone(),
            s.partner_id,
            rules_json(&s.rules),
            s.incentive_points,
            s.target_total,
            s.closes_at
        ],
    )
    .await?;
    db::exec(&tx, "DELETE FROM survey_questions WHERE survey_id = $1", params![id]).await?;
    db::exec(&tx, "DELETE FROM survey_quotas WHERE survey_id = $1", params![id]).await?;
    write_parts(&tx, id, s).await?;
    audit::record(&tx, Some(actor), "survey.edit", None, Some(ip), serde_json::json!({ "survey_id": id })).await?;
    tx.commit().await?;
    Ok(())
}

pub fn frozen() -> AppError {
    AppError::conflict("frozen", "This survey is published, so its questions are frozen; edit a copy instead.")
}

async fn write_parts(tx: &DatabaseTransaction, id: Uuid, s: &CleanSurvey) -> AppResult<()> {
    let ids: Vec<Uuid> = s.questions.iter().map(|_| Uuid::now_v7()).collect();
    for (i, q) in s.questions.iter().enumerate() {
        let stored = StoredOptions { options: q.options.clone(), long: q.long };
        let (show_q, show_v) = match &q.show_if {
            Some((at, value)) => (Some(ids[*at]), Some(value.clone())),
            None => (None, None),
        };
        db::exec(
            tx,
            "INSERT INTO survey_questions (id, survey_id, position, section, text, kind, options, required, show_if_question, show_if_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                ids[i],
                id,
                i as i64,
                q.section.clone(),
                q.text.clone(),
                q.kind.as_str(),
                serde_json::to_string(&stored).unwrap_or_default(),
                q.required,
                show_q,
                show_v
            ],
        )
        .await?;
    }
    for (t, target) in &s.quotas {
        db::exec(
            tx,
            "INSERT INTO survey_quotas (survey_id, member_type, target, filled) VALUES ($1, $2, $3, 0)",
            params![id, t.as_str(), *target],
        )
        .await?;
    }
    Ok(())
}

/// Publishes a draft: from now on its questions are frozen. Publishing twice is harmless.
pub async fn publish(state: &AppState, actor: MemberId, id: Uuid, ip: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let exists: Option<String> = db::scalar(&tx, "SELECT status FROM surveys WHERE id = $1", params![id]).await?;
    exists.ok_or(AppError::NotFound)?;
    let changed = db::exec(
        &tx,
        "UPDATE surveys SET status = 'published', published_at = $2 WHERE id = $1 AND status = 'draft'",
        params![id, now()],
    )
    .await?;
    if changed > 0 {
        audit::record(&tx, Some(actor), "survey.publish", None, Some(ip), serde_json::json!({ "survey_id": id }))
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A new draft with the questions, rules, quotas and incentive of survey `id`.
pub async fn copy(state: &AppState, actor: MemberId, id: Uuid, ip: &str) -> AppResult<Uuid> {
    let s = load(state.db.reader(), id).await?;
    let positions: HashMap<Uuid, usize> = s.questions.iter().enumerate().map(|(i, q)| (q.id, i)).collect();
    let clean = CleanSurvey {
        title: format!("Copy of {}", s.row.title).chars().take(200).collect(),
        description: s.row.description.clone(),
        questions: s
            .questions
            .iter()
            .map(|q| crate::building::CleanQuestion {
                text: q.text.clone(),
                kind: q.kind,
                options: q.options.clone(),
                required: q.required,
                section: q.section.clone(),
                long: q.long,
                show_if: q.show_if.as_ref().and_then(|(qid, v)| positions.get(qid).map(|p| (*p, v.clone()))),
            })
            .collect(),
        rules: s.rules(),
        quotas: s.quotas.iter().filter_map(|q| MemberType::parse(&q.member_type).map(|t| (t, q.target))).collect(),
        incentive_points: s.row.incentive_points,
        target_total: s.row.target_total,
        closes_at: None,
        partner_id: s.row.partner_id,
    };
    let new = create(state, actor, &clean, ip).await?;
    db::exec(state.db.writer(), "UPDATE surveys SET copied_from = $2 WHERE id = $1", params![new, id]).await?;
    Ok(new)
}

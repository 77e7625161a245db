//! Quotes: free-text answers reach partners only after staff read and approve each one.
//! Reading them is a staff read of members' answers, so it is audited.

use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, db, params};
use uuid::Uuid;

/// A free-text answer waiting for review, or approved.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct TextAnswer {
    pub response_id: Uuid,
    pub question_id: Uuid,
    pub question: String,
    pub value: String,
    pub approved: bool,
}

/// Every free-text answer of `survey` (newest responses first, at most 500), audited.
pub async fn texts(state: &AppState, actor: MemberId, survey: Uuid, ip: &str) -> AppResult<Vec<TextAnswer>> {
    let rows: Vec<TextAnswer> = state
        .db
        .all(
            "SELECT a.response_id, a.question_id, q.text AS question, a.value, \
             (EXISTS (SELECT 1 FROM survey_quotes k WHERE k.response_id = a.response_id AND k.question_id = a.question_id)) AS approved \
             FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
             WHERE q.survey_id = $1 AND q.kind = 'text' ORDER BY a.response_id DESC, q.position LIMIT 500",
            params![survey],
        )
        .await?;
    let detail = serde_json::json!({ "survey_id": survey, "answers": rows.len() });
    audit::record(state.db.writer(), Some(actor), "survey.read_texts", None, Some(ip), detail).await?;
    Ok(rows)
}

/// Approves one free-text answer as a quote partners may read.
pub async fn approve(state: &AppState, actor: MemberId, survey: Uuid, response: Uuid, question: Uuid) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let found: Option<Uuid> = db::scalar(
        &tx,
        "SELECT a.response_id FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
         WHERE a.response_id = $1 AND a.question_id = $2 AND q.survey_id = $3 AND q.kind = 'text'",
        params![response, question, survey],
    )
    .await?;
    found.ok_or(AppError::NotFound)?;
    db::exec(
        &tx,
        "INSERT INTO survey_quotes (response_id, question_id, approved_at, approved_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        params![response, question, now(), actor],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

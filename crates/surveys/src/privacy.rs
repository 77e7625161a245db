//! What the surveys slice holds about a member: their research consent and its
//! history, and the surveys they answered with their answers (their part of "download
//! my data"); and erasure: the consent, its history, answers in progress and free text
//! go, and the choices stay as nameless responses so results still add up.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

use crate::consent;

pub struct SurveysExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Answer {
    survey: String,
    response_id: Uuid,
    question: String,
    value: String,
    answered_at: chrono::DateTime<chrono::Utc>,
}

impl kernel::state::Exporter for SurveysExport {
    fn section(&self) -> &'static str {
        "surveys"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let now = consent::of(db.reader(), member).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let history = consent::history(db.reader(), member).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let answers: Vec<Answer> = db
                .all(
                    "SELECT s.title AS survey, r.id AS response_id, q.text AS question, a.value, r.created_at AS answered_at \
                     FROM survey_responses r JOIN surveys s ON s.id = r.survey_id \
                     JOIN survey_answers a ON a.response_id = r.id JOIN survey_questions q ON q.id = a.question_id \
                     WHERE r.member_id = $1 ORDER BY r.created_at, q.position, a.value",
                    params![member],
                )
                .await?;
            Ok(serde_json::json!({
                "research_consent": now.as_str(),
                "research_consent_history": history,
                "answers": answers,
            }))
        })
    }
}

/// Erases a deleted member from this slice (`MemberDeleted`, consumed as "surveys-erasure").
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    for sql in [
        "DELETE FROM research_consents WHERE member_id = $1",
        "DELETE FROM research_consent_history WHERE member_id = $1",
        "DELETE FROM survey_drafts WHERE member_id = $1",
        // Free text may name them; choices stay, counted without a name.
        "DELETE FROM survey_quotes WHERE response_id IN (SELECT id FROM survey_responses WHERE member_id = $1)",
        "DELETE FROM survey_answers WHERE response_id IN (SELECT id FROM survey_responses WHERE member_id = $1) \
         AND question_id IN (SELECT id FROM survey_questions WHERE kind = 'text')",
        "UPDATE survey_responses SET member_id = NULL WHERE member_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}

//! Progress saved between the pages of a survey: the answers given so far, the page the
//! member is on and whether they consented to this survey ("ask each time"). Removed
//! when the response is written.

use std::collections::HashMap;

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, AppState, params};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub answers: HashMap<Uuid, Value>,
    pub page: usize,
    pub consented: bool,
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    answers: String,
    page: i64,
    consented: bool,
}

/// The member's saved progress on `survey` (an empty draft when there is none).
pub async fn load(state: &AppState, survey: Uuid, member: MemberId) -> AppResult<Draft> {
    let row: Option<Row> = state
        .db
        .one(
            "SELECT answers, page, consented FROM survey_drafts WHERE survey_id = $1 AND member_id = $2",
            params![survey, member],
        )
        .await?;
    Ok(row
        .map(|r| Draft {
            answers: serde_json::from_str(&r.answers).unwrap_or_default(),
            page: r.page.max(0) as usize,
            consented: r.consented,
        })
        .unwrap_or_default())
}

/// Saves the member's progress.
pub async fn save(state: &AppState, survey: Uuid, member: MemberId, d: &Draft) -> AppResult<()> {
    let answers = serde_json::to_string(&d.answers).unwrap_or_else(|_| "{}".into());
    db::exec(
        state.db.writer(),
        "INSERT INTO survey_drafts (survey_id, member_id, answers, page, consented, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (survey_id, member_id) DO UPDATE SET answers = EXCLUDED.answers, page = EXCLUDED.page, \
         consented = EXCLUDED.consented, updated_at = EXCLUDED.updated_at",
        params![survey, member, answers, d.page as i64, d.consented, now()],
    )
    .await?;
    Ok(())
}

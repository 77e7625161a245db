//! The partner's view: a partner's contact people (a port of the opportunities slice,
//! where partners live) see the results of the surveys their partner commissioned,
//! suppressed; anyone else is told there is nothing here (404).

use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState};
use uuid::Uuid;

use crate::model::Status;
use crate::store::{self, Survey, SurveyRow};

/// The partners `member` is a contact of (none without the opportunities slice).
async fn partners_of(state: &AppState, member: MemberId) -> AppResult<Vec<Uuid>> {
    match contracts::surveys::partner_contacts(state) {
        Ok(port) => Ok(port.partners_of(&state.db, member).await?),
        Err(_) => Ok(Vec::new()),
    }
}

/// Survey `id`, when it is published and `member` is a contact of its partner; else 404.
pub async fn survey_for(state: &AppState, member: MemberId, id: Uuid) -> AppResult<Survey> {
    let mine = partners_of(state, member).await?;
    let survey = store::load(state.db.reader(), id).await?;
    let theirs = survey.row.partner_id.is_some_and(|p| mine.contains(&p));
    if !theirs || survey.status() != Status::Published {
        return Err(AppError::NotFound);
    }
    Ok(survey)
}

/// The published surveys of the partners `member` is a contact of, newest first.
pub async fn surveys_for(state: &AppState, member: MemberId) -> AppResult<Vec<SurveyRow>> {
    let mine = partners_of(state, member).await?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let mut values = Vec::new();
    let list = mine
        .iter()
        .enumerate()
        .map(|(i, p)| {
            values.push(sea_orm::Value::from(*p));
            format!("${}", i + 1)
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(state
        .db
        .all(
            &format!(
                "SELECT {} FROM surveys WHERE status = 'published' AND partner_id IN ({list}) ORDER BY created_at DESC, id LIMIT 100",
                store::SURVEY_COLUMNS
            ),
            values,
        )
        .await?)
}

/// A survey's partner must be one the opportunities slice knows (422 on `partner_id`).
pub async fn check_known(state: &AppState, partner: Option<Uuid>) -> AppResult<()> {
    let Some(id) = partner else { return Ok(()) };
    let known = match contracts::surveys::partner_contacts(state) {
        Ok(port) => port.partners(&state.db).await?.iter().any(|p| p.id == id),
        Err(_) => false,
    };
    if known { Ok(()) } else { Err(AppError::field("partner_id", "Choose one of the partners.")) }
}

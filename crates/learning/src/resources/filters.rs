//! The library's filters as typed in a query string (the page's GET form and the API
//! alike), checked into a [`Filter`]: an unknown value is named, never ignored, so a
//! mistyped link does not quietly show everything.

use contracts::members::MemberType;
use kernel::{AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::library::Filter;
use super::model::{Kind, topic_label};

/// The filters as text; empty means "any".
#[derive(Debug, Clone, Default)]
pub struct RawFilter {
    pub topic: String,
    pub condition: String,
    pub member_type: String,
    pub kind: String,
    pub q: String,
    /// A moment key (the moments slice's list).
    pub moment: String,
}

/// Checks each filter; the errors name the query parameter at fault. A condition must
/// be in the members' reference list.
pub async fn check(state: &AppState, raw: &RawFilter) -> AppResult<Result<Filter, FieldErrors>> {
    let mut e = FieldErrors::new();
    let mut f = Filter::default();
    let topic = raw.topic.trim();
    if !topic.is_empty() {
        match topic_label(topic) {
            Some(_) => f.topic = Some(topic.to_string()),
            None => e.add("topic", "There is no such topic. Choose one from the list."),
        }
    }
    let kind = raw.kind.trim();
    if !kind.is_empty() {
        f.kind = Kind::parse(kind);
        if f.kind.is_none() {
            e.add("kind", "Choose a guide, toolkit, template or checklist.");
        }
    }
    let member_type = raw.member_type.trim();
    if !member_type.is_empty() {
        f.member_type = MemberType::parse(member_type);
        if f.member_type.is_none() {
            e.add("member_type", "There is no such member type. Choose one from the list.");
        }
    }
    f.condition = condition(state, raw.condition.trim(), &mut e).await?;
    match contracts::moments::moment_filter(state, "resource", &raw.moment).await? {
        Ok(ids) => f.ids = ids,
        Err(message) => e.add("moment", message),
    }
    match kernel::search::search_text(&raw.q) {
        Ok(q) if !q.is_empty() => f.text = Some(q.to_string()),
        Ok(_) => {}
        Err(kernel::AppError::Validation(v)) => e.add("q", v.sentence()),
        Err(other) => return Err(other),
    }
    Ok(if e.is_empty() { Ok(f) } else { Err(e) })
}

async fn condition(state: &AppState, raw: &str, e: &mut FieldErrors) -> AppResult<Option<Uuid>> {
    if raw.is_empty() {
        return Ok(None);
    }
    let Ok(id) = raw.parse::<Uuid>() else {
        e.add("condition", "There is no such condition. Choose one from the list.");
        return Ok(None);
    };
    let known = contracts::members::directory(state)?.existing_conditions(&state.db, &[id]).await?;
    if known.is_empty() {
        e.add("condition", "There is no such condition. Choose one from the list.");
        return Ok(None);
    }
    Ok(Some(id))
}

//! A newsletter issue: one per ISO week, drafted by staff, with the editor's intro and
//! featured links. The personal parts are assembled per member (see `assembly`).

use kernel::db::is_unique_violation;
use kernel::error::FieldErrors;
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A link the editor features in an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Featured {
    /// 1 to 200 characters.
    pub title: String,
    /// A path on the site (`/…`), at most 500 characters.
    pub href: String,
}

/// An issue as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssueView {
    pub id: Uuid,
    /// ISO week, `YYYY-Www`.
    pub week: String,
    pub intro: String,
    pub featured: Vec<Featured>,
    /// `draft` until scheduled.
    pub status: String,
    /// When a scheduled issue goes out (RFC 3339); absent for a draft.
    pub send_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new draft: `{week: "YYYY-Www"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    pub week: String,
}

/// The editor's changes: the intro (at most 5,000 characters) and up to 10 featured links.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueEdit {
    pub intro: String,
    #[schema(max_items = 10)]
    pub featured: Vec<Featured>,
}

/// Whether `week` is a real ISO week written `YYYY-Www`.
pub fn valid_week(week: &str) -> bool {
    let Some((year, w)) = week.split_once("-W") else { return false };
    let (Ok(year), Ok(w)) = (year.parse::<i32>(), w.parse::<u32>()) else { return false };
    week.len() == 8
        && (2000..=2100).contains(&year)
        && chrono::NaiveDate::from_isoywd_opt(year, w, chrono::Weekday::Mon).is_some()
}

/// Drafts the issue of `week`; a second draft of the same week is a conflict.
pub async fn create(state: &AppState, by: MemberId, new: &NewIssue) -> AppResult<Uuid> {
    if !valid_week(&new.week) {
        return Err(AppError::field("week", "Give the week as YYYY-Www, for example 2026-W49."));
    }
    let id = Uuid::now_v7();
    let now = kernel::time::now();
    let insert = state
        .db
        .exec(
            "INSERT INTO newsletter_issues (id, week, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            params![id, new.week.clone(), by, now],
        )
        .await;
    match insert {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict("week_taken", "That week already has an issue.")),
        Err(e) => Err(e.into()),
    }
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    id: Uuid,
    week: String,
    intro: String,
    featured: String,
    status: String,
    send_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One issue, or 404.
pub async fn get(state: &AppState, id: Uuid) -> AppResult<IssueView> {
    let row: Row = state
        .db
        .one("SELECT id, week, intro, featured, status, send_at FROM newsletter_issues WHERE id = $1", params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(IssueView {
        id: row.id,
        week: row.week,
        intro: row.intro,
        featured: serde_json::from_str(&row.featured).unwrap_or_default(),
        status: row.status,
        send_at: row.send_at,
    })
}

fn check_edit(edit: &IssueEdit) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    errors.check_length("intro", &edit.intro, 0..=5000, "Keep the intro to 5,000 characters.");
    if edit.featured.len() > 10 {
        errors.add("featured", "Feature at most 10 links.");
    }
    for f in &edit.featured {
        errors.check_length(
            "featured",
            &f.title,
            1..=200,
            "Each featured link needs a title of at most 200 characters.",
        );
        if !f.href.starts_with('/') || f.href.starts_with("//") || f.href.len() > 500 {
            errors.add("featured", "Each featured link is a path on this site, starting with /.");
        }
    }
    errors.into_result()
}

/// Saves the editor's intro and featured links on a draft.
pub async fn edit(state: &AppState, id: Uuid, edit: &IssueEdit) -> AppResult<IssueView> {
    let current = get(state, id).await?;
    check_edit(edit)?;
    if current.status != "draft" {
        return Err(AppError::conflict("not_a_draft", "Only a draft can be edited."));
    }
    let featured = serde_json::to_string(&edit.featured).map_err(|e| AppError::Internal(e.into()))?;
    state
        .db
        .exec(
            "UPDATE newsletter_issues SET intro = $1, featured = $2, updated_at = $3 WHERE id = $4",
            params![edit.intro.clone(), featured, kernel::time::now(), id],
        )
        .await?;
    get(state, id).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn weeks_are_iso_weeks() {
        assert!(super::valid_week("2026-W49"));
        assert!(super::valid_week("2026-W53"));
        for bad in ["2025-W53", "2026-W00", "2026-W1", "26-W10", "2026W10", "2026-W10x", ""] {
            assert!(!super::valid_week(bad), "{bad}");
        }
    }
}

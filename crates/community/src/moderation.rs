//! Reports and moderation. Anyone may report what they can see; a group's moderators
//! handle reports about their group and staff handle all of them. Every action is
//! recorded with the moderator and the reason, and authors can read the record of
//! what was done to their own content.

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups;
use crate::threads;

pub const REASONS: &[&str] = &["spam", "harassment", "medical_misinformation", "self_harm_risk", "other"];
pub const TARGETS: &[&str] = &["thread", "reply", "member"];
pub const ACTIONS: &[&str] = &["dismiss", "hide", "remove"];

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// thread, reply or member
    pub target_type: String,
    pub target_id: Uuid,
    /// spam, harassment, medical_misinformation, self_harm_risk or other
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub target_type: String,
    pub target_id: Uuid,
    pub group_id: Option<Uuid>,
    pub reason: String,
    pub note: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const REPORT_COLUMNS: &str = "id, target_type, target_id, group_id, reason, note, status, created_at";

/// What a report is about: its group (for content) and author.
async fn locate(
    db: &Db,
    viewer: &Viewer,
    target_type: &str,
    target: Uuid,
) -> AppResult<(Option<Uuid>, Option<MemberId>)> {
    match target_type {
        "thread" => {
            let (t, g, _) = threads::readable(db, viewer, target).await?;
            Ok((Some(g.id), Some(t.author_id)))
        }
        "reply" => {
            #[derive(sea_orm::FromQueryResult)]
            struct Row {
                thread_id: Uuid,
                author_id: MemberId,
            }
            let row: Row = db
                .one("SELECT thread_id, author_id FROM posts WHERE id = $1 AND status = 'visible'", params![target])
                .await?
                .ok_or(AppError::NotFound)?;
            let (_, g, _) = threads::readable(db, viewer, row.thread_id).await?;
            Ok((Some(g.id), Some(row.author_id)))
        }
        _ => {
            let member = MemberId(target);
            members::profile::view(db, viewer, member).await?.ok_or(AppError::NotFound)?;
            Ok((None, Some(member)))
        }
    }
}

/// Files a report about something the reporter can see. Reporting the same thing twice
/// keeps the first report.
pub async fn report(state: &AppState, viewer: &Viewer, r: &NewReport) -> AppResult<Report> {
    let me = viewer.require_member()?;
    let mut e = kernel::FieldErrors::new();
    if !TARGETS.contains(&r.target_type.as_str()) {
        e.add("target_type", "Choose thread, reply or member.");
    }
    if !REASONS.contains(&r.reason.as_str()) {
        e.add("reason", "Choose spam, harassment, medical_misinformation, self_harm_risk or other.");
    }
    if r.note.chars().count() > 2000 {
        e.add("note", "Keep the note under 2,000 characters.");
    }
    e.into_result()?;
    let (group, author) = locate(&state.db, viewer, &r.target_type, r.target_id).await?;
    state
        .db
        .exec(
            "INSERT INTO reports (id, reporter_id, target_type, target_id, group_id, author_id, reason, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (reporter_id, target_type, target_id) DO NOTHING",
            params![Uuid::now_v7(), me.id, r.target_type.clone(), r.target_id, group, author, r.reason.clone(), r.note.trim(), now()],
        )
        .await?;
    state
        .db
        .one(
            &format!(
                "SELECT {REPORT_COLUMNS} FROM reports WHERE reporter_id = $1 AND target_type = $2 AND target_id = $3"
            ),
            params![me.id, r.target_type.clone(), r.target_id],
        )
        .await?
        .ok_or(AppError::NotFound)
}

/// Open reports the viewer may handle: every one for staff; their groups' for moderators.
pub async fn queue(state: &AppState, viewer: &Viewer) -> AppResult<Vec<Report>> {
    let me = viewer.require_member()?;
    if viewer.is_staff() {
        return Ok(state
            .db
            .all(
                &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE status = 'open' ORDER BY created_at LIMIT 200"),
                params![],
            )
            .await?);
    }
    Ok(state
        .db
        .all(
            &format!(
                "SELECT {REPORT_COLUMNS} FROM reports r WHERE r.status = 'open' AND r.group_id IN \
                 (SELECT group_id FROM group_members WHERE member_id = $1 AND status = 'active' AND role IN ('owner', 'moderator')) \
                 ORDER BY r.created_at LIMIT 200"
            ),
            params![me.id],
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// dismiss, hide or remove
    pub action: String,
    /// Why; the author sees it.
    pub reason: String,
}

/// Acts on a report (the group's moderators, or staff). Hiding or removing takes the
/// content out of every list and page; the author can see the action and its reason.
pub async fn decide(state: &AppState, viewer: &Viewer, report: Uuid, d: &Decision, ip: &str) -> AppResult<()> {
    let me = viewer.require_member()?;
    let mut e = kernel::FieldErrors::new();
    if !ACTIONS.contains(&d.action.as_str()) {
        e.add("action", "Choose dismiss, hide or remove.");
    }
    if d.reason.trim().is_empty() || d.reason.chars().count() > 1000 {
        e.add("reason", "Give a reason of 1 to 1,000 characters.");
    }
    e.into_result()?;
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        target_type: String,
        target_id: Uuid,
        group_id: Option<Uuid>,
        author_id: Option<MemberId>,
        status: String,
    }
    let r: Row = state
        .db
        .one("SELECT target_type, target_id, group_id, author_id, status FROM reports WHERE id = $1", params![report])
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = viewer.is_staff()
        || match r.group_id {
            Some(g) => groups::standing(state.db.reader(), viewer, g).await?.can_moderate(),
            None => false,
        };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if r.status != "open" {
        return Err(AppError::conflict("already_decided", "This report has already been handled."));
    }
    let tx = state.db.begin().await?;
    let status = if d.action == "dismiss" { "dismissed" } else { "actioned" };
    db::exec(
        &tx,
        "UPDATE reports SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
        params![status, me.id, now(), report],
    )
    .await?;
    if d.action != "dismiss" {
        let new_status = if d.action == "hide" { "hidden" } else { "removed" };
        match r.target_type.as_str() {
            "thread" => {
                db::exec(&tx, "UPDATE threads SET status = $1 WHERE id = $2", params![new_status, r.target_id]).await?;
                kernel::search::remove_thread(&tx, r.target_id).await?;
            }
            "reply" => {
                db::exec(&tx, "UPDATE posts SET status = $1 WHERE id = $2", params![new_status, r.target_id]).await?;
                kernel::search::remove(&tx, r.target_id).await?;
            }
            _ => {}
        }
    }
    db::exec(
        &tx,
        "INSERT INTO moderation_actions (id, report_id, target_type, target_id, author_id, moderator_id, action, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![Uuid::now_v7(), report, r.target_type.clone(), r.target_id, r.author_id, me.id, d.action.clone(), d.reason.trim(), now()],
    )
    .await?;
    audit::record(
        &tx,
        Some(me.id),
        "moderation_action",
        r.author_id,
        Some(ip),
        serde_json::json!({ "report": report, "action": d.action }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct ActionRecord {
    pub target_type: String,
    pub target_id: Uuid,
    pub action: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// What moderators did to the viewer's own content (the moderator is not named).
pub async fn about_me(db: &Db, member: MemberId) -> AppResult<Vec<ActionRecord>> {
    Ok(db
        .all(
            "SELECT target_type, target_id, action, reason, created_at FROM moderation_actions WHERE author_id = $1 AND action <> 'dismiss' \
             ORDER BY created_at DESC LIMIT 200",
            params![member],
        )
        .await?)
}

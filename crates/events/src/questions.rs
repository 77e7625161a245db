//! Questions members send in before a panel, read by the panel, site moderators and
//! staff, and by each author their own.

use chrono::{DateTime, Utc};
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, params};
use serde::Serialize;
use uuid::Uuid;

use crate::service;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Question {
    pub id: Uuid,
    pub member_id: MemberId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn ask(state: &AppState, viewer: &Viewer, event: Uuid, body: &str) -> AppResult<Question> {
    let me = viewer.require_member()?;
    let e = service::visible(state, viewer, event).await?;
    if e.kind != "panel" {
        return Err(AppError::conflict("not_a_panel", "Questions are sent in for panels."));
    }
    if now() >= e.starts_at {
        return Err(AppError::conflict("panel_started", "The panel has started; ask in the session instead."));
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 1000 {
        return Err(AppError::field("body", "Write a question of 1 to 1,000 characters."));
    }
    let id = Uuid::now_v7();
    let t = now();
    state
        .db
        .exec(
            "INSERT INTO panel_questions (id, event_id, member_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            params![id, event, me.id, body, t],
        )
        .await?;
    Ok(Question { id, member_id: me.id, body: body.to_string(), created_at: t })
}

/// Whether `viewer` reads every question sent in for the panel `event`: its panel (the
/// members among its hosts, speakers, panelists and moderators), site moderators and
/// staff. Anyone else reads only their own: a question can say much about the asker.
pub async fn reads_all(db: &Db, viewer: &Viewer, event: Uuid) -> AppResult<bool> {
    if viewer.has_role(Role::Moderator) {
        return Ok(true);
    }
    let Some(me) = viewer.id() else { return Ok(false) };
    let on_panel: Option<i64> = db
        .scalar("SELECT COUNT(*) FROM event_speakers WHERE event_id = $1 AND member_id = $2", params![event, me])
        .await?;
    Ok(on_panel.unwrap_or(0) > 0)
}

/// The questions for `event` that `viewer` may read ([`reads_all`]), oldest first.
pub async fn of_event(db: &Db, viewer: &Viewer, event: Uuid) -> AppResult<Vec<Question>> {
    const ALL: &str = "SELECT id, member_id, body, created_at FROM panel_questions WHERE event_id = $1";
    const ORDER: &str = "ORDER BY created_at, id LIMIT 500";
    if reads_all(db, viewer, event).await? {
        return Ok(db.all(&format!("{ALL} {ORDER}"), params![event]).await?);
    }
    let me = viewer.require_member()?;
    Ok(db.all(&format!("{ALL} AND member_id = $2 {ORDER}"), params![event, me.id]).await?)
}

/// How many questions were sent in for `event` (a number anyone who sees the panel may
/// know; the questions themselves follow [`of_event`]).
pub async fn count(db: &Db, event: Uuid) -> AppResult<i64> {
    Ok(db.scalar("SELECT COUNT(*) FROM panel_questions WHERE event_id = $1", params![event]).await?.unwrap_or(0))
}

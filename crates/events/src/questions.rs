//! Questions members send in before a panel.

use chrono::{DateTime, Utc};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
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

pub async fn of_event(db: &kernel::db::Db, event: Uuid) -> AppResult<Vec<Question>> {
    Ok(db
        .all("SELECT id, member_id, body, created_at FROM panel_questions WHERE event_id = $1 ORDER BY created_at, id LIMIT 500", params![event])
        .await?)
}

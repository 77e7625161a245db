//! An application's moves: each change of status is written with who made it, when
//! and the message sent, in the same transaction as the change, and the member hears
//! of it through the outbox (in the app, and by e-mail as they chose).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use contracts::opportunities::ApplicationStatusChanged;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, outbox, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Status;

/// The columns of [`ApplicationRow`], over [`FROM`].
pub const COLUMNS: &str = "a.id, a.opportunity_id, a.member_id, a.status, a.answers, a.channels, a.created_at, \
    o.title";
pub const FROM: &str = "applications a JOIN opportunities o ON o.id = a.opportunity_id";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub opportunity_id: Uuid,
    pub member_id: MemberId,
    pub status: String,
    pub answers: String,
    pub channels: String,
    pub created_at: DateTime<Utc>,
    pub title: String,
}

impl ApplicationRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Withdrawn)
    }
    pub fn answer_list(&self) -> Vec<String> {
        serde_json::from_str(&self.answers).unwrap_or_default()
    }
    pub fn channel_list(&self) -> Vec<String> {
        serde_json::from_str(&self.channels).unwrap_or_default()
    }
}

/// Locks an application for the rest of the transaction (a row lock on PostgreSQL; the
/// single writer on SQLite) and reads it; 404 when there is none.
pub async fn lock(tx: &Tx, id: Uuid) -> AppResult<ApplicationRow> {
    let locked: Option<String> =
        db::scalar(tx, &format!("SELECT status FROM applications WHERE id = $1{}", db::for_update(tx)), params![id])
            .await?;
    locked.ok_or(AppError::NotFound)?;
    load(tx, id).await
}

pub async fn load<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> AppResult<ApplicationRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

/// Where the member sees their applications.
pub fn member_url(application: Uuid) -> String {
    format!("/opportunities/mine#application-{application}")
}

/// Moves `app` to `to` (or records its first status), with `message` for the member,
/// and tells them. The caller holds the application's lock and has checked the move.
pub async fn record(
    tx: &Tx,
    app: &ApplicationRow,
    to: Status,
    message: &str,
    actor: Option<MemberId>,
) -> AppResult<()> {
    let t = now();
    db::exec(tx, "UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3", params![to.as_str(), t, app.id])
        .await?;
    db::exec(
        tx,
        "INSERT INTO application_history (id, application_id, status, message, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![Uuid::now_v7(), app.id, to.as_str(), message.trim(), actor, t],
    )
    .await?;
    let mut text = to.news(&app.title);
    if !message.trim().is_empty() {
        text.push_str(&format!(" Message from the team: {}", message.trim()));
    }
    let event = ApplicationStatusChanged {
        member_id: app.member_id,
        application_id: app.id,
        status: to.as_str().to_string(),
        text,
        url: member_url(app.id),
    };
    outbox::publish(tx, actor, &event).await?;
    Ok(())
}

/// One move of an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    pub status: Status,
    pub message: String,
    /// Who made the move: "you", "the team" (for the member) or a staff member's name (for staff).
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The moves of each of `applications`, oldest first, in one query. `member` sees
/// "you" and "the team"; staff (`member` = `None`) see names.
pub async fn of(
    state: &kernel::AppState,
    applications: &[Uuid],
    member: Option<MemberId>,
) -> AppResult<HashMap<Uuid, Vec<Change>>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        application_id: Uuid,
        status: String,
        message: String,
        actor_id: Option<MemberId>,
        at: DateTime<Utc>,
    }
    let mut out: HashMap<Uuid, Vec<Change>> = HashMap::new();
    if applications.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT application_id, status, message, actor_id, at FROM application_history WHERE application_id IN ({}) ORDER BY at, id",
        db::placeholders(1, applications.len())
    );
    let rows: Vec<Row> = state.db.all(&sql, applications.iter().map(|a| sea_orm::Value::from(*a)).collect()).await?;
    let names = match member {
        Some(_) => HashMap::new(),
        None => {
            let actors: Vec<MemberId> = rows.iter().filter_map(|r| r.actor_id).collect();
            contracts::members::directory(state)?.display_names((&state.db).into(), &actors).await?
        }
    };
    for r in rows {
        let by = match (r.actor_id, member) {
            (Some(a), Some(me)) if a == me => "you".to_string(),
            (_, Some(_)) | (None, None) => "the team".to_string(),
            (Some(a), None) => names.get(&a).cloned().unwrap_or_else(|| "someone".into()),
        };
        let Some(status) = Status::parse(&r.status) else { continue };
        out.entry(r.application_id).or_default().push(Change { status, message: r.message, by, at: r.at });
    }
    Ok(out)
}

/// The applications of `member`, newest first.
pub async fn of_member(db: &Db, member: MemberId) -> AppResult<Vec<ApplicationRow>> {
    Ok(db
        .all(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE a.member_id = $1 ORDER BY a.created_at DESC"),
            params![member],
        )
        .await?)
}

/// The applications to an opportunity, oldest first (staff).
pub async fn of_opportunity(db: &Db, opportunity: Uuid) -> AppResult<Vec<ApplicationRow>> {
    Ok(db
        .all(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE a.opportunity_id = $1 ORDER BY a.created_at, a.id"),
            params![opportunity],
        )
        .await?)
}

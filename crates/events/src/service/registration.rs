//! Registration: signing up for an event or joining its waitlist (which never lets
//! registrations pass capacity), cancelling with promotion from the waitlist, a member's
//! own status, and the list of registrants for staff.

use chrono::{DateTime, Utc};
use contracts::members::directory as people;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::Serialize;
use uuid::Uuid;

use super::notices::notify;
use super::{COLUMNS, EventRow, can_view, load, reader};
use crate::model::RegistrationStatus;
use crate::time;

pub(super) async fn count(tx: &Tx, event: Uuid, status: &str) -> AppResult<i64> {
    Ok(db::scalar(
        tx,
        "SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = $2",
        params![event, status.to_string()],
    )
    .await?
    .unwrap_or(0))
}

pub(super) async fn registered_members(tx: &Tx, event: Uuid) -> AppResult<Vec<MemberId>> {
    let sql = "SELECT member_id FROM registrations WHERE event_id = $1 AND status = 'registered'";
    Ok(db::column(tx, sql, params![event]).await?)
}

/// Registers `viewer`, or puts them on the waitlist when the event is full. Asking
/// again answers with the place they already have.
pub async fn register(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    answers: &[String],
) -> AppResult<RegistrationStatus> {
    let me = viewer.require_member()?;
    let answers_json = answers_as_json(answers)?;
    // Everything read outside the transaction is read before it starts: a transaction
    // that waits for a second pooled connection while holding a row lock can starve the
    // pool under load.
    let r = reader(state, viewer).await?;
    let tx = state.db.begin().await?;
    // The event row lock serialises registrations for one event on PostgreSQL; on
    // SQLite the single writer already does.
    let event: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    if !can_view(&r, &event) {
        return Err(AppError::NotFound);
    }
    let existing: Option<String> =
        db::scalar(&tx, "SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2", params![id, me.id])
            .await?;
    match existing.as_deref() {
        Some("registered") => return Ok(RegistrationStatus::Registered),
        Some("waitlisted") => return Ok(RegistrationStatus::Waitlisted),
        _ => {}
    }
    if !event.registration_open(now()) {
        return Err(AppError::conflict("registration_closed", "Registration for this event is closed."));
    }
    let registered = count(&tx, id, "registered").await?;
    let status = if event.capacity.is_none_or(|c| registered < c) {
        RegistrationStatus::Registered
    } else {
        RegistrationStatus::Waitlisted
    };
    let status_text = if status == RegistrationStatus::Registered { "registered" } else { "waitlisted" };
    let position = write_registration(&tx, id, me.id, existing.is_some(), status_text, answers_json).await?;
    let (subject, text) = confirmation(state, &event, status)?;
    notify(state, &tx, me.id, &event, &format!("event-{status_text}:{id}:{position}"), &subject, text).await?;
    tx.commit().await?;
    Ok(status)
}

/// The answers to the registration questions (at most 5, each up to 1,000 characters),
/// trimmed, as the JSON list stored with the registration.
fn answers_as_json(answers: &[String]) -> AppResult<String> {
    if answers.len() > 5 || answers.iter().any(|a| a.chars().count() > 1000) {
        return Err(AppError::field("answers", "Give at most 5 answers of up to 1,000 characters."));
    }
    Ok(serde_json::to_string(&answers.iter().map(|a| a.trim()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into()))
}

/// Stores a registration (or renews a cancelled one) at the end of the queue; answers
/// its position.
async fn write_registration(
    tx: &Tx,
    id: Uuid,
    member: MemberId,
    renew: bool,
    status_text: &str,
    answers_json: String,
) -> AppResult<i64> {
    let position: i64 = db::scalar(
        tx,
        "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM registrations WHERE event_id = $1",
        params![id],
    )
    .await?
    .unwrap_or(1);
    let t = now();
    if renew {
        db::exec(
            tx,
            "UPDATE registrations SET status = $1, position = $2, updated_at = $3, answers = $4 WHERE event_id = $5 AND member_id = $6",
            params![status_text, position, t, answers_json.clone(), id, member],
        )
        .await?;
    } else {
        db::exec(
            tx,
            "INSERT INTO registrations (event_id, member_id, status, position, created_at, updated_at, answers) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            params![id, member, status_text, position, t, answers_json.clone()],
        )
        .await?;
    }
    Ok(position)
}

/// The subject and text of the e-mail confirming a registration or a place on the
/// waitlist.
fn confirmation(state: &AppState, event: &EventRow, status: RegistrationStatus) -> AppResult<(String, String)> {
    Ok(match status {
        RegistrationStatus::Registered => (
            format!("You're registered: {}", event.title),
            format!(
                "Hello,\n\nYou are registered for {}, {}.\n\nThe attached calendar file adds it to your calendar. The join link appears on the event page {} minutes before the start.\n",
                event.title,
                time::display(event.starts_at, &event.time_zone),
                crate::settings::EventSettings::join_minutes(state)?
            ),
        ),
        RegistrationStatus::Waitlisted => (
            format!("You're on the waitlist: {}", event.title),
            format!(
                "Hello,\n\n{} is full, so you are on the waitlist. If a seat frees up, you get it at once and we will tell you.\n",
                event.title
            ),
        ),
    })
}

/// Cancels `viewer`'s registration; a freed seat goes to the first on the waitlist.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    let _event: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    let changed = db::exec(
        &tx,
        "UPDATE registrations SET status = 'cancelled', updated_at = $1 WHERE event_id = $2 AND member_id = $3 AND status IN ('registered', 'waitlisted')",
        params![now(), id, me.id],
    )
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    promote(state, &tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves people from the waitlist into free seats, first come first served.
pub(super) async fn promote(state: &AppState, tx: &Tx, id: Uuid) -> AppResult<()> {
    let event = load(tx, id).await?;
    if event.status != "scheduled" {
        return Ok(());
    }
    loop {
        let registered = count(tx, id, "registered").await?;
        if event.capacity.is_some_and(|c| registered >= c) {
            return Ok(());
        }
        let next: Option<MemberId> = db::scalar(
            tx,
            "SELECT member_id FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY position LIMIT 1",
            params![id],
        )
        .await?;
        let Some(member) = next else { return Ok(()) };
        db::exec(
            tx,
            "UPDATE registrations SET status = 'registered', promoted_at = $1, updated_at = $1 WHERE event_id = $2 AND member_id = $3",
            params![now(), id, member],
        )
        .await?;
        let text = format!(
            "Good news: a seat opened up and you are now registered for {}, {}.\n\nThe attached calendar file adds it to your calendar.\n",
            event.title,
            time::display(event.starts_at, &event.time_zone)
        );
        notify(
            state,
            tx,
            member,
            &event,
            &format!("event-promoted:{id}"),
            &format!("A seat is yours: {}", event.title),
            text,
        )
        .await?;
    }
}

/// The viewer's registration status, if any.
pub async fn my_status(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<Option<RegistrationStatus>> {
    let Some(me) = viewer.id() else { return Ok(None) };
    let s: Option<String> =
        db.scalar("SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2", params![id, me]).await?;
    Ok(registration_status(s.as_deref()))
}

/// The viewer's registration status for each of `ids` (a list page), in one query.
pub async fn my_statuses(
    db: &Db,
    viewer: &Viewer,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, RegistrationStatus>> {
    let Some(me) = viewer.id() else { return Ok(Default::default()) };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        event_id: Uuid,
        status: String,
    }
    let mut values = params![me];
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let sql = format!(
        "SELECT event_id, status FROM registrations WHERE member_id = $1 AND event_id IN ({})",
        db::placeholders(2, ids.len())
    );
    let rows: Vec<Row> = db.all(&sql, values).await?;
    Ok(rows.into_iter().filter_map(|r| registration_status(Some(&r.status)).map(|s| (r.event_id, s))).collect())
}

fn registration_status(s: Option<&str>) -> Option<RegistrationStatus> {
    match s {
        Some("registered") => Some(RegistrationStatus::Registered),
        Some("waitlisted") => Some(RegistrationStatus::Waitlisted),
        _ => None,
    }
}

/// One person's registration, for staff.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registrant {
    pub member_id: MemberId,
    pub display_name: String,
    pub status: String,
    /// Answers to the registration questions, in order. Health information: shown to staff only, and audited.
    pub answers: Vec<String>,
    pub attended: bool,
}

/// Everyone registered or waiting (staff). Answers can be health information (access
/// needs), so each read is audited.
pub async fn registrants(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<Vec<Registrant>> {
    let staff = viewer.require_role(Role::Staff)?;
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        status: String,
        answers: String,
        attended_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = state
        .db
        .all(
            "SELECT member_id, status, answers, attended_at FROM registrations WHERE event_id = $1 AND status IN ('registered', 'waitlisted') ORDER BY position",
            params![id],
        )
        .await?;
    let ids: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let names = people(state)?.display_names((&state.db).into(), &ids).await?;
    audit::record(
        state.db.writer(),
        Some(staff.id),
        "staff_viewed_registrants",
        None,
        Some(ip),
        serde_json::json!({ "event": id }),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Registrant {
            display_name: names.get(&r.member_id).cloned().unwrap_or_default(),
            member_id: r.member_id,
            status: r.status,
            answers: serde_json::from_str(&r.answers).unwrap_or_default(),
            attended: r.attended_at.is_some(),
        })
        .collect())
}

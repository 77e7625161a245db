//! Deleting an event (staff): only one nobody ever registered for. Once a member has
//! registered (even if they later cancelled), the event is part of their history and
//! their reminders, so it is cancelled instead (which tells them); the refusal says so.

use kernel::db::{self, Tx};
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use uuid::Uuid;

/// What hangs off an event and goes with it, children before their parents.
const DEPENDANTS: &[&str] = &[
    "DELETE FROM networking_places WHERE round_id IN (SELECT id FROM networking_rounds WHERE event_id = $1)",
    "DELETE FROM networking_rounds WHERE event_id = $1",
    "DELETE FROM event_speakers WHERE event_id = $1",
    "DELETE FROM panel_questions WHERE event_id = $1",
    "DELETE FROM event_conditions WHERE event_id = $1",
    "DELETE FROM agenda_picks WHERE event_id = $1",
];

/// Deletes the event and what hangs off it, in one transaction, audited.
pub async fn delete(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let tx = state.db.begin().await?;
    let title: String =
        db::scalar(&tx, &format!("SELECT title FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    refuse_once_registered(&tx, id).await?;
    for sql in DEPENDANTS {
        db::exec(&tx, sql, params![id]).await?;
    }
    db::exec(&tx, "DELETE FROM events WHERE id = $1", params![id]).await?;
    audit::record(
        &tx,
        Some(staff.id),
        "event_deleted",
        None,
        Some(ip),
        serde_json::json!({ "event": id, "title": title }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn refuse_once_registered(tx: &Tx, id: Uuid) -> AppResult<()> {
    let registrations: i64 =
        db::scalar(tx, "SELECT COUNT(*) FROM registrations WHERE event_id = $1", params![id]).await?.unwrap_or(0);
    if registrations > 0 {
        return Err(AppError::conflict(
            "event_has_registrations",
            "Members have registered for this event, so it cannot be deleted: cancel it instead, which tells them.",
        ));
    }
    Ok(())
}

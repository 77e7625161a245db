//! Staff changing a conference from the console: its settings (by the same checks as
//! creating one, [`conference::check`]), tracks and ticket types added or resized (never
//! removed: sessions and tickets point at them), and deleting a conference that has no
//! session and no ticket yet.

use kernel::db;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use uuid::Uuid;

use crate::conference::{self, NewConference};

/// Changes a conference (staff): its settings, new tracks, and ticket types added or
/// resized by name (never below the tickets already taken).
pub(crate) async fn update(state: &AppState, viewer: &Viewer, id: Uuid, c: &NewConference, ip: &str) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    conference::check(c)?;
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE conferences SET name = $1, year = $2, description = $3, starts_on = $4, ends_on = $5, time_zone = $6, \
         venue = $7, online_url = $8 WHERE id = $9",
        params![
            c.name.trim(),
            c.year,
            c.description.trim(),
            c.starts_on.clone(),
            c.ends_on.clone(),
            c.time_zone.trim(),
            c.venue.trim(),
            c.online_url.clone(),
            id
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    for t in &c.tracks {
        conference::place_session(&tx, Some(id), Some(t)).await?;
    }
    for (i, t) in c.ticket_types.iter().enumerate() {
        let name = t.name.trim();
        let taken: i64 = db::scalar(
            &tx,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM conference_tickets c JOIN ticket_types t ON t.id = c.ticket_type_id \
             WHERE t.conference_id = $1 AND t.name = $2",
            params![id, name],
        )
        .await?
        .unwrap_or(0);
        if t.capacity.is_some_and(|cap| cap < taken) {
            return Err(AppError::field(
                "ticket_types",
                format!("{taken} tickets of \u{201c}{name}\u{201d} are taken; its seats cannot go below that."),
            ));
        }
        let changed = db::exec(
            &tx,
            "UPDATE ticket_types SET capacity = $1 WHERE conference_id = $2 AND name = $3",
            params![t.capacity, id, name],
        )
        .await?;
        if changed == 0 {
            db::exec(
                &tx,
                "INSERT INTO ticket_types (id, conference_id, name, capacity, position) VALUES ($1, $2, $3, $4, $5)",
                params![Uuid::now_v7(), id, name, t.capacity, 100 + i as i64],
            )
            .await?;
        }
    }
    audit::record(&tx, Some(staff.id), "conference_updated", None, Some(ip), serde_json::json!({ "conference": id }))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a conference with no session and no ticket taken (staff).
pub(crate) async fn delete(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let tx = state.db.begin().await?;
    let used: i64 = db::scalar(
        &tx,
        "SELECT CAST((SELECT COUNT(*) FROM events WHERE conference_id = $1) + \
         (SELECT COUNT(*) FROM conference_tickets WHERE conference_id = $1) AS BIGINT)",
        params![id],
    )
    .await?
    .unwrap_or(0);
    if used > 0 {
        return Err(AppError::conflict(
            "conference_in_use",
            "This conference has sessions or tickets; cancel its sessions instead of deleting it.",
        ));
    }
    db::exec(&tx, "DELETE FROM ticket_types WHERE conference_id = $1", params![id]).await?;
    db::exec(&tx, "DELETE FROM conference_tracks WHERE conference_id = $1", params![id]).await?;
    if db::exec(&tx, "DELETE FROM conferences WHERE id = $1", params![id]).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&tx, Some(staff.id), "conference_deleted", None, Some(ip), serde_json::json!({ "conference": id }))
        .await?;
    tx.commit().await?;
    Ok(())
}

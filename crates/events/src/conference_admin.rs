//! Staff changing a conference from the console: its settings (by the same checks as
//! creating one, [`conference::check`]), tracks and ticket types added, resized, or
//! removed while no session or ticket points at them, and deleting a conference that has
//! no session and no ticket yet.

use kernel::db;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use uuid::Uuid;

use crate::conference::{self, NewConference};

/// Changes a conference (staff): its settings, new tracks, and ticket types added or
/// resized by name (never below the tickets already taken). The form lists every track
/// and ticket type, so one left out is removed ([`remove_unlisted`]).
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
    remove_unlisted(&tx, id, c).await?;
    audit::record(&tx, Some(staff.id), "conference_updated", None, Some(ip), serde_json::json!({ "conference": id }))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A track or ticket type of the conference, and how many sessions or tickets use it.
#[derive(sea_orm::FromQueryResult)]
struct Part {
    id: Uuid,
    name: String,
    used: i64,
}

/// Removes the tracks and ticket types left out of `c`; one still used by a session or a
/// ticket stays, and the form says so beside its field (nothing is changed then).
async fn remove_unlisted(tx: &db::Tx, id: Uuid, c: &NewConference) -> AppResult<()> {
    let tracks: Vec<Part> = db::all(
        tx,
        "SELECT t.id, t.name, CAST((SELECT COUNT(*) FROM events e WHERE e.track_id = t.id) AS BIGINT) AS used \
         FROM conference_tracks t WHERE t.conference_id = $1",
        params![id],
    )
    .await?;
    let listed: Vec<&str> = c.tracks.iter().map(|n| n.trim()).collect();
    for t in tracks.iter().filter(|t| !listed.contains(&t.name.as_str())) {
        if t.used > 0 {
            let why = format!("Sessions are in the track \u{201c}{}\u{201d}: move them before removing it.", t.name);
            return Err(AppError::field("tracks", why));
        }
        db::exec(tx, "DELETE FROM conference_tracks WHERE id = $1", params![t.id]).await?;
    }
    let tickets: Vec<Part> = db::all(
        tx,
        "SELECT t.id, t.name, CAST((SELECT COUNT(*) FROM conference_tickets c WHERE c.ticket_type_id = t.id) AS BIGINT) \
         AS used FROM ticket_types t WHERE t.conference_id = $1",
        params![id],
    )
    .await?;
    let listed: Vec<&str> = c.ticket_types.iter().map(|k| k.name.trim()).collect();
    for t in tickets.iter().filter(|t| !listed.contains(&t.name.as_str())) {
        if t.used > 0 {
            let why = format!("Tickets of \u{201c}{}\u{201d} are taken, so it stays.", t.name);
            return Err(AppError::field("ticket_types", why));
        }
        db::exec(tx, "DELETE FROM ticket_types WHERE id = $1", params![t.id]).await?;
    }
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
            "This conference has sessions or tickets; delete its sessions nobody registered for first (tickets taken keep it).",
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

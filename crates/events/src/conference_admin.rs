//! Staff changing a conference from the console: its settings (by the same checks as
//! creating one, [`conference::check`]), tracks and ticket types added, resized, or
//! removed while no session or ticket points at them, deleting a conference that has no
//! session and no ticket yet, and the tickets taken: who holds one, and revoking one
//! (which frees its seat).

use chrono::{DateTime, Utc};
use kernel::db;
use kernel::ids::MemberId;
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

/// A ticket taken, as the console lists it.
#[derive(sea_orm::FromQueryResult)]
pub(crate) struct Holder {
    pub(crate) member_id: MemberId,
    /// The ticket type's name.
    pub(crate) ticket_type: String,
    pub(crate) created_at: DateTime<Utc>,
}

/// How many ticket holders the console lists at most (the latest).
pub(crate) const HOLDERS_SHOWN: i64 = 200;

/// The latest tickets taken for the conference (at most [`HOLDERS_SHOWN`]), newest first,
/// for staff. Who goes to a health conference is personal, so each reading is audited.
pub(crate) async fn holders(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<Vec<Holder>> {
    let staff = viewer.require_role(Role::Staff)?;
    let rows: Vec<Holder> = state
        .db
        .all(
            "SELECT c.member_id, t.name AS ticket_type, c.created_at FROM conference_tickets c \
             JOIN ticket_types t ON t.id = c.ticket_type_id WHERE c.conference_id = $1 \
             ORDER BY c.created_at DESC, c.member_id LIMIT $2",
            params![id, HOLDERS_SHOWN],
        )
        .await?;
    let detail = serde_json::json!({ "conference": id });
    audit::record(state.db.writer(), Some(staff.id), "staff_viewed_ticket_holders", None, Some(ip), detail).await?;
    Ok(rows)
}

/// Revokes `member`'s ticket to the conference (staff): the seat goes back to its type,
/// so someone else may take it ([`conference::take_ticket`] counts the tickets held).
/// Audited; 404 when they hold none.
pub(crate) async fn revoke_ticket(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    member: MemberId,
    ip: &str,
) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let tx = state.db.begin().await?;
    let sql = "DELETE FROM conference_tickets WHERE conference_id = $1 AND member_id = $2";
    if db::exec(&tx, sql, params![id, member]).await? == 0 {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({ "conference": id });
    audit::record(&tx, Some(staff.id), "conference_ticket_revoked", Some(member), Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}

//! Scheduling: creating and changing events (staff), with their speakers, group,
//! condition tags and registration questions. A change of time or a cancellation tells
//! everyone registered.

use contracts::ids::GroupId;
use contracts::members::directory as people;
use kernel::db::{self, Tx};
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use uuid::Uuid;

use super::input::{Checked, EventInput, check};
use super::notices::notify;
use super::registration::{count, promote, registered_members};
use super::{COLUMNS, EventRow, load};
use crate::time;

/// Schedules an event (staff).
pub async fn create(state: &AppState, viewer: &Viewer, input: &EventInput, ip: &str) -> AppResult<EventRow> {
    let staff = viewer.require_role(Role::Staff)?;
    let c = check(input, None)?;
    check_refs(state, input).await?;
    let id = Uuid::now_v7();
    let t = now();
    let tx = state.db.begin().await?;
    let (conference, track) =
        crate::conference::place_session(&tx, input.conference_id, input.track.as_deref()).await?;
    db::exec(
        &tx,
        "INSERT INTO events (id, kind, title, description, starts_at, ends_at, time_zone, audience, capacity, join_url, recording_url, status, sequence, created_by, created_at, updated_at, \
         registration_opens_at, registration_closes_at, conference_id, track_id, room, awards_ceremony) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', 0, $12, $13, $13, $14, $15, $16, $17, $18, $19)",
        params![
            id, c.kind, c.title, c.description, c.starts_at, c.ends_at, c.time_zone, c.audience, c.capacity, c.join_url, c.recording_url, staff.id, t,
            c.opens, c.closes, conference, track, c.room, input.awards_ceremony.unwrap_or(false)
        ],
    )
    .await?;
    if let Some(speakers) = &input.speakers {
        crate::speakers::replace(&tx, people(state)?, id, speakers).await?;
    }
    set_tags(&tx, id, input).await?;
    audit::record(&tx, Some(staff.id), "event_created", None, Some(ip), serde_json::json!({ "event": id })).await?;
    tx.commit().await?;
    load(state.db.writer(), id).await
}

/// Changes an event (staff). A change of time bumps the calendar SEQUENCE and tells
/// everyone registered; so does a cancellation.
pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: &EventInput, ip: &str) -> AppResult<EventRow> {
    let staff = viewer.require_role(Role::Staff)?;
    check_refs(state, input).await?;
    let tx = state.db.begin().await?;
    let old: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    let c = check(input, Some(&old))?;
    let moved = c.starts_at != old.starts_at || c.ends_at != old.ends_at;
    let cancelled = c.status == "cancelled" && old.status != "cancelled";
    refuse_capacity_below_registered(&tx, id, c.capacity).await?;
    let sequence = old.sequence + i64::from(moved || cancelled || c.title != old.title);
    write_change(&tx, id, input, &c, &old, sequence).await?;
    if let Some(speakers) = &input.speakers {
        crate::speakers::replace(&tx, people(state)?, id, speakers).await?;
    }
    set_tags(&tx, id, input).await?;
    // More seats may let people off the waitlist.
    promote(state, &tx, id).await?;
    let updated = load(&tx, id).await?;
    if moved || cancelled {
        tell_registered_of_change(state, &tx, &updated, cancelled).await?;
    }
    audit::record(
        &tx,
        Some(staff.id),
        "event_updated",
        None,
        Some(ip),
        serde_json::json!({ "event": id, "moved": moved, "cancelled": cancelled }),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// A change may not leave fewer seats than people registered.
async fn refuse_capacity_below_registered(tx: &Tx, id: Uuid, capacity: Option<i64>) -> AppResult<()> {
    if let Some(cap) = capacity {
        let registered = count(tx, id, "registered").await?;
        if cap < registered {
            return Err(AppError::field(
                "capacity",
                format!("{registered} people are registered; capacity cannot go below that."),
            ));
        }
    }
    Ok(())
}

/// Writes a checked change, and the event's place in a conference when one is given.
async fn write_change(
    tx: &Tx,
    id: Uuid,
    input: &EventInput,
    c: &Checked,
    old: &EventRow,
    sequence: i64,
) -> AppResult<()> {
    db::exec(
        tx,
        "UPDATE events SET kind = $1, title = $2, description = $3, starts_at = $4, ends_at = $5, time_zone = $6, audience = $7, \
         capacity = $8, join_url = $9, recording_url = $10, status = $11, sequence = $12, updated_at = $13, \
         registration_opens_at = $14, registration_closes_at = $15, room = $16, awards_ceremony = $17 WHERE id = $18",
        params![
            c.kind.clone(), c.title.clone(), c.description.clone(), c.starts_at, c.ends_at, c.time_zone.clone(), c.audience.clone(), c.capacity,
            c.join_url.clone(), c.recording_url.clone(), c.status.clone(), sequence, now(),
            c.opens, c.closes, c.room.clone(), input.awards_ceremony.unwrap_or(old.awards_ceremony), id
        ],
    )
    .await?;
    if input.conference_id.is_some() || input.track.is_some() {
        let (conference, track) =
            crate::conference::place_session(tx, input.conference_id.or(old.conference_id), input.track.as_deref())
                .await?;
        db::exec(
            tx,
            "UPDATE events SET conference_id = $1, track_id = $2 WHERE id = $3",
            params![conference, track, id],
        )
        .await?;
    }
    Ok(())
}

/// E-mails everyone registered that the event moved or was cancelled (with the updated
/// calendar file).
async fn tell_registered_of_change(state: &AppState, tx: &Tx, updated: &EventRow, cancelled: bool) -> AppResult<()> {
    let id = updated.id;
    let what = if cancelled { "cancelled" } else { "moved" };
    for member in registered_members(tx, id).await? {
        let text = if cancelled {
            format!("Hello,\n\n{} has been cancelled. We are sorry for the change of plans.\n", updated.title)
        } else {
            format!(
                "Hello,\n\n{} has a new time: {}.\n\nThe attached calendar file updates your calendar.\n",
                updated.title,
                time::display(updated.starts_at, &updated.time_zone)
            )
        };
        notify(
            state,
            tx,
            member,
            updated,
            &format!("event-{what}:{}:{}", id, updated.sequence),
            &format!("{} has been {what}", updated.title),
            text,
        )
        .await?;
    }
    Ok(())
}

/// Checks that the groups and conditions an event refers to exist (before any
/// transaction starts).
async fn check_refs(state: &AppState, input: &EventInput) -> AppResult<()> {
    if let Some(g) = input.group_id
        && !contracts::groups::directory(state)?.exists((&state.db).into(), GroupId(g)).await?
    {
        return Err(AppError::field("group_id", "There is no such group."));
    }
    if let Some(ids) = &input.conditions {
        let found = people(state)?.existing_conditions(&state.db, ids).await?;
        if found.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
            return Err(AppError::field("conditions", "One of the conditions does not exist."));
        }
    }
    Ok(())
}

/// Stores an event's group, condition tags and registration questions, when given.
async fn set_tags(tx: &Tx, id: Uuid, input: &EventInput) -> AppResult<()> {
    if let Some(g) = input.group_id {
        db::exec(tx, "UPDATE events SET group_id = $1 WHERE id = $2", params![g, id]).await?;
    }
    if let Some(ids) = &input.conditions {
        let unique: std::collections::HashSet<&Uuid> = ids.iter().collect();
        db::exec(tx, "DELETE FROM event_conditions WHERE event_id = $1", params![id]).await?;
        for c in unique {
            db::exec(tx, "INSERT INTO event_conditions (event_id, condition_id) VALUES ($1, $2)", params![id, *c])
                .await?;
        }
    }
    if let Some(qs) = &input.questions {
        let qs: Vec<String> = qs.iter().map(|q| q.trim().to_string()).collect();
        db::exec(
            tx,
            "UPDATE events SET questions = $1 WHERE id = $2",
            params![serde_json::to_string(&qs).unwrap_or_default(), id],
        )
        .await?;
    }
    Ok(())
}

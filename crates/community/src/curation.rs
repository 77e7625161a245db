//! What moderators do to threads (pin, lock, move), and staff-run "Health Leader
//! discussions": a prompt that appears at a set time, stays pinned until its end,
//! then takes no more replies. Every change is recorded with who made it and why.

use chrono::{DateTime, Utc};
use kernel::db::{self};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::Deserialize;
use uuid::Uuid;

use crate::groups;
use crate::threads::{self, Thread, check_body, check_title};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadChanges {
    pub pinned: Option<bool>,
    pub locked: Option<bool>,
    /// Move the thread to this group (from an open group only).
    pub group_id: Option<Uuid>,
    /// Why (kept in the moderation record).
    #[serde(default)]
    pub reason: String,
}

/// Pins, locks or moves a thread (the group's moderators, or staff).
pub async fn change(state: &AppState, viewer: &Viewer, id: Uuid, c: &ThreadChanges, ip: &str) -> AppResult<Thread> {
    let me = viewer.require_member()?;
    let (t, g, a) = threads::readable(&state.db, viewer, id).await?;
    a.require_moderate()?;
    if c.reason.chars().count() > 1000 {
        return Err(AppError::field("reason", "Keep the reason under 1,000 characters."));
    }
    if let Some(to) = c.group_id.filter(|to| *to != t.group_id) {
        if g.visibility != "open" {
            return Err(AppError::conflict(
                "private_stays",
                "A discussion in a private or hidden group stays there: its members wrote for that group alone.",
            ));
        }
        let (_, _, dest) = groups::visible(&state.db, viewer, to)
            .await
            .map_err(|_| AppError::field("group_id", "There is no such group you can move it to."))?;
        if !dest.moderate {
            return Err(AppError::field("group_id", "You can only move a discussion to a group you moderate."));
        }
        if dest.archived {
            return Err(AppError::field("group_id", "That group is archived: it takes no new discussions."));
        }
    }
    let mut actions = Vec::new();
    let tx = state.db.begin().await?;
    if let Some(p) = c.pinned.filter(|p| *p != t.pinned) {
        db::exec(&tx, "UPDATE threads SET pinned = $1 WHERE id = $2", params![p, id]).await?;
        actions.push(if p { "pin" } else { "unpin" });
    }
    if let Some(l) = c.locked.filter(|l| *l != t.locked) {
        db::exec(&tx, "UPDATE threads SET locked = $1 WHERE id = $2", params![l, id]).await?;
        actions.push(if l { "lock" } else { "unlock" });
    }
    if let Some(to) = c.group_id.filter(|to| *to != t.group_id) {
        db::exec(&tx, "UPDATE threads SET group_id = $1 WHERE id = $2", params![to, id]).await?;
        crate::edits::reindex_thread(&tx, id).await?;
        crate::analytics::forget_groups(&tx).await?;
        actions.push("move");
    }
    for action in &actions {
        db::exec(
            &tx,
            "INSERT INTO moderation_actions (id, target_type, target_id, author_id, moderator_id, action, reason, created_at) \
             VALUES ($1, 'thread', $2, $3, $4, $5, $6, $7)",
            params![Uuid::now_v7(), id, t.author_id, me.id, *action, c.reason.trim(), now()],
        )
        .await?;
    }
    if !actions.is_empty() {
        audit::record(
            &tx,
            Some(me.id),
            "thread_moderated",
            Some(t.author_id),
            Some(ip),
            serde_json::json!({ "thread": id, "actions": actions, "to": c.group_id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(threads::readable(&state.db, viewer, id).await?.0)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPrompt {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// When it appears, pinned (RFC 3339).
    pub opens_at: DateTime<Utc>,
    /// When it stops taking replies and is no longer pinned (RFC 3339).
    pub closes_at: DateTime<Utc>,
    /// The moments it is about (ids from `GET /api/v1/moments`): threads started in the
    /// group while it is open carry them too, unless their author chooses others.
    #[serde(default)]
    #[schema(max_items = 7)]
    pub moments: Vec<String>,
}

/// Schedules a Health Leader discussion in a group (staff).
pub async fn create_prompt(state: &AppState, viewer: &Viewer, group: Uuid, p: &NewPrompt) -> AppResult<Thread> {
    let me = viewer.require_member()?;
    let (_, _, a) = groups::visible(&state.db, viewer, group).await?;
    if !viewer.is_staff() {
        return Err(AppError::Forbidden);
    }
    if a.archived {
        return Err(AppError::conflict("group_archived", "This group is archived: it takes no new discussions."));
    }
    let mut e = FieldErrors::new();
    let title = p.title.trim();
    check_title(title, &mut e);
    check_body(&p.body, &mut e);
    if p.closes_at <= p.opens_at {
        e.add("closes_at", "The end must come after the start.");
    } else if p.closes_at <= now() {
        e.add("closes_at", "The end must be in the future.");
    }
    let moments = crate::thread_moments::check(state, Some(&p.moments), &mut e).unwrap_or_default();
    e.into_result()?;
    let id = Uuid::now_v7();
    let at = now();
    let html = crate::post_html::of(p.body.trim());
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO threads (id, group_id, author_id, title, body, opens_at, closes_at, created_at, updated_at, last_activity_at, body_html, body_html_v) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11)",
        params![id, group, me.id, title, p.body.trim(), p.opens_at, p.closes_at, at, p.opens_at.max(at), html.html, html.v],
    )
    .await?;
    contracts::moments::replace_tags((&tx).into(), state, "thread", id, &moments, me.id).await?;
    // A prompt is found by search once it has opened (see `search`); its text is the staff's.
    crate::search_index::index(
        &tx,
        &crate::search_index::Doc { id, kind: "thread", thread_id: id, group_id: group, title, body: p.body.trim() },
    )
    .await?;
    tx.commit().await?;
    state
        .db
        .one(&format!("SELECT {} FROM threads WHERE id = $1", threads::THREAD_COLUMNS), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

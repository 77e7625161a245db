//! Threads and replies. What a viewer may read follows [`crate::groups::access`]:
//! a private group's threads never reach anyone outside it.

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::page::{self, Page};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, outbox, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups::{self, Access, Group};

pub mod events {
    pub const THREAD_STARTED: &str = "ThreadStarted";
    pub const REPLY_POSTED: &str = "ReplyPosted";
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Thread {
    pub id: Uuid,
    pub group_id: Uuid,
    pub author_id: MemberId,
    pub title: String,
    /// Markdown (absent in a teaser).
    pub body: String,
    /// A content note (e.g. "pregnancy loss"): readers see it first and open the body on purpose.
    pub content_note: String,
    pub pinned: bool,
    pub locked: bool,
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
}

pub const THREAD_COLUMNS: &str =
    "id, group_id, author_id, title, body, content_note, pinned, locked, reply_count, created_at, last_activity_at";

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Reply {
    pub id: Uuid,
    pub author_id: MemberId,
    /// Markdown.
    pub body: String,
    pub content_note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewThread {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Optional content note shown before the body, e.g. "suicide" or "pregnancy loss".
    #[serde(default)]
    pub content_note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    /// Markdown.
    pub body: String,
    /// Optional content note shown before the body.
    #[serde(default)]
    pub content_note: String,
}

fn check_note(note: &str, e: &mut FieldErrors) {
    if note.trim().chars().count() > 80 {
        e.add("content_note", "Keep a content note under 80 characters.");
    }
}

fn check_body(body: &str, e: &mut FieldErrors) {
    let n = body.trim().chars().count();
    if n == 0 {
        e.add("body", "Write something first.");
    } else if n > 20_000 {
        e.add("body", "Keep a post under 20,000 characters.");
    }
}

/// Starts a thread in a group the viewer belongs to.
pub async fn start(state: &AppState, viewer: &Viewer, group: Uuid, t: &NewThread) -> AppResult<Thread> {
    let me = viewer.require_member()?;
    let (_, _, a) = groups::visible(&state.db, viewer, group).await?;
    if !a.post {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let title = t.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        e.add("title", "Give the thread a title of 1 to 200 characters.");
    }
    check_body(&t.body, &mut e);
    check_note(&t.content_note, &mut e);
    e.into_result()?;
    let id = Uuid::now_v7();
    let at = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO threads (id, group_id, author_id, title, body, content_note, created_at, updated_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)",
        params![id, group, me.id, title, t.body.trim(), t.content_note.trim(), at],
    )
    .await?;
    kernel::search::index(
        &tx,
        &kernel::search::Doc { id, kind: "thread", thread_id: id, group_id: group, title, body: t.body.trim() },
    )
    .await?;
    outbox::emit(
        &tx,
        events::THREAD_STARTED,
        Some(me.id),
        &serde_json::json!({ "member_id": me.id, "thread_id": id, "group_id": group }),
    )
    .await?;
    tx.commit().await?;
    get_row(&state.db, id).await
}

async fn get_row(db: &Db, id: Uuid) -> AppResult<Thread> {
    db.one(&format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id = $1 AND status = 'visible'"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// A thread with its group and what the viewer may do there (404 when they may not read it).
pub async fn readable(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<(Thread, Group, Access)> {
    let t = get_row(db, id).await?;
    let (g, _, a) = groups::visible(db, viewer, t.group_id).await?;
    if !a.read {
        return Err(AppError::NotFound);
    }
    Ok((t, g, a))
}

/// Replies to a thread, oldest first, a page at a time.
pub async fn replies(db: &Db, thread: Uuid, cursor: Option<&str>, limit: u64) -> AppResult<Page<Reply>> {
    let rows: Vec<Reply> = match cursor.filter(|c| !c.is_empty()) {
        None => {
            db.all(
                "SELECT id, author_id, body, content_note, created_at FROM posts WHERE thread_id = $1 AND status = 'visible' ORDER BY created_at, id LIMIT $2",
                params![thread, (limit + 1) as i64],
            )
            .await?
        }
        Some(c) => {
            let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
            db.all(
                "SELECT id, author_id, body, content_note, created_at FROM posts WHERE thread_id = $1 AND status = 'visible' \
                 AND (created_at > $2 OR (created_at = $2 AND id > $3)) ORDER BY created_at, id LIMIT $4",
                params![thread, at, id, (limit + 1) as i64],
            )
            .await?
        }
    };
    Ok(page::finish(rows, limit, |r| (r.created_at, r.id)))
}

/// Replies in a thread the viewer belongs to (not when it is locked).
pub async fn reply(state: &AppState, viewer: &Viewer, thread: Uuid, r: &NewReply) -> AppResult<Reply> {
    let me = viewer.require_member()?;
    let (t, _, a) = readable(&state.db, viewer, thread).await?;
    if !a.post {
        return Err(AppError::Forbidden);
    }
    if t.locked {
        return Err(AppError::conflict("thread_locked", "This thread is locked."));
    }
    let mut e = FieldErrors::new();
    check_body(&r.body, &mut e);
    check_note(&r.content_note, &mut e);
    e.into_result()?;
    let id = Uuid::now_v7();
    let at = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO posts (id, thread_id, author_id, body, content_note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        params![id, thread, me.id, r.body.trim(), r.content_note.trim(), at],
    )
    .await?;
    db::exec(
        &tx,
        "UPDATE threads SET reply_count = reply_count + 1, last_activity_at = $1 WHERE id = $2",
        params![at, thread],
    )
    .await?;
    kernel::search::index(
        &tx,
        &kernel::search::Doc {
            id,
            kind: "reply",
            thread_id: thread,
            group_id: t.group_id,
            title: &t.title,
            body: r.body.trim(),
        },
    )
    .await?;
    outbox::emit(
        &tx,
        events::REPLY_POSTED,
        Some(me.id),
        &serde_json::json!({ "member_id": me.id, "thread_id": thread, "post_id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(Reply {
        id,
        author_id: me.id,
        body: r.body.trim().to_string(),
        content_note: r.content_note.trim().to_string(),
        created_at: at,
    })
}

/// A group's threads, pinned first, then by latest activity; a page at a time. Only
/// for viewers who may read the group (a teaser shows titles alone).
pub async fn feed(db: &Db, group: Uuid, teaser: bool, cursor: Option<&str>, limit: u64) -> AppResult<Page<Thread>> {
    let body = if teaser { "'' AS body" } else { "body" };
    let cols = THREAD_COLUMNS.replace("body", body);
    let rows: Vec<Thread> = match cursor.filter(|c| !c.is_empty()) {
        None => {
            db.all(
                &format!("SELECT {cols} FROM threads WHERE group_id = $1 AND status = 'visible' ORDER BY last_activity_at DESC, id DESC LIMIT $2"),
                params![group, (limit + 1) as i64],
            )
            .await?
        }
        Some(c) => {
            let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
            db.all(
                &format!(
                    "SELECT {cols} FROM threads WHERE group_id = $1 AND status = 'visible' \
                     AND (last_activity_at < $2 OR (last_activity_at = $2 AND id < $3)) ORDER BY last_activity_at DESC, id DESC LIMIT $4"
                ),
                params![group, at, id, (limit + 1) as i64],
            )
            .await?
        }
    };
    Ok(page::finish(rows, limit, |t| (t.last_activity_at, t.id)))
}

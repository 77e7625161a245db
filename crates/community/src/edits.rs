//! Authors edit and delete their own posts. Every edit keeps the earlier version,
//! which the group's moderators (and staff) can read; a deleted post that others
//! answered stays as a tombstone so the conversation still makes sense.

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::threads::{self, check_body, check_note, check_title};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// Threads only.
    #[serde(default)]
    pub title: Option<String>,
    pub body: String,
    #[serde(default)]
    pub content_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Revision {
    pub id: Uuid,
    pub editor_id: MemberId,
    /// The title before the edit (threads).
    pub title: Option<String>,
    /// The body before the edit.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sea_orm::FromQueryResult)]
struct Current {
    thread_id: Uuid,
    author_id: MemberId,
    title: String,
    body: String,
    content_note: String,
}

async fn current(db: &Db, target_type: &str, id: Uuid) -> AppResult<Current> {
    let sql = match target_type {
        "thread" => {
            "SELECT id AS thread_id, author_id, title, body, content_note FROM threads WHERE id = $1 AND status = 'visible'"
        }
        "reply" => {
            "SELECT p.thread_id, p.author_id, t.title, p.body, p.content_note FROM posts p JOIN threads t ON t.id = p.thread_id \
             WHERE p.id = $1 AND p.status = 'visible'"
        }
        _ => return Err(AppError::NotFound),
    };
    db.one(sql, params![id]).await?.ok_or(AppError::NotFound)
}

/// The author edits their thread or reply (while they may still post in the group).
pub async fn edit(state: &AppState, viewer: &Viewer, target_type: &str, id: Uuid, e: &Edit) -> AppResult<()> {
    let me = viewer.require_member()?;
    let cur = current(&state.db, target_type, id).await?;
    let (t, _, a) = threads::readable(&state.db, viewer, cur.thread_id).await?;
    if cur.author_id != me.id {
        return Err(AppError::Forbidden);
    }
    a.require_post()?;
    let mut errors = FieldErrors::new();
    let title = match (target_type, &e.title) {
        ("thread", Some(title)) => title.trim().to_string(),
        ("thread", None) => cur.title.clone(),
        (_, Some(_)) => {
            errors.add("title", "Only a thread has a title.");
            String::new()
        }
        _ => String::new(),
    };
    if target_type == "thread" {
        check_title(&title, &mut errors);
    }
    check_body(&e.body, &mut errors);
    let note = e.content_note.clone().unwrap_or(cur.content_note.clone());
    check_note(&note, &mut errors);
    errors.into_result()?;
    crate::posting::check_not_suspended(&state.db, me.id, t.group_id).await?;
    let at = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO revisions (id, target_type, target_id, editor_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![
            Uuid::now_v7(),
            target_type,
            id,
            me.id,
            (target_type == "thread").then(|| cur.title.clone()),
            cur.body.clone(),
            at
        ],
    )
    .await?;
    let body = e.body.trim();
    let html = crate::post_html::of(body);
    if target_type == "thread" {
        db::exec(
            &tx,
            "UPDATE threads SET title = $1, body = $2, content_note = $3, edited_at = $4, updated_at = $4, body_html = $5, body_html_v = $6 WHERE id = $7",
            params![title.clone(), body, note.trim(), at, html.html, html.v, id],
        )
        .await?;
        reindex_thread(&tx, id).await?;
    } else {
        db::exec(
            &tx,
            "UPDATE posts SET body = $1, content_note = $2, edited_at = $3, updated_at = $3, body_html = $4, body_html_v = $5 WHERE id = $6",
            params![body, note.trim(), at, html.html, html.v, id],
        )
        .await?;
        crate::search_index::remove(&tx, id).await?;
        crate::search_index::index(
            &tx,
            &crate::search_index::Doc {
                id,
                kind: "reply",
                thread_id: t.id,
                group_id: t.group_id,
                title: &t.title,
                body,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Rebuilds a thread's search entries (its own and its replies', which carry its title
/// and group) after an edit or a move.
pub(crate) async fn reindex_thread(tx: &db::Tx, thread: Uuid) -> AppResult<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        body: String,
    }
    let t: threads::Thread = db::one(
        tx,
        &format!("SELECT {} FROM threads WHERE id = $1 AND status = 'visible'", threads::THREAD_COLUMNS),
        params![thread],
    )
    .await?
    .ok_or(AppError::NotFound)?;
    crate::search_index::remove_thread(tx, thread).await?;
    let doc = |id, kind, body| crate::search_index::Doc {
        id,
        kind,
        thread_id: thread,
        group_id: t.group_id,
        title: &t.title,
        body,
    };
    crate::search_index::index(tx, &doc(thread, "thread", &t.body)).await?;
    let rows: Vec<Row> =
        db::all(tx, "SELECT id, body FROM posts WHERE thread_id = $1 AND status = 'visible'", params![thread]).await?;
    for r in &rows {
        crate::search_index::index(tx, &doc(r.id, "reply", &r.body)).await?;
    }
    Ok(())
}

/// Earlier versions of a post, newest first: for the group's moderators and staff.
pub async fn history(state: &AppState, viewer: &Viewer, target_type: &str, id: Uuid) -> AppResult<Vec<Revision>> {
    let cur = current(&state.db, target_type, id).await?;
    let (_, _, a) = threads::readable(&state.db, viewer, cur.thread_id).await?;
    a.require_moderate()?;
    Ok(state
        .db
        .all(
            "SELECT id, editor_id, title, body, created_at FROM revisions WHERE target_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100",
            params![id],
        )
        .await?)
}

/// What a deleted post that others answered says instead.
pub(crate) const TOMBSTONE: &str = "[deleted]";

/// The author deletes their post. A thread with replies, or a reply someone quoted,
/// stays as a tombstone ("[deleted]"); anything else disappears.
pub async fn delete(state: &AppState, viewer: &Viewer, target_type: &str, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let cur = current(&state.db, target_type, id).await?;
    let (t, _, _) = threads::readable(&state.db, viewer, cur.thread_id).await?;
    if cur.author_id != me.id {
        return Err(AppError::Forbidden);
    }
    let answered = match target_type {
        "thread" => t.reply_count > 0,
        _ => {
            state
                .db
                .scalar::<i64>(
                    "SELECT COUNT(*) FROM posts WHERE quote_post_id = $1 AND status = 'visible'",
                    params![id],
                )
                .await?
                .unwrap_or(0)
                > 0
        }
    };
    let tomb = crate::post_html::of(TOMBSTONE);
    let tx = state.db.begin().await?;
    match (target_type, answered) {
        ("thread", true) => {
            db::exec(
                &tx,
                "UPDATE threads SET body = $1, content_note = '', body_html = $2, body_html_v = $3 WHERE id = $4",
                params![TOMBSTONE, tomb.html.clone(), tomb.v, id],
            )
            .await?;
            crate::search_index::remove(&tx, id).await?;
        }
        ("thread", false) => {
            db::exec(
                &tx,
                "UPDATE threads SET status = 'deleted', body = '', body_html = '' WHERE id = $1",
                params![id],
            )
            .await?;
            crate::search_index::remove_thread(&tx, id).await?;
        }
        (_, true) => {
            db::exec(
                &tx,
                "UPDATE posts SET body = $1, content_note = '', body_html = $2, body_html_v = $3 WHERE id = $4",
                params![TOMBSTONE, tomb.html, tomb.v, id],
            )
            .await?;
            crate::search_index::remove(&tx, id).await?;
        }
        _ => {
            db::exec(&tx, "UPDATE posts SET status = 'deleted', body = '', body_html = '' WHERE id = $1", params![id])
                .await?;
            db::exec(
                &tx,
                "UPDATE threads SET reply_count = reply_count - 1 WHERE id = $1 AND reply_count > 0",
                params![t.id],
            )
            .await?;
            crate::search_index::remove(&tx, id).await?;
        }
    }
    // Earlier versions go too: the author took the words back.
    db::exec(&tx, "DELETE FROM revisions WHERE target_id = $1", params![id]).await?;
    tx.commit().await?;
    Ok(())
}

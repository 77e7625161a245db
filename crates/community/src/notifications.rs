//! In-app notifications, produced from outbox events by one consumer, so a crash never
//! loses or doubles one (the delivery record and the notification share a transaction,
//! and each notification has a unique key). A notification is written only for someone
//! who may see what it points to at that moment.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::outbox::{Consumer, Event};
use kernel::page::{self, Page};
use kernel::time::now;
use kernel::{AppResult, params};
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

use crate::groups::events as group_events;
use crate::threads::events as thread_events;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    /// reply, join_request or approved
    pub kind: String,
    pub text: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub struct Notifier;

impl Consumer for Notifier {
    fn name(&self) -> &'static str {
        "community-notifications"
    }

    fn wants(&self, kind: &str) -> bool {
        [thread_events::REPLY_POSTED, group_events::JOIN_REQUESTED, group_events::REQUEST_APPROVED].contains(&kind)
    }

    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let p = event.payload_json();
            let uuid = |k: &str| p[k].as_str().and_then(|s| s.parse::<Uuid>().ok());
            let actor = p["member_id"].as_str().and_then(|s| s.parse::<MemberId>().ok());
            match event.kind.as_str() {
                k if k == thread_events::REPLY_POSTED => {
                    let (Some(thread), Some(actor)) = (uuid("thread_id"), actor) else { return Ok(()) };
                    on_reply(tx, event.id, thread, actor, uuid("post_id")).await
                }
                k if k == group_events::JOIN_REQUESTED => {
                    let (Some(group), Some(actor)) = (uuid("group_id"), actor) else { return Ok(()) };
                    on_join_request(tx, event.id, group, actor).await
                }
                _ => {
                    let (Some(group), Some(member)) = (uuid("group_id"), actor) else { return Ok(()) };
                    let name: Option<String> =
                        db::scalar(tx, "SELECT name FROM groups WHERE id = $1", params![group]).await?;
                    let text = format!("You're now a member of {}.", name.unwrap_or_default());
                    add(
                        tx,
                        member,
                        "approved",
                        None,
                        &text,
                        &format!("/groups/{group}"),
                        &format!("approved:{}", event.id),
                    )
                    .await
                }
            }
        })
    }
}

async fn add(
    tx: &Tx,
    member: MemberId,
    kind: &str,
    actor: Option<MemberId>,
    text: &str,
    url: &str,
    key: &str,
) -> anyhow::Result<()> {
    db::exec(
        tx,
        "INSERT INTO notifications (id, member_id, kind, actor_id, text, url, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (dedupe_key) DO NOTHING",
        params![Uuid::now_v7(), member, kind, actor, text, url, key, now()],
    )
    .await?;
    Ok(())
}

async fn name_of(tx: &Tx, member: MemberId) -> anyhow::Result<String> {
    Ok(members::active_display_name(tx, member).await?.unwrap_or_else(|| "Someone".into()))
}

/// The thread's author hears of a reply — if they may still read the thread (a member
/// who left a private group hears nothing of it).
async fn on_reply(
    tx: &Tx,
    event: kernel::ids::ActivityId,
    thread: Uuid,
    actor: MemberId,
    post: Option<Uuid>,
) -> anyhow::Result<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        author_id: MemberId,
        title: String,
        visibility: String,
        group_id: Uuid,
    }
    let row: Option<Row> = db::one(
        tx,
        "SELECT t.author_id, t.title, g.visibility, g.id AS group_id FROM threads t JOIN groups g ON g.id = t.group_id WHERE t.id = $1",
        params![thread],
    )
    .await?;
    let Some(row) = row else { return Ok(()) };
    if row.author_id == actor {
        return Ok(());
    }
    let status: Option<String> = db::scalar(
        tx,
        "SELECT status FROM group_members WHERE group_id = $1 AND member_id = $2",
        params![row.group_id, row.author_id],
    )
    .await?;
    let may_read = match row.visibility.as_str() {
        "open" => status.as_deref() != Some("banned"),
        _ => status.as_deref() == Some("active"),
    };
    if !may_read {
        return Ok(());
    }
    let text = format!("{} replied to your discussion \u{201c}{}\u{201d}.", name_of(tx, actor).await?, row.title);
    let url = match post {
        Some(p) => format!("/threads/{thread}#post-{p}"),
        None => format!("/threads/{thread}"),
    };
    add(tx, row.author_id, "reply", Some(actor), &text, &url, &format!("reply:{event}")).await
}

/// The group's owner and moderators hear of a request to join.
async fn on_join_request(tx: &Tx, event: kernel::ids::ActivityId, group: Uuid, actor: MemberId) -> anyhow::Result<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
    }
    let moderators: Vec<Row> = db::all(
        tx,
        "SELECT member_id FROM group_members WHERE group_id = $1 AND status = 'active' AND role IN ('owner', 'moderator')",
        params![group],
    )
    .await?;
    let name: Option<String> = db::scalar(tx, "SELECT name FROM groups WHERE id = $1", params![group]).await?;
    let text = format!("{} asked to join {}.", name_of(tx, actor).await?, name.unwrap_or_default());
    for m in moderators {
        add(
            tx,
            m.member_id,
            "join_request",
            Some(actor),
            &text,
            &format!("/groups/{group}"),
            &format!("join:{event}:{}", m.member_id),
        )
        .await?;
    }
    Ok(())
}

/// A member's notifications, newest first, with the unread count.
pub async fn list(db: &Db, member: MemberId, cursor: Option<&str>, limit: u64) -> AppResult<(Page<Notification>, i64)> {
    let rows: Vec<Notification> = match cursor.filter(|c| !c.is_empty()) {
        None => {
            db.all(
                "SELECT id, kind, text, url, created_at, read_at FROM notifications WHERE member_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                params![member, (limit + 1) as i64],
            )
            .await?
        }
        Some(c) => {
            let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
            db.all(
                "SELECT id, kind, text, url, created_at, read_at FROM notifications WHERE member_id = $1 \
                 AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4",
                params![member, at, id, (limit + 1) as i64],
            )
            .await?
        }
    };
    let unread = unread(db, member).await?;
    Ok((page::finish(rows, limit, |n| (n.created_at, n.id)), unread))
}

pub async fn unread(db: &Db, member: MemberId) -> AppResult<i64> {
    Ok(db
        .scalar("SELECT COUNT(*) FROM notifications WHERE member_id = $1 AND read_at IS NULL", params![member])
        .await?
        .unwrap_or(0))
}

pub async fn mark_all_read(db: &Db, member: MemberId) -> AppResult<u64> {
    Ok(db
        .exec("UPDATE notifications SET read_at = $1 WHERE member_id = $2 AND read_at IS NULL", params![now(), member])
        .await?)
}

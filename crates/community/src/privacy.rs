//! What the community slice holds about a member: their part of the data export, and
//! erasure when the account is deleted (discussions others replied to keep a
//! tombstone; everything else of theirs goes).

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

pub struct CommunityExport;

impl kernel::state::Exporter for CommunityExport {
    fn section(&self) -> &'static str {
        "community"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            #[derive(Serialize, sea_orm::FromQueryResult)]
            struct Membership {
                group_id: Uuid,
                role: String,
                status: String,
                answers: String,
            }
            #[derive(Serialize, sea_orm::FromQueryResult)]
            struct Written {
                id: Uuid,
                title: String,
                body: String,
                created_at: chrono::DateTime<chrono::Utc>,
            }
            #[derive(Serialize, sea_orm::FromQueryResult)]
            struct Sent {
                conversation_id: Uuid,
                body: String,
                created_at: chrono::DateTime<chrono::Utc>,
            }
            let memberships: Vec<Membership> = db
                .all("SELECT group_id, role, status, answers FROM group_members WHERE member_id = $1", params![member])
                .await?;
            let threads: Vec<Written> = db
                .all(
                    "SELECT id, title, body, created_at FROM threads WHERE author_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let replies: Vec<Written> = db
                .all(
                    "SELECT id, '' AS title, body, created_at FROM posts WHERE author_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let messages: Vec<Sent> = db
                .all(
                    "SELECT conversation_id, body, created_at FROM messages WHERE sender_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let (notifications, _) =
                crate::notifications::list(db, member, None, 100).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(serde_json::json!({
                "groups": memberships,
                "threads": threads,
                "replies": replies,
                "messages_sent": messages,
                "notifications": notifications.items,
            }))
        })
    }
}

/// Erases a deleted member from this slice (`MemberDeleted`, consumed as
/// "community-erasure").
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        reply_count: i64,
    }
    let threads: Vec<Row> =
        db::all(tx, "SELECT id, reply_count FROM threads WHERE author_id = $1", params![member]).await?;
    for t in threads {
        crate::search_index::remove(tx, t.id).await?;
        if t.reply_count == 0 {
            db::exec(
                tx,
                "UPDATE threads SET status = 'deleted', title = '[deleted]', body = '' WHERE id = $1",
                params![t.id],
            )
            .await?;
        } else {
            // Others replied: the thread stays, as a tombstone.
            db::exec(tx, "UPDATE threads SET body = '[deleted]' WHERE id = $1", params![t.id]).await?;
        }
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Post {
        id: Uuid,
    }
    let posts: Vec<Post> = db::all(tx, "SELECT id FROM posts WHERE author_id = $1", params![member]).await?;
    for p in posts {
        crate::search_index::remove(tx, p.id).await?;
    }
    for sql in [
        "UPDATE posts SET body = '[deleted]' WHERE author_id = $1",
        "UPDATE messages SET body = '[deleted]' WHERE sender_id = $1",
        "DELETE FROM notifications WHERE member_id = $1",
        "DELETE FROM group_members WHERE member_id = $1",
        "DELETE FROM messaging_settings WHERE member_id = $1",
        "DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1",
        "DELETE FROM follows WHERE follower_id = $1 OR followed_id = $1",
        "UPDATE reports SET note = '' WHERE reporter_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}

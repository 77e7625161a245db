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
/// "community-erasure"): their words go everywhere a moderator, search or another
/// member could still reach them — earlier versions of their posts, the titles and
/// content notes of their threads (in others' replies' search entries and notifications
/// too) — leaving tombstones where others replied.
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        reply_count: i64,
    }
    db::exec(
        tx,
        "DELETE FROM revisions WHERE editor_id = $1 OR target_id IN (SELECT id FROM threads WHERE author_id = $1) \
         OR target_id IN (SELECT id FROM posts WHERE author_id = $1)",
        params![member],
    )
    .await?;
    let threads: Vec<Row> =
        db::all(tx, "SELECT id, reply_count FROM threads WHERE author_id = $1", params![member]).await?;
    for t in threads {
        crate::search_index::remove(tx, t.id).await?;
        if t.reply_count == 0 {
            db::exec(
                tx,
                "UPDATE threads SET status = 'deleted', title = '[deleted]', body = '', body_html = '', content_note = '' WHERE id = $1",
                params![t.id],
            )
            .await?;
        } else {
            entomb_thread(tx, t.id).await?;
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
    let tomb = crate::post_html::of(crate::edits::TOMBSTONE);
    for sql in [
        "UPDATE posts SET body = $1, body_html = $2, body_html_v = $3 WHERE author_id = $4",
        "UPDATE messages SET body = $1, body_html = $2, body_html_v = $3 WHERE sender_id = $4",
    ] {
        db::exec(tx, sql, params![crate::edits::TOMBSTONE, tomb.html.clone(), tomb.v, member]).await?;
    }
    for sql in [
        "DELETE FROM notifications WHERE member_id = $1",
        "DELETE FROM group_members WHERE member_id = $1",
        "DELETE FROM messaging_settings WHERE member_id = $1",
        "DELETE FROM conversation_members WHERE member_id = $1",
        "DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1",
        "DELETE FROM follows WHERE follower_id = $1 OR followed_id = $1",
        "UPDATE reports SET note = '' WHERE reporter_id = $1",
        "UPDATE posts SET content_note = '' WHERE author_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}

/// A thread others replied to stays, as a tombstone: no title, text or note of its
/// author's. Its replies' search entries carry the thread's title, so they are indexed
/// again (the tombstone itself is not), and others' notifications about it lose the
/// title they quote.
async fn entomb_thread(tx: &DatabaseTransaction, thread: Uuid) -> anyhow::Result<()> {
    let tomb = crate::post_html::of(crate::edits::TOMBSTONE);
    db::exec(
        tx,
        "UPDATE threads SET title = $1, body = $1, content_note = '', body_html = $2, body_html_v = $3 WHERE id = $4",
        params![crate::edits::TOMBSTONE, tomb.html, tomb.v, thread],
    )
    .await?;
    crate::edits::reindex_thread(tx, thread).await?;
    crate::search_index::remove(tx, thread).await?;
    #[derive(sea_orm::FromQueryResult)]
    struct Note {
        id: Uuid,
        text: String,
    }
    let notes: Vec<Note> =
        db::all(tx, "SELECT id, text FROM notifications WHERE url LIKE $1", params![format!("/threads/{thread}%")])
            .await?;
    for n in notes {
        if let Some(text) = without_quoted_title(&n.text) {
            db::exec(tx, "UPDATE notifications SET text = $1 WHERE id = $2", params![text, n.id]).await?;
        }
    }
    Ok(())
}

/// A notification's text with the title it quotes (between \u{201c} and \u{201d}, as
/// the title was when it was written) replaced; `None` when it quotes none.
fn without_quoted_title(text: &str) -> Option<String> {
    let (open, close) = ('\u{201c}', '\u{201d}');
    let (from, to) = (text.find(open)?, text.rfind(close)?);
    (from < to).then(|| format!("{}{open}[deleted]{close}{}", &text[..from], &text[to + close.len_utf8()..]))
}

#[cfg(test)]
mod tests {
    use super::without_quoted_title;

    #[test]
    fn a_notification_forgets_the_title_it_quotes() {
        assert_eq!(
            without_quoted_title("Ana mentioned you in \u{201c}My \u{201c}odd\u{201d} week\u{201d}.").as_deref(),
            Some("Ana mentioned you in \u{201c}[deleted]\u{201d}.")
        );
        assert_eq!(without_quoted_title("Your account was suspended by the team."), None);
    }
}

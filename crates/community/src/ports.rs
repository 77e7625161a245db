//! The groups port: what other slices may read about groups (see
//! `contracts::groups::GroupDirectory`).

use contracts::groups::{GroupChoice, GroupDirectory};
use contracts::ids::{GroupId, MemberId};
use futures::future::BoxFuture;
use kernel::db::{Conn, Db};
use kernel::viewer::Viewer;
use kernel::{AppResult, params};
use sea_orm::DbErr;

pub(crate) struct Groups;

impl GroupDirectory for Groups {
    fn member_group_ids<'a>(&'a self, c: Conn<'a>, member: MemberId) -> BoxFuture<'a, Result<Vec<GroupId>, DbErr>> {
        Box::pin(
            async move { Ok(crate::groups::member_group_ids(&c, member).await?.into_iter().map(GroupId).collect()) },
        )
    }

    fn member_group_ids_of_each<'a>(
        &'a self,
        c: Conn<'a>,
        members: &'a [MemberId],
    ) -> BoxFuture<'a, Result<std::collections::HashMap<MemberId, Vec<GroupId>>, DbErr>> {
        Box::pin(async move {
            let mut each: std::collections::HashMap<MemberId, Vec<GroupId>> = Default::default();
            for m in crate::group_batches::memberships_of_each(&c, members).await? {
                if m.status == "active" {
                    each.entry(m.member_id).or_default().push(GroupId(m.group_id));
                }
            }
            Ok(each)
        })
    }

    fn exists<'a>(&'a self, c: Conn<'a>, id: GroupId) -> BoxFuture<'a, Result<bool, DbErr>> {
        Box::pin(async move {
            let n: i64 =
                kernel::db::scalar(&c, "SELECT COUNT(*) FROM groups WHERE id = $1", params![id]).await?.unwrap_or(0);
            Ok(n > 0)
        })
    }

    fn joined_by<'a>(&'a self, db: &'a Db, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<GroupChoice>>> {
        Box::pin(async move {
            Ok(crate::groups::list(db, viewer)
                .await?
                .into_iter()
                .filter(|(g, standing)| standing.is_member() && !g.is_archived())
                .map(|(g, _)| GroupChoice { id: GroupId(g.id), name: g.name })
                .collect())
        })
    }
}

/// The home feed: recent discussions in the member's groups and by people they follow.
pub(crate) struct Feed;

impl contracts::home::HomeFeed for Feed {
    fn latest<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::home::FeedItem>>> {
        Box::pin(async move {
            let page = crate::feed::home(state, viewer, None, limit).await?;
            Ok(page.items.into_iter().map(|t| thread_line(t.id, t.title, t.reply_count)).collect())
        })
    }
}

/// Conversations opened by an accepted support request (`contracts::moments`).
pub(crate) struct SupportConversations;

impl contracts::moments::Conversations for SupportConversations {
    fn open<'a>(
        &'a self,
        c: kernel::db::Conn<'a>,
        from: MemberId,
        to: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Option<uuid::Uuid>, DbErr>> {
        Box::pin(async move {
            if from == to || crate::messages::blocked_either(&c, from, to).await? {
                return Ok(None);
            }
            Ok(Some(crate::messages::open_in(&c, from, to, body).await?))
        })
    }

    fn open_group<'a>(
        &'a self,
        c: kernel::db::Conn<'a>,
        asker: MemberId,
        volunteer: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Option<uuid::Uuid>, DbErr>> {
        Box::pin(async move {
            if asker == volunteer || crate::messages::blocked_either(&c, asker, volunteer).await? {
                return Ok(None);
            }
            Ok(Some(crate::group_conversations::open_in(&c, asker, volunteer, body).await?))
        })
    }

    fn join_group<'a>(
        &'a self,
        c: kernel::db::Conn<'a>,
        conversation: uuid::Uuid,
        volunteer: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<bool, DbErr>> {
        Box::pin(async move {
            if crate::group_conversations::blocked_with_any(&c, conversation, volunteer).await? {
                return Ok(false);
            }
            crate::group_conversations::join_in(&c, conversation, volunteer, body).await?;
            Ok(true)
        })
    }
}

/// Which of the discussions tagged with a moment a viewer may read
/// (`contracts::moments::TaggedContent`): visible threads, opened, in a group the viewer
/// may read (the groups' read rule), most recent activity first.
pub(crate) struct MomentThreads;

#[derive(sea_orm::FromQueryResult)]
struct TaggedThread {
    id: uuid::Uuid,
    title: String,
    reply_count: i64,
}

impl contracts::moments::TaggedContent for MomentThreads {
    fn kinds(&self) -> &'static [&'static str] {
        &["thread"]
    }

    fn visible<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a Viewer,
        kind: &'a str,
        ids: &'a [uuid::Uuid],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::moments::ContentItem>>> {
        Box::pin(async move {
            let ids = &ids[..ids.len().min(200)];
            if kind != "thread" || ids.is_empty() {
                return Ok(vec![]);
            }
            let asker = crate::policy::group_read::Asker::of(viewer);
            let mut values = params![limit as i64, kernel::time::now()];
            if let Some(me) = viewer.id() {
                values.push(me.into());
            }
            let list = kernel::db::placeholders(values.len() + 1, ids.len());
            values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
            let sql = format!(
                "SELECT t.id, t.title, t.reply_count FROM threads t JOIN groups g ON g.id = t.group_id \
                 WHERE t.status = 'visible' AND (t.opens_at IS NULL OR t.opens_at <= $2) AND {} AND t.id IN ({list}) \
                 ORDER BY t.last_activity_at DESC, t.id LIMIT $1",
                crate::policy::group_read::read_sql(asker, "g", "$3")
            );
            let rows: Vec<TaggedThread> = state.db.all(&sql, values).await?;
            Ok(rows
                .into_iter()
                .map(|t| contracts::moments::ContentItem {
                    id: t.id,
                    href: format!("/threads/{}", t.id),
                    title: t.title,
                    note: format!("{} replies", t.reply_count),
                })
                .collect())
        })
    }
}

/// The newsletter's highlights (`contracts::digest::Highlights`): the latest discussions
/// in the member's own groups that they may read — never a group they are not in.
pub(crate) struct Highlights;

impl contracts::digest::Part for Highlights {
    fn items_for_each<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewers: &'a [Viewer],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<Vec<contracts::digest::DigestItem>>>> {
        Box::pin(async move {
            Ok(crate::feed::my_groups_for_each(state, viewers, limit)
                .await?
                .into_iter()
                .map(|threads| threads.into_iter().map(|t| thread_line(t.id, t.title, t.reply_count)).collect())
                .collect())
        })
    }
}

/// A discussion as one line of the home feed or the newsletter.
fn thread_line(id: impl std::fmt::Display, title: String, reply_count: i64) -> contracts::home::FeedItem {
    contracts::home::FeedItem { href: format!("/threads/{id}"), title, note: format!("{reply_count} replies") }
}

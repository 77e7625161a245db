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
                .filter(|(_, standing)| standing.is_member())
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
            Ok(page
                .items
                .into_iter()
                .map(|t| contracts::home::FeedItem {
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
    fn items<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::digest::DigestItem>>> {
        Box::pin(async move {
            Ok(crate::feed::my_groups(state, viewer, limit)
                .await?
                .into_iter()
                .map(|t| contracts::digest::DigestItem {
                    href: format!("/threads/{}", t.id),
                    title: t.title,
                    note: format!("{} replies", t.reply_count),
                })
                .collect())
        })
    }
}

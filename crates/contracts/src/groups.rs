//! The community slice's groups as other slices may see them.

use futures::future::BoxFuture;
use kernel::AppResult;
use kernel::AppState;
use kernel::db::{Conn, Db};
use kernel::slice::MissingPort;
use kernel::viewer::Viewer;
use sea_orm::DbErr;

use crate::ids::{GroupId, MemberId};

/// A group the viewer belongs to, for choosing an event's audience.
#[derive(Debug, Clone)]
pub struct GroupChoice {
    pub id: GroupId,
    pub name: String,
}

/// What other slices may read about groups, provided by the community slice.
pub trait GroupDirectory: Send + Sync {
    /// The groups `member` is an active member of.
    fn member_group_ids<'a>(&'a self, c: Conn<'a>, member: MemberId) -> BoxFuture<'a, Result<Vec<GroupId>, DbErr>>;
    /// The groups each of `members` is an active member of, in one query (absent: none).
    fn member_group_ids_of_each<'a>(
        &'a self,
        c: Conn<'a>,
        members: &'a [MemberId],
    ) -> BoxFuture<'a, Result<std::collections::HashMap<MemberId, Vec<GroupId>>, DbErr>>;
    /// Whether a group exists.
    fn exists<'a>(&'a self, c: Conn<'a>, id: GroupId) -> BoxFuture<'a, Result<bool, DbErr>>;
    /// The groups `viewer` is an active member of, by name.
    fn joined_by<'a>(&'a self, db: &'a Db, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<GroupChoice>>>;
}

/// The groups port, as provided by the community slice.
pub fn directory(state: &AppState) -> Result<&dyn GroupDirectory, MissingPort> {
    state.port::<std::sync::Arc<dyn GroupDirectory>>().map(|p| p.as_ref())
}

/// The groups `member` is an active member of; none when no slice provides groups (an
/// installation without the community area has no group audiences).
pub async fn member_groups(state: &AppState, member: MemberId) -> Result<Vec<GroupId>, DbErr> {
    match directory(state) {
        Ok(groups) => groups.member_group_ids((&state.db).into(), member).await,
        Err(_) => Ok(vec![]),
    }
}

/// The groups each of `members` is an active member of; none without the community area.
pub async fn member_groups_of_each(
    state: &AppState,
    members: &[MemberId],
) -> Result<std::collections::HashMap<MemberId, Vec<GroupId>>, DbErr> {
    match directory(state) {
        Ok(groups) => groups.member_group_ids_of_each((&state.db).into(), members).await,
        Err(_) => Ok(Default::default()),
    }
}

/// The groups `viewer` belongs to, by name; none without the community area.
pub async fn joined_by(state: &AppState, viewer: &Viewer) -> AppResult<Vec<GroupChoice>> {
    match directory(state) {
        Ok(groups) => groups.joined_by(&state.db, viewer).await,
        Err(_) => Ok(vec![]),
    }
}

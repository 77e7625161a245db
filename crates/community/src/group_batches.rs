//! Groups read for many members at once (the newsletter's batches): everyone's
//! memberships in one statement, and each member's groups by the same rule as
//! [`crate::groups::list`].

use std::collections::HashMap;

use kernel::AppResult;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use uuid::Uuid;

use crate::groups::{Group, MembershipRow, Standing, access, all_groups, standing_of};

/// A membership row of some member (any status).
#[derive(sea_orm::FromQueryResult)]
pub struct MemberOf {
    pub member_id: MemberId,
    pub group_id: Uuid,
    pub role: String,
    pub status: String,
}

/// Every membership row of each of `members`, a few hundred members a statement.
pub async fn memberships_of_each<C: sea_orm::ConnectionTrait>(
    c: &C,
    members: &[MemberId],
) -> Result<Vec<MemberOf>, sea_orm::DbErr> {
    let mut rows = Vec::new();
    for chunk in members.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|m| m.0).collect();
        let mut values = Vec::new();
        let members_in = db::uuid_in(c, "member_id", db::UuidColumn::Native, &ids, &mut |v| {
            values.push(v);
            format!("${}", values.len())
        });
        let sql = format!("SELECT member_id, group_id, role, status FROM group_members WHERE {members_in}");
        rows.extend(db::all::<MemberOf, _>(c, &sql, values).await?);
    }
    Ok(rows)
}

/// [`crate::groups::list`] for each of `viewers` (members, in their order), in two statements however
/// many: everyone's memberships, and the groups (memoised).
pub async fn list_for_each(db: &Db, viewers: &[Viewer]) -> AppResult<Vec<Vec<(Group, Standing)>>> {
    let ids: Vec<MemberId> = viewers.iter().filter_map(Viewer::id).collect();
    let mut theirs: HashMap<MemberId, HashMap<Uuid, MembershipRow>> = HashMap::new();
    for m in memberships_of_each(db.reader(), &ids).await? {
        theirs.entry(m.member_id).or_default().insert(m.group_id, MembershipRow { role: m.role, status: m.status });
    }
    let groups = all_groups(db).await?;
    Ok(viewers
        .iter()
        .map(|viewer| {
            let mine = viewer.id().and_then(|me| theirs.get(&me));
            groups
                .iter()
                .map(|g| (g, standing_of(mine.and_then(|m| m.get(&g.id)))))
                .filter(|(g, s)| access(viewer, g, *s).see_group)
                .map(|(g, s)| (g.clone(), s))
                .collect()
        })
        .collect())
}

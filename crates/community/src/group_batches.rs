//! Groups read for many members at once (the newsletter's batches): everyone's
//! memberships in one statement, and each member's groups by the same rule as
//! [`crate::groups::list`].

use std::collections::HashMap;

use kernel::AppResult;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use uuid::Uuid;

use crate::groups::{Group, MembershipRow, access, all_groups, standing_of};

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

/// The groups each of `viewers` (members, in their order) belongs to and may read, by
/// the rule of [`crate::groups::list`], in two statements however many: everyone's
/// memberships, and the groups (memoised). Only each viewer's own memberships are
/// looked at: a batch of a hundred members once cloned every group they could see for
/// each of them (33 MB at the benchmark's scale, three batches at a time).
pub async fn readable_memberships_for_each(db: &Db, viewers: &[Viewer]) -> AppResult<Vec<Vec<Uuid>>> {
    let ids: Vec<MemberId> = viewers.iter().filter_map(Viewer::id).collect();
    let mut theirs: HashMap<MemberId, Vec<(Uuid, MembershipRow)>> = HashMap::new();
    for m in memberships_of_each(db.reader(), &ids).await? {
        theirs.entry(m.member_id).or_default().push((m.group_id, MembershipRow { role: m.role, status: m.status }));
    }
    let groups = all_groups(db).await?;
    let by_id: HashMap<Uuid, &Group> = groups.iter().map(|g| (g.id, g)).collect();
    Ok(viewers
        .iter()
        .map(|viewer| {
            let mine = viewer.id().and_then(|me| theirs.get(&me)).map(Vec::as_slice).unwrap_or_default();
            mine.iter()
                .filter_map(|(group, row)| {
                    let g = by_id.get(group)?;
                    let s = standing_of(Some(row));
                    let can = access(viewer, g, s);
                    (can.see_group && s.is_member() && can.read).then_some(g.id)
                })
                .collect()
        })
        .collect())
}

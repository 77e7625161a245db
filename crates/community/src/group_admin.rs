//! Staff running groups from the console: changing a group's settings (by the same
//! checks as creating one, [`groups::check`]), appointing its moderators (by the same
//! rule as the API's member actions, [`groups::manage`]), and deleting a group that never
//! had a discussion.

use kernel::db;
use kernel::ids::MemberId;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, audit, params};
use uuid::Uuid;

use crate::groups::{self, COLUMNS, GROUPS_MEMO, Group, NewGroup};

/// A group with the settings its forms show and staff change.
pub(crate) struct Settings {
    pub(crate) group: Group,
    pub(crate) hold_crisis_posts: bool,
}

/// Any group, hidden ones included (staff administer every group).
pub(crate) async fn load(state: &AppState, id: Uuid) -> AppResult<Settings> {
    let group: Group = state
        .db
        .one(&format!("SELECT {COLUMNS} FROM groups WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let hold_crisis_posts = state
        .db
        .scalar::<bool>("SELECT hold_crisis_posts FROM groups WHERE id = $1", params![id])
        .await?
        .unwrap_or(false);
    Ok(Settings { group, hold_crisis_posts })
}

/// Changes a group's settings (staff); its address (slug) stays.
pub(crate) async fn update(state: &AppState, viewer: &Viewer, id: Uuid, g: &NewGroup, ip: &str) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let c = groups::check(g)?;
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE groups SET name = $1, description = $2, rules = $3, visibility = $4, public_preview = $5, screening = $6, \
         hold_crisis_posts = $7 WHERE id = $8",
        params![c.name, c.description, c.rules, g.visibility.clone(), c.preview, c.screening, g.hold_crisis_posts, id],
    )
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&tx, Some(staff.id), "group_updated", None, Some(ip), serde_json::json!({ "group": id })).await?;
    tx.commit().await?;
    state.db.forget(GROUPS_MEMO);
    Ok(())
}

/// Archives a group (`archived`) or brings it back (staff): an archived group leaves the
/// list of groups and takes no new posts, but stays readable ([`crate::policy::group_read`]).
/// Archiving an archived group keeps the first date; both are audited.
pub(crate) async fn set_archived(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    archived: bool,
    ip: &str,
) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let tx = state.db.begin().await?;
    let changed = if archived {
        let sql = "UPDATE groups SET archived_at = COALESCE(archived_at, $1) WHERE id = $2";
        db::exec(&tx, sql, params![kernel::time::now(), id]).await?
    } else {
        db::exec(&tx, "UPDATE groups SET archived_at = NULL WHERE id = $1", params![id]).await?
    };
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let action = if archived { "group_archived" } else { "group_unarchived" };
    audit::record(&tx, Some(staff.id), action, None, Some(ip), serde_json::json!({ "group": id })).await?;
    tx.commit().await?;
    state.db.forget(GROUPS_MEMO);
    Ok(())
}

/// Deletes a group that never had a discussion (staff); one with discussions keeps them,
/// and says so.
pub(crate) async fn delete(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<()> {
    let staff = viewer.require_role(Role::Staff)?;
    let tx = state.db.begin().await?;
    let threads: i64 =
        db::scalar(&tx, "SELECT COUNT(*) FROM threads WHERE group_id = $1", params![id]).await?.unwrap_or(0);
    if threads > 0 {
        return Err(AppError::conflict(
            "group_has_discussions",
            "This group has discussions, so it cannot be deleted; its members' words stay.",
        ));
    }
    db::exec(&tx, "DELETE FROM group_members WHERE group_id = $1", params![id]).await?;
    if db::exec(&tx, "DELETE FROM groups WHERE id = $1", params![id]).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&tx, Some(staff.id), "group_deleted", None, Some(ip), serde_json::json!({ "group": id })).await?;
    tx.commit().await?;
    state.db.forget(GROUPS_MEMO);
    Ok(())
}

/// A member of a group as the console lists them.
#[derive(sea_orm::FromQueryResult)]
pub(crate) struct Membership {
    pub(crate) member_id: MemberId,
    pub(crate) role: String,
}

/// The group's active members, owners and moderators first (at most 200).
pub(crate) async fn members(state: &AppState, id: Uuid) -> AppResult<Vec<Membership>> {
    Ok(state
        .db
        .all(
            "SELECT member_id, role FROM group_members WHERE group_id = $1 AND status = 'active' \
             ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, created_at LIMIT 200",
            params![id],
        )
        .await?)
}

/// Makes the members named (display names, one a line) moderators of the group, or
/// members again (`make_member`), through the same rule as the API.
pub(crate) async fn appoint(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    names: &[String],
    action: &str,
    ip: &str,
) -> AppResult<()> {
    if names.is_empty() || names.len() > 20 {
        return Err(AppError::field("moderators", "Name 1 to 20 members, one a line."));
    }
    let found = crate::people(state)?.find_by_names((&state.db).into(), names).await?;
    for name in names {
        let Some((member, _)) = found.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) else {
            return Err(AppError::field("moderators", format!("No member is called \u{201c}{name}\u{201d}.")));
        };
        match groups::manage(state, viewer, id, *member, action, ip).await {
            Err(AppError::NotFound) => {
                return Err(AppError::field("moderators", format!("{name} is not a member of this group yet.")));
            }
            other => other?,
        }
    }
    Ok(())
}

//! Groups and who may see them. Open groups: any member reads and joins; visitors see
//! a teaser or everything, as staff choose. Private groups: joined by request with a
//! short screening questionnaire; content for their members only. Hidden groups: not
//! listed, and not even named to anyone outside them but staff, who administer them.
//! The rule itself lives in [`crate::policy::group_read`].

use chrono::{DateTime, Utc};
use contracts::events::{GroupJoinRequested, GroupRequestApproved};
use contracts::ids::GroupId;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who may know of and read a group is decided in one place.
pub use crate::policy::group_read::{Access, Standing, access};

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Group {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub rules: String,
    /// open, private or hidden
    pub visibility: String,
    /// For open groups, what visitors who are not signed in see: none, teaser or all.
    pub public_preview: String,
    /// JSON list of screening questions for join requests.
    #[serde(skip)]
    pub screening: String,
    pub created_at: DateTime<Utc>,
    /// When staff archived the group (absent while it is live): an archived group is left
    /// out of the list of groups and takes no new posts, but stays readable.
    pub archived_at: Option<DateTime<Utc>>,
}

pub const COLUMNS: &str =
    "id, slug, name, description, rules, visibility, public_preview, screening, created_at, archived_at";

impl Group {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    pub fn screening_questions(&self) -> Vec<String> {
        serde_json::from_str(&self.screening).unwrap_or_default()
    }
}

#[derive(sea_orm::FromQueryResult)]
pub(crate) struct MembershipRow {
    pub(crate) role: String,
    pub(crate) status: String,
}

#[derive(sea_orm::FromQueryResult)]
struct MembershipOfRow {
    group_id: Uuid,
    role: String,
    status: String,
}

pub async fn standing<C: sea_orm::ConnectionTrait>(c: &C, viewer: &Viewer, group: Uuid) -> AppResult<Standing> {
    let Some(me) = viewer.id() else { return Ok(Standing::None) };
    let row: Option<MembershipRow> =
        db::one(c, "SELECT role, status FROM group_members WHERE group_id = $1 AND member_id = $2", params![group, me])
            .await?;
    Ok(standing_of(row.as_ref()))
}

/// A membership row read as a standing (no row: not a member).
pub(crate) fn standing_of(row: Option<&MembershipRow>) -> Standing {
    Standing::of(row.map(|r| (r.role.as_str(), r.status.as_str())))
}

/// A group the viewer may know about (else 404 — a hidden group does not exist to outsiders).
pub async fn visible(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<(Group, Standing, Access)> {
    let g: Group =
        db.one(&format!("SELECT {COLUMNS} FROM groups WHERE id = $1"), params![id]).await?.ok_or(AppError::NotFound)?;
    let s = standing(db.reader(), viewer, id).await?;
    let a = access(viewer, &g, s);
    if !a.see_group {
        return Err(AppError::NotFound);
    }
    Ok((g, s, a))
}

/// The key of the memoised list of groups.
pub(crate) const GROUPS_MEMO: &str = "groups";

/// Every group, by name, from memory for up to a second (see [`Db::memo`]): groups are
/// created but never changed, so a node that has not seen a new group yet only misses it
/// for that second.
pub(crate) async fn all_groups(db: &Db) -> AppResult<std::sync::Arc<Vec<Group>>> {
    Ok(db
        .memo(GROUPS_MEMO, std::time::Duration::from_secs(1), || async {
            db.all::<Group>(&format!("SELECT {COLUMNS} FROM groups ORDER BY name"), params![]).await
        })
        .await?)
}

/// Groups the viewer may know about ([`Access::see_group`]): open and private ones, and
/// hidden ones they are in (or all of them, for staff).
pub async fn list(db: &Db, viewer: &Viewer) -> AppResult<Vec<(Group, Standing)>> {
    // The viewer's memberships in one query, not one per group.
    let mine: std::collections::HashMap<Uuid, MembershipRow> = match viewer.id() {
        Some(me) => db
            .all::<MembershipOfRow>(
                "SELECT group_id, role, status FROM group_members WHERE member_id = $1",
                params![me],
            )
            .await?
            .into_iter()
            .map(|r| (r.group_id, MembershipRow { role: r.role, status: r.status }))
            .collect(),
        None => Default::default(),
    };
    Ok(all_groups(db)
        .await?
        .iter()
        .map(|g| (g, standing_of(mine.get(&g.id))))
        .filter(|(g, s)| access(viewer, g, *s).see_group)
        .map(|(g, s)| (g.clone(), s))
        .collect())
}

/// The list of groups members browse (the groups page and the API's list): the groups
/// the viewer may know about ([`list`]), less archived ones. Archived groups still count
/// as known everywhere else, so their discussions stay in feeds and search for readers.
pub async fn listed(db: &Db, viewer: &Viewer) -> AppResult<Vec<(Group, Standing)>> {
    Ok(list(db, viewer).await?.into_iter().filter(|(g, _)| !g.is_archived()).collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// open, private or hidden
    pub visibility: String,
    #[serde(default)]
    pub rules: Option<String>,
    /// For open groups: none, teaser (default) or all.
    #[serde(default)]
    pub public_preview: Option<String>,
    /// Screening questions for join requests (private groups).
    #[serde(default)]
    pub screening: Option<Vec<String>>,
    /// Hold posts that match a crisis phrase until a moderator has looked (default:
    /// publish them, and tell the moderators).
    #[serde(default)]
    pub hold_crisis_posts: bool,
}

fn slugify(name: &str) -> String {
    let mut s = String::new();
    for ch in name.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').chars().take(60).collect()
}

/// A group's settings, checked: the one copy of the rules that creating and changing a
/// group share.
pub(crate) struct Checked {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) rules: String,
    pub(crate) preview: String,
    pub(crate) screening: String,
}

/// Checks a group's settings, reporting every problem at once, by field.
pub(crate) fn check(g: &NewGroup) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let name = g.name.trim();
    e.check_length("name", name, 1..=80, "Give the group a name of 1 to 80 characters.");
    e.check_length("description", &g.description, 0..=2000, "Keep the description under 2,000 characters.");
    let rules = g.rules.clone().unwrap_or_default();
    e.check_length("rules", &rules, 0..=10_000, "Keep the rules under 10,000 characters.");
    if !["open", "private", "hidden"].contains(&g.visibility.as_str()) {
        e.add("visibility", "Choose open, private or hidden.");
    }
    let preview = g.public_preview.clone().unwrap_or_else(|| "teaser".into());
    if !["none", "teaser", "all"].contains(&preview.as_str()) {
        e.add("public_preview", "Choose none, teaser or all.");
    }
    let screening = g.screening.clone().unwrap_or_default();
    if screening.len() > 5 || screening.iter().any(|q| q.trim().is_empty() || q.chars().count() > 200) {
        e.add("screening", "Ask at most 5 screening questions of 1 to 200 characters.");
    }
    e.into_result()?;
    Ok(Checked {
        name: name.to_string(),
        description: g.description.trim().to_string(),
        rules,
        preview,
        screening: serde_json::to_string(&screening).unwrap_or_else(|_| "[]".into()),
    })
}

/// Creates a group (staff); the creator becomes its owner.
pub async fn create(state: &AppState, viewer: &Viewer, g: &NewGroup, ip: &str) -> AppResult<Group> {
    let staff = viewer.require_role(Role::Staff)?;
    let c = check(g)?;
    let name = c.name.as_str();
    let id = Uuid::now_v7();
    let t = now();
    let base = slugify(name);
    let slug =
        if base.is_empty() { id.simple().to_string() } else { format!("{base}-{}", &id.simple().to_string()[24..]) };
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO groups (id, slug, name, description, rules, visibility, public_preview, screening, created_by, created_at, hold_crisis_posts) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        params![id, slug, name, c.description, c.rules, g.visibility.clone(), c.preview, c.screening, staff.id, t, g.hold_crisis_posts],
    )
    .await?;
    add_member(&tx, id, staff.id, "owner").await?;
    audit::record(&tx, Some(staff.id), "group_created", None, Some(ip), serde_json::json!({ "group": id })).await?;
    tx.commit().await?;
    state.db.forget(GROUPS_MEMO);
    state.db.one(&format!("SELECT {COLUMNS} FROM groups WHERE id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

pub(crate) async fn add_member(tx: &Tx, group: Uuid, member: MemberId, role: &str) -> AppResult<()> {
    db::exec(
        tx,
        "INSERT INTO group_members (group_id, member_id, role, status, created_at, decided_at) VALUES ($1, $2, $3, 'active', $4, $4) \
         ON CONFLICT (group_id, member_id) DO UPDATE SET status = 'active', role = excluded.role, decided_at = excluded.decided_at",
        params![group, member, role.to_string(), now()],
    )
    .await?;
    Ok(())
}

/// What joining did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinOutcome {
    Joined,
    Pending,
}

/// Joins an open group, or asks to join a private one (with screening answers).
pub async fn join(state: &AppState, viewer: &Viewer, id: Uuid, answers: &[String]) -> AppResult<JoinOutcome> {
    let me = viewer.require_member()?;
    let (g, s, _) = visible(&state.db, viewer, id).await?;
    match s {
        Standing::Banned => return Err(AppError::Forbidden),
        Standing::Pending => return Ok(JoinOutcome::Pending),
        s if s.is_member() => return Ok(JoinOutcome::Joined),
        _ => {}
    }
    if g.is_archived() {
        return Err(AppError::conflict("group_archived", "This group is archived and takes no new members."));
    }
    match g.visibility.as_str() {
        "open" => {
            let tx = state.db.begin().await?;
            add_member(&tx, id, me.id, "member").await?;
            tx.commit().await?;
            Ok(JoinOutcome::Joined)
        }
        "private" => {
            let questions = g.screening_questions();
            if answers.len() > questions.len().max(1) || answers.iter().any(|a| a.chars().count() > 1000) {
                return Err(AppError::field("answers", "Answer each screening question in up to 1,000 characters."));
            }
            if answers.iter().filter(|a| !a.trim().is_empty()).count() < questions.len() {
                return Err(AppError::field("answers", "Please answer every screening question."));
            }
            let tx = state.db.begin().await?;
            let n = db::exec(
                &tx,
                "INSERT INTO group_members (group_id, member_id, role, status, answers, created_at) VALUES ($1, $2, 'member', 'pending', $3, $4) \
                 ON CONFLICT (group_id, member_id) DO NOTHING",
                params![id, me.id, serde_json::to_string(answers).unwrap_or_else(|_| "[]".into()), now()],
            )
            .await?;
            if n == 1 {
                let requested = GroupJoinRequested { member_id: me.id, group_id: GroupId(id) };
                kernel::outbox::publish(&tx, Some(me.id), &requested).await?;
            }
            tx.commit().await?;
            Ok(JoinOutcome::Pending)
        }
        _ => Err(AppError::conflict("invitation_only", "This group is by invitation only.")),
    }
}

/// Approves a join request (the group's moderators, or staff).
pub async fn approve(state: &AppState, viewer: &Viewer, id: Uuid, member: MemberId, ip: &str) -> AppResult<()> {
    let actor = viewer.require_member()?;
    let (_, _, a) = visible(&state.db, viewer, id).await?;
    if !a.moderate {
        return Err(AppError::Forbidden);
    }
    // Staff moderate every group, and may ask to join one like anyone: their own request
    // is decided by someone else, or staff could let themselves into any private group.
    if member == actor.id {
        return Err(AppError::conflict("own_request", "Someone else must approve your own request to join."));
    }
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE group_members SET status = 'active', decided_at = $1 WHERE group_id = $2 AND member_id = $3 AND status = 'pending'",
        params![now(), id, member],
    )
    .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    kernel::outbox::publish(&tx, Some(actor.id), &GroupRequestApproved { member_id: member, group_id: GroupId(id) })
        .await?;
    audit::record(
        &tx,
        Some(actor.id),
        "group_request_approved",
        Some(member),
        Some(ip),
        serde_json::json!({ "group": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Pending requests with their answers (moderators).
#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Request {
    pub member_id: MemberId,
    pub answers: String,
    pub created_at: DateTime<Utc>,
}

/// Pending requests for the group's moderators and staff, never the viewer's own (which
/// someone else decides). Screening answers can say much about someone's health: each
/// time staff read them, the audit log gets a row for each member whose answers they read.
pub async fn requests(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<Vec<Request>> {
    let (_, _, a) = visible(&state.db, viewer, id).await?;
    a.require_moderate()?;
    let me = viewer.require_member()?;
    let rows: Vec<Request> = state
        .db
        .all(
            "SELECT member_id, answers, created_at FROM group_members WHERE group_id = $1 AND status = 'pending' \
             AND member_id <> $2 ORDER BY created_at",
            params![id, me.id],
        )
        .await?;
    if viewer.is_staff() && !rows.is_empty() {
        let tx = state.db.begin().await?;
        for r in &rows {
            let detail = serde_json::json!({ "group": id });
            audit::record(&tx, Some(me.id), "join_answers_read", Some(r.member_id), Some(ip), detail).await?;
        }
        tx.commit().await?;
    }
    Ok(rows)
}

/// The groups a member belongs to (for other slices' audiences, e.g. group events).
pub async fn member_group_ids<C: sea_orm::ConnectionTrait>(
    c: &C,
    member: MemberId,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    db::column(c, "SELECT group_id FROM group_members WHERE member_id = $1 AND status = 'active'", params![member])
        .await
}

/// Leaves a group (an owner must hand the group over first).
pub async fn leave(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let (_, s, _) = visible(&state.db, viewer, id).await?;
    match s {
        Standing::Owner => {
            Err(AppError::conflict("owner_cannot_leave", "Make someone else the owner before you leave."))
        }
        Standing::Banned | Standing::None => Err(AppError::NotFound),
        _ => {
            end_membership(state.db.writer(), id, me.id).await?;
            Ok(())
        }
    }
}

/// Ends `member`'s membership of the group (or their request to join): what leaving does,
/// and what a moderator's or staff's "remove" does. Reading the group is decided from
/// `group_members` alone ([`crate::policy::group_read`]), and leaving publishes no domain
/// event, so neither does removing. The number of rows ended (0: they were not in it).
pub(crate) async fn end_membership<C: sea_orm::ConnectionTrait>(
    c: &C,
    group: Uuid,
    member: MemberId,
) -> AppResult<u64> {
    Ok(db::exec(c, "DELETE FROM group_members WHERE group_id = $1 AND member_id = $2", params![group, member]).await?)
}

/// What a group's moderators may do to a member: remove, ban, unban, and (owners and
/// staff) make or unmake a moderator.
pub const MEMBER_ACTIONS: &[&str] = &["remove", "ban", "unban", "make_moderator", "make_member"];

pub async fn manage(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    member: MemberId,
    action: &str,
    ip: &str,
) -> AppResult<()> {
    let me = viewer.require_member()?;
    let (_, s, a) = visible(&state.db, viewer, id).await?;
    if !MEMBER_ACTIONS.contains(&action) {
        return Err(AppError::field("action", "Choose remove, ban, unban, make_moderator or make_member."));
    }
    a.require_moderate()?;
    if member == me.id {
        return Err(AppError::field("member_id", "You cannot do that to yourself."));
    }
    let target: Option<MembershipRow> = state
        .db
        .one("SELECT role, status FROM group_members WHERE group_id = $1 AND member_id = $2", params![id, member])
        .await?;
    let owners_only = matches!(action, "make_moderator" | "make_member");
    if owners_only && s != Standing::Owner && !viewer.is_staff() {
        return Err(AppError::Forbidden);
    }
    if target.as_ref().is_some_and(|t| t.role == "owner") {
        return Err(AppError::conflict("owner", "The group's owner cannot be removed, banned or changed."));
    }
    // Moderators do not act against each other; owners and staff do.
    if target.as_ref().is_some_and(|t| t.role == "moderator") && s != Standing::Owner && !viewer.is_staff() {
        return Err(AppError::Forbidden);
    }
    // Removing ends the membership as leaving does; the other actions change its row.
    let sql = match action {
        "remove" => None,
        "ban" => Some(
            "INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, 'member', 'banned', $3) \
             ON CONFLICT (group_id, member_id) DO UPDATE SET status = 'banned', role = 'member'",
        ),
        "unban" => Some("DELETE FROM group_members WHERE group_id = $1 AND member_id = $2 AND status = 'banned'"),
        "make_moderator" => Some(
            "UPDATE group_members SET role = 'moderator' WHERE group_id = $1 AND member_id = $2 AND status = 'active'",
        ),
        _ => Some(
            "UPDATE group_members SET role = 'member' WHERE group_id = $1 AND member_id = $2 AND status = 'active'",
        ),
    };
    let tx = state.db.begin().await?;
    let values = if action == "ban" { params![id, member, now()] } else { params![id, member] };
    let n = match sql {
        None => end_membership(&tx, id, member).await?,
        Some(sql) => db::exec(&tx, sql, values).await?,
    };
    if n == 0 && action != "ban" {
        return Err(AppError::NotFound);
    }
    audit::record(
        &tx,
        Some(me.id),
        &format!("group_{action}"),
        Some(member),
        Some(ip),
        serde_json::json!({ "group": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::viewer::Member;

    fn group(visibility: &str, preview: &str) -> Group {
        Group {
            id: Uuid::nil(),
            slug: "g".into(),
            name: "G".into(),
            description: String::new(),
            rules: String::new(),
            visibility: visibility.into(),
            public_preview: preview.into(),
            screening: "[]".into(),
            created_at: Utc::now(),
            archived_at: None,
        }
    }

    fn member(role: Role) -> Viewer {
        Viewer::Member(Member { id: MemberId::new(), display_name: "M".into(), role, health_leader: false })
    }

    #[test]
    fn private_and_hidden_content_is_for_members_only_even_for_staff() {
        let private = group("private", "teaser");
        let hidden = group("hidden", "teaser");
        for v in [Viewer::Anonymous, member(Role::Member), member(Role::Admin)] {
            for s in [Standing::None, Standing::Pending, Standing::Banned] {
                assert!(!access(&v, &private, s).read);
                assert!(!access(&v, &hidden, s).read);
            }
        }
        assert!(
            !access(&Viewer::Anonymous, &hidden, Standing::None).see_group,
            "hidden groups are unnamed to outsiders"
        );
        assert!(access(&member(Role::Member), &private, Standing::Member).read);
        assert!(access(&member(Role::Member), &hidden, Standing::Member).read);
    }

    #[test]
    fn open_groups_show_visitors_what_staff_chose() {
        assert!(access(&Viewer::Anonymous, &group("open", "all"), Standing::None).read);
        let teaser = access(&Viewer::Anonymous, &group("open", "teaser"), Standing::None);
        assert!(!teaser.read && teaser.teaser);
        let none = access(&Viewer::Anonymous, &group("open", "none"), Standing::None);
        assert!(!none.read && !none.teaser);
        assert!(access(&member(Role::Member), &group("open", "none"), Standing::None).read);
        assert!(
            !access(&member(Role::Member), &group("open", "all"), Standing::Banned).post,
            "banned members cannot post"
        );
    }

    #[test]
    fn an_archived_group_is_read_as_before_but_nobody_posts_in_it() {
        for (visibility, preview) in [("open", "all"), ("open", "teaser"), ("private", "none"), ("hidden", "none")] {
            let live = group(visibility, preview);
            let archived = Group { archived_at: Some(Utc::now()), ..live.clone() };
            for v in [Viewer::Anonymous, member(Role::Member), member(Role::Staff)] {
                for s in [Standing::None, Standing::Banned, Standing::Member, Standing::Owner] {
                    let (before, after) = (access(&v, &live, s), access(&v, &archived, s));
                    assert_eq!(
                        (before.see_group, before.read, before.teaser),
                        (after.see_group, after.read, after.teaser)
                    );
                    assert!(!after.post && after.archived, "{visibility} {s:?}");
                }
            }
        }
        let archived = Group { archived_at: Some(Utc::now()), ..group("private", "none") };
        let refusal = access(&member(Role::Member), &archived, Standing::Member).require_post();
        assert!(matches!(refusal, Err(AppError::Conflict { code: "group_archived", .. })), "a member hears why");
    }

    #[test]
    fn slugs_are_readable() {
        assert_eq!(slugify("Type 2 Diabetes — peer support!"), "type-2-diabetes-peer-support");
    }
}

//! Who is looking, and what they may see. One model, asked by pages, the API, search,
//! feeds, notifications, e-mail and exports alike.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::MemberId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Moderator,
    Staff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Member, Role::Moderator, Role::Staff, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A signed-in member, as far as permissions care.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub health_leader: bool,
}

#[derive(Clone, Debug, Default)]
pub enum Viewer {
    #[default]
    Anonymous,
    Member(Member),
    /// An industry guest with a judge-only account: signed in, but no member anywhere
    /// (`member()` is None, so every members-only check treats them as a visitor);
    /// only judging and their own sign-out ask for `account()`.
    GuestJudge(Member),
}

impl Viewer {
    pub fn member(&self) -> Option<&Member> {
        match self {
            Viewer::Member(m) => Some(m),
            Viewer::Anonymous | Viewer::GuestJudge(_) => None,
        }
    }

    /// The signed-in account, member or judge-only guest: for judging and sign-out only.
    pub fn account(&self) -> Option<&Member> {
        match self {
            Viewer::Member(m) | Viewer::GuestJudge(m) => Some(m),
            Viewer::Anonymous => None,
        }
    }

    /// Whether this is a judge-only guest account.
    pub fn is_guest_judge(&self) -> bool {
        matches!(self, Viewer::GuestJudge(_))
    }

    /// The signed-in account that may judge (a member or a guest judge), or 401.
    pub fn require_account(&self) -> AppResult<&Member> {
        self.account().ok_or(AppError::Unauthorized)
    }

    pub fn id(&self) -> Option<MemberId> {
        self.member().map(|m| m.id)
    }

    pub fn is_signed_in(&self) -> bool {
        self.member().is_some()
    }

    pub fn has_role(&self, at_least: Role) -> bool {
        self.member().is_some_and(|m| m.role >= at_least)
    }

    pub fn is_staff(&self) -> bool {
        self.has_role(Role::Staff)
    }

    /// The signed-in member, or 401.
    pub fn require_member(&self) -> AppResult<&Member> {
        self.member().ok_or(AppError::Unauthorized)
    }

    /// A member with at least `role`, else 401 (anonymous) or 404: what needs a role
    /// the member lacks does not exist for them, so a route does not even show that it
    /// is there.
    pub fn require_role(&self, role: Role) -> AppResult<&Member> {
        let m = self.require_member()?;
        if m.role >= role { Ok(m) } else { Err(AppError::NotFound) }
    }
}

/// The staff member behind a staff page, or 404 for everyone else, signed in or not:
/// a staff page does not show that it exists. (Decided before a body is read.)
pub fn staff_page(viewer: &Viewer) -> AppResult<&Member> {
    viewer.member().filter(|m| m.role >= Role::Staff).ok_or(AppError::NotFound)
}

/// The staff member behind a staff API call: 401 without a working token (the API says
/// how to authenticate), 404 for a member who is not staff.
pub fn api_staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.require_role(Role::Staff)
}

/// Who may see a piece of personal information, as chosen by its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in members.
    Members,
    /// The owner (and staff acting on a report or request, audited).
    Private,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Public, Visibility::Members, Visibility::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
            Visibility::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Visibility::Public => "Everyone",
            Visibility::Members => "Members only",
            Visibility::Private => "Only me",
        }
    }
}

/// Whether `viewer` may see something of `owner`'s that is shown to `visibility`.
///
/// Staff are deliberately not given a blanket pass: a staff member browsing the site
/// sees what any member sees. Staff access to private data goes through explicit,
/// audited routes instead.
pub fn can_see(viewer: &Viewer, owner: MemberId, visibility: Visibility) -> bool {
    match (visibility, viewer) {
        (_, Viewer::Member(m)) if m.id == owner => true,
        (Visibility::Public, _) => true,
        (Visibility::Members, Viewer::Member(_)) => true,
        _ => false,
    }
}

/// The same rule as [`can_see`], as an SQL condition, so lists are filtered in the
/// database and never after the fact. `column` holds the visibility text and
/// `owner_column` the owner's id; `next` is the next free `$N` placeholder number.
/// Returns the condition and the values it binds.
pub fn visible_sql(viewer: &Viewer, column: &str, owner_column: &str, next: usize) -> (String, Vec<sea_orm::Value>) {
    match viewer {
        Viewer::Anonymous | Viewer::GuestJudge(_) => (format!("{column} = 'public'"), vec![]),
        Viewer::Member(m) => {
            (format!("({column} IN ('public', 'members') OR {owner_column} = ${next})"), vec![m.id.into()])
        }
    }
}

/// Turns a session's member id into a [`Member`] viewer. Implemented by the members
/// slice (which owns accounts) and handed to the kernel at start-up, so the kernel
/// never reads a slice's tables. `None` means the account cannot act (suspended,
/// deleted or unknown).
pub trait ViewerDirectory: Send + Sync {
    fn load<'a>(&'a self, db: &'a Db, id: MemberId) -> BoxFuture<'a, anyhow::Result<Option<Member>>>;
    /// [`ViewerDirectory::load`] for many at once (a newsletter batch): those who can
    /// act, by id; one statement where the directory can.
    fn load_many<'a>(
        &'a self,
        db: &'a Db,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, anyhow::Result<std::collections::HashMap<MemberId, Member>>> {
        Box::pin(async move {
            let mut found = std::collections::HashMap::new();
            for id in ids {
                if let Some(m) = self.load(db, *id).await? {
                    found.insert(*id, m);
                }
            }
            Ok(found)
        })
    }
    /// A judge-only guest account by id (none by default).
    fn load_guest_judge<'a>(&'a self, _db: &'a Db, _id: MemberId) -> BoxFuture<'a, anyhow::Result<Option<Member>>> {
        Box::pin(async { Ok(None) })
    }
    /// [`ViewerDirectory::load`] and [`ViewerDirectory::load_guest_judge`] as columns
    /// for the SELECT list of the kernel's session lookup (scalar subqueries on the
    /// account id in the column `member_id`), so the kernel finds a request's session and
    /// its viewer in one statement. The directory writes them, so its tables stay its
    /// own, and reads them back ([`ViewerDirectory::viewer_of_columns`]). `None` (the
    /// default): the kernel asks `load` after finding the session.
    fn columns_sql(&self, _member_id: &str) -> Option<String> {
        None
    }
    /// The viewer that the columns of [`ViewerDirectory::columns_sql`] describe in `row`,
    /// for the account `id` (`None`: the account cannot act).
    fn viewer_of_columns(&self, _row: &sea_orm::QueryResult, _id: MemberId) -> anyhow::Result<Option<Viewer>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> Viewer {
        Viewer::Member(Member { id: MemberId::new(), display_name: "A".into(), role, health_leader: false })
    }

    #[test]
    fn visibility_rules_hold_for_every_kind_of_viewer() {
        let owner = MemberId::new();
        let owner_viewer =
            Viewer::Member(Member { id: owner, display_name: "O".into(), role: Role::Member, health_leader: false });
        for v in Visibility::ALL {
            assert!(can_see(&owner_viewer, owner, v), "owners always see their own {v:?} data");
        }
        assert!(can_see(&Viewer::Anonymous, owner, Visibility::Public));
        assert!(!can_see(&Viewer::Anonymous, owner, Visibility::Members));
        assert!(!can_see(&Viewer::Anonymous, owner, Visibility::Private));
        assert!(can_see(&member(Role::Member), owner, Visibility::Members));
        assert!(!can_see(&member(Role::Member), owner, Visibility::Private));
        assert!(!can_see(&member(Role::Admin), owner, Visibility::Private), "no blanket staff pass");
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(member(Role::Admin).is_staff());
        assert!(member(Role::Staff).is_staff());
        assert!(!member(Role::Moderator).is_staff());
        assert!(matches!(member(Role::Member).require_role(Role::Staff), Err(AppError::NotFound)));
        assert!(matches!(Viewer::Anonymous.require_member(), Err(AppError::Unauthorized)));
    }
}

//! Who may see a member's moments.
//!
//! **The rule.** A member's moments of one stage ("now", "been through") are seen by a
//! viewer when the member's visibility for that stage lets them (the profile fields'
//! rule, `kernel::viewer::can_see`: everyone, members, only the owner; both stages
//! default to members). A member is listed in the "been there" directory for a moment
//! when their "been through" mark of it is visible to the viewer, they offer support,
//! and they are not the viewer. A condition tied to a moment is shown only when it is
//! also among the conditions the owner's profile shows the viewer (checked through the
//! members port by the caller, after this rule).
//!
//! The rule is here twice: [`may_see`] for one mark and [`visible_sql`] for lists, with
//! a test that they agree on both backends (`tests/visibility_agreement.rs`).

use kernel::ids::MemberId;
use kernel::viewer::{Viewer, Visibility, can_see};

pub use crate::model::Stage;

/// A member's two visibilities (the defaults when they never chose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visibilities {
    pub now: Visibility,
    pub been_through: Visibility,
}

impl Default for Visibilities {
    fn default() -> Self {
        Visibilities { now: Visibility::Members, been_through: Visibility::Members }
    }
}

impl Visibilities {
    pub fn of(&self, stage: Stage) -> Visibility {
        match stage {
            Stage::Now => self.now,
            Stage::BeenThrough => self.been_through,
        }
    }
}

/// Whether `viewer` may see `owner`'s marks of `stage`.
pub fn may_see(viewer: &Viewer, owner: MemberId, stage: Stage, vis: Visibilities) -> bool {
    can_see(viewer, owner, vis.of(stage))
}

/// Whether `owner` is listed to `viewer` as having been through a moment: the mark is
/// visible, they offer support, and they are someone else.
pub fn listed(viewer: &Viewer, owner: MemberId, vis: Visibilities, available: bool) -> bool {
    available && viewer.id() != Some(owner) && may_see(viewer, owner, Stage::BeenThrough, vis)
}

/// [`may_see`] as an SQL condition on a `moment_marks` row `marks` left-joined to its
/// owner's `moment_settings` row `settings`; `next` is the next free `$N`.
pub fn visible_sql(viewer: &Viewer, marks: &str, settings: &str, next: usize) -> (String, Vec<sea_orm::Value>) {
    let column = format!(
        "(CASE WHEN {marks}.stage = 'now' THEN COALESCE({settings}.now_visibility, 'members') \
         ELSE COALESCE({settings}.been_through_visibility, 'members') END)"
    );
    kernel::viewer::visible_sql(viewer, &column, &format!("{marks}.member_id"), next)
}

/// [`listed`] as an SQL condition (see [`visible_sql`]).
pub fn listed_sql(viewer: &Viewer, marks: &str, settings: &str, next: usize) -> (String, Vec<sea_orm::Value>) {
    let (visible, mut values) = visible_sql(viewer, marks, settings, next);
    let me = match viewer.id() {
        Some(id) => {
            values.push(id.into());
            format!(" AND {marks}.member_id <> ${}", next + values.len() - 1)
        }
        None => String::new(),
    };
    (
        format!(
            "{marks}.stage = 'been_through' AND COALESCE({settings}.available_to_support, FALSE) = TRUE{me} AND {visible}"
        ),
        values,
    )
}

#[cfg(test)]
mod tests {
    use kernel::viewer::{Member, Role};

    use super::*;

    #[test]
    fn each_stage_has_its_own_visibility_and_the_owner_always_sees_both() {
        let owner = MemberId::new();
        let me =
            Viewer::Member(Member { id: owner, display_name: "O".into(), role: Role::Member, health_leader: false });
        let other = Viewer::Member(Member {
            id: MemberId::new(),
            display_name: "P".into(),
            role: Role::Admin,
            health_leader: false,
        });
        let vis = Visibilities { now: Visibility::Private, been_through: Visibility::Public };
        assert!(may_see(&me, owner, Stage::Now, vis));
        assert!(!may_see(&other, owner, Stage::Now, vis), "no staff pass");
        assert!(may_see(&Viewer::Anonymous, owner, Stage::BeenThrough, vis));
        assert!(!may_see(&Viewer::Anonymous, owner, Stage::Now, Visibilities::default()));
        assert!(
            listed(&other, owner, vis, true) && !listed(&other, owner, vis, false) && !listed(&me, owner, vis, true)
        );
    }
}

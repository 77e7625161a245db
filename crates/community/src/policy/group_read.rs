//! Who may know of a group, and who may read it.
//!
//! **The rule.** Open and private groups are known to everyone; a hidden group is known
//! only to its members and to staff (and admins); an open group is read by every
//! signed-in member not banned from it (and by visitors when staff chose to show them
//! everything), a private or hidden group only by its members.
//!
//! **Staff and hidden groups — decided on purpose.** Staff and admins run the network:
//! they create the hidden groups, appoint their owners and answer reports from them, so
//! they may know every hidden group — its page and API entry open for them, and it is
//! listed and found by search for them exactly as for its members. Knowing is not
//! reading: like anyone else, staff read a private or hidden group's threads only as its
//! members (or through a report), so the privacy promise to the people inside ("what is
//! said here stays here") holds. Every surface follows this one rule: the group page and
//! API ([`crate::groups::visible`]), the group list and search ([`crate::groups::list`]),
//! the home feed and profile activity, notifications and digests ([`still_readable_sql`]).
//!
//! **Archived groups** (staff close a group that has run its course) keep every answer
//! above for knowing and reading, so members of a private group still read what they
//! said; nobody posts or reacts there any more ([`Access::require_post`] says why), and
//! the list of groups leaves them out ([`crate::groups::listed`]).
//!
//! **Banned members** read nothing of the group they were banned from while signed in,
//! not even an open group whose content visitors see: no feed, search hit or
//! notification draws them back.
//!
//! A membership (`group_members` row) reads as a [`Standing`]: status `active` is a
//! member (role `member`, `moderator` or `owner`), `pending` a request, `banned` a ban,
//! and any other status as no membership at all.

use kernel::viewer::Viewer;
use serde::Serialize;

use super::col;
use crate::groups::Group;

/// Who asks, as far as this rule cares: the role matters only to *know* a hidden group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    /// Not signed in.
    Visitor,
    /// A signed-in member (a Health Leader or a site moderator is a member here).
    Member,
    /// Staff or an admin.
    Staff,
}

impl Asker {
    pub fn of(viewer: &Viewer) -> Asker {
        if viewer.is_staff() {
            Asker::Staff
        } else if viewer.is_signed_in() {
            Asker::Member
        } else {
            Asker::Visitor
        }
    }
}

/// The viewer's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    None,
    Pending,
    Banned,
    Member,
    Moderator,
    Owner,
}

impl Standing {
    pub fn is_member(self) -> bool {
        matches!(self, Standing::Member | Standing::Moderator | Standing::Owner)
    }
    pub fn can_moderate(self) -> bool {
        matches!(self, Standing::Moderator | Standing::Owner)
    }

    /// A `group_members` row's role and status read as a standing (`None`: no row).
    pub fn of(row: Option<(&str, &str)>) -> Standing {
        match row {
            None => Standing::None,
            Some((_, "pending")) => Standing::Pending,
            Some((_, "banned")) => Standing::Banned,
            Some((_, status)) if status != "active" => Standing::None,
            Some(("owner", _)) => Standing::Owner,
            Some(("moderator", _)) => Standing::Moderator,
            Some(_) => Standing::Member,
        }
    }
}

/// What a viewer may do with a group and its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// May know the group exists (name, description): its page, the list, search.
    pub see_group: bool,
    /// May read threads and replies in full.
    pub read: bool,
    /// May read only titles (a teaser for visitors of an open group).
    pub teaser: bool,
    pub post: bool,
    pub moderate: bool,
    /// The group is archived: readable as before, but nobody posts or reacts in it.
    pub archived: bool,
}

impl Access {
    /// Moderating the group (pinning, locking, answering requests, reading history)
    /// is for its moderators and staff.
    pub fn require_moderate(self) -> kernel::AppResult<()> {
        if self.moderate { Ok(()) } else { Err(kernel::AppError::Forbidden) }
    }

    /// Posting and reacting are for those who may post here, in a group still open to it.
    pub fn require_post(self) -> kernel::AppResult<()> {
        if self.archived && self.read {
            return Err(kernel::AppError::conflict(
                "group_archived",
                "This group is archived: its discussions can be read, but not added to or reacted to.",
            ));
        }
        if self.post { Ok(()) } else { Err(kernel::AppError::Forbidden) }
    }

    /// The same access in an archived group: reading and knowing stay, posting ends.
    fn archived(self) -> Access {
        Access { post: false, archived: true, ..self }
    }
}

/// The rule (see the module's documentation) for `viewer` in group `g`, where they stand `s`.
pub fn access(viewer: &Viewer, g: &Group, s: Standing) -> Access {
    let a = decide(Asker::of(viewer), &g.visibility, &g.public_preview, s);
    if g.is_archived() { a.archived() } else { a }
}

/// The rule in Rust, from the group's `visibility` and `public_preview` columns.
pub fn decide(asker: Asker, visibility: &str, public_preview: &str, s: Standing) -> Access {
    let staff = asker == Asker::Staff;
    let member = s.is_member();
    let (see_group, read, teaser) = match visibility {
        "open" => {
            let read = match asker {
                Asker::Visitor => public_preview == "all",
                Asker::Member | Asker::Staff => s != Standing::Banned,
            };
            (true, read, !read && public_preview == "teaser")
        }
        "private" => (true, member, false),
        // Hidden (and anything unknown): members, and staff who administer it.
        _ => (member || staff, member, false),
    };
    Access { see_group, read, teaser, post: member, moderate: s.can_moderate() || staff, archived: false }
}

/// Whether `me` has an active membership of the group `g` (SQL).
fn active_member_sql(g: &str, me: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM group_members policy_m WHERE policy_m.group_id = {} AND policy_m.member_id = {me} AND policy_m.status = 'active')",
        col(g, "id")
    )
}

/// [`Access::see_group`] as an SQL condition on the `groups` row aliased `g`, for a list
/// filtered in the database. `me` is the placeholder (e.g. `$2`) the caller binds to the
/// asker's member id; it is not used for visitors or staff.
pub fn see_sql(asker: Asker, g: &str, me: &str) -> String {
    let vis = col(g, "visibility");
    match asker {
        Asker::Staff => "1 = 1".to_string(),
        Asker::Visitor => format!("{vis} IN ('open', 'private')"),
        Asker::Member => format!("({vis} IN ('open', 'private') OR {})", active_member_sql(g, me)),
    }
}

/// [`Access::read`] as an SQL condition on the `groups` row aliased `g`; `me` as in
/// [`see_sql`] (not used for visitors).
pub fn read_sql(asker: Asker, g: &str, me: &str) -> String {
    let (vis, preview) = (col(g, "visibility"), col(g, "public_preview"));
    match asker {
        Asker::Visitor => format!("({vis} = 'open' AND {preview} = 'all')"),
        Asker::Member | Asker::Staff => format!(
            "({} OR ({vis} = 'open' AND NOT EXISTS (SELECT 1 FROM group_members policy_b WHERE policy_b.group_id = {} AND policy_b.member_id = {me} AND policy_b.status = 'banned')))",
            active_member_sql(g, me),
            col(g, "id")
        ),
    }
}

/// Notifications (aliased `n`) about no group or about a group the member `me` may still
/// read — the notification list, the unread count and the e-mail digest. Reading does not
/// depend on the role (staff read as members do), so the recipient asks as a member.
pub fn still_readable_sql(me: &str) -> String {
    format!(
        "(n.group_id IS NULL OR EXISTS (SELECT 1 FROM groups g WHERE g.id = n.group_id AND {}))",
        read_sql(Asker::Member, "g", me)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIS: [&str; 3] = ["open", "private", "hidden"];
    const PREVIEW: [&str; 3] = ["none", "teaser", "all"];
    const STANDINGS: [Standing; 6] =
        [Standing::None, Standing::Pending, Standing::Banned, Standing::Member, Standing::Moderator, Standing::Owner];

    #[test]
    fn staff_read_exactly_what_members_read() {
        for v in VIS {
            for p in PREVIEW {
                for s in STANDINGS {
                    assert_eq!(
                        decide(Asker::Member, v, p, s).read,
                        decide(Asker::Staff, v, p, s).read,
                        "{v} {p} {s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn staff_know_every_hidden_group_but_read_it_only_as_members() {
        for s in [Standing::None, Standing::Pending, Standing::Banned] {
            let a = decide(Asker::Staff, "hidden", "teaser", s);
            assert!(a.see_group && !a.read, "{s:?}");
            let a = decide(Asker::Member, "hidden", "teaser", s);
            assert!(!a.see_group && !a.read, "{s:?}");
        }
        assert!(!decide(Asker::Visitor, "hidden", "all", Standing::None).see_group);
    }

    #[test]
    fn a_ban_ends_reading_even_an_open_group() {
        assert!(!decide(Asker::Member, "open", "all", Standing::Banned).read);
        assert!(decide(Asker::Visitor, "open", "all", Standing::None).read);
    }

    #[test]
    fn membership_rows_read_as_standings() {
        assert_eq!(Standing::of(None), Standing::None);
        assert_eq!(Standing::of(Some(("owner", "active"))), Standing::Owner);
        assert_eq!(Standing::of(Some(("moderator", "active"))), Standing::Moderator);
        assert_eq!(Standing::of(Some(("member", "active"))), Standing::Member);
        assert_eq!(Standing::of(Some(("moderator", "pending"))), Standing::Pending);
        assert_eq!(Standing::of(Some(("member", "banned"))), Standing::Banned);
        assert_eq!(Standing::of(Some(("owner", "left"))), Standing::None);
    }
}

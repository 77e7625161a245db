//! Who may open a resource, and when a monthly collection is out: each rule once, as a
//! Rust function for one item and as an SQL condition for lists, side by side. The
//! agreement test (`crates/learning/tests/resources_policy.rs`) stores every case on
//! both backends and requires the two forms to give the same answer.
//!
//! A draft is opened by nobody through the reader's surfaces (pages, API, search, the
//! home page); staff see drafts only on their own pages. Staff have no blanket pass
//! here, as in `kernel::viewer::can_see`: browsing the library they see what members see.

use chrono::{DateTime, Utc};
use kernel::viewer::Viewer;

pub use super::model::{Audience, Status};

/// Whether `viewer` may open a resource with this status and audience.
pub fn may_open(viewer: &Viewer, status: Status, audience: Audience) -> bool {
    status == Status::Published && (audience == Audience::Public || viewer.is_signed_in())
}

/// [`may_open`] as an SQL condition on the resource aliased `r`. It binds nothing: the
/// only thing it needs to know about the viewer is whether they are signed in.
pub fn may_open_sql(viewer: &Viewer, r: &str) -> String {
    let audiences = if viewer.is_signed_in() { "'public', 'members'" } else { "'public'" };
    format!("({r}.status = 'published' AND {r}.audience IN ({audiences}))")
}

/// Whether a collection is out at `at`: it has a publication moment, and that has come.
pub fn collection_is_out(publish_at: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    publish_at.is_some_and(|p| p <= at)
}

/// [`collection_is_out`] as an SQL condition on the collection aliased `c`; `at` is the
/// placeholder that holds the moment.
pub fn collection_is_out_sql(c: &str, at: &str) -> String {
    format!("({c}.publish_at IS NOT NULL AND {c}.publish_at <= {at})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::MemberId;
    use kernel::viewer::{Member, Role};

    fn member(role: Role) -> Viewer {
        Viewer::Member(Member { id: MemberId::new(), display_name: "A".into(), role, health_leader: false })
    }

    #[test]
    fn visitors_open_public_published_resources_only_and_nobody_opens_a_draft() {
        assert!(may_open(&Viewer::Anonymous, Status::Published, Audience::Public));
        assert!(!may_open(&Viewer::Anonymous, Status::Published, Audience::Members));
        assert!(may_open(&member(Role::Member), Status::Published, Audience::Members));
        for v in [Viewer::Anonymous, member(Role::Member), member(Role::Admin)] {
            for a in Audience::ALL {
                assert!(!may_open(&v, Status::Draft, a), "a draft stays on the staff pages");
            }
        }
    }
}

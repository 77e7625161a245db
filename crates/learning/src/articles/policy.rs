//! Who may read an article, and who runs the editorial workflow.
//!
//! **The rule.** A published or featured article is public: anyone may read it, signed
//! in or not. Any other (a draft, one submitted, in review, sent back for changes or
//! scheduled) is visible only to its author and to the editors (staff). The same rule
//! answers on every surface: the page, the API, images, search and the feeds (the last
//! two ask it for a visitor, so they only ever hold public articles).
//!
//! The rule is here twice, side by side: [`may_read`] for one article and
//! [`readable_sql`] for lists filtered in the database. `tests/articles_policy.rs`
//! proves they agree over every kind of reader and status, on SQLite and PostgreSQL.

pub use super::model::Status;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use sea_orm::Value;

/// What the rule needs to know about an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub author_id: MemberId,
    pub status: Status,
}

/// Editors run the editorial workflow: the staff.
pub fn is_editor(viewer: &Viewer) -> bool {
    viewer.is_staff()
}

/// Whether `viewer` wrote the article.
pub fn is_author(viewer: &Viewer, a: &Access) -> bool {
    viewer.id() == Some(a.author_id)
}

/// Whether `viewer` may read the article.
pub fn may_read(viewer: &Viewer, a: &Access) -> bool {
    a.status.is_public() || is_editor(viewer) || is_author(viewer, a)
}

/// Whether `viewer` may see the editors' comments on the article: its author and the
/// editors, never the public.
pub fn may_see_comments(viewer: &Viewer, a: &Access) -> bool {
    is_editor(viewer) || is_author(viewer, a)
}

/// The public statuses, as a SQL list of literals (they are our own codes).
fn public_statuses() -> String {
    Status::ALL.iter().filter(|s| s.is_public()).map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

/// [`may_read`] as an SQL condition on the `articles` row aliased `a`; `bind` takes a
/// value and returns its placeholder.
pub fn readable_sql(viewer: &Viewer, a: &str, bind: &mut dyn FnMut(Value) -> String) -> String {
    if is_editor(viewer) {
        return "TRUE".into();
    }
    let public = format!("{a}.status IN ({})", public_statuses());
    match viewer.id() {
        Some(me) => format!("({public} OR {a}.author_id = {})", bind(me.into())),
        None => public,
    }
}

/// The condition for public surfaces (search, feeds, the published list): what a
/// visitor may read.
pub fn public_sql(a: &str) -> String {
    readable_sql(&Viewer::Anonymous, a, &mut |_| unreachable!("a visitor's condition binds nothing"))
}

//! When a thread shows, is pinned and takes replies.
//!
//! **The rule.** A thread shows once it has opened (`opens_at` unset or reached; a staff
//! prompt scheduled for later is in no list, feed or search, and only the group's
//! moderators and staff may open its page early, to check it); it is pinned while a
//! moderator pinned it or while a staff prompt is within its window (until
//! `closes_at`); it takes no replies once locked by a moderator or once a prompt's
//! window has closed.
//!
//! Each predicate is here in Rust (for one thread) and as SQL (for lists), given the
//! threads table's alias (`""` for none) and the placeholder bound to the time `at`.

use chrono::{DateTime, Utc};

use super::col;

/// The columns this rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub pinned: bool,
    pub locked: bool,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// Whether the thread has opened at `at` (lists, feeds and search show only these).
pub fn has_opened(t: &Timing, at: DateTime<Utc>) -> bool {
    t.opens_at.is_none_or(|o| o <= at)
}

/// [`has_opened`] in SQL.
pub fn has_opened_sql(alias: &str, at: &str) -> String {
    let o = col(alias, "opens_at");
    format!("({o} IS NULL OR {o} <= {at})")
}

/// Whether someone who may read the group may open the thread's page: once it has
/// opened, or at any time for those who moderate the group.
pub fn may_open(t: &Timing, at: DateTime<Utc>, moderate: bool) -> bool {
    moderate || has_opened(t, at)
}

/// [`may_open`] in SQL.
pub fn may_open_sql(alias: &str, at: &str, moderate: bool) -> String {
    if moderate { "1 = 1".to_string() } else { has_opened_sql(alias, at) }
}

/// Whether the thread is pinned at `at`: by a moderator, or a prompt within its window.
pub fn is_pinned(t: &Timing, at: DateTime<Utc>) -> bool {
    t.pinned || t.closes_at.is_some_and(|c| c > at)
}

/// [`is_pinned`] in SQL, as two conditions that never hold together, so that a feed can
/// read each with an index seek (one `OR` would read every thread of the group).
pub fn pinned_sql_parts(alias: &str, at: &str) -> [String; 2] {
    let (p, c) = (col(alias, "pinned"), col(alias, "closes_at"));
    [format!("{p} = TRUE"), format!("{p} = FALSE AND {c} > {at}")]
}

/// The negation of [`is_pinned`] in SQL: the rest of a feed, after the pinned threads.
pub fn unpinned_sql(alias: &str, at: &str) -> String {
    let (p, c) = (col(alias, "pinned"), col(alias, "closes_at"));
    format!("{p} = FALSE AND ({c} IS NULL OR {c} <= {at})")
}

/// Whether the thread takes no more replies at `at`.
pub fn is_closed(t: &Timing, at: DateTime<Utc>) -> bool {
    t.locked || t.closes_at.is_some_and(|c| c <= at)
}

/// [`is_closed`] in SQL.
pub fn closed_sql(alias: &str, at: &str) -> String {
    let (l, c) = (col(alias, "locked"), col(alias, "closes_at"));
    format!("({l} = TRUE OR ({c} IS NOT NULL AND {c} <= {at}))")
}

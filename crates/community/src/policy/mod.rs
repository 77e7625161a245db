//! The community slice's access rules, one file per rule. Each rule is written once as
//! a Rust predicate (for pages and single items) and once, next to it, as an SQL
//! fragment (for lists, counts and digests filtered in the database). The agreement
//! tests in `crates/community/tests/policy_agreement.rs` set up every combination of
//! viewer, group and membership (or time and pin) on SQLite and PostgreSQL and prove
//! the two forms give the same answer. Change a rule here, in both forms, or the
//! test fails.

pub mod group_read;
pub mod live_threads;

/// `alias.column`, or just `column` when there is no alias.
pub(crate) fn col(alias: &str, column: &str) -> String {
    if alias.is_empty() { column.to_string() } else { format!("{alias}.{column}") }
}

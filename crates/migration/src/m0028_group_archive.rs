//! Archived groups (issue 20): staff archive a group that has run its course. It leaves
//! the list of groups and takes no new threads, replies or reactions, but what was said
//! stays readable to those who could read it. `archived_at` is empty for a live group.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE groups ADD COLUMN archived_at TIMESTAMPTZ
"#;

crate::portable_migration!(UP);

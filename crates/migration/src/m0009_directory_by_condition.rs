//! The member directory filtered by a condition, at scale (bench/RESULTS.md).
//!
//! Listing members with a condition in name order walked the whole name index and asked,
//! member by member, whether each had the condition: for a condition one member in forty
//! has, two thousand lookups of wide member rows per page. Each member's condition rows
//! now carry the member's name key, so the page is one range of one index, read in order
//! and stopped at the page size. The members slice keeps the copy in step (profile
//! changes, sign-up, erasure) and `shn check` verifies it.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE member_conditions ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE member_conditions SET name_key = (SELECT m.name_key FROM members m WHERE m.id = member_conditions.member_id);
DROP INDEX member_conditions_by_condition;
CREATE INDEX member_conditions_directory ON member_conditions (condition_id, name_key, member_id)
"#;

crate::portable_migration!(UP);

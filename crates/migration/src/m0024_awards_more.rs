//! The awards, more (issue 16): a category's minimum membership age in days (0: none).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE award_categories ADD COLUMN min_member_days BIGINT NOT NULL DEFAULT 0
"#;

crate::portable_migration!(UP);

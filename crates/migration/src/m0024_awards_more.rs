//! The awards, more (issue 16): a category's minimum membership age in days (0: none), and
//! winners by nominee (a profile asks for one member's wins; without it SQLite reads every
//! winner).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE award_categories ADD COLUMN min_member_days BIGINT NOT NULL DEFAULT 0;
CREATE INDEX award_winners_by_nominee ON award_winners (nominee_id)
"#;

crate::portable_migration!(UP);

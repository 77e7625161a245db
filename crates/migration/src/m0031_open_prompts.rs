//! The staff prompts of a group by when they open (issue 19): the group page asks which
//! prompts are open now (a new thread inherits their moments), and with only
//! `threads_group_feed` to go on it read every visible thread of the group and sorted
//! them, 11 ms for a group of 5 765 threads at the benchmark's scale. Prompts are the
//! threads with an opening time, few in any group: a partial index holds only them.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE INDEX threads_prompts ON threads (group_id, opens_at) WHERE opens_at IS NOT NULL
"#;

crate::portable_migration!(UP);

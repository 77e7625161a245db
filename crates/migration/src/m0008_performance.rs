//! Indexes found missing by the load benchmark at scale (bench/RESULTS.md).
//!
//! - `events_by_end`: the upcoming-events list reads events that have not ended yet, a
//!   few hundred at any time, instead of walking every past event in start order first.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE INDEX events_by_end ON events (ends_at)
"#;

crate::portable_migration!(UP);

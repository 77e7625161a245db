//! Daily rollups of the programme analytics (issue 20, "Scale"): a figure over a
//! two-year range of two million ledger entries or a million replies cannot be counted
//! live in 200 ms, so each day's counts of append-only facts are kept once the day is
//! over (`kernel::analytics::rollup`), and only the days since are counted live.
//!
//! - `analytics_daily`: one row a metric, day (`YYYY-MM-DD`, UTC) and label.
//! - `analytics_rollups`: for each metric, the first day not yet rolled up.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE analytics_daily (
    metric TEXT NOT NULL,
    day TEXT NOT NULL,
    label TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (metric, day, label)
);
CREATE TABLE analytics_rollups (
    metric TEXT PRIMARY KEY,
    through TEXT NOT NULL
)
"#;

crate::portable_migration!(UP);

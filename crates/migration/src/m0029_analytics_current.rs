//! Staff analytics at scale (issue 20, "Scale"), second step: figures about members as
//! they are now (how many, by type, country and condition, verified, active) cannot be
//! counted over 100 000 members in 200 ms, nor can registrations by kind over a year,
//! whose rows change after the day they were made (a cancellation, attendance taken).
//! The hourly analytics job recounts them and stores the result.
//!
//! - `analytics_current`: the latest count of a figure about now, one row a label.
//! - `analytics_counted`: when each recounted figure was last counted (for the page's
//!   "as of", and so that a figure counted as zero rows is told from one never counted).
//! - Sign-ups in a range read `members` by `created_at` and its `status` from one index.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE analytics_current (
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (metric, label)
);
CREATE TABLE analytics_counted (
    metric TEXT PRIMARY KEY,
    counted_at TIMESTAMPTZ NOT NULL
);
DROP INDEX members_by_created;
CREATE INDEX members_by_created ON members (created_at, status)
"#;

crate::portable_migration!(UP);

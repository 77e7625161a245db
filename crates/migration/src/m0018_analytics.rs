//! Programme analytics (issue 20): each figure counts one range of an index on a time
//! column, so a twelve-week page reads twelve weeks of rows, not the whole table.
//!
//! - Sign-ups, threads, replies, reports, moderation actions, registrations, attendance
//!   and redemptions get an index on when they happened (the second column lets the
//!   per-group and per-action breakdowns answer from the index alone).
//! - "Active" is a session seen recently: `sessions` by `last_seen_at`.
//! - A registration promoted from the waitlist records when (`promoted_at`), so
//!   promotions can be counted; before, a promotion left no trace but a notification.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE INDEX members_by_created ON members (created_at);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at, member_id);
CREATE INDEX threads_by_created ON threads (created_at, group_id);
CREATE INDEX posts_by_created ON posts (created_at, thread_id);
CREATE INDEX reports_by_created ON reports (created_at);
CREATE INDEX moderation_by_created ON moderation_actions (created_at, action);
ALTER TABLE registrations ADD COLUMN promoted_at TIMESTAMPTZ;
CREATE INDEX registrations_by_created ON registrations (created_at, event_id);
CREATE INDEX registrations_by_attended ON registrations (attended_at, event_id);
CREATE INDEX registrations_by_promoted ON registrations (promoted_at);
CREATE INDEX redemptions_by_created ON redemptions (created_at, reward_id)
"#;

crate::portable_migration!(UP);

//! The newsletter's schedule (issue 18): when the editor wants an issue sent. `send_at`
//! is set when an issue is scheduled (`POST /api/v1/admin/newsletters/{id}/schedule`)
//! and read by the send job; a draft has none.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE newsletter_issues ADD COLUMN send_at TIMESTAMPTZ
"#;

crate::portable_migration!(UP);

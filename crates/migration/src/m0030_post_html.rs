//! Posts' HTML stored on write (issue 19): a thread's, reply's or message's Markdown is rendered and
//! sanitised once, when it is written or edited, and kept beside it with the version of
//! the renderer that made it. Rows written before this migration have none: pages render
//! them on read until `shn check --repair` stores their HTML (a Rust renderer cannot run
//! inside SQL, and this DDL stays the same on both backends).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE threads ADD COLUMN body_html TEXT;
ALTER TABLE threads ADD COLUMN body_html_v INTEGER;
ALTER TABLE posts ADD COLUMN body_html TEXT;
ALTER TABLE posts ADD COLUMN body_html_v INTEGER;
ALTER TABLE messages ADD COLUMN body_html TEXT;
ALTER TABLE messages ADD COLUMN body_html_v INTEGER
"#;

crate::portable_migration!(UP);

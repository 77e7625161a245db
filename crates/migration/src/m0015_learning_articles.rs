//! The learning slice's articles (issue 17): drafts, the editorial workflow and its comments, images, publication.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE articles (id UUID PRIMARY KEY, title TEXT NOT NULL)
"#;

crate::portable_migration!(UP);

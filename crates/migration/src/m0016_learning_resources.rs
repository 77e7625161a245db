//! The learning slice's advocacy resources (issue 17): the library, its tags, and the monthly collections.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE resources (id UUID PRIMARY KEY, title TEXT NOT NULL)
"#;

crate::portable_migration!(UP);

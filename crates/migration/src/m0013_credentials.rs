//! Credentials an opportunity may require (issue 14): the code an opportunity asks for,
//! and the opportunities slice's own record of the credentials each member holds,
//! learned from `CourseCompleted` events — never read from another slice's tables.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE opportunities ADD COLUMN needs_credential TEXT;

CREATE TABLE member_credentials (
    member_id UUID NOT NULL,
    code TEXT NOT NULL,
    awarded_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (member_id, code)
)
"#;

crate::portable_migration!(UP);

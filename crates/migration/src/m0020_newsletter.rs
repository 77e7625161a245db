//! The weekly newsletter (issue 18): each member's newsletter preferences, and the
//! issues (one per ISO week: the editor's intro and featured links). A member
//! without a row has the defaults (weekly on, monthly resources on, no topics). The
//! member id is the members slice's, kept without a foreign key: slices never reach
//! into each other's tables (erasure comes through the `MemberDeleted` event).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE newsletter_preferences (
    member_id UUID PRIMARY KEY,
    weekly BOOLEAN NOT NULL DEFAULT TRUE,
    monthly_resources BOOLEAN NOT NULL DEFAULT TRUE,
    topics TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE newsletter_issues (
    id UUID PRIMARY KEY,
    week TEXT NOT NULL UNIQUE,
    intro TEXT NOT NULL DEFAULT '',
    featured TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
)
"#;

crate::portable_migration!(UP);

//! Delivering the weekly newsletter (issue 18): one row per issue and recipient that
//! walks `pending → sending → handed → sent` (or `bounced`, `failed`, `skipped`,
//! `unconfirmed`), the send run of each issue (who is running it, since when), and the
//! addresses that must never be written to again (hard bounces and complaints). See
//! `newsletter::delivery` for the rules that make a crash resolve without a duplicate.
//! Member ids are the members slice's, kept without a foreign key (erasure comes
//! through the `MemberDeleted` event).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE newsletter_sends (
    issue_id UUID PRIMARY KEY,
    state TEXT NOT NULL DEFAULT 'listing',
    recipients BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);

CREATE TABLE newsletter_deliveries (
    issue_id UUID NOT NULL,
    member_id UUID NOT NULL,
    email TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    run_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issue_id, member_id)
);
CREATE INDEX newsletter_deliveries_by_state ON newsletter_deliveries (issue_id, state, member_id);
CREATE INDEX newsletter_deliveries_by_member ON newsletter_deliveries (member_id);

CREATE TABLE newsletter_suppressions (
    email TEXT PRIMARY KEY,
    member_id UUID,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    noticed_at TIMESTAMPTZ
);
CREATE INDEX newsletter_suppressions_by_member ON newsletter_suppressions (member_id)
"#;

crate::portable_migration!(UP);

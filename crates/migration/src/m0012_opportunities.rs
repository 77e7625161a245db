//! Paid opportunities: partners and their contacts, opportunities with their
//! eligibility rules, applications with their status history, deliverables with the
//! FTC disclosure check, payouts and members' tax-form status.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE partners (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    website TEXT NOT NULL DEFAULT '',
    logo_url TEXT NOT NULL DEFAULT '',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE partner_contacts (
    partner_id UUID NOT NULL REFERENCES partners (id),
    member_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (partner_id, member_id)
);
CREATE INDEX partner_contacts_by_member ON partner_contacts (member_id);

CREATE TABLE opportunities (
    id UUID PRIMARY KEY,
    partner_id UUID NOT NULL REFERENCES partners (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    brief TEXT NOT NULL DEFAULT '',
    compensation TEXT NOT NULL,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT '',
    points BIGINT NOT NULL DEFAULT 0,
    seats BIGINT NOT NULL,
    apply_by TIMESTAMPTZ NOT NULL,
    work_starts_on TEXT NOT NULL DEFAULT '',
    work_ends_on TEXT NOT NULL DEFAULT '',
    questions TEXT NOT NULL DEFAULT '[]',
    deliverables TEXT NOT NULL DEFAULT '',
    needs_health_leader BOOLEAN NOT NULL DEFAULT FALSE,
    followers_channel TEXT,
    followers_min BIGINT,
    status TEXT NOT NULL DEFAULT 'open',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX opportunities_by_deadline ON opportunities (apply_by, id);
CREATE INDEX opportunities_by_partner ON opportunities (partner_id, apply_by);

CREATE TABLE opportunity_rules (
    opportunity_id UUID NOT NULL REFERENCES opportunities (id),
    rule TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, rule, value)
);

CREATE TABLE applications (
    id UUID PRIMARY KEY,
    opportunity_id UUID NOT NULL REFERENCES opportunities (id),
    member_id UUID NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '[]',
    channels TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (opportunity_id, member_id)
);
CREATE INDEX applications_by_member ON applications (member_id, created_at);
CREATE INDEX applications_by_status ON applications (opportunity_id, status);

CREATE TABLE application_history (
    id UUID PRIMARY KEY,
    application_id UUID NOT NULL REFERENCES applications (id),
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    actor_id UUID,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_history_by_application ON application_history (application_id, at);

CREATE TABLE deliverables (
    id UUID PRIMARY KEY,
    application_id UUID NOT NULL REFERENCES applications (id),
    url TEXT NOT NULL,
    caption TEXT NOT NULL,
    disclosure_ok BOOLEAN NOT NULL,
    disclosure_reason TEXT NOT NULL,
    override_ok BOOLEAN,
    override_reason TEXT NOT NULL DEFAULT '',
    override_by UUID,
    override_at TIMESTAMPTZ,
    approved_by UUID,
    approved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliverables_by_application ON deliverables (application_id, created_at);

CREATE TABLE payouts (
    id UUID PRIMARY KEY,
    application_id UUID NOT NULL UNIQUE REFERENCES applications (id),
    opportunity_id UUID NOT NULL REFERENCES opportunities (id),
    member_id UUID NOT NULL,
    status TEXT NOT NULL,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT '',
    points BIGINT NOT NULL DEFAULT 0,
    reference TEXT NOT NULL DEFAULT '',
    paid_on TEXT,
    paid_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payouts_by_status ON payouts (status, paid_on);
CREATE INDEX payouts_by_member ON payouts (member_id);

CREATE TABLE tax_forms (
    member_id UUID PRIMARY KEY,
    status TEXT NOT NULL,
    updated_by UUID,
    updated_at TIMESTAMPTZ NOT NULL
)
"#;

crate::portable_migration!(UP);

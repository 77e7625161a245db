//! Support at the right moment (issue 21): the moments a member is in now and has been
//! through (each optionally tied to one of their conditions), their visibility and
//! whether they offer support, the history of marks (kept for the member only), the
//! moments staff tag content with, and support requests with the volunteers each was
//! offered to. Member ids and content ids are other slices' and are kept without
//! foreign keys: slices never reach into each other's tables.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE moment_marks (
    member_id UUID NOT NULL,
    stage TEXT NOT NULL,
    moment TEXT NOT NULL,
    condition_id UUID,
    marked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moment_marks_by_member ON moment_marks (member_id, stage);
CREATE INDEX moment_marks_by_moment ON moment_marks (moment, stage, member_id);

CREATE TABLE moment_settings (
    member_id UUID PRIMARY KEY,
    now_visibility TEXT NOT NULL DEFAULT 'members',
    been_through_visibility TEXT NOT NULL DEFAULT 'members',
    available_to_support BOOLEAN NOT NULL DEFAULT FALSE,
    open_offers BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE moment_history (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL,
    stage TEXT NOT NULL,
    moment TEXT NOT NULL,
    condition_id UUID,
    action TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moment_history_by_member ON moment_history (member_id, at);

CREATE TABLE moment_tags (
    content_kind TEXT NOT NULL,
    content_id UUID NOT NULL,
    moment TEXT NOT NULL,
    tagged_by UUID,
    tagged_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (content_kind, content_id, moment)
);
CREATE INDEX moment_tags_by_moment ON moment_tags (moment, content_kind, tagged_at);

CREATE TABLE support_requests (
    id UUID PRIMARY KEY,
    asker_id UUID,
    moment TEXT NOT NULL,
    condition_id UUID,
    note TEXT NOT NULL,
    contact TEXT NOT NULL,
    status TEXT NOT NULL,
    accepted_by UUID,
    conversation_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    helped BOOLEAN,
    checked_in_at TIMESTAMPTZ
);
CREATE INDEX support_requests_by_asker ON support_requests (asker_id, created_at);
CREATE INDEX support_requests_by_created ON support_requests (created_at);

CREATE TABLE support_offers (
    request_id UUID NOT NULL REFERENCES support_requests (id),
    volunteer_id UUID NOT NULL,
    status TEXT NOT NULL,
    offered_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    PRIMARY KEY (request_id, volunteer_id)
);
CREATE INDEX support_offers_by_volunteer ON support_offers (volunteer_id, status)
"#;

crate::portable_migration!(UP);

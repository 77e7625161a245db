//! Events: webinars, panels, training calls, networking events, live discussions and
//! conference sessions; registrations with a waitlist; attendance.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE events (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    time_zone TEXT NOT NULL,
    audience TEXT NOT NULL,
    capacity BIGINT,
    join_url TEXT NOT NULL DEFAULT '',
    recording_url TEXT NOT NULL DEFAULT '',
    registration_opens_at TIMESTAMPTZ,
    registration_closes_at TIMESTAMPTZ,
    status TEXT NOT NULL DEFAULT 'scheduled',
    sequence BIGINT NOT NULL DEFAULT 0,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_upcoming ON events (status, starts_at, id);
CREATE INDEX events_by_kind ON events (kind, starts_at, id);

CREATE TABLE registrations (
    event_id UUID NOT NULL REFERENCES events (id),
    member_id UUID NOT NULL,
    status TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    attended_at TIMESTAMPTZ,
    PRIMARY KEY (event_id, member_id)
);
CREATE INDEX registrations_by_event ON registrations (event_id, status, position);
CREATE INDEX registrations_by_member ON registrations (member_id, status);

CREATE TABLE networking_rounds (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events (id),
    number BIGINT NOT NULL,
    started_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (event_id, number)
);

CREATE TABLE networking_places (
    round_id UUID NOT NULL REFERENCES networking_rounds (id),
    member_id UUID NOT NULL,
    group_no BIGINT,
    PRIMARY KEY (round_id, member_id)
);

CREATE TABLE calendar_feeds (
    member_id UUID PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
)
"#;

crate::portable_migration!(UP);

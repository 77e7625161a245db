//! Events: webinars, panels, training calls, networking events, live discussions and
//! conference sessions; registrations with a waitlist; attendance.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE conferences (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE conference_tracks (
    id UUID PRIMARY KEY,
    conference_id UUID NOT NULL REFERENCES conferences (id),
    name TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX conference_tracks_by_conference ON conference_tracks (conference_id, position);

CREATE TABLE ticket_types (
    id UUID PRIMARY KEY,
    conference_id UUID NOT NULL REFERENCES conferences (id),
    name TEXT NOT NULL,
    capacity BIGINT,
    position BIGINT NOT NULL
);

CREATE TABLE conference_tickets (
    conference_id UUID NOT NULL REFERENCES conferences (id),
    member_id UUID NOT NULL,
    ticket_type_id UUID NOT NULL REFERENCES ticket_types (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conference_id, member_id)
);
CREATE INDEX conference_tickets_by_type ON conference_tickets (ticket_type_id);

CREATE TABLE events (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    time_zone TEXT NOT NULL,
    audience TEXT NOT NULL,
    group_id UUID,
    capacity BIGINT,
    join_url TEXT NOT NULL DEFAULT '',
    recording_url TEXT NOT NULL DEFAULT '',
    registration_opens_at TIMESTAMPTZ,
    registration_closes_at TIMESTAMPTZ,
    status TEXT NOT NULL DEFAULT 'scheduled',
    sequence BIGINT NOT NULL DEFAULT 0,
    conference_id UUID REFERENCES conferences (id),
    track_id UUID REFERENCES conference_tracks (id),
    room TEXT NOT NULL DEFAULT '',
    awards_ceremony BOOLEAN NOT NULL DEFAULT FALSE,
    questions TEXT NOT NULL DEFAULT '[]',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_upcoming ON events (status, starts_at, id);
CREATE INDEX events_by_kind ON events (kind, starts_at, id);
CREATE INDEX events_by_conference ON events (conference_id, starts_at);

CREATE TABLE event_speakers (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events (id),
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    member_id UUID,
    name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_speakers_by_event ON event_speakers (event_id, position);

CREATE TABLE agenda_picks (
    member_id UUID NOT NULL,
    event_id UUID NOT NULL REFERENCES events (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (member_id, event_id)
);

CREATE TABLE panel_questions (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events (id),
    member_id UUID NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX panel_questions_by_event ON panel_questions (event_id, created_at);

CREATE TABLE event_conditions (
    event_id UUID NOT NULL REFERENCES events (id),
    condition_id UUID NOT NULL,
    PRIMARY KEY (event_id, condition_id)
);
CREATE INDEX event_conditions_by_condition ON event_conditions (condition_id, event_id);

CREATE TABLE registrations (
    event_id UUID NOT NULL REFERENCES events (id),
    member_id UUID NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '{}',
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

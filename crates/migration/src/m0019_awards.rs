//! The Social Health Awards: a programme per year with its categories, rubric criteria
//! and phase; nominees (one row per person per category, every nomination of them kept
//! beside it); endorsements and votes (one per member, enforced by primary keys);
//! judges' assignments, conflicts of interest and scores; the locked winners.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE award_programmes (
    id UUID PRIMARY KEY,
    year BIGINT NOT NULL UNIQUE,
    phase TEXT NOT NULL,
    finalists_per_category BIGINT NOT NULL,
    ceremony_event_id UUID,
    ceremony_at TIMESTAMPTZ,
    locked_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE award_categories (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES award_programmes (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    member_types TEXT NOT NULL DEFAULT '[]',
    vote_weight_percent BIGINT NOT NULL DEFAULT 0,
    UNIQUE (programme_id, name)
);

CREATE TABLE award_criteria (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES award_programmes (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL
);

CREATE TABLE award_nominees (
    id UUID PRIMARY KEY,
    category_id UUID NOT NULL REFERENCES award_categories (id),
    person_key TEXT NOT NULL,
    member_id UUID,
    invite_name TEXT,
    invite_email TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    screening_reason TEXT NOT NULL DEFAULT '',
    finalist BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (category_id, person_key)
);
CREATE INDEX award_nominees_by_member ON award_nominees (member_id);

CREATE TABLE award_nominations (
    id UUID PRIMARY KEY,
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    nominator_id UUID,
    statement TEXT NOT NULL,
    links TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX award_nominations_once ON award_nominations (nominee_id, nominator_id);
CREATE INDEX award_nominations_by_nominee ON award_nominations (nominee_id, created_at);
CREATE INDEX award_nominations_by_nominator ON award_nominations (nominator_id);

CREATE TABLE award_endorsements (
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    member_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (nominee_id, member_id)
);
CREATE INDEX award_endorsements_by_member ON award_endorsements (member_id);

CREATE TABLE award_votes (
    category_id UUID NOT NULL REFERENCES award_categories (id),
    member_id UUID NOT NULL,
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    ip TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    voided_at TIMESTAMPTZ,
    void_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (category_id, member_id)
);
CREATE INDEX award_votes_by_nominee ON award_votes (nominee_id);

CREATE TABLE award_conflicts (
    judge_id UUID NOT NULL,
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    recorded_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (judge_id, nominee_id)
);

CREATE TABLE award_assignments (
    id UUID PRIMARY KEY,
    judge_id UUID NOT NULL,
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (judge_id, nominee_id)
);

CREATE TABLE award_scores (
    assignment_id UUID NOT NULL REFERENCES award_assignments (id),
    criterion_id UUID NOT NULL REFERENCES award_criteria (id),
    score BIGINT NOT NULL,
    scored_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (assignment_id, criterion_id)
);

CREATE TABLE award_winners (
    category_id UUID PRIMARY KEY REFERENCES award_categories (id),
    nominee_id UUID NOT NULL REFERENCES award_nominees (id),
    locked_at TIMESTAMPTZ NOT NULL
)
"#;

crate::portable_migration!(UP);

//! Insight surveys (issue 15): surveys, questions, quotas, research consent, responses, imports, approved quotes.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE surveys (
    id UUID PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    partner_id UUID,
    rules TEXT NOT NULL,
    incentive_points BIGINT NOT NULL,
    target_total BIGINT,
    closes_at TIMESTAMPTZ,
    responses_count BIGINT NOT NULL,
    copied_from UUID,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);
CREATE INDEX surveys_by_status ON surveys (status, created_at);
CREATE TABLE survey_questions (
    id UUID PRIMARY KEY,
    survey_id UUID NOT NULL REFERENCES surveys (id),
    position BIGINT NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    show_if_question UUID,
    show_if_value TEXT,
    UNIQUE (survey_id, position)
);
CREATE TABLE survey_quotas (
    survey_id UUID NOT NULL REFERENCES surveys (id),
    member_type TEXT NOT NULL,
    target BIGINT NOT NULL,
    filled BIGINT NOT NULL,
    PRIMARY KEY (survey_id, member_type)
);
CREATE TABLE research_consents (
    member_id UUID PRIMARY KEY,
    consent TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE research_consent_history (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL,
    consent TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX research_consent_history_by_member ON research_consent_history (member_id, changed_at);
CREATE TABLE survey_responses (
    id UUID PRIMARY KEY,
    survey_id UUID NOT NULL REFERENCES surveys (id),
    member_id UUID,
    source TEXT NOT NULL,
    member_type TEXT,
    country TEXT,
    conditions TEXT NOT NULL,
    consented BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX survey_responses_one_per_member ON survey_responses (survey_id, member_id);
CREATE INDEX survey_responses_by_member ON survey_responses (member_id);
CREATE TABLE survey_answers (
    response_id UUID NOT NULL REFERENCES survey_responses (id),
    question_id UUID NOT NULL REFERENCES survey_questions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id, value)
);
CREATE INDEX survey_answers_by_question ON survey_answers (question_id);
CREATE TABLE survey_drafts (
    survey_id UUID NOT NULL REFERENCES surveys (id),
    member_id UUID NOT NULL,
    answers TEXT NOT NULL,
    page BIGINT NOT NULL,
    consented BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (survey_id, member_id)
);
CREATE TABLE survey_quotes (
    response_id UUID NOT NULL REFERENCES survey_responses (id),
    question_id UUID NOT NULL REFERENCES survey_questions (id),
    approved_at TIMESTAMPTZ NOT NULL,
    approved_by UUID,
    PRIMARY KEY (response_id, question_id)
)
"#;

crate::portable_migration!(UP);

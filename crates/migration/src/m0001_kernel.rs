//! Kernel tables: outbox, job queue, sessions, API tokens, rate limits, audit log.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE activity (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_id UUID,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_by_time ON activity (created_at, id);

CREATE TABLE outbox_cursors (
    consumer TEXT PRIMARY KEY,
    position TIMESTAMPTZ NOT NULL
);

CREATE TABLE outbox_deliveries (
    consumer TEXT NOT NULL,
    activity_id UUID NOT NULL REFERENCES activity (id),
    delivered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (consumer, activity_id)
);

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    status TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    member_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT
);
CREATE INDEX sessions_by_member ON sessions (member_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    member_id UUID NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_by_member ON api_tokens (member_id);

CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    action TEXT NOT NULL,
    subject_id UUID,
    ip TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit_log (actor_id, at);
CREATE INDEX audit_by_subject ON audit_log (subject_id, at);
CREATE INDEX audit_by_time ON audit_log (at)
"#;

crate::portable_migration!(UP);

//! Points and rewards: an append-only ledger with a balance kept beside it, earning
//! rules with their history, the rewards catalogue and redemptions.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE points_accounts (
    member_id UUID PRIMARY KEY,
    balance BIGINT NOT NULL DEFAULT 0,
    leaderboard_opt_in BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ledger_entries (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES points_accounts (member_id),
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    source_type TEXT,
    source_id TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    actor_id UUID,
    occurred_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_by_member ON ledger_entries (member_id, created_at, id);
CREATE INDEX ledger_by_member_reason ON ledger_entries (member_id, reason, occurred_at);
CREATE INDEX ledger_by_time ON ledger_entries (created_at, id);

CREATE TABLE earning_rules (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    points BIGINT NOT NULL,
    daily_cap BIGINT,
    lifetime_cap BIGINT,
    enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE earning_rule_versions (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL REFERENCES earning_rules (code),
    points BIGINT NOT NULL,
    daily_cap BIGINT,
    lifetime_cap BIGINT,
    enabled BOOLEAN NOT NULL,
    effective_from TIMESTAMPTZ NOT NULL,
    changed_by UUID
);
CREATE INDEX earning_rule_versions_by_code ON earning_rule_versions (code, effective_from);

CREATE TABLE rewards (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    image_url TEXT,
    cost BIGINT NOT NULL,
    stock BIGINT,
    per_member_limit BIGINT,
    fulfilment TEXT NOT NULL DEFAULT 'digital_code',
    charity TEXT,
    active_from TIMESTAMPTZ,
    active_until TIMESTAMPTZ,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rewards_listing ON rewards (active, cost, id);

CREATE TABLE redemptions (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES points_accounts (member_id),
    reward_id UUID NOT NULL REFERENCES rewards (id),
    cost BIGINT NOT NULL,
    status TEXT NOT NULL,
    idempotency_key TEXT,
    member_note TEXT NOT NULL DEFAULT '',
    outcome_note TEXT NOT NULL DEFAULT '',
    debit_entry_id UUID NOT NULL REFERENCES ledger_entries (id),
    refund_entry_id UUID REFERENCES ledger_entries (id),
    decided_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    UNIQUE (member_id, idempotency_key)
);
CREATE INDEX redemptions_by_member ON redemptions (member_id, created_at, id);
CREATE INDEX redemptions_by_status ON redemptions (status, created_at, id);
CREATE INDEX redemptions_by_reward_member ON redemptions (reward_id, member_id, status)
"#;

crate::portable_migration!(UP);

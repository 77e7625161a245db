//! Members: accounts, profiles with per-field visibility, conditions, channels and
//! e-mail tokens (verification, reset, change of address).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE members (
    id UUID PRIMARY KEY,
    email TEXT UNIQUE,
    password_hash TEXT,
    email_verified_at TIMESTAMPTZ,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    pronouns TEXT NOT NULL DEFAULT '',
    member_type TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    status TEXT NOT NULL DEFAULT 'active',
    health_leader_since TIMESTAMPTZ,
    profile_completed_at TIMESTAMPTZ,
    story TEXT NOT NULL DEFAULT '',
    story_key TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT '',
    avatar_file TEXT,
    vis_pronouns TEXT NOT NULL DEFAULT 'members',
    vis_member_type TEXT NOT NULL DEFAULT 'members',
    vis_conditions TEXT NOT NULL DEFAULT 'members',
    vis_story TEXT NOT NULL DEFAULT 'members',
    vis_channels TEXT NOT NULL DEFAULT 'members',
    vis_location TEXT NOT NULL DEFAULT 'members',
    vis_languages TEXT NOT NULL DEFAULT 'members',
    vis_avatar TEXT NOT NULL DEFAULT 'members',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX members_directory ON members (status, name_key, id);
CREATE INDEX members_by_type ON members (member_type, name_key, id);
CREATE INDEX members_by_country ON members (country, name_key, id);

CREATE TABLE conditions (
    id UUID PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    search_text TEXT NOT NULL
);

CREATE TABLE member_conditions (
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    condition_id UUID NOT NULL REFERENCES conditions (id),
    PRIMARY KEY (member_id, condition_id)
);
CREATE INDEX member_conditions_by_condition ON member_conditions (condition_id, member_id);

CREATE TABLE member_channels (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    audience_size BIGINT NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX member_channels_by_member ON member_channels (member_id, position);
CREATE INDEX member_channels_by_platform ON member_channels (platform, audience_size);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    new_email TEXT,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX email_tokens_by_member ON email_tokens (member_id, purpose)
"#;

crate::portable_migration!(UP);

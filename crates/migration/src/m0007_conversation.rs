//! Community, second part: reactions, edit history, staff prompts with a window,
//! group suspensions, crisis holds, notification e-mail settings and digests.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE threads ADD COLUMN opens_at TIMESTAMPTZ;
ALTER TABLE threads ADD COLUMN closes_at TIMESTAMPTZ;
ALTER TABLE threads ADD COLUMN edited_at TIMESTAMPTZ;
ALTER TABLE threads ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE posts ADD COLUMN edited_at TIMESTAMPTZ;
ALTER TABLE posts ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE group_members ADD COLUMN suspended_until TIMESTAMPTZ;
ALTER TABLE groups ADD COLUMN hold_crisis_posts BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notifications ADD COLUMN group_id UUID;
ALTER TABLE notifications ADD COLUMN digest_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX notifications_digest ON notifications (digest_pending, member_id);
CREATE INDEX threads_pinned ON threads (group_id, pinned, closes_at);

CREATE TABLE reactions (
    target_id UUID NOT NULL,
    member_id UUID NOT NULL,
    kind TEXT NOT NULL,
    target_type TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (target_id, member_id, kind)
);
CREATE INDEX reactions_by_member ON reactions (member_id);

CREATE TABLE revisions (
    id UUID PRIMARY KEY,
    target_type TEXT NOT NULL,
    target_id UUID NOT NULL,
    editor_id UUID NOT NULL,
    title TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revisions_by_target ON revisions (target_id, created_at);
CREATE INDEX revisions_by_editor ON revisions (editor_id);

CREATE TABLE notification_settings (
    member_id UUID NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    PRIMARY KEY (member_id, kind)
);

CREATE TABLE crisis_flags (
    id UUID PRIMARY KEY,
    target_type TEXT NOT NULL,
    target_id UUID NOT NULL,
    group_id UUID NOT NULL,
    author_id UUID NOT NULL,
    phrase TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX crisis_flags_queue ON crisis_flags (status, group_id, created_at)
"#;

crate::portable_migration!(UP);

//! Community: groups (open, private, hidden), memberships with join requests and
//! bans, threads and replies.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE groups (
    id UUID PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rules TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    public_preview TEXT NOT NULL DEFAULT 'teaser',
    screening TEXT NOT NULL DEFAULT '[]',
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX groups_listing ON groups (visibility, name);

CREATE TABLE group_members (
    group_id UUID NOT NULL REFERENCES groups (id),
    member_id UUID NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_by_member ON group_members (member_id, status);
CREATE INDEX group_members_by_status ON group_members (group_id, status, created_at);

CREATE TABLE threads (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES groups (id),
    author_id UUID NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    content_note TEXT NOT NULL DEFAULT '',
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'visible',
    reply_count BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX threads_group_feed ON threads (group_id, status, last_activity_at, id);

CREATE TABLE posts (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL REFERENCES threads (id),
    author_id UUID NOT NULL,
    body TEXT NOT NULL,
    quote_post_id UUID,
    content_note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'visible',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_by_thread ON posts (thread_id, created_at, id);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL,
    kind TEXT NOT NULL,
    actor_id UUID,
    text TEXT NOT NULL,
    url TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX notifications_by_member ON notifications (member_id, created_at, id);
CREATE INDEX notifications_unread ON notifications (member_id, read_at);

CREATE TABLE reports (
    id UUID PRIMARY KEY,
    reporter_id UUID NOT NULL,
    target_type TEXT NOT NULL,
    target_id UUID NOT NULL,
    group_id UUID,
    author_id UUID,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMPTZ NOT NULL,
    decided_by UUID,
    decided_at TIMESTAMPTZ,
    UNIQUE (reporter_id, target_type, target_id)
);
CREATE INDEX reports_queue ON reports (status, group_id, created_at);

CREATE TABLE moderation_actions (
    id UUID PRIMARY KEY,
    report_id UUID REFERENCES reports (id),
    target_type TEXT NOT NULL,
    target_id UUID NOT NULL,
    author_id UUID,
    moderator_id UUID NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moderation_by_author ON moderation_actions (author_id, created_at);

CREATE TABLE conversations (
    id UUID PRIMARY KEY,
    member_a UUID NOT NULL,
    member_b UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_message_at TIMESTAMPTZ NOT NULL,
    UNIQUE (member_a, member_b)
);
CREATE INDEX conversations_by_a ON conversations (member_a, last_message_at);
CREATE INDEX conversations_by_b ON conversations (member_b, last_message_at);

CREATE TABLE messages (
    id UUID PRIMARY KEY,
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    sender_id UUID NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);

CREATE TABLE messaging_settings (
    member_id UUID PRIMARY KEY,
    allow TEXT NOT NULL
);

CREATE TABLE follows (
    follower_id UUID NOT NULL,
    followed_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (follower_id, followed_id)
);
CREATE INDEX follows_by_followed ON follows (followed_id);
CREATE INDEX threads_by_author ON threads (author_id, last_activity_at);

CREATE TABLE blocks (
    blocker_id UUID NOT NULL,
    blocked_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
)
"#;

crate::portable_migration!(UP);

//! Small group conversations (issue 21: a support request may ask for one).
//!
//! - `conversations.kind`: `direct` (two members, `member_a`/`member_b`) or `group`.
//!   A group conversation's `member_a` is who started it and its `member_b` its own id
//!   (no member has it), so the one-per-pair rule of direct messages never applies.
//! - `conversation_members`: who takes part in a group conversation.
//! - `support_requests.volunteers`: how many volunteers joined a request's conversation
//!   (the conditional update that keeps a small group at its size under racing accepts).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'direct';
CREATE TABLE conversation_members (
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    member_id UUID NOT NULL,
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, member_id)
);
CREATE INDEX conversation_members_by_member ON conversation_members (member_id, conversation_id);
ALTER TABLE support_requests ADD COLUMN volunteers BIGINT NOT NULL DEFAULT 0
"#;

crate::portable_migration!(UP);

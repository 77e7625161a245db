//! Small group conversations: more than two members talking together, opened by an
//! accepted support request that asked for "a small group conversation" (the asker and
//! the first volunteer; up to two more volunteers who were asked join by accepting).
//! Only its participants read it, as with direct messages (`crate::messages`).

use kernel::db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::time::now;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// The participants of a group conversation, in the order they joined.
pub(crate) async fn members<C: ConnectionTrait>(c: &C, conversation: Uuid) -> Result<Vec<MemberId>, DbErr> {
    db::column(
        c,
        "SELECT member_id FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, member_id",
        params![conversation],
    )
    .await
}

/// Opens a group conversation of `starter` and `first`, with `body` from `first`, in
/// the caller's transaction. Its `member_b` is its own id, so the one-conversation-per-
/// pair rule of direct messages never meets it.
pub(crate) async fn open_in<C: ConnectionTrait>(
    c: &C,
    starter: MemberId,
    first: MemberId,
    body: &str,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let t = now();
    db::exec(
        c,
        "INSERT INTO conversations (id, kind, member_a, member_b, created_at, last_message_at) \
         VALUES ($1, 'group', $2, $1, $3, $3)",
        params![id, starter, t],
    )
    .await?;
    add(c, id, starter).await?;
    join_in(c, id, first, body).await?;
    Ok(id)
}

/// Adds `member` to group conversation `id` with `body` as their first message.
pub(crate) async fn join_in<C: ConnectionTrait>(c: &C, id: Uuid, member: MemberId, body: &str) -> Result<(), DbErr> {
    add(c, id, member).await?;
    crate::messages::insert_message(c, id, member, body).await?;
    Ok(())
}

async fn add<C: ConnectionTrait>(c: &C, id: Uuid, member: MemberId) -> Result<(), DbErr> {
    db::exec(
        c,
        "INSERT INTO conversation_members (conversation_id, member_id, joined_at) VALUES ($1, $2, $3) \
         ON CONFLICT (conversation_id, member_id) DO NOTHING",
        params![id, member, now()],
    )
    .await?;
    Ok(())
}

/// Whether `member` blocked, or was blocked by, anyone in group conversation `id`.
pub(crate) async fn blocked_with_any<C: ConnectionTrait>(c: &C, id: Uuid, member: MemberId) -> Result<bool, DbErr> {
    for other in members(c, id).await? {
        if other != member && crate::messages::blocked_either(c, member, other).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

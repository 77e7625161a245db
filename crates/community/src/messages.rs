//! Direct messages between two members, and small group conversations (opened by an
//! accepted support request: the asker and the volunteers who joined). Only the
//! participants ever read a conversation (staff only through a report, which is
//! audited). A member chooses who may write to them — everyone, people who share a group
//! (never a hidden one), or nobody — and can block.

use crate::people;
use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ALLOW: &[&str] = &["everyone", "shared_group", "nobody"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    /// `direct` (two members) or `group` (a small group conversation).
    pub kind: String,
    /// The other member (in a group: the first other participant).
    pub with_member: MemberId,
    /// Their name (in a group: every other participant's, joined by commas).
    pub with_name: String,
    pub last_message_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub sender_id: MemberId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sea_orm::FromQueryResult)]
struct ConvRow {
    id: Uuid,
    kind: String,
    member_a: MemberId,
    member_b: MemberId,
    last_message_at: DateTime<Utc>,
}

const CONV_COLUMNS: &str = "id, kind, member_a, member_b, last_message_at";
const GROUP: &str = "group";

fn ordered(a: MemberId, b: MemberId) -> (MemberId, MemberId) {
    if a < b { (a, b) } else { (b, a) }
}

fn check_body(body: &str) -> AppResult<()> {
    let n = body.trim().chars().count();
    if n == 0 || n > 5000 {
        return Err(AppError::field("body", "Write a message of 1 to 5,000 characters."));
    }
    Ok(())
}

pub async fn allow_setting(db: &Db, member: MemberId) -> AppResult<String> {
    Ok(db
        .scalar::<String>("SELECT allow FROM messaging_settings WHERE member_id = $1", params![member])
        .await?
        .unwrap_or_else(|| "shared_group".into()))
}

pub async fn set_allow(db: &Db, member: MemberId, allow: &str) -> AppResult<()> {
    if !ALLOW.contains(&allow) {
        return Err(AppError::field("allow", "Choose everyone, shared_group or nobody."));
    }
    db.exec(
        "INSERT INTO messaging_settings (member_id, allow) VALUES ($1, $2) ON CONFLICT (member_id) DO UPDATE SET allow = excluded.allow",
        params![member, allow.to_string()],
    )
    .await?;
    Ok(())
}

pub async fn block(db: &Db, blocker: MemberId, blocked: MemberId, on: bool) -> AppResult<()> {
    db.set_pair("blocks", ("blocker_id", "blocked_id"), blocker, blocked, on).await?;
    Ok(())
}

async fn blocked(db: &Db, a: MemberId, b: MemberId) -> AppResult<bool> {
    Ok(blocked_either(db.reader(), a, b).await?)
}

/// Whether two members are both active in a group that is not hidden. A hidden group
/// never counts: what is said and who is in it stays inside it, so it is no introduction
/// outside it, and whether a message goes through must not hint at a membership in one.
async fn share_a_known_group(db: &Db, a: MemberId, b: MemberId) -> AppResult<bool> {
    let shared: Option<i64> = db
        .scalar(
            "SELECT COUNT(*) FROM group_members ma JOIN group_members mb ON mb.group_id = ma.group_id \
             JOIN groups g ON g.id = ma.group_id \
             WHERE ma.member_id = $1 AND mb.member_id = $2 AND ma.status = 'active' AND mb.status = 'active' \
             AND g.visibility <> 'hidden'",
            params![a, b],
        )
        .await?;
    Ok(shared.unwrap_or(0) > 0)
}

/// Whether `from` may write to `to` now (their setting, blocks either way).
async fn may_write(db: &Db, from: MemberId, to: MemberId) -> AppResult<bool> {
    if blocked(db, from, to).await? {
        return Ok(false);
    }
    Ok(match allow_setting(db, to).await?.as_str() {
        "everyone" => true,
        "shared_group" => share_a_known_group(db, from, to).await?,
        _ => false,
    })
}

/// Starts (or continues) a conversation with `to` by sending `body`.
pub async fn start(state: &AppState, viewer: &Viewer, to: MemberId, body: &str) -> AppResult<Uuid> {
    let me = viewer.require_member()?;
    if me.id == to {
        return Err(AppError::field("member_id", "You cannot message yourself."));
    }
    check_body(body)?;
    people(state)?.active_display_name((&state.db).into(), to).await?.ok_or(AppError::NotFound)?;
    if !may_write(&state.db, me.id, to).await? {
        return Err(AppError::conflict("not_accepting", "This member is not accepting messages from you."));
    }
    let tx = state.db.begin().await?;
    let id = open_in(&tx, me.id, to, body).await?;
    tx.commit().await?;
    Ok(id)
}

/// The conversation between `from` and `to` (made if new), with `body` sent by `from`,
/// in the caller's transaction. The callers decide whether `from` may write.
pub(crate) async fn open_in<C: sea_orm::ConnectionTrait>(
    c: &C,
    from: MemberId,
    to: MemberId,
    body: &str,
) -> Result<Uuid, sea_orm::DbErr> {
    let (a, b) = ordered(from, to);
    let t = now();
    db::exec(
        c,
        "INSERT INTO conversations (id, member_a, member_b, created_at, last_message_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (member_a, member_b) DO NOTHING",
        params![Uuid::now_v7(), a, b, t],
    )
    .await?;
    let id: Uuid = db::scalar(c, "SELECT id FROM conversations WHERE member_a = $1 AND member_b = $2", params![a, b])
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("conversation".into()))?;
    insert_message(c, id, from, body).await?;
    Ok(id)
}

/// Whether either of two members blocked the other.
pub(crate) async fn blocked_either<C: sea_orm::ConnectionTrait>(
    c: &C,
    a: MemberId,
    b: MemberId,
) -> Result<bool, sea_orm::DbErr> {
    let n: i64 = db::scalar(
        c,
        "SELECT COUNT(*) FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)",
        params![a, b],
    )
    .await?
    .unwrap_or(0);
    Ok(n > 0)
}

pub(crate) async fn insert_message<C: sea_orm::ConnectionTrait>(
    tx: &C,
    conversation: Uuid,
    sender: MemberId,
    body: &str,
) -> Result<Message, sea_orm::DbErr> {
    let m = Message { id: Uuid::now_v7(), sender_id: sender, body: body.trim().to_string(), created_at: now() };
    let html = crate::post_html::of(&m.body);
    db::exec(
        tx,
        "INSERT INTO messages (id, conversation_id, sender_id, body, created_at, body_html, body_html_v) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![m.id, conversation, sender, m.body.clone(), m.created_at, html.html, html.v],
    )
    .await?;
    db::exec(tx, "UPDATE conversations SET last_message_at = $1 WHERE id = $2", params![m.created_at, conversation])
        .await?;
    Ok(m)
}

/// A conversation the viewer takes part in, with the other participants (404 for
/// anyone else, staff included).
async fn mine(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<(ConvRow, Vec<MemberId>)> {
    let me = viewer.require_member()?;
    let c: ConvRow = db
        .one(&format!("SELECT {CONV_COLUMNS} FROM conversations WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    if c.kind == GROUP {
        let members = crate::group_conversations::members(db.reader(), id).await?;
        if !members.contains(&me.id) {
            return Err(AppError::NotFound);
        }
        return Ok((c, members.into_iter().filter(|m| *m != me.id).collect()));
    }
    let other = if c.member_a == me.id {
        c.member_b
    } else if c.member_b == me.id {
        c.member_a
    } else {
        return Err(AppError::NotFound);
    };
    Ok((c, vec![other]))
}

pub async fn send(state: &AppState, viewer: &Viewer, id: Uuid, body: &str) -> AppResult<Message> {
    let (c, others) = mine(&state.db, viewer, id).await?;
    check_body(body)?;
    let me = viewer.require_member()?;
    if c.kind == GROUP {
        // Everyone in a small group agreed to talk there (they asked, or accepted).
        let tx = state.db.begin().await?;
        let m = insert_message(&tx, c.id, me.id, body).await?;
        tx.commit().await?;
        return Ok(m);
    }
    let other = others[0];
    // Someone who wrote to you has opened the door to a reply, unless either blocked.
    let they_wrote: i64 = state
        .db
        .scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND sender_id = $2", params![c.id, other])
        .await?
        .unwrap_or(0);
    let allowed = if they_wrote > 0 {
        !blocked(&state.db, me.id, other).await?
    } else {
        may_write(&state.db, me.id, other).await?
    };
    if !allowed {
        return Err(AppError::conflict("not_accepting", "This member is not accepting messages from you."));
    }
    let tx = state.db.begin().await?;
    let m = insert_message(&tx, c.id, me.id, body).await?;
    tx.commit().await?;
    Ok(m)
}

/// A message with its stored HTML (none for a row older than it: see
/// [`crate::post_html::or_render`]).
pub struct Stored(pub Message, pub Option<String>);

impl sea_orm::FromQueryResult for Stored {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Stored(Message::from_query_result(res, pre)?, res.try_get(pre, "body_html")?))
    }
}

/// A conversation's messages, oldest first, each with its stored HTML.
pub async fn messages(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<(Conversation, Vec<Stored>)> {
    let (c, others) = mine(&state.db, viewer, id).await?;
    let sql = format!(
        "SELECT id, sender_id, body, created_at, {} FROM messages WHERE conversation_id = $1 \
         ORDER BY created_at, id LIMIT 500",
        crate::post_html::stored_sql("")
    );
    let msgs: Vec<Stored> = state.db.all(&sql, params![id]).await?;
    let names = people(state)?.display_names((&state.db).into(), &others).await?;
    let with_name = others.iter().map(|o| names.get(o).cloned().unwrap_or_else(|| "Member".into())).collect();
    Ok((conversation(c, others.first().copied().unwrap_or_default(), with_name), msgs))
}

fn conversation(c: ConvRow, with_member: MemberId, names: Vec<String>) -> Conversation {
    Conversation {
        id: c.id,
        kind: c.kind,
        with_member,
        with_name: names.join(", "),
        last_message_at: c.last_message_at,
    }
}

pub async fn list(state: &AppState, viewer: &Viewer) -> AppResult<Vec<Conversation>> {
    let me = viewer.require_member()?;
    let rows: Vec<ConvRow> = state
        .db
        .all(
            &format!(
                "SELECT {CONV_COLUMNS} FROM conversations WHERE (kind = 'direct' AND (member_a = $1 OR member_b = $1)) \
                 OR id IN (SELECT conversation_id FROM conversation_members WHERE member_id = $1) \
                 ORDER BY last_message_at DESC LIMIT 200"
            ),
            params![me.id],
        )
        .await?;
    // A group is listed by who started it (the asker) alongside the viewer's own name
    // when they did; its page names everyone.
    let others: Vec<MemberId> =
        rows.iter().map(|c| if c.member_a == me.id && c.kind != GROUP { c.member_b } else { c.member_a }).collect();
    let names = people(state)?.display_names((&state.db).into(), &others).await?;
    Ok(rows
        .into_iter()
        .zip(others)
        .map(|(c, o)| {
            let mut name = names.get(&o).cloned().unwrap_or_else(|| "Member".into());
            if c.kind == GROUP {
                name = format!("Small group started by {name}");
            }
            conversation(c, o, vec![name])
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    pub member_id: MemberId,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagingSettings {
    /// everyone, shared_group (people in a group with you that is not hidden) or nobody
    #[schema(pattern = "^(everyone|shared_group|nobody)$")]
    pub allow: String,
}

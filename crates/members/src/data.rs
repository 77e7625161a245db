//! A member's own data: "download my data" and "delete my account" (which staff may also
//! do for them, the same way).

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, outbox, params, session};
use serde_json::{Value, json};

use crate::accounts;
use crate::profile::{self, channels_of, conditions_of};
use contracts::events::MemberDeleted;

/// Everything the platform holds about `member`, as one JSON document. Audited.
pub async fn export(state: &AppState, member: MemberId, ip: &str) -> AppResult<Value> {
    let db = &state.db;
    let row = profile::load_row(db.writer(), member).await?.ok_or(AppError::NotFound)?;
    let conditions = conditions_of(db, member).await?;
    let channels = channels_of(db, member).await?;
    let sessions = session::count_for(db, member).await?;
    #[derive(sea_orm::FromQueryResult, serde::Serialize)]
    struct Token {
        name: String,
        created_at: kernel::time::Instant,
        revoked_at: Option<kernel::time::Instant>,
    }
    let tokens: Vec<Token> = db
        .all(
            "SELECT name, created_at, revoked_at FROM api_tokens WHERE member_id = $1 ORDER BY created_at",
            params![member],
        )
        .await?;
    let audit_rows = as_seen_by(member, audit::about(db.writer(), member, 1000).await?);
    audit::record(db.writer(), Some(member), "data_export", Some(member), Some(ip), json!({})).await?;
    let mut sections = serde_json::Map::new();
    for exporter in &state.exporters {
        sections.insert(exporter.section().to_string(), exporter.export(db, member).await?);
    }
    let mut doc = json!({
        "format": "shn-member-export/1",
        "exported_at": now(),
        "account": {
            "id": row.id,
            "email": row.email,
            "email_verified_at": row.email_verified_at,
            "role": row.role,
            "status": row.status,
            "health_leader_since": row.health_leader_since,
            "created_at": row.created_at,
        },
        "profile": {
            "display_name": row.display_name,
            "pronouns": row.pronouns,
            "member_type": row.member_type,
            "story": row.story,
            "country": row.country,
            "region": row.region,
            "languages": row.languages.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
            "time_zone": row.time_zone,
            "has_avatar": row.avatar_file.is_some(),
            "visibility": row.visibility_map(),
            "conditions": conditions,
            "channels": channels,
        },
        "sessions": { "active": sessions },
        "api_tokens": tokens,
        "security_log": audit_rows,
    });
    if let Some(obj) = doc.as_object_mut() {
        obj.extend(sections);
    }
    Ok(doc)
}

/// Audit rows as `member`'s export shows them: what someone else did to them (staff, a
/// group's moderator) keeps what and when, never who did it nor from which address.
/// Rows with no actor (a failed log-in to their account) keep the address tried from.
fn as_seen_by(member: MemberId, rows: Vec<audit::AuditRow>) -> Vec<audit::AuditRow> {
    rows.into_iter()
        .map(|r| match r.actor_id {
            Some(actor) if actor != member => audit::AuditRow { actor_id: None, ip: None, ..r },
            _ => r,
        })
        .collect()
}

/// Erases the account: personal data, uploads, sessions and tokens go; the row stays as
/// a nameless tombstone so content others replied to keeps an author. Other slices
/// erase their personal data from the `MemberDeleted` event.
pub async fn delete_account(state: &AppState, member: MemberId, ip: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let avatar = erase(&tx, member, member, ip).await?;
    tx.commit().await?;
    forget_avatar(state, avatar).await;
    Ok(())
}

/// Staff erase `member`'s account, exactly as the member could themselves
/// ([`delete_account`]: every slice erases its part from the same event), once the role
/// rules allow it ([`accounts::may_erase`]) and `typed` is the account's e-mail address,
/// retyped to confirm. Audited with the staff member as the actor.
pub async fn erase_by_staff(
    state: &AppState,
    actor: MemberId,
    member: MemberId,
    typed: &str,
    ip: &str,
) -> AppResult<()> {
    accounts::refuse_oversized(&[("email", typed)], &[])?;
    let tx = state.db.begin().await?;
    accounts::may_erase(&tx, actor, member).await?;
    let email: Option<String> =
        db::scalar::<Option<String>, _>(&tx, "SELECT email FROM members WHERE id = $1", params![member])
            .await?
            .flatten();
    let matches = email.is_some_and(|e| !e.is_empty() && e.trim().to_lowercase() == typed.trim().to_lowercase());
    if !matches {
        return Err(AppError::field(
            "email",
            "That is not this member's e-mail address. Their account has not been erased.",
        ));
    }
    let avatar = erase(&tx, actor, member, ip).await?;
    tx.commit().await?;
    forget_avatar(state, avatar).await;
    Ok(())
}

/// The erasure itself, in the caller's transaction, by `actor` (the member, or staff):
/// the member's own rows go, the account becomes a tombstone, `MemberDeleted` is
/// published for the other slices, and the audit log says who did it. The photo's file
/// name, to remove once the transaction has committed.
async fn erase(tx: &db::Tx, actor: MemberId, member: MemberId, ip: &str) -> AppResult<Option<String>> {
    let avatar: Option<String> = db::scalar::<Option<String>, _>(
        tx,
        "SELECT avatar_file FROM members WHERE id = $1 AND status <> 'deleted'",
        params![member],
    )
    .await?
    .ok_or(AppError::NotFound)?;
    for sql in [
        "DELETE FROM member_conditions WHERE member_id = $1",
        "DELETE FROM member_channels WHERE member_id = $1",
        "DELETE FROM email_tokens WHERE member_id = $1",
        "DELETE FROM sessions WHERE member_id = $1",
        "DELETE FROM api_tokens WHERE member_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    let t = now();
    db::exec(
        tx,
        "UPDATE members SET email = NULL, password_hash = NULL, display_name = 'Deleted member', name_key = 'deleted member', \
         pronouns = '', story = '', story_key = '', country = '', region = '', languages = '', time_zone = '', \
         avatar_file = NULL, health_leader_since = NULL, status = 'deleted', deleted_at = $1, updated_at = $1 WHERE id = $2",
        params![t, member],
    )
    .await?;
    outbox::publish(tx, None, &MemberDeleted { member_id: member }).await?;
    audit::record(tx, Some(actor), "account_deleted", Some(member), Some(ip), json!({})).await?;
    Ok(avatar)
}

/// Removes the erased member's photo file, if they had one.
async fn forget_avatar(state: &AppState, avatar: Option<String>) {
    if let Some(file) = avatar {
        crate::avatar::remove_file(state, &file).await;
    }
}

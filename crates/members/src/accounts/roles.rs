//! Roles and standing: the role hierarchy, changing a role, the Health Leader badge,
//! suspending or reinstating an account, and who may erase whose.

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState, audit, outbox, params, session};
use sea_orm::ConnectionTrait;
use serde_json::json;

use contracts::events::HealthLeaderGranted;

/// The role of a member who still has an account.
async fn role_of<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<Option<Role>> {
    let role: Option<String> = db::scalar(
        c,
        &format!("SELECT role FROM members WHERE id = $1 AND status <> 'deleted'{}", db::for_update(c)),
        params![member],
    )
    .await?;
    Ok(role.map(|r| Role::parse(&r).unwrap_or(Role::Member)))
}

/// Whether `member` is the only active admin left.
async fn last_admin<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<bool> {
    let others: i64 = db::scalar(
        c,
        "SELECT COUNT(*) FROM members WHERE role = 'admin' AND status = 'active' AND id <> $1",
        params![member],
    )
    .await?
    .unwrap_or(0);
    Ok(others == 0)
}

/// The role hierarchy for acting on an account (suspending it, changing its role):
/// only an admin acts on an admin, and the last active admin is never demoted or
/// suspended, so the site always has someone who can manage it.
async fn check_hierarchy<C: ConnectionTrait>(c: &C, actor: MemberId, target: Role, member: MemberId) -> AppResult<()> {
    let actor_role = role_of(c, actor).await?.unwrap_or(Role::Member);
    if target == Role::Admin && actor_role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if target == Role::Admin && last_admin(c, member).await? {
        return Err(AppError::conflict("last_admin", "This is the only admin left. Make someone else an admin first."));
    }
    Ok(())
}

/// Whether the role hierarchy lets `actor` suspend `member`, read in the caller's
/// transaction (the members slice's own consumers check again what was decided).
pub(crate) async fn hierarchy_allows<C: ConnectionTrait>(c: &C, actor: MemberId, member: MemberId) -> AppResult<bool> {
    let Some(target) = role_of(c, member).await? else { return Ok(false) };
    match check_hierarchy(c, actor, target, member).await {
        Ok(()) => Ok(true),
        Err(AppError::Forbidden | AppError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `actor` may suspend `member` (see [`check_hierarchy`]); for callers that
/// must know before they change anything else.
pub(crate) async fn may_suspend(state: &AppState, actor: MemberId, member: MemberId) -> AppResult<()> {
    let target = role_of(state.db.writer(), member).await?.ok_or(AppError::NotFound)?;
    check_hierarchy(state.db.writer(), actor, target, member).await
}

/// Whether `actor` (staff) may erase `member`'s account, read in the caller's transaction
/// (the row is locked on PostgreSQL until it ends): never their own account from the
/// console (their own data settings do that, with their password), and an admin's only
/// by an admin, never the last active one ([`check_hierarchy`], as for suspending).
pub(crate) async fn may_erase<C: ConnectionTrait>(c: &C, actor: MemberId, member: MemberId) -> AppResult<()> {
    if actor == member {
        return Err(AppError::bad_request(
            "self_erase",
            "You cannot erase your own account from the console: do it from your own data settings.",
        ));
    }
    let target = role_of(c, member).await?.ok_or(AppError::NotFound)?;
    check_hierarchy(c, actor, target, member).await
}

/// Changes a member's role (admins only). Audited.
pub(crate) async fn set_role(
    state: &AppState,
    actor: MemberId,
    member: MemberId,
    role: Role,
    ip: &str,
) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let Some(old_role) = role_of(&tx, member).await? else { return Err(AppError::NotFound) };
    if old_role != role {
        check_hierarchy(&tx, actor, old_role, member).await?;
    }
    let old = old_role.as_str();
    db::exec(&tx, "UPDATE members SET role = $1, updated_at = $2 WHERE id = $3", params![role.as_str(), now(), member])
        .await?;
    audit::record(
        &tx,
        Some(actor),
        "role_changed",
        Some(member),
        Some(ip),
        json!({ "from": old, "to": role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Grants or removes the Health Leader badge (staff). Audited; granting emits an event.
pub(crate) async fn set_health_leader(
    state: &AppState,
    actor: MemberId,
    member: MemberId,
    on: bool,
    ip: &str,
) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let t = now();
    let n = if on {
        db::exec(
            &tx,
            "UPDATE members SET health_leader_since = $1, updated_at = $1 WHERE id = $2 AND status = 'active' AND health_leader_since IS NULL",
            params![t, member],
        )
        .await?
    } else {
        db::exec(
            &tx,
            "UPDATE members SET health_leader_since = NULL, updated_at = $1 WHERE id = $2 AND health_leader_since IS NOT NULL",
            params![t, member],
        )
        .await?
    };
    if n == 1 {
        if on {
            outbox::publish(&tx, Some(actor), &HealthLeaderGranted { member_id: member }).await?;
        }
        let action = if on { "health_leader_granted" } else { "health_leader_removed" };
        audit::record(&tx, Some(actor), action, Some(member), Some(ip), json!({})).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Suspends or reinstates an account (staff). Suspension ends its sessions and tokens.
pub(crate) async fn set_suspended(
    state: &AppState,
    actor: MemberId,
    member: MemberId,
    on: bool,
    ip: &str,
) -> AppResult<()> {
    if actor == member {
        return Err(AppError::bad_request("self_suspend", "You cannot suspend your own account."));
    }
    let tx = state.db.begin().await?;
    if on {
        let target = role_of(&tx, member).await?.ok_or(AppError::NotFound)?;
        check_hierarchy(&tx, actor, target, member).await?;
    }
    change_suspension(&tx, actor, member, on, Some(ip)).await?;
    tx.commit().await?;
    Ok(())
}

/// Suspends (ending every session and token) or reinstates `member` in the caller's
/// transaction, with an audit row; a no-op when the account is not in the state to
/// change from. The caller has checked the role hierarchy.
pub(crate) async fn change_suspension(
    tx: &sea_orm::DatabaseTransaction,
    actor: MemberId,
    member: MemberId,
    on: bool,
    ip: Option<&str>,
) -> Result<(), sea_orm::DbErr> {
    let (from, to) = if on { ("active", "suspended") } else { ("suspended", "active") };
    let n = db::exec(
        tx,
        "UPDATE members SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        params![to, now(), member, from],
    )
    .await?;
    if n == 1 {
        if on {
            session::end_all_for(tx, member, None).await?;
            session::revoke_all_api_tokens(tx, member).await?;
        }
        audit::record(tx, Some(actor), if on { "suspended" } else { "reinstated" }, Some(member), ip, json!({}))
            .await?;
    }
    Ok(())
}

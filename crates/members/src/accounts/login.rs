//! Logging in and out: checking credentials under rate limits, starting a cookie session
//! or issuing an API token, and ending a session.

use kernel::ids::MemberId;
use kernel::ratelimit::{self, Limit};
use kernel::time::Instant;
use kernel::{AppError, AppResult, AppState, audit, params, session};
use sea_orm::TransactionTrait;
use serde_json::json;

use super::signup::send_verification;
use super::{normalise_email, refuse_oversized};
use crate::password;

const LOGIN_PER_IP: Limit = Limit::per(30, 300);
/// Failed log-ins to one account from one address. Keyed by both, so a stranger
/// guessing from elsewhere cannot lock the member out; guessing from many addresses is
/// held back by the per-address limit and the cost of each hash.
const LOGIN_PER_ACCOUNT: Limit = Limit::per(10, 900);

#[derive(sea_orm::FromQueryResult)]
struct LoginRow {
    id: MemberId,
    password_hash: Option<String>,
    email_verified_at: Option<Instant>,
    status: String,
    display_name: String,
}

/// Checks credentials under rate limits. On success returns the member; every failure
/// is audited and answered with the same message.
pub(crate) async fn check_credentials(
    state: &AppState,
    email: &str,
    password_text: &str,
    ip: &str,
) -> AppResult<MemberId> {
    refuse_oversized(&[("email", email)], &[("password", password_text)])?;
    let email = normalise_email(email).unwrap_or_else(|| email.trim().to_lowercase());
    // Both limits apply before the account is looked up or a hash is checked. Every
    // attempt counts against the address; only failures count against the account.
    let account_bucket = format!("login:account:{ip}:{email}");
    ratelimit::hit(&state.db, &format!("login:ip:{ip}"), LOGIN_PER_IP).await?;
    ratelimit::check(&state.db, &account_bucket, LOGIN_PER_ACCOUNT).await?;
    let row: Option<LoginRow> = state
        .db
        .one(
            "SELECT id, password_hash, email_verified_at, status, display_name FROM members WHERE email = $1",
            params![email.clone()],
        )
        .await?;
    let ok = match &row {
        Some(r) => match r.password_hash.as_deref() {
            Some(h) => password::verify(h, password_text).await,
            None => false,
        },
        None => {
            password::dummy_verify(state.config.password_cost).await;
            false
        }
    };
    let Some(row) = row.filter(|_| ok) else {
        // Counted after the answer is known, so the limit is for failures only.
        let _ = ratelimit::hit(&state.db, &account_bucket, LOGIN_PER_ACCOUNT).await;
        let subject = state.db.scalar::<MemberId>("SELECT id FROM members WHERE email = $1", params![email]).await?;
        audit::record(state.db.writer(), None, "login_failed", subject, Some(ip), json!({})).await?;
        // One answer for "no such account" and "wrong password", so neither can be told apart.
        return Err(AppError::InvalidCredentials);
    };
    if row.status != "active" && row.status != "guest_judge" {
        audit::record(state.db.writer(), Some(row.id), "login_refused_suspended", Some(row.id), Some(ip), json!({}))
            .await?;
        return Err(AppError::field(
            "email",
            "This account is suspended. Contact the team if you think this is a mistake.",
        ));
    }
    if row.email_verified_at.is_none() {
        let tx = state.db.begin().await?;
        send_verification(state, &tx, row.id, &email, &row.display_name).await?;
        tx.commit().await?;
        return Err(AppError::field("email", "Please confirm your e-mail address first. We have sent you a new link."));
    }
    Ok(row.id)
}

/// Logs in by cookie: a fresh session id every time (the old one, if any, ends).
pub(crate) async fn login_session(
    state: &AppState,
    member: MemberId,
    previous: Option<&str>,
    ip: &str,
    user_agent: Option<&str>,
) -> AppResult<String> {
    let tx = state.db.begin().await?;
    if let Some(old) = previous {
        session::end(&tx, old).await?;
    }
    let raw = session::start(&tx, member, user_agent).await?;
    audit::record(&tx, Some(member), "login", Some(member), Some(ip), json!({ "via": "web" })).await?;
    tx.commit().await?;
    Ok(raw)
}

/// Logs in for the API: a personal access token.
pub(crate) async fn login_token(state: &AppState, member: MemberId, ip: &str) -> AppResult<String> {
    let tx = state.db.begin().await?;
    let raw = session::issue_api_token(&tx, member, "API token").await?;
    audit::record(&tx, Some(member), "login", Some(member), Some(ip), json!({ "via": "api_token" })).await?;
    tx.commit().await?;
    Ok(raw)
}

/// Revokes one of a member's API tokens by its id (404 when they hold no such live
/// token); audited with where it was done (`via`: the API or the settings page).
pub(crate) async fn revoke_token(
    state: &AppState,
    member: MemberId,
    id: uuid::Uuid,
    ip: &str,
    via: &str,
) -> AppResult<()> {
    if !session::revoke_api_token_by_id(&state.db, member, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(state.db.writer(), Some(member), "api_token_revoked", Some(member), Some(ip), json!({ "via": via }))
        .await?;
    Ok(())
}

/// Logs out: ends the session and its live stream (on another node, the stream wakes
/// at the announcement, finds the session gone and ends).
pub(crate) async fn logout(state: &AppState, session_id: &str, member: MemberId, ip: &str) -> AppResult<()> {
    let tx = state.db.writer().begin().await?;
    session::end(&tx, session_id).await?;
    audit::record(&tx, Some(member), "logout", Some(member), Some(ip), json!({})).await?;
    kernel::live::announce(&tx, Some(state.db.live()), member).await?;
    tx.commit().await?;
    kernel::live::end_streams(&state.db, &session::Credential::Session(session_id.to_string()));
    Ok(())
}

//! Passwords and addresses: resetting a forgotten password, confirming and changing the
//! password, and moving an account to a new e-mail address.

use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::ratelimit::{self, Limit};
use kernel::secret::token_hash;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params, session};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::tokens::{live_token, new_email_token, use_token};
use super::{normalise_email, refuse_oversized};
use crate::password;

/// Wrong passwords given to confirm a change (password, e-mail, deletion) by a
/// signed-in member: a stolen session cannot be used to guess the password.
const PASSWORD_CONFIRM_FAILURES: Limit = Limit::per(10, 900);
/// Requests to move an account to another address.
const EMAIL_CHANGES_PER_MEMBER: Limit = Limit::per(5, 3600);
const RESET_PER_IP: Limit = Limit::per(10, 900);
const RESET_PER_ACCOUNT: Limit = Limit::per(3, 900);

/// Starts a password reset (for members and judge-only guests). Known and unknown
/// addresses get the same answer.
pub(crate) async fn request_reset(state: &AppState, email: &str, ip: &str) -> AppResult<()> {
    refuse_oversized(&[("email", email)], &[])?;
    let Some(email) = normalise_email(email) else {
        return Err(AppError::field("email", "Enter an e-mail address like name@example.org."));
    };
    ratelimit::hit(&state.db, &format!("reset:ip:{ip}"), RESET_PER_IP).await?;
    ratelimit::hit(&state.db, &format!("reset:account:{email}"), RESET_PER_ACCOUNT).await?;
    let tx = state.db.begin().await?;
    let id: Option<MemberId> = db::scalar(
        &tx,
        "SELECT id FROM members WHERE email = $1 AND status IN ('active', 'guest_judge')",
        params![email.clone()],
    )
    .await?;
    if let Some(id) = id {
        let token = new_email_token(&tx, id, "reset", None, state.config.reset_link_lifetime).await?;
        let link = state.config.url(&format!("/reset-password?token={token}"));
        mail::queue(&tx, &format!("reset:{}", &token_hash(&token)[..16]), Email {
            to: email,
            subject: "Reset your password".into(),
            text: format!(
                "Hello,\n\nTo choose a new password, open this link within the next hour:\n\n{link}\n\n\
                 The link works once. If you did not ask for this, ignore this message; your password has not changed.\n"
            ),
            html: None,
            unsubscribe_url: None,
            attachments: vec![],
        })
        .await?;
        audit::record(&tx, None, "password_reset_requested", Some(id), Some(ip), json!({})).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link. Ends every session and API token, and
/// cancels pending e-mail changes and other reset links.
pub(crate) async fn reset_password(state: &AppState, raw: &str, new_password: &str, ip: &str) -> AppResult<MemberId> {
    refuse_oversized(&[], &[("password", new_password)])?;
    if let Some(p) = password::problem(new_password, &[]) {
        return Err(AppError::field("password", p));
    }
    let hash = password::hash(new_password, state.config.password_cost).await?;
    let tx = state.db.begin().await?;
    let token = live_token(&tx, raw, "reset").await?;
    use_token(&tx, raw).await?;
    set_password(&tx, token.member_id, &hash, None).await?;
    // Whoever had the account before the reset may have asked to move it to their own
    // address (or asked for other reset links): every pending link ends here.
    db::exec(
        &tx,
        "UPDATE email_tokens SET used_at = $1 WHERE member_id = $2 AND used_at IS NULL AND purpose IN ('change_email', 'reset')",
        params![now(), token.member_id],
    )
    .await?;
    // A reset proves control of the address, so an unverified account becomes verified.
    db::exec(
        &tx,
        "UPDATE members SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2",
        params![now(), token.member_id],
    )
    .await?;
    audit::record(&tx, Some(token.member_id), "password_reset", Some(token.member_id), Some(ip), json!({})).await?;
    tx.commit().await?;
    Ok(token.member_id)
}

/// Stores a new password hash and ends the member's sessions (but `keep_session`) and
/// API tokens; answers how many sessions ended.
async fn set_password(tx: &Tx, member: MemberId, hash: &str, keep_session: Option<&str>) -> AppResult<u64> {
    db::exec(tx, "UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3", params![hash, now(), member])
        .await?;
    let ended = session::end_all_for(tx, member, keep_session).await?;
    session::revoke_all_api_tokens(tx, member).await?;
    Ok(ended)
}

/// Checks a signed-in member's password before a sensitive change, under a limit on
/// failures (429 once used up, before the hash is even checked).
pub(crate) async fn confirm_password(state: &AppState, member: MemberId, password_text: &str) -> AppResult<bool> {
    let bucket = format!("password_confirm:member:{member}");
    ratelimit::check(&state.db, &bucket, PASSWORD_CONFIRM_FAILURES).await?;
    let ok = match current_hash(state.db.writer(), member).await {
        Ok(stored) => password::verify(&stored, password_text).await,
        Err(AppError::Unauthorized) => false,
        Err(e) => return Err(e),
    };
    if !ok {
        let _ = ratelimit::hit(&state.db, &bucket, PASSWORD_CONFIRM_FAILURES).await;
    }
    Ok(ok)
}

/// The stored password hash (401 when the account has none).
async fn current_hash<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<String> {
    db::scalar::<Option<String>, _>(c, "SELECT password_hash FROM members WHERE id = $1", params![member])
        .await?
        .flatten()
        .ok_or(AppError::Unauthorized)
}

/// Changes the password; needs the current one. With `end_other_sessions`, every other
/// session ends too (this one stays). Returns how many sessions ended.
pub(crate) async fn change_password(
    state: &AppState,
    member: MemberId,
    current: &str,
    new_password: &str,
    end_other_sessions: bool,
    this_session: Option<&str>,
    ip: &str,
) -> AppResult<u64> {
    refuse_oversized(&[], &[("current_password", current), ("new_password", new_password)])?;
    let mut errors = FieldErrors::new();
    if !confirm_password(state, member, current).await? {
        errors.add("current_password", "That is not your current password.");
    }
    if let Some(p) = password::problem(new_password, &[]) {
        errors.add("new_password", p);
    }
    errors.into_result()?;
    let hash = password::hash(new_password, state.config.password_cost).await?;
    let tx = state.db.begin().await?;
    let ended = if end_other_sessions {
        set_password(&tx, member, &hash, this_session).await?
    } else {
        db::exec(
            &tx,
            "UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3",
            params![hash, now(), member],
        )
        .await?;
        0
    };
    audit::record(&tx, Some(member), "password_changed", Some(member), Some(ip), json!({ "ended_sessions": ended }))
        .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Asks to move the account to a new address; needs the password. A link goes to the
/// new address; the change happens when it is opened.
pub(crate) async fn request_email_change(
    state: &AppState,
    member: MemberId,
    password_text: &str,
    new_email: &str,
    ip: &str,
) -> AppResult<()> {
    refuse_oversized(&[("new_email", new_email)], &[("password", password_text)])?;
    ratelimit::hit(&state.db, &format!("email_change:member:{member}"), EMAIL_CHANGES_PER_MEMBER).await?;
    let mut errors = FieldErrors::new();
    if !confirm_password(state, member, password_text).await? {
        errors.add("password", "That is not your current password.");
    }
    let new_email = normalise_email(new_email);
    if new_email.is_none() {
        errors.add("new_email", "Enter an e-mail address like name@example.org.");
    }
    errors.into_result()?;
    let new_email = new_email.unwrap_or_default();
    let tx = state.db.begin().await?;
    let taken: Option<MemberId> =
        db::scalar(&tx, "SELECT id FROM members WHERE email = $1", params![new_email.clone()]).await?;
    if taken.is_none() {
        let token =
            new_email_token(&tx, member, "change_email", Some(&new_email), state.config.verify_link_lifetime).await?;
        let link = state.config.url(&format!("/confirm-email?token={token}"));
        mail::queue(
            &tx,
            &format!("change-email:{}", &token_hash(&token)[..16]),
            Email {
                to: new_email.clone(),
                subject: "Confirm your new e-mail address".into(),
                text: format!(
                    "Hello,\n\nTo use this address for your Social Health Network account, open:\n\n{link}\n"
                ),
                html: None,
                unsubscribe_url: None,
                attachments: vec![],
            },
        )
        .await?;
    }
    audit::record(&tx, Some(member), "email_change_requested", Some(member), Some(ip), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Completes an e-mail change from the link sent to the new address; tells the old one.
pub(crate) async fn confirm_email_change(state: &AppState, raw: &str) -> AppResult<MemberId> {
    let tx = state.db.begin().await?;
    let token = live_token(&tx, raw, "change_email").await?;
    use_token(&tx, raw).await?;
    let new_email = token.new_email.clone().unwrap_or_default();
    let old: Option<String> =
        db::scalar::<Option<String>, _>(&tx, "SELECT email FROM members WHERE id = $1", params![token.member_id])
            .await?
            .flatten();
    let t = now();
    let res = db::exec(
        &tx,
        "UPDATE members SET email = $1, email_verified_at = $2, updated_at = $2 WHERE id = $3",
        params![new_email.clone(), t, token.member_id],
    )
    .await;
    if let Err(e) = res {
        if db::is_unique_violation(&e) {
            return Err(AppError::conflict("email_taken", "That address now belongs to another account."));
        }
        return Err(e.into());
    }
    if let Some(old) = old {
        mail::queue(
            &tx,
            &format!("email-changed:{}", &token_hash(raw)[..16]),
            Email {
                to: old,
                subject: "Your e-mail address was changed".into(),
                text: "Hello,\n\nThe e-mail address of your Social Health Network account was just changed. \
                   If this wasn't you, reset your password and contact the team at once.\n"
                    .into(),
                html: None,
                unsubscribe_url: None,
                attachments: vec![],
            },
        )
        .await?;
    }
    audit::record(&tx, Some(token.member_id), "email_changed", Some(token.member_id), None, json!({})).await?;
    tx.commit().await?;
    Ok(token.member_id)
}

//! The single-use links sent by e-mail (verification, password reset, e-mail change):
//! issuing one, looking up a live one, and using it up.

use chrono::Duration as ChronoDuration;
use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::secret::{random_token, token_hash};
use kernel::time::{Instant, now};
use kernel::{AppError, AppResult, AppState, params};

/// Issues a link token of `purpose` for `member`, good for `lifetime`; answers the raw
/// token to put in the link.
pub(super) async fn new_email_token(
    tx: &Tx,
    member: MemberId,
    purpose: &str,
    new_email: Option<&str>,
    lifetime: std::time::Duration,
) -> AppResult<String> {
    let raw = random_token(32);
    let t = now();
    let expires = t + ChronoDuration::from_std(lifetime).unwrap_or(ChronoDuration::hours(1));
    db::exec(
        tx,
        "INSERT INTO email_tokens (token_hash, member_id, purpose, new_email, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![token_hash(&raw), member, purpose, new_email.map(str::to_string), expires, t],
    )
    .await?;
    Ok(raw)
}

#[derive(sea_orm::FromQueryResult)]
pub(super) struct TokenRow {
    pub(super) member_id: MemberId,
    pub(super) new_email: Option<String>,
    expires_at: Instant,
    used_at: Option<Instant>,
}

/// Looks up a live token of `purpose` (inside `tx`, for update where supported).
pub(super) async fn live_token(tx: &Tx, raw: &str, purpose: &str) -> AppResult<TokenRow> {
    let row: Option<TokenRow> = db::one(
        tx,
        &format!(
            "SELECT member_id, new_email, expires_at, used_at FROM email_tokens WHERE token_hash = $1 AND purpose = $2{}",
            db::for_update(tx)
        ),
        params![token_hash(raw.trim()), purpose],
    )
    .await?;
    match row {
        Some(r) if r.used_at.is_none() && r.expires_at > now() => Ok(r),
        Some(r) if r.used_at.is_some() => Err(AppError::bad_request("token_used", "This link has already been used.")),
        Some(_) => Err(AppError::bad_request("token_expired", "This link has expired. Ask for a new one.")),
        None => Err(AppError::bad_request("token_invalid", "This link is not valid. Check that you copied all of it.")),
    }
}

/// Marks a link token as used.
pub(super) async fn use_token(tx: &Tx, raw: &str) -> AppResult<()> {
    db::exec(tx, "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2", params![now(), token_hash(raw.trim())])
        .await?;
    Ok(())
}

/// Whether a token would be accepted (for showing the confirm page), without using it.
pub(crate) async fn check_token(state: &AppState, raw: &str, purpose: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let r = live_token(&tx, raw, purpose).await.map(|_| ());
    tx.rollback().await?;
    r
}

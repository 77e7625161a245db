//! Accounts: sign up, e-mail verification, log in, password reset and change, e-mail
//! change, roles and the Health Leader badge. The rules live here; the HTML pages and
//! the JSON API both call these functions.

use chrono::Duration as ChronoDuration;
use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::ratelimit::{self, Limit};
use kernel::secret::{random_token, token_hash};
use kernel::time::{Instant, now};
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, outbox, params, session};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::model::MemberType;
use crate::password;
use contracts::events::{HealthLeaderGranted, MemberJoined};

const LOGIN_PER_IP: Limit = Limit::per(30, 300);
/// Failed log-ins to one account from one address. Keyed by both, so a stranger
/// guessing from elsewhere cannot lock the member out; guessing from many addresses is
/// held back by the per-address limit and the cost of each hash.
const LOGIN_PER_ACCOUNT: Limit = Limit::per(10, 900);
/// Wrong passwords given to confirm a change (password, e-mail, deletion) by a
/// signed-in member: a stolen session cannot be used to guess the password.
const PASSWORD_CONFIRM_FAILURES: Limit = Limit::per(10, 900);
/// Requests to move an account to another address.
const EMAIL_CHANGES_PER_MEMBER: Limit = Limit::per(5, 3600);
const RESET_PER_IP: Limit = Limit::per(10, 900);
const RESET_PER_ACCOUNT: Limit = Limit::per(3, 900);

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub member_type: String,
}

/// The longest e-mail address accepted anywhere (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// Refuses an over-long e-mail address or password at once: no hashing, no lower-casing,
/// no rate-limit row and no database lookup is spent on a value that cannot be real.
/// `emails` and `passwords` are (field name, value) pairs.
pub fn refuse_oversized(emails: &[(&str, &str)], passwords: &[(&str, &str)]) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    for (field, v) in emails {
        if v.len() > MAX_EMAIL_LEN * 4 || v.trim().chars().count() > MAX_EMAIL_LEN {
            errors.add(field, format!("An e-mail address has at most {MAX_EMAIL_LEN} characters."));
        }
    }
    for (field, v) in passwords {
        if v.len() > password::MAX_LEN * 4 || v.chars().count() > password::MAX_LEN {
            errors.add(field, format!("A password has at most {} characters.", password::MAX_LEN));
        }
    }
    errors.into_result()
}

/// Lower-cases and trims an address and checks its shape; `None` when it is not one.
pub fn normalise_email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && e.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && !domain.contains('@');
    ok.then_some(e)
}

pub fn validate_display_name(name: &str, errors: &mut FieldErrors) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = name.chars().count();
    if len == 0 {
        errors.add("display_name", "Enter the name other members will see.");
    } else if len > 80 {
        errors.add("display_name", "Use at most 80 characters for your name.");
    } else if name.chars().any(char::is_control) {
        errors.add("display_name", "Your name contains characters we cannot show.");
    }
    name
}

/// Creates an account and e-mails a verification link. To keep addresses private, an
/// address that already has an account gets the same answer; its owner is told by
/// e-mail instead. Returns the new member's id when one was created.
pub async fn signup(state: &AppState, input: &SignupInput, ip: &str) -> AppResult<Option<MemberId>> {
    refuse_oversized(&[("email", &input.email)], &[("password", &input.password)])?;
    let mut errors = FieldErrors::new();
    let email = normalise_email(&input.email);
    if email.is_none() {
        errors.add("email", "Enter an e-mail address like name@example.org.");
    }
    let display_name = validate_display_name(&input.display_name, &mut errors);
    let member_type = MemberType::parse(input.member_type.trim());
    if member_type.is_none() {
        errors.add("member_type", "Choose patient, caregiver, healthcare professional or advocate.");
    }
    let personal: Vec<&str> = [input.email.as_str(), display_name.as_str()].into_iter().collect();
    if let Some(p) = password::problem(&input.password, &personal) {
        errors.add("password", p);
    }
    errors.into_result()?;
    let (email, member_type) = (email.unwrap_or_default(), member_type.unwrap_or(MemberType::Patient));
    let per_ip = Limit::per(state.config.signups_per_ip_per_hour, 3600);
    ratelimit::hit(&state.db, &format!("signup:ip:{ip}"), per_ip).await?;

    let hash = password::hash(&input.password, state.config.password_cost)?;
    let tx = state.db.begin().await?;
    let existing: Option<MemberId> =
        db::scalar(&tx, "SELECT id FROM members WHERE email = $1", params![email.clone()]).await?;
    if existing.is_some() {
        mail::queue(
            &tx,
            &format!("signup-existing:{}", now().format("%Y%m%d%H")),
            Email {
                to: email.clone(),
                subject: "Someone tried to join with your address".into(),
                text: format!(
                    "Hello,\n\nSomeone (perhaps you) tried to create a new account with this e-mail address, \
                 but you already have one.\n\nTo log in: {}\nForgot your password? {}\n\nIf this wasn't you, \
                 you can ignore this message.\n",
                    state.config.url("/login"),
                    state.config.url("/forgot-password")
                ),
                html: None,
                unsubscribe_url: None,
                attachments: vec![],
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(None);
    }
    let id = MemberId::new();
    let t = now();
    let inserted = db::exec(
        &tx,
        "INSERT INTO members (id, email, password_hash, display_name, name_key, member_type, role, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'member', 'active', $7, $7)",
        params![id, email.clone(), hash, display_name.clone(), display_name.to_lowercase(), member_type.as_str(), t],
    )
    .await;
    if let Err(e) = inserted {
        // Two sign-ups with one address racing: the loser gets the same quiet answer.
        if db::is_unique_violation(&e) {
            return Ok(None);
        }
        return Err(e.into());
    }
    send_verification(state, &tx, id, &email, &display_name).await?;
    audit::record(&tx, Some(id), "signup", Some(id), Some(ip), json!({})).await?;
    tx.commit().await?;
    Ok(Some(id))
}

async fn new_email_token(
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

async fn send_verification(state: &AppState, tx: &Tx, id: MemberId, email: &str, name: &str) -> AppResult<()> {
    let token = new_email_token(tx, id, "verify", None, state.config.verify_link_lifetime).await?;
    let link = state.config.url(&format!("/verify?token={token}"));
    mail::queue(tx, &format!("verify:{}", &token_hash(&token)[..16]), Email {
        to: email.to_string(),
        subject: "Confirm your e-mail address".into(),
        text: format!(
            "Hello {name},\n\nWelcome to the Social Health Network. Please confirm your e-mail address by opening \
             this link:\n\n{link}\n\nThe link works for 3 days. If you did not sign up, ignore this message.\n"
        ),
        html: Some(format!(
            "<p>Hello {},</p><p>Welcome to the Social Health Network. Please confirm your e-mail address:</p>\
             <p><a href=\"{link}\">Confirm my e-mail address</a></p><p>The link works for 3 days. If you did not sign up, ignore this message.</p>",
            kernel::ui::escape(name)
        )),
        unsubscribe_url: None,
            attachments: vec![],
    })
    .await?;
    Ok(())
}

#[derive(sea_orm::FromQueryResult)]
struct TokenRow {
    member_id: MemberId,
    new_email: Option<String>,
    expires_at: Instant,
    used_at: Option<Instant>,
}

/// Looks up a live token of `purpose` (inside `tx`, for update where supported).
async fn live_token(tx: &Tx, raw: &str, purpose: &str) -> AppResult<TokenRow> {
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

async fn use_token(tx: &Tx, raw: &str) -> AppResult<()> {
    db::exec(tx, "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2", params![now(), token_hash(raw.trim())])
        .await?;
    Ok(())
}

/// Whether a token would be accepted (for showing the confirm page), without using it.
pub async fn check_token(state: &AppState, raw: &str, purpose: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let r = live_token(&tx, raw, purpose).await.map(|_| ());
    tx.rollback().await?;
    r
}

/// Confirms an address from the link in the verification e-mail.
pub async fn verify_email(state: &AppState, raw: &str) -> AppResult<MemberId> {
    let tx = state.db.begin().await?;
    let token = live_token(&tx, raw, "verify").await?;
    use_token(&tx, raw).await?;
    let t = now();
    let changed = db::exec(
        &tx,
        "UPDATE members SET email_verified_at = $1, updated_at = $1 WHERE id = $2 AND email_verified_at IS NULL AND status = 'active'",
        params![t, token.member_id],
    )
    .await?;
    if changed == 1 {
        outbox::publish(&tx, Some(token.member_id), &MemberJoined { member_id: token.member_id }).await?;
        audit::record(&tx, Some(token.member_id), "email_verified", Some(token.member_id), None, json!({})).await?;
    }
    tx.commit().await?;
    Ok(token.member_id)
}

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
pub async fn check_credentials(state: &AppState, email: &str, password_text: &str, ip: &str) -> AppResult<MemberId> {
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
        Some(r) => r.password_hash.as_deref().is_some_and(|h| password::verify(h, password_text)),
        None => {
            password::dummy_verify(state.config.password_cost);
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
    if row.status != "active" {
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
pub async fn login_session(
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
pub async fn login_token(state: &AppState, member: MemberId, ip: &str) -> AppResult<String> {
    let tx = state.db.begin().await?;
    let raw = session::issue_api_token(&tx, member, "API token").await?;
    audit::record(&tx, Some(member), "login", Some(member), Some(ip), json!({ "via": "api_token" })).await?;
    tx.commit().await?;
    Ok(raw)
}

/// Starts a password reset. Known and unknown addresses get the same answer.
pub async fn request_reset(state: &AppState, email: &str, ip: &str) -> AppResult<()> {
    refuse_oversized(&[("email", email)], &[])?;
    let Some(email) = normalise_email(email) else {
        return Err(AppError::field("email", "Enter an e-mail address like name@example.org."));
    };
    ratelimit::hit(&state.db, &format!("reset:ip:{ip}"), RESET_PER_IP).await?;
    ratelimit::hit(&state.db, &format!("reset:account:{email}"), RESET_PER_ACCOUNT).await?;
    let tx = state.db.begin().await?;
    let id: Option<MemberId> =
        db::scalar(&tx, "SELECT id FROM members WHERE email = $1 AND status = 'active'", params![email.clone()])
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
pub async fn reset_password(state: &AppState, raw: &str, new_password: &str, ip: &str) -> AppResult<MemberId> {
    refuse_oversized(&[], &[("password", new_password)])?;
    if let Some(p) = password::problem(new_password, &[]) {
        return Err(AppError::field("password", p));
    }
    let hash = password::hash(new_password, state.config.password_cost)?;
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

async fn set_password(tx: &Tx, member: MemberId, hash: &str, keep_session: Option<&str>) -> AppResult<u64> {
    db::exec(tx, "UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3", params![hash, now(), member])
        .await?;
    let ended = session::end_all_for(tx, member, keep_session).await?;
    session::revoke_all_api_tokens(tx, member).await?;
    Ok(ended)
}

/// Checks a signed-in member's password before a sensitive change, under a limit on
/// failures (429 once used up, before the hash is even checked).
pub async fn confirm_password(state: &AppState, member: MemberId, password_text: &str) -> AppResult<bool> {
    let bucket = format!("password_confirm:member:{member}");
    ratelimit::check(&state.db, &bucket, PASSWORD_CONFIRM_FAILURES).await?;
    let ok = match current_hash(state.db.writer(), member).await {
        Ok(stored) => password::verify(&stored, password_text),
        Err(AppError::Unauthorized) => false,
        Err(e) => return Err(e),
    };
    if !ok {
        let _ = ratelimit::hit(&state.db, &bucket, PASSWORD_CONFIRM_FAILURES).await;
    }
    Ok(ok)
}

async fn current_hash<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<String> {
    db::scalar::<Option<String>, _>(c, "SELECT password_hash FROM members WHERE id = $1", params![member])
        .await?
        .flatten()
        .ok_or(AppError::Unauthorized)
}

/// Changes the password; needs the current one. With `end_other_sessions`, every other
/// session ends too (this one stays). Returns how many sessions ended.
pub async fn change_password(
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
    let hash = password::hash(new_password, state.config.password_cost)?;
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
pub async fn request_email_change(
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
pub async fn confirm_email_change(state: &AppState, raw: &str) -> AppResult<MemberId> {
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
pub async fn may_suspend(state: &AppState, actor: MemberId, member: MemberId) -> AppResult<()> {
    let target = role_of(state.db.writer(), member).await?.ok_or(AppError::NotFound)?;
    check_hierarchy(state.db.writer(), actor, target, member).await
}

/// Changes a member's role (admins only). Audited.
pub async fn set_role(state: &AppState, actor: MemberId, member: MemberId, role: Role, ip: &str) -> AppResult<()> {
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
pub async fn set_health_leader(
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
pub async fn set_suspended(state: &AppState, actor: MemberId, member: MemberId, on: bool, ip: &str) -> AppResult<()> {
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

/// Creates a verified staff admin (the `shn admin create` command).
pub async fn create_admin(state: &AppState, email: &str, name: &str, password_text: &str) -> AppResult<MemberId> {
    let mut errors = FieldErrors::new();
    let email = normalise_email(email);
    if email.is_none() {
        errors.add("email", "Enter an e-mail address like name@example.org.");
    }
    let name = validate_display_name(name, &mut errors);
    if let Some(p) = password::problem(password_text, &[]) {
        errors.add("password", p);
    }
    errors.into_result()?;
    let hash = password::hash(password_text, state.config.password_cost)?;
    let id = MemberId::new();
    let t = now();
    let tx = state.db.begin().await?;
    let res = db::exec(
        &tx,
        "INSERT INTO members (id, email, password_hash, email_verified_at, display_name, name_key, member_type, role, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'advocate', 'admin', 'active', $4, $4)",
        params![id, email.unwrap_or_default(), hash, t, name.clone(), name.to_lowercase()],
    )
    .await;
    if let Err(e) = res {
        if db::is_unique_violation(&e) {
            return Err(AppError::field("email", "An account with that e-mail address already exists."));
        }
        return Err(e.into());
    }
    audit::record(&tx, None, "admin_created", Some(id), None, json!({})).await?;
    tx.commit().await?;
    Ok(id)
}

/// Logs out: ends the session.
pub async fn logout(state: &AppState, session_id: &str, member: MemberId, ip: &str) -> AppResult<()> {
    let tx = state.db.writer().begin().await?;
    session::end(&tx, session_id).await?;
    audit::record(&tx, Some(member), "logout", Some(member), Some(ip), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::normalise_email;

    #[test]
    fn addresses_are_normalised_and_junk_refused() {
        assert_eq!(normalise_email("  Ada@Example.ORG ").as_deref(), Some("ada@example.org"));
        for bad in ["", "ada", "ada@", "@example.org", "ada@example", "a b@example.org", "a@b@c.org", "<a@b.org>"] {
            assert!(normalise_email(bad).is_none(), "{bad:?}");
        }
    }
}

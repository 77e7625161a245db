//! Joining: sign-up with its verification e-mail, confirming the address from the link,
//! and creating the first admin from the command line.

use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::ratelimit::{self, Limit};
use kernel::secret::token_hash;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, outbox, params};
use serde_json::json;

use super::tokens::{live_token, new_email_token, use_token};
use super::{normalise_email, refuse_oversized, validate_display_name};
use crate::model::MemberType;
use crate::password;
use contracts::events::MemberJoined;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct SignupInput {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub member_type: String,
}

/// Creates an account and e-mails a verification link. To keep addresses private, an
/// address that already has an account gets the same answer; its owner is told by
/// e-mail instead. Returns the new member's id when one was created.
pub(crate) async fn signup(state: &AppState, input: &SignupInput, ip: &str) -> AppResult<Option<MemberId>> {
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

    let hash = password::hash(&input.password, state.config.password_cost).await?;
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

/// E-mails a link that confirms the address of a new account.
pub(super) async fn send_verification(
    state: &AppState,
    tx: &Tx,
    id: MemberId,
    email: &str,
    name: &str,
) -> AppResult<()> {
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

/// Confirms an address from the link in the verification e-mail.
pub(crate) async fn verify_email(state: &AppState, raw: &str) -> AppResult<MemberId> {
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

/// Creates a verified staff admin (the `shn admin create` command).
pub(crate) async fn create_admin(
    state: &AppState,
    email: &str,
    name: &str,
    password_text: &str,
) -> AppResult<MemberId> {
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
    let hash = password::hash(password_text, state.config.password_cost).await?;
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

/// Creates a judge-only guest account (status `guest_judge`: no member anywhere but
/// judging) and e-mails a one-time link to choose a password; answers its id.
pub(crate) async fn invite_guest_judge(state: &AppState, email: &str, name: &str) -> AppResult<MemberId> {
    let mut errors = FieldErrors::new();
    let email = normalise_email(email);
    if email.is_none() {
        errors.add("email", "Enter an e-mail address like name@example.org.");
    }
    let name = validate_display_name(name, &mut errors);
    errors.into_result()?;
    let email = email.unwrap_or_default();
    let id = MemberId::new();
    let t = now();
    let tx = state.db.begin().await?;
    let res = db::exec(
        &tx,
        "INSERT INTO members (id, email, display_name, name_key, member_type, role, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'advocate', 'member', 'guest_judge', $5, $5)",
        params![id, email.clone(), name.clone(), name.to_lowercase(), t],
    )
    .await;
    if let Err(e) = res {
        if db::is_unique_violation(&e) {
            return Err(AppError::field("email", "An account with that e-mail address already exists."));
        }
        return Err(e.into());
    }
    let token = new_email_token(&tx, id, "reset", None, std::time::Duration::from_secs(14 * 86_400)).await?;
    let link = state.config.url(&format!("/reset-password?token={token}"));
    mail::queue(&tx, &format!("guest_judge:{id}"), Email {
        to: email,
        subject: "You are invited to judge the Social Health Awards".into(),
        text: format!(
            "Hello {name},\n\nYou have been invited to judge the Social Health Awards. To choose your password, \
             open this link within the next 14 days:\n\n{link}\n\nThe link works once. Then sign in and go to /judging.\n"
        ),
        html: None,
        unsubscribe_url: None,
        attachments: vec![],
    })
    .await?;
    audit::record(&tx, None, "guest_judge_invited", Some(id), None, json!({})).await?;
    tx.commit().await?;
    Ok(id)
}

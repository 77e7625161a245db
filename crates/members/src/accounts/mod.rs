//! Accounts: sign up, e-mail verification, log in, password reset and change, e-mail
//! change, roles and the Health Leader badge. The rules live here; the HTML pages and
//! the JSON API both call these functions. This module holds the checks every form
//! shares (e-mail addresses, passwords' length, display names); the rest is in its
//! submodules.

mod credentials;
mod login;
mod roles;
mod signup;
mod staff_list;
mod tokens;

use kernel::{AppResult, FieldErrors};

use crate::password;

pub(crate) use credentials::{
    change_password, confirm_email_change, confirm_password, request_email_change, request_reset, reset_password,
};
pub(crate) use login::{check_credentials, login_session, login_token, logout, revoke_token};
pub(crate) use roles::{
    change_suspension, hierarchy_allows, may_erase, may_suspend, set_health_leader, set_role, set_suspended,
};
pub(crate) use signup::{SignupInput, create_admin, invite_guest_judge, signup, verify_email};
pub(crate) use staff_list::{StaffAccountRow, recent_audit, staff_account, staff_accounts};
pub(crate) use tokens::check_token;

/// The longest e-mail address accepted anywhere (RFC 5321's path limit).
pub(crate) const MAX_EMAIL_LEN: usize = 254;

/// Refuses an over-long e-mail address or password at once: no hashing, no lower-casing,
/// no rate-limit row and no database lookup is spent on a value that cannot be real.
/// `emails` and `passwords` are (field name, value) pairs.
pub(crate) fn refuse_oversized(emails: &[(&str, &str)], passwords: &[(&str, &str)]) -> AppResult<()> {
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
pub(crate) fn normalise_email(raw: &str) -> Option<String> {
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

pub(crate) fn validate_display_name(name: &str, errors: &mut FieldErrors) -> String {
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

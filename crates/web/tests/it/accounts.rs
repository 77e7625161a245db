//! Sign up, verification, log in, tokens, password reset and change, e-mail change.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    a_member_signs_up_verifies_by_email_and_gets_a_working_token,
    signing_up_with_a_taken_address_looks_the_same_and_warns_the_owner,
    bad_sign_up_input_gets_a_clear_error_and_stores_nothing,
    an_unknown_address_and_a_wrong_password_get_the_same_answer,
    repeated_log_in_attempts_are_limited_with_retry_after,
    a_password_reset_link_works_once_ends_every_session_and_expires,
    changing_the_password_needs_the_current_one_and_can_end_other_sessions,
    changing_the_email_needs_the_password_and_a_link_from_the_new_address,
    logging_in_sets_a_fresh_httponly_session_and_logging_out_ends_it,
    forms_without_a_valid_csrf_token_or_from_another_site_are_refused,
    only_staff_grant_badges_only_admins_change_roles_and_both_are_audited,
    sign_ups_from_one_address_are_limited,
    sessions_end_after_their_idle_and_absolute_lifetimes,
    staff_manage_accounts_from_an_audited_page_that_members_cannot_open,
];

/// Sends a sign-up request with this body, as a visitor; the answer's status and body.
async fn sign_up(app: &TestApp, body: Value) -> (u16, Value) {
    app.call("POST", "/api/v1/auth/signup", &Visitor, Some(body)).await
}

async fn a_member_signs_up_verifies_by_email_and_gets_a_working_token(app: &TestApp) {
    let mut ada = signup_body("Ada@Example.org", PASSWORD, "Ada");
    ada["member_type"] = json!("caregiver");
    assert_eq!(sign_up(app, ada).await.0, 201);
    // Not verified yet: no token.
    let (s, _) = app.ask_token("ada@example.org", PASSWORD).await;
    assert_eq!(s, 422, "an unverified account cannot log in");
    let mails = app.mails_to("ada@example.org").await;
    assert!(!mails.is_empty());
    let mail = mails.last().unwrap();
    assert!(mail.raw.contains("Content-Type: text/plain"), "every message has a plain-text part");
    let token = mail.token("/verify?token=").unwrap();
    let verify = || app.call("POST", "/api/v1/auth/verify", &Visitor, Some(json!({ "token": token })));
    assert_eq!(verify().await.0, 200);
    assert_eq!(verify().await.0, 400, "a verification link works once");
    let token = app.token("ada@example.org").await;
    let me = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["member_type"], "caregiver");
    assert_eq!(me["visibility"]["conditions"], "members", "conditions default to members-only");
    // Revoking the token ends it.
    assert_eq!(app.call("DELETE", "/api/v1/auth/token", &token, None).await.0, 204);
    assert_eq!(app.call("GET", "/api/v1/me", &token, None).await.0, 401);
}

async fn signing_up_with_a_taken_address_looks_the_same_and_warns_the_owner(app: &TestApp) {
    app.signup_verified("bo@example.org", "Bo").await;
    let before = app.count("SELECT COUNT(*) FROM members").await;
    let (s, body) = sign_up(app, signup_body("BO@example.org", "another fine passphrase", "Imposter")).await;
    assert_eq!(s, 201);
    assert_eq!(body["status"], "verification_sent");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, before, "no second account");
    let mails = app.mails_to("bo@example.org").await;
    assert!(mails.iter().any(|m| m.subject().contains("tried to join")), "the owner is told");
}

async fn bad_sign_up_input_gets_a_clear_error_and_stores_nothing(app: &TestApp) {
    let c = app.client();
    let with = |field: &str, value: &str| {
        let mut body = signup_body("a@example.org", PASSWORD, "A");
        body[field] = json!(value);
        body
    };
    for (body, field) in [
        (with("email", "not-an-email"), "email"),
        (with("password", "short"), "password"),
        (with("password", "password1"), "password"),
        (with("display_name", "   "), "display_name"),
        (with("member_type", "wizard"), "member_type"),
    ] {
        let (s, v) = sign_up(app, body.clone()).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(v["error"]["code"], "validation_failed");
        assert!(v["error"]["fields"][field].as_str().is_some_and(|m| !m.is_empty()), "{field} explained: {v}");
    }
    let raw_cases: Vec<(&str, &str, u16, &str)> = vec![
        ("{\"email\": ", "application/json", 400, "malformed_json"),
        (
            "{\"email\": 5, \"password\": \"x\", \"display_name\": \"A\", \"member_type\": \"patient\"}",
            "application/json",
            400,
            "invalid_body",
        ),
        (
            "{\"email\": \"a@example.org\", \"password\": \"purple tortoise sings\", \"display_name\": \"A\", \"member_type\": \"patient\", \"admin\": true}",
            "application/json",
            400,
            "invalid_body",
        ),
        ("{\"email\": \"a@example.org\"}", "application/json", 400, "invalid_body"),
        ("email=a@example.org", "application/x-www-form-urlencoded", 400, "unsupported_media_type"),
    ];
    for (body, ct, status, code) in raw_cases {
        let r = c.post(app.url("/api/v1/auth/signup")).header("content-type", ct).body(body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], code, "{body}");
    }
    let (s, v) = sign_up(app, with("display_name", &"x".repeat(7 * 1024 * 1024))).await;
    assert_eq!(s, 413);
    assert_eq!(v["error"]["code"], "payload_too_large");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0, "nothing was stored");
}

async fn an_unknown_address_and_a_wrong_password_get_the_same_answer(app: &TestApp) {
    app.signup_verified("cy@example.org", "Cy").await;
    let c = app.client();
    let attempt = |email: &str| {
        let body = json!({"email": email, "password": "not the password at all"});
        answer(app.request("POST", "/api/v1/auth/token", &Visitor).json(&body))
    };
    let (wrong, unknown) = (attempt("cy@example.org").await, attempt("nobody@example.org").await);
    assert_eq!(wrong.0, 401);
    assert_eq!(unknown.0, 401);
    assert_eq!(wrong.1, unknown.1);
    // The HTML form says the same thing for both.
    let mut pages = Vec::new();
    for email in ["cy@example.org", "nobody@example.org"] {
        pages.push(form_post(app, &c, "/login", &[("email", email), ("password", "not the password")]).await);
    }
    let msg = "That e-mail address and password do not match an account.";
    for page in pages {
        assert!(page.text().await.unwrap().contains(msg));
    }
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'").await >= 4,
        "failures are audited"
    );
}

async fn repeated_log_in_attempts_are_limited_with_retry_after(app: &TestApp) {
    app.signup_verified("di@example.org", "Di").await;
    let attempt = json!({"email": "di@example.org", "password": "wrong wrong wrong"});
    let mut last = None;
    for _ in 0..11 {
        last = Some(app.request("POST", "/api/v1/auth/token", &Visitor).json(&attempt).send().await.unwrap());
    }
    let r = last.unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));
    // Even the right password is refused while limited.
    let (s, v) = app.ask_token("di@example.org", PASSWORD).await;
    assert_eq!(s, 429);
    assert_eq!(v["error"]["code"], "rate_limited");
}

async fn a_password_reset_link_works_once_ends_every_session_and_expires(app: &TestApp) {
    app.signup_verified("ed@example.org", "Ed").await;
    let browser = app.browser_login("ed@example.org").await;
    let api_token = app.token("ed@example.org").await;
    let c = app.client();
    let known = form_post(app, &c, "/forgot-password", &[("email", "ed@example.org")]).await;
    let unknown = form_post(app, &c, "/forgot-password", &[("email", "ghost@example.org")]).await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.status(), 200);
    let strip = |s: String| s.split("<main").nth(1).unwrap_or("").to_string();
    assert_eq!(
        strip(known.text().await.unwrap()),
        strip(unknown.text().await.unwrap()),
        "same answer for known and unknown"
    );
    assert!(app.mails_to("ghost@example.org").await.is_empty());
    let mail = app.mails_to("ed@example.org").await.into_iter().find(|m| m.subject().contains("Reset")).unwrap();
    let token = mail.token("/reset-password?token=").unwrap();
    // Opening the link changes nothing.
    assert_eq!(app.call("GET", &format!("/reset-password?token={token}"), &c, None).await.0, 200);
    let r = form_post(app, &c, "/reset-password", &[("token", &token), ("password", "a brand new passphrase")]).await;
    assert_eq!(r.status(), 200);
    let again =
        form_post(app, &c, "/reset-password", &[("token", &token), ("password", "yet another passphrase")]).await;
    assert_eq!(again.status(), 400, "single use");
    assert_eq!(app.call("GET", "/settings/account", &browser, None).await.0, 303, "old browser session ended");
    assert_eq!(app.call("GET", "/api/v1/me", &api_token, None).await.0, 401, "old API token ended");
    assert_eq!(app.ask_token("ed@example.org", "a brand new passphrase").await.0, 200);
    // An expired link is refused.
    let again = form_post(app, &c, "/forgot-password", &[("email", "ed@example.org")]).await;
    expect_status(again, 200, "a second reset asked for").await;
    let mail = app.mails_to("ed@example.org").await.into_iter().rev().find(|m| m.subject().contains("Reset")).unwrap();
    let token2 = mail.token("/reset-password?token=").unwrap();
    assert_ne!(token, token2);
    app.exec("UPDATE email_tokens SET expires_at = $1", vec![(chrono::Utc::now() - chrono::Duration::hours(2)).into()])
        .await;
    let r = form_post(app, &c, "/reset-password", &[("token", &token2), ("password", "too late passphrase")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("expired"));
}

async fn changing_the_password_needs_the_current_one_and_can_end_other_sessions(app: &TestApp) {
    app.signup_verified("fa@example.org", "Fa").await;
    let here = app.browser_login("fa@example.org").await;
    let elsewhere = app.browser_login("fa@example.org").await;
    let wrong = [("current_password", "wrong one entirely"), ("new_password", "fresh new passphrase")];
    let r = form_post(app, &here, "/settings/password", &wrong).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("That is not your current password."));
    let right =
        [("current_password", PASSWORD), ("new_password", "fresh new passphrase"), ("end_other_sessions", "on")];
    assert_eq!(form_post(app, &here, "/settings/password", &right).await.status(), 303);
    assert_eq!(app.call("GET", "/settings/account", &here, None).await.0, 200, "this session stays");
    assert_eq!(app.call("GET", "/settings/account", &elsewhere, None).await.0, 303, "the other one ended");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password_changed'").await, 1);
}

async fn changing_the_email_needs_the_password_and_a_link_from_the_new_address(app: &TestApp) {
    app.signup_verified("gu@example.org", "Gu").await;
    let c = app.browser_login("gu@example.org").await;
    for (password, status) in [("wrong password here", 422), (PASSWORD, 303)] {
        let r =
            form_post(app, &c, "/settings/email", &[("new_email", "gu.new@example.org"), ("password", password)]).await;
        assert_eq!(r.status(), status);
    }
    let token = app.mails_to("gu.new@example.org").await[0].token("/confirm-email?token=").unwrap();
    let r = form_post(app, &c, "/confirm-email", &[("token", &token)]).await;
    assert_eq!(r.status(), 200);
    assert!(
        app.mails_to("gu@example.org").await.iter().any(|m| m.subject().contains("was changed")),
        "old address told"
    );
    app.token("gu.new@example.org").await;
}

/// The session cookie a response sets, whole (with its attributes).
fn session_cookie(r: &reqwest::Response) -> String {
    let cookies = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string());
    cookies.into_iter().find(|v| v.starts_with("shn_session=")).unwrap()
}

async fn logging_in_sets_a_fresh_httponly_session_and_logging_out_ends_it(app: &TestApp) {
    app.signup_verified("ha@example.org", "Ha").await;
    let c = app.client();
    let r = form_post(app, &c, "/login", &[("email", "ha@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r);
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http base URL");
    let r = form_post(app, &c, "/login", &[("email", "ha@example.org"), ("password", PASSWORD)]).await;
    let second = session_cookie(&r);
    assert_ne!(cookie, second, "a new session id at each log in");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1, "the previous session ended");
    let home = app.get_text("/", &c).await;
    assert!(home.contains("Welcome back, Ha"));
    let html = app.get_text("/", &c).await;
    let r = c.post(app.url("/logout")).form(&[("csrf", csrf_of(&html))]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.call("GET", "/settings/profile", &c, None).await.0, 303);
}

async fn forms_without_a_valid_csrf_token_or_from_another_site_are_refused(app: &TestApp) {
    app.signup_verified("io@example.org", "Io").await;
    let c = app.client();
    send_expecting(c.get(app.url("/login")), 200, "the log-in page").await;
    let r =
        c.post(app.url("/login")).form(&[("email", "io@example.org"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("<h1>Not allowed</h1>"));
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf", "forged"), ("email", "io@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let html = app.get_text("/login", &c).await;
    let r = c
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf_of(&html).as_str()), ("email", "io@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A token from one browser does not work in another.
    let other = app.client();
    send_expecting(other.get(app.url("/login")), 200, "the log-in page in another browser").await;
    let r = other
        .post(app.url("/login"))
        .form(&[("csrf", csrf_of(&html).as_str()), ("email", "io@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0, "no session was created");
}

async fn only_staff_grant_badges_only_admins_change_roles_and_both_are_audited(app: &TestApp) {
    let admin = app.member().named("Admin").signed_up().admin().create().await;
    let member = app.member().named("Jo").signed_up().create().await;
    for (who, target, action, body, status) in [
        (&member, admin.id, "role", json!({"role": "admin"}), 404),
        (&admin, member.id, "role", json!({"role": "wizard"}), 422),
        (&admin, member.id, "role", json!({"role": "moderator"}), 204),
        (&admin, member.id, "health-leader", json!({"on": true}), 204),
    ] {
        assert_eq!(app.manage(who, target, action, body.clone()).await.0, status, "{action} {body}");
    }
    let me = app.get_json("/api/v1/me", &member).await;
    assert_eq!(me["role"], "moderator");
    assert_eq!(me["health_leader"], true);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'role_changed'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'health_leader_granted'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'HealthLeaderGranted'").await, 1);
    let unknown = app.call("POST", "/api/v1/admin/members/not-a-uuid/role", &admin, Some(json!({"role": "member"})));
    assert_eq!(unknown.await.0, 404);
    // Suspension ends the member's access at once.
    assert_eq!(app.manage(&admin, member.id, "suspension", json!({"on": true})).await.0, 204);
    assert_eq!(app.call("GET", "/api/v1/me", &member, None).await.0, 401);
}

async fn sign_ups_from_one_address_are_limited(app: &TestApp) {
    let limit = 1000;
    // Fill the window directly rather than creating a thousand accounts.
    let window = chrono::Utc::now().timestamp() - chrono::Utc::now().timestamp().rem_euclid(3600);
    app.exec(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('signup:ip:127.0.0.1', $1, $2)",
        vec![window.into(), (limit as i64).into()],
    )
    .await;
    let late = signup_body("late@example.org", PASSWORD, "Late");
    let r = app.request("POST", "/api/v1/auth/signup", &Visitor).json(&late).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
}

async fn sessions_end_after_their_idle_and_absolute_lifetimes(app: &TestApp) {
    app.signup_verified("lu@example.org", "Lu").await;
    let c = app.browser_login("lu@example.org").await;
    assert_eq!(app.call("GET", "/settings/account", &c, None).await.0, 200);
    let long_ago = chrono::Utc::now() - chrono::Duration::days(15);
    app.exec("UPDATE sessions SET last_seen_at = $1", vec![long_ago.into()]).await;
    assert_eq!(app.call("GET", "/settings/account", &c, None).await.0, 303, "idle too long");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0, "expired sessions are removed");
    let c = app.browser_login("lu@example.org").await;
    let very_long_ago = chrono::Utc::now() - chrono::Duration::days(61);
    app.exec("UPDATE sessions SET created_at = $1", vec![very_long_ago.into()]).await;
    assert_eq!(app.call("GET", "/settings/account", &c, None).await.0, 303, "too old, however active");
}

async fn staff_manage_accounts_from_an_audited_page_that_members_cannot_open(app: &TestApp) {
    let stef = app.member().named("Stef Staff").signed_up().staff().create().await;
    let mo = app.member().named("Mo Member").email("mo@example.org").signed_up().create().await;
    let member_id = mo.id;
    let member = mo.browser(app).await;
    assert_eq!(app.call("GET", "/admin/members", &member, None).await.0, 404);
    assert_eq!(app.call("GET", "/admin/members", &Visitor, None).await.0, 401);
    let staff = stef.browser(app).await;
    let html = app.get_text("/admin/members?q=mo", &staff).await;
    assert!(html.contains("mo@example.org") && html.contains("Grant badge"));
    assert!(!html.contains("Set role"), "only admins change roles");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'staff_viewed_accounts'").await, 1);
    let r = form_post(app, &staff, &format!("/admin/members/{member_id}/suspension"), &[("on", "on")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.call("GET", "/settings/profile", &member, None).await.0, 303, "suspended: logged out");
    let html = app.get_text("/admin/members?status=suspended", &staff).await;
    assert!(html.contains("Mo Member") && html.contains("Reinstate"));
    let r = form_post(app, &staff, &format!("/admin/members/{member_id}/role"), &[("role", "admin")]).await;
    assert_eq!(r.status(), 404, "staff cannot promote: the admins' route does not exist for them");
}

//! Security and privacy hardening (issue 13): each test names the rule it proves and
//! runs on SQLite and on PostgreSQL.

use kernel::config::Settings;
use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    oversized_credentials_and_bodies_are_refused_before_any_work,
    next_only_ever_leads_to_a_path_on_this_site,
    a_password_reset_cancels_email_changes_and_ends_every_session_and_token,
    the_role_hierarchy_protects_admins_the_last_admin_and_group_leaders,
    bearer_tokens_expire_and_are_listed_and_revocable_from_settings_and_the_api,
    deleting_the_account_needs_the_password_and_password_checks_are_throttled,
    csrf_tokens_are_bound_to_the_session_and_never_read_from_the_query_string,
    csv_exports_neutralise_every_formula_lead_and_suspended_members_cannot_react,
];

both_backends!(
    backend;
    forwarded_for_is_believed_only_from_trusted_proxies_and_strangers_cannot_lock_members_out,
    hsts_goes_with_an_https_base_url_and_debug_output_hides_secrets,
);

/// An application started with changed settings (trusted proxies, an https base URL).
async fn start_with_settings(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::start_configured(backend, web::StartOptions::migrating(), tweak).await
}

async fn max_bucket_len(app: &TestApp) -> i64 {
    app.count("SELECT CAST(COALESCE(MAX(LENGTH(bucket)), 0) AS BIGINT) FROM rate_limits").await
}

// ---------- item 1: unbounded keys and bodies ----------

async fn oversized_credentials_and_bodies_are_refused_before_any_work(app: &TestApp) {
    let c = app.client();
    app.signup_verified("kim@example.org", "Kim").await;
    let before = app.count("SELECT COUNT(*) FROM rate_limits").await;
    // The review's attack: a 300,000-character address is refused by the body limit.
    let huge = format!("{}@example.org", "a".repeat(300_000));
    // (A refused body may close the connection: each API request gets its own client.)
    let (s, v) = app.ask_token(&huge, "x").await;
    assert_eq!(s, 413);
    assert_eq!(v["error"]["code"], "payload_too_large");
    // Under the body limit but longer than any address: 422 on the field, nothing stored.
    let long = format!("{}@example.org", "b".repeat(2_000));
    let (s, v) = app.ask_token(&long, PASSWORD).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["email"].is_string(), "{v}");
    let (s, v) = app.ask_token("kim@example.org", &"p".repeat(2_000)).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["password"].is_string());
    assert_eq!(app.call("POST", "/api/v1/auth/signup", &Visitor, Some(signup_body(&long, PASSWORD, "L"))).await.0, 422);
    let r = form_post(app, &c, "/forgot-password", &[("email", &long)]).await;
    assert_eq!(r.status(), 422, "the HTML form shows the problem inline");
    let r = form_post(app, &c, "/login", &[("email", &long), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("at most 254 characters"), "inline error on the login form");
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_limits").await, before, "no rate-limit row for refused values");
    // Ordinary failures are counted under fixed-size keys, however long the value.
    let odd = format!("{}@example.org", "c".repeat(60));
    for _ in 0..3 {
        assert_eq!(app.ask_token(&odd, "wrong one").await.0, 401);
    }
    assert!(max_bucket_len(app).await <= 97, "bucket keys are a label and a hash");
    // Small limits on authentication routes, sensible ones elsewhere.
    let mut padded = signup_body("kim@example.org", PASSWORD, "");
    padded["display_name"] = json!("x".repeat(20_000));
    assert_eq!(
        app.call("POST", "/api/v1/auth/signup", &Visitor, Some(padded)).await.0,
        413,
        "auth routes take a few KB"
    );
    let browser = app.client();
    let token = csrf_of(&app.get_text("/signup", &browser).await);
    let r = browser
        .post(app.url("/login"))
        .form(&[("csrf", token.as_str()), ("email", "kim@example.org"), ("password", &"p".repeat(20_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413, "the HTML login form too");
    let kim = app.token("kim@example.org").await;
    let story = json!({"story": "y".repeat(2 * 1024 * 1024)});
    assert_eq!(
        app.call("PATCH", "/api/v1/me/profile", &kim, Some(story)).await.0,
        413,
        "2 MB of JSON is more than any form needs"
    );
    // Long passphrases are welcome up to the limit (256 characters).
    let long_pass = "correct horse battery staple ".repeat(8);
    let (s, _) = app
        .call("POST", "/api/v1/auth/signup", &Visitor, Some(signup_body("lee@example.org", &long_pass, "Lee")))
        .await;
    assert_eq!(s, 201, "a {}-character password is accepted", long_pass.len());
    // Rate limit for bad log-ins applies before the account is looked up: once used up,
    // even the right password is refused.
    let mut limited = false;
    for _ in 0..40 {
        let (s, _) = app.ask_token("kim@example.org", "not it at all").await;
        if s == 429 {
            limited = true;
            break;
        }
        assert_eq!(s, 401);
    }
    assert!(limited, "bad log-ins are limited");
    assert_eq!(app.ask_token("kim@example.org", PASSWORD).await.0, 429);
}

// ---------- item 2: redirects ----------

const OFF_SITE: &[&str] = &[
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/%09/evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    " /groups",
    "/groups\r\nSet-Cookie: x=1",
    "evil.example",
];

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap_or("?").to_string()).unwrap_or_default()
}

async fn next_only_ever_leads_to_a_path_on_this_site(app: &TestApp) {
    app.signup_verified("rui@example.org", "Rui").await;
    let anon = app.client();
    for bad in OFF_SITE {
        // The login form carries only a safe value forward…
        let r = anon.get(app.url("/login")).query(&[("next", bad)]).send().await.unwrap();
        assert_eq!(r.status(), 200, "{bad:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("name=\"next\" value=\"/\""), "{bad:?} is not carried by the form");
        // …and a posted one is checked again.
        let c = app.client();
        let r =
            form_post(app, &c, "/login", &[("email", "rui@example.org"), ("password", PASSWORD), ("next", bad)]).await;
        assert_eq!(r.status(), 303, "{bad:?}");
        assert_eq!(location(&r), "/", "after log-in with next={bad:?}");
        // Signed in, the login page sends straight on: never off-site.
        let r = c.get(app.url("/login")).query(&[("next", bad)]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/", "signed in, next={bad:?}");
    }
    // The review's exact URL.
    let c = app.browser_login("rui@example.org").await;
    let r = c.get(format!("{}/login?next=/%09/evil.example", app.base)).send().await.unwrap();
    assert_eq!(location(&r), "/");
    // Same-site paths still work, query and all.
    let r = c.get(app.url("/login")).query(&[("next", "/events?mine=true")]).send().await.unwrap();
    assert_eq!(location(&r), "/events?mine=true");
    let r = form_post(
        app,
        &app.client(),
        "/login",
        &[("email", "rui@example.org"), ("password", PASSWORD), ("next", "/groups")],
    )
    .await;
    assert_eq!(location(&r), "/groups");
    // Pages that need a log-in send the way back encoded, and it round-trips.
    for page in ["/settings/account", "/rewards/history", "/events?mine=true", "/messages"] {
        let r = app.request("GET", page, &anon).send().await.unwrap();
        assert_eq!(r.status(), 303, "{page}");
        let to = location(&r);
        let next: Vec<(String, String)> = serde_urlencoded::from_str(to.strip_prefix("/login?").unwrap_or("")).unwrap();
        assert_eq!(next, vec![("next".to_string(), page.to_string())], "{to}");
    }
}

// ---------- item 9: account recovery ----------

async fn a_password_reset_cancels_email_changes_and_ends_every_session_and_token(app: &TestApp) {
    app.signup_verified("ana@example.org", "Ana").await;
    // Someone who got into the account: a browser session, an API token, and a request
    // to move the account to their own address.
    let intruder = app.browser_login("ana@example.org").await;
    let token = app.token("ana@example.org").await;
    let r = form_post(app, &intruder, "/settings/email", &[("new_email", "thief@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 303);
    let change = app.mails_to("thief@example.org").await.last().and_then(|m| m.token("/confirm-email?token=")).unwrap();
    // The owner resets the password from the e-mailed link.
    let owner = app.client();
    assert_eq!(form_post(app, &owner, "/forgot-password", &[("email", "ana@example.org")]).await.status(), 200);
    let reset = app
        .mails_to("ana@example.org")
        .await
        .into_iter()
        .rev()
        .find_map(|m| m.token("/reset-password?token="))
        .expect("reset mail");
    let r =
        form_post(app, &owner, "/reset-password", &[("token", &reset), ("password", "a brand new passphrase here")])
            .await;
    assert_eq!(r.status(), 200);
    // Every session and token has ended…
    assert_eq!(app.send("GET", "/settings/account", &intruder).await.0, 303, "the intruder's session ended");
    assert_eq!(app.call("GET", "/api/v1/me", &token, None).await.0, 401, "API tokens are revoked");
    // …and the pending e-mail change is cancelled.
    let r = form_post(app, &app.client(), "/confirm-email", &[("token", &change)]).await;
    assert_eq!(r.status(), 400, "the change link no longer works");
    let email = app
        .state
        .db
        .scalar::<String>("SELECT email FROM members WHERE email LIKE 'ana@%' OR email LIKE 'thief@%'", vec![])
        .await
        .unwrap();
    assert_eq!(email.as_deref(), Some("ana@example.org"));
}

// ---------- item 10: the client's address ----------

/// Asks for a token through a proxy that forwarded the request for `from`; the status.
async fn token_from(app: &TestApp, from: &str, email: &str, password: &str) -> u16 {
    let rb = app.request("POST", "/api/v1/auth/token", &Visitor).header("x-forwarded-for", from);
    rb.json(&json!({"email": email, "password": password})).send().await.unwrap().status().as_u16()
}

async fn forwarded_for_is_believed_only_from_trusted_proxies_and_strangers_cannot_lock_members_out(backend: Backend) {
    // Behind a proxy on 127.0.0.1: each client is known by its forwarded address.
    let app = start_with_settings(backend, |s| s.trusted_proxies = Some("127.0.0.0/8".into())).await;
    app.member().email("mo@example.org").with_password().create().await;
    // A stranger guessing Mo's password from one address is stopped…
    let mut stopped = false;
    for _ in 0..15 {
        match token_from(&app, "198.51.100.7", "mo@example.org", "guess guess guess").await {
            401 => {}
            429 => {
                stopped = true;
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(stopped, "guessing is limited");
    // …but Mo, from elsewhere, still gets in: the stranger cannot lock the account.
    assert_eq!(token_from(&app, "203.0.113.20", "mo@example.org", PASSWORD).await, 200);
    // Limits are per client, not site-wide: the per-address limit of one client
    // leaves another alone.
    let mut limited = false;
    for i in 0..40 {
        let s = token_from(&app, "198.51.100.8", &format!("nobody{i}@example.org"), "whatever it is").await;
        if s == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "one address is limited");
    assert_eq!(token_from(&app, "203.0.113.21", "mo@example.org", PASSWORD).await, 200);
    // A client cannot pick its own address by writing the header's left part.
    let spoofed = "203.0.113.99, 198.51.100.8";
    assert_eq!(token_from(&app, spoofed, "mo@example.org", PASSWORD).await, 429);
    // The audit log records the forwarded address.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE ip = '203.0.113.20'").await, 1);
    app.finish().await;

    // Without trusted proxies, the header is ignored: every request here is 127.0.0.1.
    let app = TestApp::start(backend).await;
    app.member().email("mo@example.org").with_password().create().await;
    for i in 0..40 {
        if token_from(&app, &format!("198.51.100.{i}"), "mo@example.org", "guess guess guess").await == 429 {
            break;
        }
    }
    assert_eq!(
        token_from(&app, "203.0.113.20", "mo@example.org", PASSWORD).await,
        429,
        "a forged header changes nothing"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE ip LIKE '198.51.100.%'").await, 0);
    app.finish().await;
}

// ---------- item 11: role hierarchy ----------

async fn the_role_hierarchy_protects_admins_the_last_admin_and_group_leaders(app: &TestApp) {
    let [admin, staff, owner, moderator, moderator2, member] = <[Member; 6]>::try_from(app.members(6).await).unwrap();
    app.set_role(admin.id, "admin").await;
    app.set_role(staff.id, "staff").await;
    // Staff cannot suspend (nor, as before, re-role) an admin.
    let (s, _) = app.manage(&staff, admin.id, "suspension", json!({"on": true})).await;
    assert_eq!(s, 403, "staff cannot suspend an admin");
    assert_eq!(app.manage(&staff, admin.id, "role", json!({"role": "member"})).await.0, 404);
    // A report about the admin does not let staff suspend them either, and stays open.
    let (s, report) = app.report(&member, "member", admin.id, "other").await;
    assert_eq!(s, 201);
    let rid = report["id"].as_str().unwrap().to_string();
    assert_eq!(app.decide(&staff, &rid, json!({"action": "suspend_platform", "reason": "x"})).await.0, 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM reports WHERE status = 'open'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE status = 'suspended'").await, 0);
    // The last admin cannot be demoted, not even by themselves.
    let (s, v) = app.manage(&admin, admin.id, "role", json!({"role": "staff"})).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "last_admin");
    // With a second admin, one admin may demote or suspend the other.
    assert_eq!(app.manage(&admin, staff.id, "role", json!({"role": "admin"})).await.0, 204);
    let (s, _) = app.manage(&staff, admin.id, "suspension", json!({"on": true})).await;
    assert_eq!(s, 204, "an admin may suspend another admin");
    let (s, v) = app.manage(&staff, staff.id, "role", json!({"role": "member"})).await;
    assert_eq!(s, 409, "now the only active admin: {v}");
    // In a group, moderators cannot act on the owner or on other moderators.
    let members = [&owner, &moderator, &moderator2, &member];
    let group = app.group().named("Lupus Circle").owned_by(&staff).with_members(&members).create().await;
    let group_id = uuid::Uuid::parse_str(&group.id).unwrap();
    for (who, role) in [(&owner, "owner"), (&moderator, "moderator"), (&moderator2, "moderator")] {
        let sql = "UPDATE group_members SET role = $1 WHERE group_id = $2 AND member_id = $3";
        app.exec(sql, kernel::params![role, group_id, who.id]).await;
    }
    let mut reports = Vec::new();
    for author in [&owner, &moderator2, &member] {
        let thread = group.thread(app, author, "A thread", "Text").await;
        let (s, r) = app.report(&member, "thread", &thread, "spam").await;
        assert_eq!(s, 201, "{r}");
        reports.push(r["id"].as_str().unwrap().to_string());
    }
    let decide = |who: &Member, report: &str, action: &str| {
        let (who, report) = (who.clone(), report.to_string());
        let body = json!({"action": action, "reason": "Off topic", "days": 3});
        async move { app.decide(&who, &report, body).await }
    };
    for action in ["hide", "remove", "warn", "suspend_group"] {
        let (s, v) = decide(&moderator, &reports[0], action).await;
        assert_eq!(s, 422, "a moderator cannot {action} the owner: {v}");
        assert!(v["error"]["fields"]["action"].as_str().unwrap().contains("owner"));
        let (s, _) = decide(&moderator, &reports[1], action).await;
        assert_eq!(s, 422, "a moderator cannot {action} another moderator");
    }
    assert_eq!(decide(&moderator, &reports[2], "suspend_group").await.0, 204, "but can act on a member");
    assert_eq!(decide(&owner, &reports[1], "hide").await.0, 204, "the owner can act on a moderator");
}

// ---------- item 12 (parts): tokens, deletion, throttles, CSRF, HSTS, Debug, CSV, reactions ----------

async fn bearer_tokens_expire_and_are_listed_and_revocable_from_settings_and_the_api(app: &TestApp) {
    let id = app.signup_verified("tess@example.org", "Tess").await;
    let (first, second) = (app.token("tess@example.org").await, app.token("tess@example.org").await);
    // The API lists live tokens (never the tokens themselves) and revokes one by id.
    let (s, list) = app.call("GET", "/api/v1/me/tokens", &first, None).await;
    assert_eq!(s, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert!(items.iter().all(|t| t["expires_at"].is_string() && t["id"].is_string()));
    assert!(!list.to_string().contains(&first[4..]), "the token itself is never shown");
    let (s, _) = app.call("GET", "/api/v1/me/tokens", "shn_not-a-token", None).await;
    assert_eq!(s, 401);
    let newest = items[0]["id"].as_str().unwrap().to_string();
    let (s, _) = app.call("DELETE", &format!("/api/v1/me/tokens/{newest}"), &first, None).await;
    assert_eq!(s, 204);
    assert_eq!(app.call("GET", "/api/v1/me", &second, None).await.0, 401, "the revoked token stops working");
    assert_eq!(app.call("DELETE", &format!("/api/v1/me/tokens/{newest}"), &first, None).await.0, 404);
    // Someone else's token cannot be revoked by id.
    let other = app.member().named("Otto").create().await.token;
    let (_, theirs) = app.call("GET", "/api/v1/me/tokens", &other, None).await;
    let theirs = theirs["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.call("DELETE", &format!("/api/v1/me/tokens/{theirs}"), &first, None).await.0, 404);
    // The account settings page lists them with a revoke button each.
    let b = app.browser_login("tess@example.org").await;
    let html = app.get_text("/settings/account", &b).await;
    assert!(html.contains("Personal access tokens"));
    let remaining = app
        .state
        .db
        .scalar::<uuid::Uuid>(
            "SELECT id FROM api_tokens WHERE revoked_at IS NULL AND member_id = $1",
            kernel::params![uuid::Uuid::parse_str(&id).unwrap()],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(html.contains(&format!("/settings/tokens/{remaining}/revoke")));
    let r = b.post(app.url(&format!("/settings/tokens/{remaining}/revoke"))).form(&[("csrf", csrf_of(&html))]);
    assert_eq!(r.send().await.unwrap().status(), 303);
    assert_eq!(app.call("GET", "/api/v1/me", &first, None).await.0, 401);
    let html = app.get_text("/settings/account?done=token", &b).await;
    assert!(html.contains("You have no active tokens."));
    // Tokens expire: one issued longer ago than the lifetime no longer works.
    let fresh = app.token("tess@example.org").await;
    assert_eq!(app.call("GET", "/api/v1/me", &fresh, None).await.0, 200);
    let old = chrono::Utc::now()
        - chrono::Duration::from_std(app.state.config.api_token_lifetime).unwrap()
        - chrono::Duration::minutes(1);
    app.exec("UPDATE api_tokens SET created_at = $1", kernel::params![old]).await;
    assert_eq!(app.call("GET", "/api/v1/me", &fresh, None).await.0, 401, "expired");
    assert_eq!(app.call("GET", "/api/v1/me/tokens", &other, None).await.0, 401);
}

async fn deleting_the_account_needs_the_password_and_password_checks_are_throttled(app: &TestApp) {
    app.signup_verified("del@example.org", "Del").await;
    let token = app.token("del@example.org").await;
    // A token that is not fresh from the password cannot delete the account alone.
    let old = chrono::Utc::now() - chrono::Duration::hours(1);
    app.exec("UPDATE api_tokens SET created_at = $1", kernel::params![old]).await;
    let (s, v) = app.call("DELETE", "/api/v1/me", &token, None).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["password"].is_string());
    let (s, _) = app.call("DELETE", "/api/v1/me", &token, Some(json!({"password": "not my password"}))).await;
    assert_eq!(s, 422);
    // Wrong passwords to confirm changes are throttled, whichever form they come through.
    let b = app.browser_login("del@example.org").await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let r = match i % 3 {
            0 => {
                form_post(
                    app,
                    &b,
                    "/settings/password",
                    &[("current_password", "wrong guess"), ("new_password", "a fine new passphrase")],
                )
                .await
            }
            1 => form_post(app, &b, "/settings/delete", &[("password", "wrong guess")]).await,
            _ => {
                form_post(app, &b, "/settings/email", &[("new_email", "x@example.org"), ("password", "wrong guess")])
                    .await
            }
        };
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(statuses[..8].iter().all(|s| *s == 422), "inline errors first: {statuses:?}");
    let (s, _) = app.call("DELETE", "/api/v1/me", &token, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(s, 429, "even the right password waits once the limit is used up");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE email = 'del@example.org'").await, 1, "not deleted");
    // E-mail change requests are throttled even with the right password.
    app.signup_verified("em@example.org", "Em").await;
    let e = app.browser_login("em@example.org").await;
    let mut statuses = Vec::new();
    for i in 0..7 {
        let to = format!("new{i}@example.org");
        statuses.push(
            form_post(app, &e, "/settings/email", &[("new_email", &to), ("password", PASSWORD)])
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..5], &[303; 5], "{statuses:?}");
    assert_eq!(statuses[6], 429, "{statuses:?}");
    // With the password (or a token just issued from it), deletion works.
    let fresh = app.token("em@example.org").await;
    assert_eq!(app.call("DELETE", "/api/v1/me", &fresh, Some(json!({"password": PASSWORD}))).await.0, 204);
}

async fn csrf_tokens_are_bound_to_the_session_and_never_read_from_the_query_string(app: &TestApp) {
    app.signup_verified("cy@example.org", "Cy").await;
    let c = app.client();
    // A token from before log-in (same CSRF cookie) is no use once signed in.
    let before = csrf_of(&app.get_text("/signup", &c).await);
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf", before.as_str()), ("email", "cy@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.post(app.url("/logout")).form(&[("csrf", before.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 403, "a token of another session is refused");
    // Nor is a token in the query string, even a valid one.
    let now = csrf_of(&app.get_text("/settings/account", &c).await);
    let r = c.post(app.url(&format!("/logout?csrf={now}"))).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(r.status(), 403, "query-string tokens are refused");
    assert_eq!(app.send("POST", &format!("/logout?csrf={now}"), &c).await.0, 403);
    // The page's own token, in the body, works.
    let r = c.post(app.url("/logout")).form(&[("csrf", now.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // The avatar form sends its token in the multipart body.
    let b = app.browser_login("cy@example.org").await;
    let html = app.get_text("/settings/profile", &b).await;
    assert!(html.contains("action=\"/settings/avatar\""), "no token in the form's URL");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&html))
        .part("avatar", reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.png"));
    let r = b.post(app.url("/settings/avatar")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422, "past CSRF, refused as an image");
    let form = reqwest::multipart::Form::new()
        .text("csrf", "forged")
        .part("avatar", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.png"));
    assert_eq!(b.post(app.url("/settings/avatar")).multipart(form).send().await.unwrap().status(), 403);
    // …and a valid token in the upload's query string is refused like any other.
    let token = csrf_of(&app.get_text("/settings/profile", &b).await);
    let form = reqwest::multipart::Form::new()
        .part("avatar", reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.png"));
    let r = b.post(app.url(&format!("/settings/avatar?csrf={token}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403, "no token is read from an upload's query string");
}

async fn hsts_goes_with_an_https_base_url_and_debug_output_hides_secrets(backend: Backend) {
    let https = start_with_settings(backend, |s| s.base_url = Some("https://community.example.org".into())).await;
    let r = reqwest::get(https.url("/healthz")).await.unwrap();
    assert_eq!(r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()), Some("max-age=31536000"));
    let shown = format!("{:?}", https.state.config);
    assert!(!shown.contains("test-secret-key-that-is-long-enough"), "{shown}");
    assert!(shown.contains("[redacted]"));
    https.finish().await;
    let smtp = "smtp://user:smtp-hunter2@127.0.0.1:25";
    let http = start_with_settings(backend, |s| s.smtp_url = Some(smtp.into())).await;
    let r = reqwest::get(http.url("/healthz")).await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none(), "not over plain http");
    let shown = format!("{:#?}", http.state.config);
    assert!(!shown.contains("smtp-hunter2") && !shown.contains("test-secret-key"), "{shown}");
    http.finish().await;
}

async fn csv_exports_neutralise_every_formula_lead_and_suspended_members_cannot_react(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let [ada, bo] = <[Member; 2]>::try_from(app.members(2).await).unwrap();
    let adjust = |amount: i64, reason: String| {
        let body = json!({"member_id": ada.id, "amount": amount, "reason": reason});
        app.call("POST", "/api/v1/admin/points/adjustments", &staff, Some(body))
    };
    let (s, _) = adjust(5, "Thanks".into()).await;
    assert!(s == 200 || s == 201, "{s}");
    let leads = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"];
    for (i, lead) in leads.iter().enumerate() {
        let (s, _) = adjust(1, format!("row {i}")).await;
        assert!(s == 200 || s == 201);
        let sql = "UPDATE ledger_entries SET note = $1 WHERE note = $2";
        app.exec(sql, kernel::params![lead.to_string(), format!("row {i}")]).await;
    }
    let b = app.browser_login(&staff.email).await;
    let csv = app.get_text("/admin/rewards/ledger.csv", &b).await;
    for lead in leads {
        assert!(csv.contains(&format!("\"'{lead}\"")), "{lead:?} neutralised in {csv:?}");
    }
    // Suspended from a group: may read, may not react.
    let group = app.group().named("Asthma Corner").owned_by(&staff).with_members(&[&ada, &bo]).create().await;
    let thread = group.thread(app, &bo, "Inhalers", "Which one?").await;
    let until = chrono::Utc::now() + chrono::Duration::days(3);
    let sql = "UPDATE group_members SET suspended_until = $1 WHERE member_id = $2";
    app.exec(sql, kernel::params![until, ada.id]).await;
    assert_eq!(app.call("GET", &format!("/api/v1/threads/{thread}"), &ada, None).await.0, 200, "reading is fine");
    let support = format!("/api/v1/threads/{thread}/reactions/support");
    let (s, v) = app.call("PUT", &support, &ada, None).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "suspended_from_group");
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 0);
    let (s, _) = app.call("PUT", &support, &bo, None).await;
    assert!(s < 300, "others still react: {s}");
}

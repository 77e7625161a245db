//! Security and privacy hardening (issue 13): each test names the rule it proves and
//! runs on SQLite and on PostgreSQL.

use serde_json::{Value, json};

use crate::support::*;

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
    // (A refused body may close the connection: each oversized request gets its own client.)
    let r = app.client().post(app.url("/api/v1/auth/token")).json(&json!({"email": huge, "password": "x"})).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "payload_too_large");
    // Under the body limit but longer than any address: 422 on the field, nothing stored.
    let long = format!("{}@example.org", "b".repeat(2_000));
    let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": long, "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["fields"]["email"].is_string(), "{v}");
    let r = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "kim@example.org", "password": "p".repeat(2_000)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.json::<Value>().await.unwrap()["error"]["fields"]["password"].is_string());
    let r = c
        .post(app.url("/api/v1/auth/signup"))
        .json(&json!({"email": long, "password": PASSWORD, "display_name": "L", "member_type": "patient"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
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
        let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": odd, "password": "wrong one"})).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    assert!(max_bucket_len(app).await <= 97, "bucket keys are a label and a hash");
    // Small limits on authentication routes, sensible ones elsewhere.
    let padded = json!({"email": "kim@example.org", "password": PASSWORD, "display_name": "x".repeat(20_000), "member_type": "patient"});
    let r = app.client().post(app.url("/api/v1/auth/signup")).json(&padded).send().await.unwrap();
    assert_eq!(r.status(), 413, "auth routes take a few KB");
    let browser = app.client();
    let html = browser.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let r = browser
        .post(app.url("/login"))
        .form(&[("csrf", token.as_str()), ("email", "kim@example.org"), ("password", &"p".repeat(20_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413, "the HTML login form too");
    let kim = app.token("kim@example.org").await;
    let r = app
        .client()
        .patch(app.url("/api/v1/me/profile"))
        .bearer_auth(&kim)
        .json(&json!({"story": "y".repeat(2 * 1024 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413, "2 MB of JSON is more than any form needs");
    // Rate limit for bad log-ins applies before the account is looked up: once used up,
    // even the right password is refused.
    let mut limited = false;
    for _ in 0..40 {
        let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": "kim@example.org", "password": "not it at all"})).send().await.unwrap();
        if r.status() == 429 {
            limited = true;
            break;
        }
        assert_eq!(r.status(), 401);
    }
    assert!(limited, "bad log-ins are limited");
    let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": "kim@example.org", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_credentials_and_bodies_are_refused_before_any_work_sqlite() {
    let app = TestApp::start(Backend::Sqlite).await;
    oversized_credentials_and_bodies_are_refused_before_any_work(&app).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_credentials_and_bodies_are_refused_before_any_work_postgres() {
    let app = TestApp::start(Backend::Postgres).await;
    oversized_credentials_and_bodies_are_refused_before_any_work(&app).await;
    app.finish().await;
}

//! Sign up, verification, log in, tokens, password reset and change, e-mail change.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends!(
    async fn a_member_signs_up_verifies_by_email_and_gets_a_working_token(app) {
        let c = app.client();
        let r = c
            .post(app.url("/api/v1/auth/signup"))
            .json(&json!({"email": "Ada@Example.org", "password": PASSWORD, "display_name": "Ada", "member_type": "caregiver"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        // Not verified yet: no token.
        let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": "ada@example.org", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), 422, "an unverified account cannot log in");
        let mails = app.mails_to("ada@example.org").await;
        assert!(!mails.is_empty());
        let mail = mails.last().unwrap();
        assert!(mail.raw.contains("Content-Type: text/plain"), "every message has a plain-text part");
        let token = mail.token("/verify?token=").unwrap();
        let r = c.post(app.url("/api/v1/auth/verify")).json(&json!({ "token": token })).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let again = c.post(app.url("/api/v1/auth/verify")).json(&json!({ "token": token })).send().await.unwrap();
        assert_eq!(again.status(), 400, "a verification link works once");
        let token = app.token("ada@example.org").await;
        let me: Value = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["email"], "ada@example.org");
        assert_eq!(me["member_type"], "caregiver");
        assert_eq!(me["visibility"]["conditions"], "members", "conditions default to members-only");
        // Revoking the token ends it.
        let r = c.delete(app.url("/api/v1/auth/token")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let r = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
);

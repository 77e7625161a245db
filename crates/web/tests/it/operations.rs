//! Operations surfaces and the web shell's promises: health, readiness, metrics,
//! the OpenAPI document, security headers, error pages, demo data and invariants.

use serde_json::Value;

use crate::both_backends;
use crate::support::*;

both_backends![
    health_readiness_and_metrics_answer,
    the_openapi_document_is_3_1_and_lists_the_fixed_routes,
    pages_carry_strict_security_headers_and_friendly_errors,
    demo_data_loads_a_realistic_community_that_passes_every_check,
    the_invariant_check_reports_a_breach,
    the_invariant_check_reports_search_documents_out_of_step_with_their_keys,
    the_invariant_check_reports_condition_rows_out_of_step_with_a_name,
    every_json_write_route_answers_bad_bodies_with_a_clear_4xx_and_stores_nothing,
];

async fn health_readiness_and_metrics_answer(app: &TestApp) {
    let c = app.client();
    assert_eq!(app.call("GET", "/healthz", &c, None).await.0, 200);
    let ready: Value = app.get_json("/readyz", &c).await;
    assert_eq!(ready["database"], true);
    assert_eq!(ready["migrations_current"], true);
    send_expecting(c.get(app.url("/")), 200, "the home page").await;
    let metrics = app.get_text("/metrics", &c).await;
    assert!(metrics.contains("shn_http_requests_total"), "{metrics}");
}

async fn the_openapi_document_is_3_1_and_lists_the_fixed_routes(app: &TestApp) {
    let doc: Value = app.get_json("/api/v1/openapi.json", &Visitor).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/verify",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/me/profile",
        "/api/v1/me/export",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/conditions",
        "/api/v1/me/points",
        "/api/v1/rewards",
        "/api/v1/rewards/{id}/redemptions",
        "/api/v1/me/redemptions",
        "/api/v1/admin/earning-rules/{code}",
        "/api/v1/admin/points/adjustments",
        "/api/v1/admin/rewards",
        "/api/v1/admin/redemptions/{id}/fulfil",
        "/api/v1/admin/redemptions/{id}/reject",
        "/api/v1/events",
        "/api/v1/events/{id}",
        "/api/v1/events/{id}/registration",
        "/api/v1/events/{id}/rounds",
        "/api/v1/conferences/{id}",
        "/api/v1/conferences/{id}/agenda",
        "/api/v1/groups",
        "/api/v1/groups/{id}",
        "/api/v1/groups/{id}/join",
        "/api/v1/groups/{id}/requests/{member_id}/approve",
        "/api/v1/groups/{id}/threads",
        "/api/v1/threads/{id}",
        "/api/v1/threads/{id}/replies",
        "/api/v1/reports",
        "/api/v1/notifications",
        "/api/v1/search",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/auth/token"]["delete"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn pages_carry_strict_security_headers_and_friendly_errors(app: &TestApp) {
    let c = app.client();
    let r = app.request("GET", "/login", &c).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style=\""), "no inline script or style");
    let r = app.request("GET", "/no/such/page", &c).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("Page not found"));
    let r = app.request("GET", "/api/v1/no/such", &c).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    let r = app.request("PUT", "/api/v1/me", &c).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "method_not_allowed");
    assert_eq!(app.call("GET", "/members/not-a-uuid", &c, None).await.0, 404);
    assert_eq!(app.call("GET", "/api/v1/members/01234567-89ab-7def-8123-456789abcdef", &c, None).await.0, 404);
    let r = app.request("GET", "/settings/profile", &c).send().await.unwrap();
    assert_eq!(r.status(), 303, "signed-out visitors are sent to log in");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="));
}

async fn demo_data_loads_a_realistic_community_that_passes_every_check(app: &TestApp) {
    let logins = app.load_demo(40).await;
    assert!(logins.progress_reports > 0, "progress is shown");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 42);
    assert!(app.count("SELECT COUNT(DISTINCT member_type) FROM members").await >= 3);
    assert!(app.count("SELECT COUNT(*) FROM member_conditions").await >= 40);
    assert!(app.problems().await.is_empty());
    let (s, _) = app.ask_token(&logins.admin_email, &logins.password).await;
    assert_eq!(s, 200, "the printed demo login works");
    // Loading again does not collide with what is there.
    app.load_demo(5).await;
    assert_eq!(app.problems().await, Vec::<String>::new(), "members, ledger and search hold their invariants");
    assert_eq!(app.count("SELECT COUNT(*) FROM rewards").await, 5, "the catalogue is added once");
    assert!(app.count("SELECT COUNT(*) FROM redemptions WHERE status = 'pending'").await >= 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE conference_id IS NULL").await,
        8,
        "a season of events, added once"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM conference_tracks").await, 2, "Connexion has two tracks");
    let conference: uuid::Uuid = app.state.db.scalar("SELECT id FROM conferences", vec![]).await.unwrap().unwrap();
    assert_eq!(app.conference_agenda_days(conference).await, 2, "over two days in the conference's own zone");
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE awards_ceremony = TRUE").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups WHERE visibility = 'private' AND name = 'Health Leaders'").await,
        1
    );
    assert!(app.count("SELECT COUNT(*) FROM threads").await >= 60, "a lively community");
    assert!(app.count("SELECT COUNT(*) FROM posts").await >= 200);
    assert!(
        app.count("SELECT COUNT(*) FROM events WHERE recording_url <> ''").await >= 2,
        "past events have recordings"
    );
    assert!(
        app.count("SELECT COUNT(*) FROM registrations WHERE status = 'waitlisted'").await >= 1,
        "one event is full"
    );
}

async fn the_invariant_check_reports_a_breach(app: &TestApp) {
    app.signup_verified("kim@example.org", "Kim").await;
    assert!(app.problems().await.is_empty());
    app.exec("UPDATE members SET status = 'deleted'", vec![]).await;
    let problems = app.problems().await;
    assert!(problems.iter().any(|p| p.contains("deleted accounts still holding personal data")), "{problems:?}");
}

async fn the_invariant_check_reports_search_documents_out_of_step_with_their_keys(app: &TestApp) {
    app.load_demo(4).await;
    assert_eq!(app.problems().await, Vec::<String>::new());
    if app.state.db.backend() == kernel::db::Backend::Sqlite {
        for index in ["search_docs", "member_text"] {
            let secure: Option<i64> = app
                .state
                .db
                .scalar(&format!("SELECT v FROM {index}_config WHERE k = 'secure-delete'"), vec![])
                .await
                .unwrap();
            assert_eq!(secure, Some(1), "{index}: removed text leaves the index's pages at once");
        }
        app.exec("DELETE FROM search_keys WHERE id = (SELECT MIN(id) FROM search_keys)", vec![]).await;
        let problems = app.problems().await;
        assert_eq!(problems, vec!["1 search documents without their key".to_string()]);
    }
}

async fn the_invariant_check_reports_condition_rows_out_of_step_with_a_name(app: &TestApp) {
    let lee = app.member().named("Lee").email("lee@example.org").signed_up().create().await;
    let asthma = app.condition_id("asthma").await;
    for change in [serde_json::json!({"conditions": [asthma]}), serde_json::json!({"display_name": "Lee Park"})] {
        let (s, _) = app.patch_profile(&lee, change).await;
        assert!((200..300).contains(&s), "{s}");
    }
    assert!(app.problems().await.is_empty(), "a rename keeps the condition rows in step");
    app.exec("UPDATE member_conditions SET name_key = 'someone else'", vec![]).await;
    let problems = app.problems().await;
    assert!(problems.iter().any(|p| p.contains("out of step with the member's name")), "{problems:?}");
    if app.state.db.backend() == kernel::db::Backend::Sqlite {
        app.exec("DELETE FROM member_text_keys", vec![]).await;
        let problems = app.problems().await;
        assert!(problems.iter().any(|p| p.contains("missing from the name and story search index")), "{problems:?}");
    }
}

async fn every_json_write_route_answers_bad_bodies_with_a_clear_4xx_and_stores_nothing(app: &TestApp) {
    let Member { id, token, .. } = app.member().named("Root").signed_up().admin().create().await;
    let routes: Vec<(reqwest::Method, String)> = vec![
        (reqwest::Method::POST, "/api/v1/auth/signup".into()),
        (reqwest::Method::POST, "/api/v1/auth/verify".into()),
        (reqwest::Method::POST, "/api/v1/auth/token".into()),
        (reqwest::Method::PATCH, "/api/v1/me/profile".into()),
        (reqwest::Method::POST, format!("/api/v1/admin/members/{id}/role")),
        (reqwest::Method::POST, format!("/api/v1/admin/members/{id}/health-leader")),
        (reqwest::Method::POST, format!("/api/v1/admin/members/{id}/suspension")),
        (reqwest::Method::PUT, "/api/v1/me/leaderboard".into()),
        (reqwest::Method::PUT, "/api/v1/admin/earning-rules/course_completed".into()),
        (reqwest::Method::POST, "/api/v1/admin/points/adjustments".into()),
        (reqwest::Method::POST, "/api/v1/admin/rewards".into()),
        (reqwest::Method::POST, "/api/v1/events".into()),
        (reqwest::Method::POST, "/api/v1/conferences".into()),
        (reqwest::Method::POST, "/api/v1/groups".into()),
        (reqwest::Method::POST, "/api/v1/reports".into()),
    ];
    let snapshot = || async {
        (
            app.count("SELECT COUNT(*) FROM members").await,
            app.count("SELECT COUNT(*) FROM api_tokens").await,
            app.count("SELECT COUNT(*) FROM activity").await,
            app.count("SELECT COUNT(*) FROM members WHERE role <> 'member' OR status <> 'active' OR health_leader_since IS NOT NULL OR story <> ''").await,
            app.count("SELECT COUNT(*) FROM ledger_entries").await + app.count("SELECT COUNT(*) FROM rewards").await,
            app.count("SELECT COUNT(*) FROM earning_rule_versions").await + app.count("SELECT COUNT(*) FROM points_accounts").await,
            app.count("SELECT COUNT(*) FROM events").await + app.count("SELECT COUNT(*) FROM conferences").await,
            app.count("SELECT COUNT(*) FROM groups").await + app.count("SELECT COUNT(*) FROM reports").await,
        )
    };
    let before = snapshot().await;
    let c = app.client();
    for (method, path) in &routes {
        for (body, content_type) in [
            ("{not json", "application/json"),
            ("[1, 2, 3]", "application/json"),
            ("{\"unexpected_field\": true}", "application/json"),
            ("plain words", "text/plain"),
        ] {
            let r = c
                .request(method.clone(), app.url(path))
                .bearer_auth(&token)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert!(status.is_client_error(), "{method} {path} with {body:?} gave {status}");
            let v: serde_json::Value = r.json().await.unwrap_or_else(|_| panic!("{method} {path}: JSON error body"));
            assert!(v["error"]["code"].is_string() && v["error"]["message"].is_string(), "{method} {path}: {v}");
        }
    }
    assert_eq!(snapshot().await.0, before.0);
    assert_eq!(snapshot().await, before, "nothing stored");
}

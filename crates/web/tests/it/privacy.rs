//! Privacy: each profile field is seen only by whom its owner chose — on the profile
//! page, in the API, in directory results and in directory filters.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    each_profile_field_is_seen_only_by_whom_its_owner_chose_everywhere,
    unverified_suspended_and_deleted_members_are_not_listed_or_shown,
    my_data_export_holds_everything_about_me_and_nothing_about_others,
    deleting_my_account_erases_personal_data_and_uploads,
    script_in_names_stories_and_channels_never_runs_on_any_page,
];

fn ids(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect()
}

async fn each_profile_field_is_seen_only_by_whom_its_owner_chose_everywhere(app: &TestApp) {
    let ana_member = app.member().named("Ana").email("ana@example.org").signed_up().create().await;
    let ana = ana_member.id.to_string();
    let ben = app.member().named("Ben").email("ben@example.org").signed_up().create().await;
    let migraine = app.condition_id("migraine").await;
    let (s, _) = app
        .patch_profile(
        &ana_member,
        json!({
            "conditions": [migraine],
            "story": "My zebrafinch story about living well",
            "country": "GB",
            "region": "Wales",
            "channels": [{"platform": "instagram", "handle": "ana_ig", "url": "https://instagram.com/ana_ig", "audience_size": 5000}],
            "visibility": {"conditions": "members", "story": "private", "location": "public", "channels": "members"}
        }),
    )
    .await;
    assert_eq!(s, 200);
    let c = app.client();
    let get = async |who: Option<&Member>, path: String| app.get_json(&path, &who).await;
    // The API profile.
    let anon = get(None, format!("/api/v1/members/{ana}")).await;
    assert!(
        anon.get("conditions").is_none() && anon.get("story").is_none() && anon.get("channels").is_none(),
        "{anon}"
    );
    assert_eq!(anon["country"], "GB");
    let member = get(Some(&ben), format!("/api/v1/members/{ana}")).await;
    assert_eq!(member["conditions"][0]["name"], "Migraine");
    assert_eq!(member["channels"][0]["handle"], "ana_ig");
    assert!(member.get("story").is_none(), "private story hidden from other members");
    let own = get(Some(&ana_member), format!("/api/v1/members/{ana}")).await;
    assert!(own["story"].as_str().unwrap().contains("zebrafinch"));
    // The HTML profile page.
    let page = app.get_text(&format!("/members/{ana}"), &c).await;
    assert!(
        page.contains("Ana") && !page.contains("Migraine") && !page.contains("zebrafinch") && !page.contains("ana_ig")
    );
    let ben_browser = app.browser_login("ben@example.org").await;
    let page = app.get_text(&format!("/members/{ana}"), &ben_browser).await;
    assert!(page.contains("Migraine") && page.contains("ana_ig") && !page.contains("zebrafinch"));
    // Directory filters never match a hidden field.
    let by_condition = format!("/api/v1/members?condition={migraine}");
    assert!(
        !ids(&get(None, by_condition.clone()).await).contains(&ana),
        "anonymous cannot find by a members-only condition"
    );
    assert!(ids(&get(Some(&ben), by_condition.clone()).await).contains(&ana));
    let by_story = "/api/v1/members?q=zebrafinch".to_string();
    assert!(!ids(&get(Some(&ben), by_story.clone()).await).contains(&ana), "private story never matches for others");
    assert!(ids(&get(Some(&ana_member), by_story).await).contains(&ana), "but does for its owner");
    assert!(
        ids(&get(None, "/api/v1/members?country=GB".into()).await).contains(&ana),
        "public location matches for anyone"
    );
    let by_channel = "/api/v1/members?platform=instagram&min_audience=1000".to_string();
    assert!(!ids(&get(None, by_channel.clone()).await).contains(&ana));
    assert!(ids(&get(Some(&ben), by_channel).await).contains(&ana));
    assert!(!ids(&get(Some(&ben), "/api/v1/members?platform=instagram&min_audience=6000".into()).await).contains(&ana));
    // Directory cards show only what the viewer may see.
    let anon_cards = get(None, "/api/v1/members?country=GB".into()).await;
    let card = anon_cards["items"].as_array().unwrap().iter().find(|m| m["id"] == ana.as_str()).unwrap().clone();
    assert!(card.get("conditions").is_none() && card.get("story_excerpt").is_none(), "{card}");
    let html = app.get_text(&format!("/members?condition={migraine}"), &c).await;
    assert!(!html.contains(&format!("/members/{ana}\"")), "anonymous HTML directory does not list her by condition");
    let html = app.get_text(&format!("/members?condition={migraine}"), &ben_browser).await;
    assert!(html.contains(&format!("/members/{ana}\"")));
    // Making conditions private hides them from members too.
    assert_eq!(app.patch_profile(&ana_member, json!({"visibility": {"conditions": "private"}})).await.0, 200);
    assert!(!ids(&get(Some(&ben), by_condition).await).contains(&ana));
    assert!(get(Some(&ben), format!("/api/v1/members/{ana}")).await.get("conditions").is_none());
}

async fn unverified_suspended_and_deleted_members_are_not_listed_or_shown(app: &TestApp) {
    let c = app.client();
    let una = json!({"email": "unv@example.org", "password": PASSWORD, "display_name": "Unverified Una", "member_type": "patient"});
    send_expecting(c.post(app.url("/api/v1/auth/signup")).json(&una), 201, "Una signs up").await;
    let Member { id: gone, token: gone_token, .. } =
        app.member().named("Gone Gil").email("gone@example.org").signed_up().create().await;
    let Member { token: viewer, .. } =
        app.member().named("Viewer").email("viewer@example.org").signed_up().create().await;
    let list: Value = app.get_json("/api/v1/members?q=una", &viewer).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(app.call("DELETE", "/api/v1/me", &gone_token, None).await.0, 204);
    let list: Value = app.get_json("/api/v1/members?q=gil", &viewer).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(app.call("GET", &format!("/api/v1/members/{gone}"), &viewer, None).await.0, 404);
    assert_eq!(app.call("GET", &format!("/members/{gone}"), &c, None).await.0, 404);
}

async fn my_data_export_holds_everything_about_me_and_nothing_about_others(app: &TestApp) {
    let Member { token: ana, .. } = app.member().named("Ana").email("ana@example.org").signed_up().create().await;
    let Member { token: ben, .. } = app.member().named("Ben").email("ben@example.org").signed_up().create().await;
    for (who, profile) in [
        (&ben, json!({"story": "Ben's own secret story", "visibility": {"story": "private"}})),
        (&ana, json!({"story": "Ana's story", "pronouns": "she/her", "languages": ["en", "cy"]})),
    ] {
        let (s, v) = app.patch_profile(who, profile).await;
        assert_eq!(s, 200, "{v}");
    }
    let r = app.request("GET", "/api/v1/me/export", &ana).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let text = r.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["account"]["email"], "ana@example.org");
    assert_eq!(doc["profile"]["story"], "Ana's story");
    assert_eq!(doc["profile"]["languages"], json!(["en", "cy"]));
    assert!(doc["security_log"].as_array().unwrap().iter().any(|e| e["action"] == "login"));
    assert!(!text.contains("ben@example.org") && !text.contains("secret story"));
    assert!(!text.contains("password_hash") && !text.contains("$argon2"), "no secrets in the export");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'data_export'").await,
        1,
        "exports are audited"
    );
    // The HTML download is a POST (CSRF-protected), not a link.
    let b = app.browser_login("ana@example.org").await;
    let r = form_post(app, &b, "/settings/data/export", &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["account"]["email"], "ana@example.org");
    assert_eq!(app.call("GET", "/settings/data/export", &b, None).await.0, 405);
}

async fn deleting_my_account_erases_personal_data_and_uploads(app: &TestApp) {
    let Member { id: ana_id, token: ana, .. } =
        app.member().named("Ana Erased").email("ana@example.org").signed_up().create().await;
    let profile =
        json!({"story": "to be forgotten", "country": "FR", "conditions": [app.condition_id("migraine").await]});
    let (s, v) = app.patch_profile(&ana, profile).await;
    assert_eq!(s, 200, "Ana's profile: {v}");
    let b = app.browser_login("ana@example.org").await;
    let png = crate::profiles::png(400, 300);
    expect_status(upload_avatar(app, &b, png).await, 303, "Ana's photo").await;
    let files = std::fs::read_dir(app.state.config.uploads_dir().join("avatars")).unwrap().count();
    assert_eq!(files, 1);
    let r = form_post(app, &b, "/settings/delete", &[("password", "not my password")]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE status = 'deleted'").await, 0);
    let r = form_post(app, &b, "/settings/delete", &[("password", PASSWORD)]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(std::fs::read_dir(app.state.config.uploads_dir().join("avatars")).unwrap().count(), 0, "photo erased");
    let id = ana_id;
    let leftover: i64 = app
        .state
        .db
        .scalar(
            "SELECT COUNT(*) FROM members WHERE id = $1 AND (email IS NOT NULL OR story <> '' OR country <> '' OR display_name <> 'Deleted member')",
            vec![id.into()],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leftover, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM member_conditions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'MemberDeleted'").await, 1);
    assert_eq!(app.ask_token("ana@example.org", PASSWORD).await.0, 401);
    assert!(app.problems().await.is_empty(), "invariants hold after erasure");
    // The address can be used again for a new account.
    app.signup_verified("ana@example.org", "Ana Again").await;
}

pub async fn upload_avatar(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>) -> reqwest::Response {
    let token = csrf_of(&app.get_text("/settings/profile", c).await);
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .part("avatar", reqwest::multipart::Part::bytes(bytes).file_name("me.png"));
    c.post(app.url("/settings/avatar")).multipart(form).send().await.unwrap()
}

async fn script_in_names_stories_and_channels_never_runs_on_any_page(app: &TestApp) {
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"><svg onload=alert(1)>",
        "[x](javascript:alert(1))",
    ];
    let Member { id, token, .. } =
        app.member().named("<script>alert('name')</script>").email("xss@example.org").signed_up().create().await;
    let story = payloads.join("\n\n");
    let (s, _) = app
        .patch_profile(
        &token,
        json!({"story": story, "pronouns": "<b onmouseover=alert(1)>x</b>",
               "channels": [{"platform": "blog", "handle": "<script>alert(2)</script>", "url": "https://example.org/\"><script>alert(3)</script>"}],
               "visibility": {"story": "public", "channels": "public", "pronouns": "public"}}),
    )
    .await;
    assert_eq!(s, 200);
    let c = app.browser_login("xss@example.org").await;
    for path in [format!("/members/{id}"), "/members".to_string(), "/".to_string(), "/settings/profile".to_string()] {
        let html = app.get_text(&path, &c).await;
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script>alert"), "{path}");
        // Escaped text such as `&lt;img onerror=…&gt;` is inert; a live tag is not.
        assert!(!lower.contains("<img src=x") && !lower.contains("<svg"), "{path}");
        assert!(!lower.contains("href=\"javascript:"), "{path}");
        assert!(!lower.contains("<b onmouseover"), "{path}");
    }
}

//! Profiles and the directory: editing, validation, avatars, filters and pagination.

use std::io::Cursor;

use serde_json::{Value, json};

use crate::both_backends;
use crate::privacy::upload_avatar;
use crate::support::*;

both_backends![
    a_bad_profile_change_is_refused_whole_with_reasons_per_field,
    completing_a_profile_emits_one_profile_completed_event,
    the_profile_form_keeps_input_and_shows_errors_inline,
    avatars_are_squared_reencoded_and_served_only_to_whom_the_owner_allows,
    the_directory_pages_through_every_match_once_in_name_order,
    member_search_finds_any_part_of_a_name_or_story_and_follows_every_change,
];

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 255) as u8, (y % 255) as u8, 90]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

async fn me(app: &TestApp, who: &Member) -> Value {
    app.get_json("/api/v1/me", who).await
}

async fn a_bad_profile_change_is_refused_whole_with_reasons_per_field(app: &TestApp) {
    let pat = app.member().named("Pat").email("pat@example.org").signed_up().create().await;
    let before = me(app, &pat).await;
    let bad = json!({
        "story": "changed?",
        "conditions": ["00000000-0000-7000-8000-000000000000"],
        "country": "Narnia",
        "time_zone": "Moon/Base",
        "languages": ["english"],
        "channels": [{"platform": "myspace", "handle": "x"}],
        "visibility": {"conditions": "everyone", "shoe_size": "public"}
    });
    let (s, v) = app.patch_profile(&pat, bad).await;
    assert_eq!(s, 422);
    for field in ["conditions", "country", "time_zone", "languages", "channels", "visibility"] {
        assert!(v["error"]["fields"][field].is_string(), "{field}: {v}");
    }
    assert_eq!(me(app, &pat).await, before, "nothing changed");
    assert_eq!(app.patch_profile(&pat, json!({"conditions": "migraine"})).await.0, 400, "wrong type");
    assert_eq!(app.patch_profile(&Visitor, json!({"story": "x"})).await.0, 401, "signed out");
    assert_eq!(app.patch_profile("shn_forged", json!({"story": "x"})).await.0, 401, "forged token");
    let long = "x".repeat(10_001);
    assert_eq!(app.patch_profile(&pat, json!({"story": long})).await.0, 422);
    assert_eq!(me(app, &pat).await, before);
}

async fn completing_a_profile_emits_one_profile_completed_event(app: &TestApp) {
    let cal = app.member().named("Cal").email("cal@example.org").signed_up().create().await;
    let ms = app.get_json("/api/v1/conditions?q=ms", &Visitor).await;
    assert!(
        ms["items"].as_array().unwrap().iter().any(|c| c["name"] == "Multiple Sclerosis"),
        "synonyms are searchable: {ms}"
    );
    let id = ms["items"][0]["id"].as_str().unwrap().to_string();
    for body in
        [json!({"story": "Hello"}), json!({"conditions": [id], "country": "NG"}), json!({"story": "Hello again"})]
    {
        assert_eq!(app.patch_profile(&cal, body).await.0, 200);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'ProfileCompleted'").await, 1);
}

async fn the_profile_form_keeps_input_and_shows_errors_inline(app: &TestApp) {
    app.signup_verified("dee@example.org", "Dee").await;
    let b = app.browser_login("dee@example.org").await;
    let profile = |country| {
        vec![
            ("display_name", "Dee Updated"),
            ("story", "Kept story text"),
            ("country", country),
            ("member_type", "advocate"),
            ("vis_story", "public"),
        ]
    };
    let r = form_post(app, &b, "/settings/profile", &profile("Atlantis")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Kept story text"), "input kept");
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("Use a two-letter country code"));
    assert!(html.contains("There is a problem"));
    let mut with_channel = profile("ie");
    with_channel.extend([
        ("channel_platform", "youtube"),
        ("channel_handle", "deevids"),
        ("channel_url", "https://youtube.com/@deevids"),
        ("channel_audience", "1200"),
    ]);
    assert_eq!(form_post(app, &b, "/settings/profile", &with_channel).await.status(), 303);
    let html = app.get_text("/settings/profile?done=profile", &b).await;
    assert!(html.contains("Your profile has been saved."));
    assert!(html.contains("value=\"IE\"") && html.contains("deevids"));
}

async fn avatars_are_squared_reencoded_and_served_only_to_whom_the_owner_allows(app: &TestApp) {
    let eve = app.member().named("Eve").email("eve@example.org").signed_up().create().await;
    let b = app.browser_login("eve@example.org").await;
    let r = upload_avatar(app, &b, b"GIF89a definitely not allowed".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Upload a JPEG, PNG or WebP image."));
    let r = upload_avatar(app, &b, png(800, 500)).await;
    assert_eq!(r.status(), 303);
    let avatar = format!("/members/{}/avatar", eve.id);
    let bytes = app.request("GET", &avatar, &b).send().await.unwrap().bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (256, 256));
    assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::Jpeg);
    assert_eq!(app.send("GET", &avatar, &Visitor).await.0, 404, "members-only by default");
    let (s, v) = app.patch_profile(&eve, json!({"visibility": {"avatar": "public"}})).await;
    assert_eq!(s, 200, "photo made public: {v}");
    assert_eq!(app.send("GET", &avatar, &Visitor).await.0, 200);
}

/// `path` with these query parameters, encoded.
fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    format!("{path}?{}", serde_urlencoded::to_string(pairs).unwrap())
}

/// The display names on every page of a directory listing, and how many pages there were.
async fn names_on_every_page(app: &TestApp, path: &str, who: &Member) -> (Vec<String>, usize) {
    let pages = app.pages(path, who).await;
    let names = pages.iter().flat_map(|v| v["items"].as_array().unwrap().iter());
    (names.map(|m| m["display_name"].as_str().unwrap().to_string()).collect(), pages.len())
}

async fn the_directory_pages_through_every_match_once_in_name_order(app: &TestApp) {
    let viewer = app.member().named("Zed Viewer").email("viewer@example.org").signed_up().create().await;
    let migraine = app.condition_id("migraine").await;
    let mut people = Vec::new();
    for i in 0..23 {
        let email = format!("p{i}@example.org");
        let person = app.member().named(&format!("Person {:02}", 22 - i)).email(&email).signed_up().create().await;
        let kind = if i % 2 == 0 { "caregiver" } else { "advocate" };
        let mut patch = json!({"member_type": kind});
        if i % 4 != 3 {
            patch["conditions"] = json!([migraine]);
            patch["visibility"] = json!({"conditions": "members"});
        }
        let (s, v) = app.patch_profile(&person, patch).await;
        assert_eq!(s, 200, "profile {i}: {v}");
        people.push(person);
    }
    let viewer = &viewer;
    let page_through = |query: String| async move {
        names_on_every_page(app, &format!("/api/v1/members?{query}&limit=10"), viewer).await
    };
    let (seen, pages) = page_through("q=person".into()).await;
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "each once, in name order");
    assert_eq!(seen.len(), 23);

    // Filtered by a condition, in name order too, and still after a member renames.
    let by_condition = format!("condition={migraine}");
    let (with_migraine, _) = page_through(by_condition.clone()).await;
    let expected: Vec<String> =
        sorted.iter().filter(|n| (22 - n[7..].parse::<u32>().unwrap()) % 4 != 3).cloned().collect();
    assert_eq!(with_migraine, expected);
    let (s, v) = app.patch_profile(&people[0], json!({"display_name": "Abigail Person"})).await;
    assert_eq!(s, 200, "a member renamed: {v}");
    let (renamed, _) = page_through(by_condition).await;
    assert_eq!(renamed[0], "Abigail Person");
    assert!(!renamed.contains(&"Person 22".to_string()));
    assert_eq!(renamed.len(), expected.len());
    let carers = app.get_json("/api/v1/members?member_type=caregiver&limit=100", viewer).await;
    assert_eq!(carers["items"].as_array().unwrap().len(), 12);
    for (q, code) in [
        ("cursor=garbage", "invalid_cursor"),
        ("member_type=wizard", "validation_failed"),
        ("condition=nope", "validation_failed"),
        ("limit=lots", "invalid_query"),
    ] {
        let r = app.request("GET", &format!("/api/v1/members?{q}"), &Visitor).send().await.unwrap();
        assert!(r.status().is_client_error(), "{q}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], code, "{q}");
    }
    let (s, html) = app.send("GET", "/members?cursor=garbage", &Visitor).await;
    assert_eq!(s, 400);
    assert!(html.contains("The page cursor is not valid"));
}

async fn member_search_finds_any_part_of_a_name_or_story_and_follows_every_change(app: &TestApp) {
    // More members than the directory walks in name order before it asks the text index.
    app.load_demo(4).await;
    app.load_scale(0.03).await;
    let viewer = app.member().named("Viewer").email("viewer@example.org").signed_up().create().await;
    let ana = app.member().named("Ana Quillfeather").email("ana@example.org").signed_up().create().await;
    let ben = app.member().named("Ben Okafor").email("ben@example.org").signed_up().create().await;
    let patch = async |who: &Member, body: Value| assert_eq!(app.patch_profile(who, body).await.0, 200);
    let story = "I care for my dad, who keeps zebrafish called Wobblequill.";
    patch(&ben, json!({"story": story, "visibility": {"story": "members"}})).await;
    let found = |q: &str| {
        let path = with_query("/api/v1/members", &[("q", q)]);
        let viewer = &viewer;
        async move {
            let v = app.get_json(&path, viewer).await;
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["display_name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("illfeath").await, ["Ana Quillfeather"], "the middle of a name");
    assert_eq!(found("obblequi").await, ["Ben Okafor"], "the middle of a word in a story");
    assert_eq!(found("WOBBLEQUILL.").await, ["Ben Okafor"], "in any case, with punctuation");
    assert_eq!(found("called wobble").await, ["Ben Okafor"], "across words");
    assert_eq!(found("\"wobble").await, Vec::<String>::new(), "quotes are text, not syntax");
    for odd in ["wob\u{0}ble", "wob\u{7}ble"] {
        let (s, v) = app.call("GET", &with_query("/api/v1/members", &[("q", odd)]), &viewer, None).await;
        assert_eq!(s, 422, "{odd:?}");
        assert_eq!(v["error"]["code"], "validation_failed", "{odd:?}");
        for page in ["/search", "/members", "/api/v1/search", "/api/v1/conditions"] {
            let (s, text) = app.send("GET", &with_query(page, &[("q", odd)]), &viewer).await;
            assert!((400..500).contains(&s), "{odd:?} on {page}: {s}");
            assert!(text.contains("letters, numbers and punctuation"), "{odd:?} on {page}: says why");
        }
    }

    // Text some members hold: more than a page, but fewer than a page in a window of
    // 1000 members by name (so the pages come from the text index). Paged through,
    // each match once, in name order, as one query over all members lists them.
    let matching = "FROM members WHERE status = 'active' AND email_verified_at IS NOT NULL \
                    AND (name_key LIKE $1 OR (story_key LIKE $1 AND vis_story <> 'private'))";
    let mut text = None;
    for name in app.condition_names().await {
        let like = format!("%{}%", name.to_lowercase());
        let n: i64 =
            app.state.db.scalar(&format!("SELECT COUNT(*) {matching}"), vec![like.into()]).await.unwrap().unwrap();
        if (12..=30).contains(&n) {
            text = Some(name.to_lowercase());
            break;
        }
    }
    let text = text.expect("a condition some members write about");
    #[derive(sea_orm::FromQueryResult)]
    struct Name {
        display_name: String,
    }
    let expected: Vec<String> = app
        .state
        .db
        .all::<Name>(&format!("SELECT display_name {matching} ORDER BY name_key, id"), vec![format!("%{text}%").into()])
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.display_name)
        .collect();
    let paged = with_query("/api/v1/members", &[("q", &text), ("limit", "10")]);
    let (seen, _) = names_on_every_page(app, &paged, &viewer).await;
    assert_eq!(seen, expected, "\"{text}\" paged through");

    patch(&ben, json!({"story": "Running helps me, and so does my axolotl Pebblesnout."})).await;
    assert!(found("wobblequill").await.is_empty(), "words of a changed story no longer match");
    assert_eq!(found("pebblesnout").await, ["Ben Okafor"], "the new story matches");
    patch(&ana, json!({"display_name": "Ana Zyxwoven"})).await;
    assert!(found("illfeath").await.is_empty());
    assert_eq!(found("zyxwov").await, ["Ana Zyxwoven"], "a new name matches");
    patch(&ben, json!({"visibility": {"story": "private"}})).await;
    assert!(found("pebblesnout").await.is_empty(), "a story made private stops matching");
    assert_eq!(app.call("DELETE", "/api/v1/me", &ana, None).await.0, 204);
    assert!(found("zyxwov").await.is_empty(), "an erased member is not found");
    if app.state.db.backend() == kernel::db::Backend::Sqlite {
        // Nor is the erased name left in the text index itself.
        let left: i64 = app
            .state
            .db
            .scalar("SELECT COUNT(*) FROM member_text WHERE member_text MATCH '\"zyxwoven\"'", vec![])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(left, 0, "erasure leaves nothing of the name in the text index");
    }
}

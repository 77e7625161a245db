//! Articles: members write drafts that only they and the editors can read on every
//! surface (page, API, search, feeds, images); editors take them through the workflow
//! with comments on the whole or on a paragraph; published articles have a public page
//! with the author's card, Open Graph and JSON-LD, and valid Atom feeds; points are paid
//! once for publishing and once for featuring; scheduled articles appear at their time;
//! forms keep what was typed; export and erasure cover a member's articles.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    a_draft_and_an_article_in_review_are_seen_only_by_their_author_and_editors_on_every_surface,
    the_workflow_runs_from_draft_through_changes_requested_to_published_and_featured,
    points_are_paid_once_for_publishing_and_once_for_featuring_even_after_a_republish,
    members_get_not_found_on_staff_routes_and_calls_without_a_token_must_authenticate,
    a_scheduled_article_appears_at_its_time_by_the_job,
    the_article_page_has_the_authors_card_reading_time_open_graph_and_json_ld,
    the_atom_feeds_parse_and_hold_only_published_articles,
    search_finds_published_articles_only_and_the_home_page_shows_featured_ones,
    the_forms_keep_what_was_typed_and_say_what_is_wrong_beside_each_field,
    editors_comment_on_a_paragraph_and_the_author_sees_it_beside_that_paragraph,
    images_are_reencoded_and_shown_only_to_those_who_may_read_the_article,
    my_export_holds_my_articles_and_erasure_removes_them_with_their_images,
    the_api_document_lists_the_fixed_routes,
    the_demo_has_published_articles_one_featured_and_one_in_review,
];

/// A draft by `author` through the API; its JSON.
async fn draft(app: &TestApp, author: &Member, title: &str, body: &str) -> Value {
    let (s, v) = app.call("POST", "/api/v1/articles", author, Some(json!({"title": title, "body": body}))).await;
    assert_eq!(s, 201, "draft: {v}");
    v
}

async fn submit(app: &TestApp, author: &Member, id: &str) {
    let (s, v) = app.call("POST", &format!("/api/v1/articles/{id}/submit"), author, None).await;
    assert_eq!(s, 200, "submit: {v}");
}

/// Staff move an article; the answer's status and body.
async fn move_to(app: &TestApp, staff: &(impl Caller + ?Sized), id: &str, body: Value) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/admin/articles/{id}/status"), staff, Some(body)).await
}

async fn moved(app: &TestApp, staff: &Member, id: &str, status: &str) {
    let (s, v) = move_to(app, staff, id, json!({"status": status, "comment": "ok"})).await;
    assert_eq!(s, 200, "move to {status}: {v}");
}

/// A published article by `author` (written, submitted, reviewed, published); its JSON.
async fn published(app: &TestApp, staff: &Member, author: &Member, title: &str, body: &str) -> Value {
    let a = draft(app, author, title, body).await;
    let id = a["id"].as_str().unwrap();
    submit(app, author, id).await;
    moved(app, staff, id, "in_review").await;
    moved(app, staff, id, "published").await;
    app.get_json(&format!("/api/v1/articles/{id}"), author).await
}

fn id_of(a: &Value) -> String {
    a["id"].as_str().unwrap().to_string()
}

async fn status_of(app: &TestApp, path: &str, who: &(impl Caller + ?Sized)) -> u16 {
    app.send("GET", path, who).await.0
}

async fn a_draft_and_an_article_in_review_are_seen_only_by_their_author_and_editors_on_every_surface(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ana, ben) = (app.member().named("Ana").create().await, app.member().named("Ben").create().await);
    let a = draft(app, &ana, "Zebrafish and me", "A private zebrafish draft.").await;
    let (id, slug) = (id_of(&a), a["slug"].as_str().unwrap().to_string());
    let ana_browser = app.member().named("Ana's twin").with_password().create().await;
    for stage in ["draft", "submitted", "in_review"] {
        match stage {
            "submitted" => submit(app, &ana, &id).await,
            "in_review" => moved(app, &staff, &id, "in_review").await,
            _ => {}
        }
        let api = format!("/api/v1/articles/{id}");
        assert_eq!(status_of(app, &api, &ana).await, 200, "{stage}: the author reads it");
        assert_eq!(status_of(app, &api, &staff).await, 200, "{stage}: editors read it");
        assert_eq!(status_of(app, &api, &ben).await, 404, "{stage}: another member does not");
        assert_eq!(status_of(app, &api, &Visitor).await, 404, "{stage}: nor a visitor");
        let page = format!("/articles/{slug}");
        assert_eq!(status_of(app, &page, &ben).await, 404, "{stage}: nor the page");
        assert_eq!(status_of(app, &page, &Visitor).await, 404, "{stage}");
        let browser = ana_browser.browser(app).await;
        assert_eq!(status_of(app, &page, &browser).await, 404, "{stage}: a stranger's browser neither");
        for who in [&ana, &ben, &staff] {
            let found = app.get_text("/api/v1/search?q=zebrafish", who).await;
            assert!(!found.contains("Zebrafish and me"), "{stage}: search finds no unpublished article");
        }
        let feed = app.get_text("/articles/feed.atom", &ana).await;
        assert!(!feed.contains("Zebrafish"), "{stage}: the feed holds none");
        let author_feed = app.get_text(&format!("/articles/authors/{}/feed.atom", ana.id), &ana).await;
        assert!(!author_feed.contains("Zebrafish"), "{stage}: nor the author's feed");
        assert!(!app.get_text("/articles", &staff).await.contains("Zebrafish"), "{stage}: nor the list");
        assert!(!app.get_text("/api/v1/articles", &ana).await.contains("Zebrafish"), "{stage}: nor the API list");
    }
    let seen = app.get_json(&format!("/api/v1/articles/{id}"), &ana).await;
    assert!(seen["comments"].is_array(), "the author sees the conversation");
    moved(app, &staff, &id, "published").await;
    assert_eq!(status_of(app, &format!("/articles/{slug}"), &Visitor).await, 200, "published: public");
    let public = app.get_json(&format!("/api/v1/articles/{id}"), &Visitor).await;
    assert!(public.get("comments").is_none(), "the public never sees the editors' comments: {public}");
}

async fn the_workflow_runs_from_draft_through_changes_requested_to_published_and_featured(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let id = id_of(&draft(app, &ana, "My first year", "It began in March.").await);
    let (s, v) = move_to(app, &staff, &id, json!({"status": "in_review"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("invalid_transition")), "a draft is the author's: {v}");
    submit(app, &ana, &id).await;
    let (s, v) = app.call("POST", &format!("/api/v1/articles/{id}/submit"), &ana, None).await;
    assert_eq!(s, 409, "submitted twice: {v}");
    let (s, v) = move_to(app, &staff, &id, json!({"status": "changes_requested"})).await;
    assert_eq!(s, 422, "asking for changes needs a note: {v}");
    assert!(v["error"]["fields"]["comment"].is_string());
    let (s, v) = move_to(app, &staff, &id, json!({"status": "changes_requested", "comment": "Say which March."})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("changes_requested")), "{v}");
    let seen = app.get_json(&format!("/api/v1/articles/{id}"), &ana).await;
    assert!(seen["comments"].as_array().unwrap().iter().any(|c| c["body"] == "Say which March."), "{seen}");
    let revised = json!({"title": "My first year", "body": "It began in March 2024."});
    let (s, v) = app.call("PUT", &format!("/api/v1/articles/{id}"), &ana, Some(revised)).await;
    assert_eq!((s, v["body"].as_str()), (200, Some("It began in March 2024.")), "{v}");
    submit(app, &ana, &id).await;
    moved(app, &staff, &id, "in_review").await;
    moved(app, &staff, &id, "published").await;
    let (s, v) =
        app.call("PUT", &format!("/api/v1/articles/{id}"), &ana, Some(json!({"title": "New", "body": "x"}))).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("not_editable")),
        "published text is the editors' now: {v}"
    );
    let (s, v) = move_to(app, &staff, &id, json!({"status": "changes_requested", "comment": "no"})).await;
    assert_eq!(s, 409, "published cannot go back to the author: {v}");
    moved(app, &staff, &id, "featured").await;
    let a = app.get_json(&format!("/api/v1/articles/{id}"), &Visitor).await;
    assert_eq!(a["status"], "featured");
    assert!(a["published_at"].is_string() && a["featured_at"].is_string(), "{a}");
    let (s, _) = move_to(app, &staff, &id, json!({"status": "teleported"})).await;
    assert_eq!(s, 422, "an unknown status is a validation error");
    let (s, _) = move_to(app, &staff, &uuid::Uuid::now_v7().to_string(), json!({"status": "published"})).await;
    assert_eq!(s, 404);
    let mine = app.get_json("/api/v1/me/articles", &ana).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

async fn points_are_paid_once_for_publishing_and_once_for_featuring_even_after_a_republish(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let id = id_of(&published(app, &staff, &ana, "Points", "Worth it.").await);
    moved(app, &staff, &id, "featured").await;
    moved(app, &staff, &id, "published").await;
    moved(app, &staff, &id, "featured").await;
    moved(app, &staff, &id, "published").await;
    app.award_points().await;
    app.redeliver_to_rewards().await;
    let points = app.get_json("/api/v1/me/points", &ana).await;
    assert_eq!(points["balance"], 250, "150 for publishing and 100 for featuring, once each: {points}");
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'ArticlePublished'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'ArticleFeatured'").await, 1);
}

async fn members_get_not_found_on_staff_routes_and_calls_without_a_token_must_authenticate(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let ben = app.member().named("Ben").create().await;
    let id = id_of(&draft(app, &ana, "Mine", "Only mine.").await);
    submit(app, &ana, &id).await;
    let status = json!({"status": "published"});
    assert_eq!(move_to(app, &ana, &id, status.clone()).await.0, 404, "the author is no editor");
    assert_eq!(move_to(app, &ben, &id, status.clone()).await.0, 404);
    assert_eq!(move_to(app, &ben, &id, json!("not even an object")).await.0, 404, "refused before the body is read");
    assert_eq!(move_to(app, &Visitor, &id, status.clone()).await.0, 401);
    let comment = json!({"body": "hi"});
    assert_eq!(app.call("POST", &format!("/api/v1/admin/articles/{id}/comments"), &ben, Some(comment)).await.0, 404);
    assert_eq!(status_of(app, "/api/v1/admin/articles", &ben).await, 404);
    assert_eq!(status_of(app, "/api/v1/admin/articles", &Visitor).await, 401);
    assert_eq!(app.call("POST", "/api/v1/articles", &Visitor, Some(json!({"title": "abc", "body": "x"}))).await.0, 401);
    assert_eq!(app.call("POST", &format!("/api/v1/articles/{id}/submit"), &ben, None).await.0, 404, "not Ben's");
    let b = ana.browser(app).await;
    for page in ["/admin/articles".to_string(), format!("/admin/articles/{id}")] {
        assert_eq!(status_of(app, &page, &b).await, 404, "{page}");
    }
    let r = form_post(app, &b, &format!("/admin/articles/{id}/status"), &[("status", "published")]).await;
    assert_eq!(r.status(), 404);
    let queue = app.get_json("/api/v1/admin/articles", &staff).await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "staff see the queue: {queue}");
}

async fn a_scheduled_article_appears_at_its_time_by_the_job(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let id = id_of(&draft(app, &ana, "Timely words", "Out soon.").await);
    submit(app, &ana, &id).await;
    moved(app, &staff, &id, "in_review").await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let (s, v) = move_to(app, &staff, &id, json!({"status": "scheduled", "publish_at": soon})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("scheduled")), "{v}");
    let (s, v) = move_to(app, &staff, &id, json!({"status": "in_review"})).await;
    assert_eq!(s, 200, "editors may unschedule: {v}");
    moved(app, &staff, &id, "scheduled").await;
    let (s, _) = move_to(app, &staff, &id, json!({"status": "in_review"})).await;
    assert_eq!(s, 200);
    let (s, v) = move_to(app, &staff, &id, json!({"status": "scheduled", "publish_at": "next tuesday"})).await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = move_to(app, &staff, &id, json!({"status": "scheduled", "publish_at": soon})).await;
    assert_eq!(s, 200);
    app.drain().await;
    assert_eq!(status_of(app, &format!("/api/v1/articles/{id}"), &Visitor).await, 404, "not before its time");
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    app.drain().await;
    let a = app.get_json(&format!("/api/v1/articles/{id}"), &Visitor).await;
    assert_eq!(a["status"], "published", "published by the job at its time: {a}");
    assert!(app.get_text("/articles/feed.atom", &Visitor).await.contains("Timely words"));
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'ArticlePublished'").await, 1);
}

async fn the_article_page_has_the_authors_card_reading_time_open_graph_and_json_ld(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana Lima").create().await;
    let (s, _) =
        app.patch_profile(&ana, json!({"story": "Caregiver and runner.", "visibility": {"story": "members"}})).await;
    assert_eq!(s, 200);
    let body = format!("{}\n\nSecond paragraph with <script>alert(1)</script>.", "word ".repeat(450));
    let a = published(app, &staff, &ana, "Running with \"asthma\"", &body).await;
    let html = app.get_text(&format!("/articles/{}", a["slug"].as_str().unwrap()), &Visitor).await;
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"), "Open Graph type");
    assert!(html.contains("<meta property=\"og:title\" content=\"Running with &quot;asthma&quot;\">"));
    assert!(html.contains("property=\"og:url\"") && html.contains("property=\"og:description\""));
    assert!(html.contains("application/ld+json") && html.contains("\"@type\":\"Article\""), "JSON-LD");
    assert!(html.contains("\"headline\":\"Running with \\\"asthma\\\"\""));
    assert!(html.contains("3 min read"), "450 words at 200 a minute");
    assert!(html.contains("About the author") && html.contains("Ana Lima"));
    assert!(!html.contains("Caregiver and runner."), "the card shows a visitor only what they may see");
    assert!(!html.contains("<script>alert(1)"), "the text is sanitised");
    let ben = app.member().with_password().create().await;
    let as_member = app.get_text(&format!("/articles/{}", a["slug"].as_str().unwrap()), &ben.browser(app).await).await;
    assert!(as_member.contains("Caregiver and runner."), "a member sees the members-only story");
    assert!(html.contains(&format!("/articles/authors/{}/feed.atom", ana.id)), "the author's feed is linked");
}

/// The entries' titles of an Atom feed, after checking it is well-formed Atom.
fn atom_titles(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("the feed is XML: {e}\n{xml}"));
    let atom = "http://www.w3.org/2005/Atom";
    let root = doc.root_element();
    assert_eq!((root.tag_name().namespace(), root.tag_name().name()), (Some(atom), "feed"));
    for required in ["id", "title", "updated"] {
        assert!(root.children().any(|c| c.has_tag_name((atom, required))), "the feed has <{required}>");
    }
    root.children()
        .filter(|c| c.has_tag_name((atom, "entry")))
        .map(|e| {
            for required in ["id", "title", "updated", "author", "link", "content"] {
                assert!(e.children().any(|c| c.has_tag_name((atom, required))), "an entry has <{required}>");
            }
            let updated = e.children().find(|c| c.has_tag_name((atom, "updated"))).and_then(|c| c.text()).unwrap();
            assert!(chrono::DateTime::parse_from_rfc3339(updated).is_ok(), "RFC 3339 dates: {updated}");
            e.children().find(|c| c.has_tag_name((atom, "title"))).and_then(|c| c.text()).unwrap().to_string()
        })
        .collect()
}

async fn the_atom_feeds_parse_and_hold_only_published_articles(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ana, ben) = (app.member().named("Ana").create().await, app.member().named("Ben & Co").create().await);
    published(app, &staff, &ana, "Tea & <biscuits>", "Ana's **first**.\n\nAnd more.").await;
    published(app, &staff, &ben, "Ben's view", "Ben writes.").await;
    draft(app, &ana, "Ana's secret draft", "Not yet.").await;
    let r = app.request("GET", "/articles/feed.atom", &Visitor).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let mut titles = atom_titles(&r.text().await.unwrap());
    titles.sort();
    assert_eq!(titles, vec!["Ben's view", "Tea & <biscuits>"]);
    let anas = atom_titles(&app.get_text(&format!("/articles/authors/{}/feed.atom", ana.id), &ana).await);
    assert_eq!(anas, vec!["Tea & <biscuits>"], "one author's feed holds their published articles only");
    let nobody = uuid::Uuid::now_v7();
    assert_eq!(status_of(app, &format!("/articles/authors/{nobody}/feed.atom"), &Visitor).await, 404);
    assert!(app.get_text("/articles", &Visitor).await.contains("href=\"/articles/feed.atom\""));
}

async fn search_finds_published_articles_only_and_the_home_page_shows_featured_ones(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let a = published(app, &staff, &ana, "Kumquat season", "All about kumquats.").await;
    draft(app, &ana, "Kumquat draft", "Secret kumquats.").await;
    let found = app.get_json("/api/v1/search?q=kumquat", &ana).await;
    let hits: Vec<&str> = found["learning"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap()).collect();
    assert_eq!(hits, vec!["Kumquat season"], "{found}");
    let b = ana.browser(app).await;
    assert!(!app.get_text("/", &b).await.contains("Kumquat season"), "only featured ones are new this month");
    moved(app, &staff, &id_of(&a), "featured").await;
    let home = app.get_text("/", &b).await;
    assert!(home.contains("Kumquat season") && home.contains(&format!("/articles/{}", a["slug"].as_str().unwrap())));
}

async fn the_forms_keep_what_was_typed_and_say_what_is_wrong_beside_each_field(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let b = ana.browser(app).await;
    let page = app.get_text("/articles/new", &b).await;
    let csrf = csrf_of(&page);
    let r = b
        .post(app.url("/articles/new"))
        .form(&[("csrf", csrf.as_str()), ("title", "x"), ("body", "My <em>unfinished</em> thoughts")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("Give a title of 3 to 160 characters."));
    assert!(html.contains("My &lt;em&gt;unfinished&lt;/em&gt; thoughts"), "the text typed is kept");
    let r = b
        .post(app.url("/articles/new"))
        .form(&[("csrf", csrf.as_str()), ("title", "A good title"), ("body", "Fine words.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let id = edit.trim_start_matches("/articles/").split('/').next().unwrap().to_string();
    let edit_page = app.get_text(&edit, &b).await;
    assert!(edit_page.contains("Your article is saved.") && edit_page.contains("Fine words."));
    let r = form_post(
        app,
        &b,
        &format!("/articles/{id}/edit"),
        &[("title", "A good title"), ("body", "Better words."), ("then", "submit")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.get_json(&format!("/api/v1/articles/{id}"), &ana).await["status"], "submitted");
    let sb = staff.browser(app).await;
    assert!(app.get_text("/admin/articles", &sb).await.contains("A good title"), "the queue lists it");
    let review = app.get_text(&format!("/admin/articles/{id}"), &sb).await;
    let csrf = csrf_of(&review);
    let form = [("csrf", csrf.as_str()), ("status", "changes_requested"), ("comment", ""), ("publish_at", "")];
    let r = sb.post(app.url(&format!("/admin/articles/{id}/status"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Say what the author should change.") && html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"changes_requested\" selected"), "the status chosen is kept");
    let form = [("csrf", csrf.as_str()), ("status", "scheduled"), ("comment", "Soon"), ("publish_at", "tomorrow-ish")];
    let r = sb.post(app.url(&format!("/admin/articles/{id}/status"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422, "the moment must read as one");
    let text = r.text().await.unwrap();
    assert!(text.contains("Soon") && text.contains("tomorrow-ish"), "both typed values are kept");
}

async fn editors_comment_on_a_paragraph_and_the_author_sees_it_beside_that_paragraph(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let id = id_of(&draft(app, &ana, "Three parts", "First part.\n\nSecond part.\n\nThird part.").await);
    submit(app, &ana, &id).await;
    let comments = format!("/api/v1/admin/articles/{id}/comments");
    let (s, v) = app.call("POST", &comments, &staff, Some(json!({"body": "Too long?", "paragraph": 9}))).await;
    assert_eq!((s, v["error"]["fields"]["paragraph"].is_string()), (422, true), "{v}");
    let (s, _) = app.call("POST", &comments, &staff, Some(json!({"body": "   "}))).await;
    assert_eq!(s, 422);
    let sb = staff.browser(app).await;
    let r = form_post(
        app,
        &sb,
        &format!("/admin/articles/{id}/comments"),
        &[("paragraph", "2"), ("body", "Name the clinic here.")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (s, _) = app.call("POST", &comments, &staff, Some(json!({"body": "Lovely overall."}))).await;
    assert_eq!(s, 201);
    let review = app.get_text(&format!("/admin/articles/{id}"), &sb).await;
    let second = review.find("Second part.").unwrap();
    let third = review.find("Third part.").unwrap();
    let note = review.find("Name the clinic here.").unwrap();
    assert!(second < note && note < third, "the inline comment sits under its paragraph");
    moved(app, &staff, &id, "changes_requested").await;
    let edit = app.get_text(&format!("/articles/{id}/edit"), &ana.browser(app).await).await;
    assert!(
        edit.contains("On paragraph 2") && edit.contains("Name the clinic here.") && edit.contains("Lovely overall.")
    );
    let v = app.get_json(&format!("/api/v1/articles/{id}"), &ana).await;
    assert!(v["comments"].as_array().unwrap().iter().any(|c| c["paragraph"] == 2), "{v}");
}

async fn upload_image(app: &TestApp, b: &reqwest::Client, id: &str, bytes: Vec<u8>) -> reqwest::Response {
    let token = csrf_of(&app.get_text(&format!("/articles/{id}/edit"), b).await);
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .part("image", reqwest::multipart::Part::bytes(bytes).file_name("photo.png"));
    b.post(app.url(&format!("/articles/{id}/images"))).multipart(form).send().await.unwrap()
}

/// The stored images' paths in an article's text.
fn image_paths(body: &str) -> Vec<String> {
    body.split("](").skip(1).filter_map(|s| s.split(')').next()).map(String::from).collect()
}

async fn images_are_reencoded_and_shown_only_to_those_who_may_read_the_article(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let b = ana.browser(app).await;
    let id = id_of(&draft(app, &ana, "With a picture", "Look:").await);
    let big = crate::profiles::png(2400, 1200);
    assert_eq!(upload_image(app, &b, &id, big.clone()).await.status(), 303);
    let r = upload_image(app, &b, &id, b"GIF89a not a picture".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Upload a JPEG, PNG or WebP image."));
    let a = app.get_json(&format!("/api/v1/articles/{id}"), &ana).await;
    let paths = image_paths(a["body"].as_str().unwrap());
    assert_eq!(paths.len(), 1, "the image is added to the text: {a}");
    let r = app.request("GET", &paths[0], &b).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (1600, 800), "shrunk to the column, its shape kept");
    assert_eq!(status_of(app, &paths[0], &Visitor).await, 404, "a draft's image is not public");
    let page = app.get_text(&format!("/articles/{}", a["slug"].as_str().unwrap()), &b).await;
    assert!(page.contains(&format!("<img src=\"{}\"", paths[0])), "the page shows it");
    submit(app, &ana, &id).await;
    moved(app, &staff, &id, "published").await;
    assert_eq!(status_of(app, &paths[0], &Visitor).await, 200, "public once the article is");
    assert_eq!(status_of(app, "/articles/images/..%2F..%2Fshn.db", &Visitor).await, 404);
}

async fn my_export_holds_my_articles_and_erasure_removes_them_with_their_images(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").email("ana@example.org").with_password().create().await;
    let ben = app.member().named("Ben").create().await;
    let a = published(app, &staff, &ana, "Ana's public piece", "Words.").await;
    let d = draft(app, &ana, "Ana's private draft", "Draft words.").await;
    let b = ana.browser(app).await;
    assert_eq!(upload_image(app, &b, &id_of(&d), crate::profiles::png(300, 200)).await.status(), 303);
    draft(app, &ben, "Ben's own", "Ben's words.").await;
    let export = app.get_text("/api/v1/me/export", &ana).await;
    let doc: Value = serde_json::from_str(&export).unwrap();
    let titles: Vec<&str> =
        doc["articles"]["articles"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Ana's public piece", "Ana's private draft"]);
    assert_eq!(doc["articles"]["images"].as_array().unwrap().len(), 1);
    assert!(!export.contains("Ben's own"), "nothing of others");
    let folder = app.state.config.uploads_dir().join("articles");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    let r = form_post(app, &b, "/settings/delete", &[("password", PASSWORD)]).await;
    assert_eq!(r.status(), 200);
    app.consume("articles-erasure").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE title LIKE 'Ana%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM article_images").await, 0);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0, "the files are gone");
    assert_eq!(status_of(app, &format!("/articles/{}", a["slug"].as_str().unwrap()), &Visitor).await, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM articles").await, 1, "Ben's stays");
}

async fn the_api_document_lists_the_fixed_routes(app: &TestApp) {
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/articles", "post"),
        ("/api/v1/articles/{id}", "get"),
        ("/api/v1/articles/{id}/submit", "post"),
        ("/api/v1/admin/articles/{id}/status", "post"),
        ("/api/v1/admin/articles/{id}/comments", "post"),
        ("/api/v1/me/articles", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
}

async fn the_demo_has_published_articles_one_featured_and_one_in_review(app: &TestApp) {
    web::demo::load(&app.state, &app.slices, 4, &mut |_, _, _| {}).await.expect("the demo loads");
    assert!(app.count("SELECT COUNT(*) FROM articles WHERE status IN ('published', 'featured')").await >= 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE status = 'featured'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM articles WHERE status = 'in_review'").await, 1);
    let list = app.get_text("/articles", &Visitor).await;
    assert!(list.contains("What my first year with type 1 diabetes taught me"));
    assert!(!list.contains("Advocacy on a budget"), "the one in review is not listed");
}

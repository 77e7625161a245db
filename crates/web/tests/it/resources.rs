//! The advocacy resources: the library with its filters, who may open what on every
//! surface (page, file, API, search, home page), drafts kept to the staff pages, the
//! monthly collections and their archive, the staff pages and routes (404 to others),
//! validation messages, upload limits and the API document.

use chrono::{Datelike, Utc};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    visitors_open_public_resources_and_members_also_members_only_ones_on_every_surface,
    drafts_are_found_on_no_surface_even_by_staff_browsing,
    the_library_filters_by_topic_condition_and_member_type_and_names_an_unknown_filter,
    a_month_shows_its_published_collection_and_the_archive_lists_only_months_that_are_out,
    staff_pages_and_routes_answer_not_found_to_members_and_ask_visitors_to_authenticate,
    the_staff_form_keeps_what_was_typed_and_names_each_mistake_beside_its_field,
    uploads_are_bounded_in_size_and_type_and_downloaded_as_attachments_by_those_who_may_open_them,
    the_collection_editor_orders_adds_and_removes_resources,
    the_api_document_lists_the_fixed_routes,
    the_demo_has_a_library_and_this_and_last_months_collections,
    erasing_a_staff_member_keeps_their_resources_and_forgets_who_wrote_them,
];

/// A resource written by `staff` through the API: a published public guide titled
/// `title`, with `fields` added or taking the place of those. Its id.
async fn resource(app: &TestApp, staff: &Member, title: &str, fields: Value) -> String {
    let mut body = json!({"kind": "guide", "title": title, "summary": "A summary", "body": "Some **text**.",
                          "audience": "public", "status": "published"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, v) = app.call("POST", "/api/v1/admin/resources", staff, Some(body)).await;
    assert_eq!(status, 201, "staff add {title}: {v}");
    v["id"].as_str().unwrap().to_string()
}

/// `staff` set the collection of `month` (yyyy-mm): these resources, out from `publish_at`.
async fn collection(
    app: &TestApp,
    staff: &Member,
    month: &str,
    publish_at: Option<chrono::DateTime<Utc>>,
    ids: &[&str],
) {
    let body = json!({"intro": format!("The resources of {month}."), "publish_at": publish_at, "resources": ids});
    let path = format!("/api/v1/admin/resources/collections/{month}");
    let (status, v) = app.call("PUT", &path, staff, Some(body)).await;
    assert_eq!(status, 200, "staff set {month}: {v}");
}

fn this_month() -> String {
    Utc::now().format("%Y-%m").to_string()
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect()
}

async fn visitors_open_public_resources_and_members_also_members_only_ones_on_every_surface(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let open = resource(app, &staff, "Zebra open guide", json!({})).await;
    let closed =
        resource(app, &staff, "Zebra members toolkit", json!({"kind": "toolkit", "audience": "members"})).await;
    collection(app, &staff, &this_month(), Some(Utc::now() - minutes(1)), &[&open, &closed]).await;

    let visitor = app.get_json("/api/v1/resources", &Visitor).await;
    assert_eq!(titles(&visitor["items"]), vec!["Zebra open guide"], "a visitor lists public resources only");
    let member = app.get_json("/api/v1/resources", &ana).await;
    assert_eq!(titles(&member["items"]), vec!["Zebra members toolkit", "Zebra open guide"], "newest first");

    for (path, visitor_status) in [
        (format!("/api/v1/resources/{closed}"), 404),
        (format!("/resources/{closed}"), 404),
        (format!("/api/v1/resources/{open}"), 200),
        (format!("/resources/{open}"), 200),
    ] {
        assert_eq!(app.send("GET", &path, &Visitor).await.0, visitor_status, "{path} for a visitor");
        assert_eq!(app.send("GET", &path, &ana).await.0, 200, "{path} for a member");
    }
    let page = app.get_text(&format!("/resources/{open}"), &Visitor).await;
    assert!(page.contains("<strong>text</strong>"), "the Markdown is rendered");

    let month = this_month();
    let path = format!("/api/v1/resources/collections/{month}");
    assert_eq!(titles(&app.get_json(&path, &Visitor).await["items"]), vec!["Zebra open guide"]);
    assert_eq!(titles(&app.get_json(&path, &ana).await["items"]), vec!["Zebra open guide", "Zebra members toolkit"]);
    let page = app.get_text(&format!("/resources/collections/{month}"), &Visitor).await;
    assert!(page.contains("Zebra open guide") && !page.contains("Zebra members toolkit"));

    let home = app.get_text("/", &Visitor).await;
    assert!(home.contains("Zebra open guide") && !home.contains("Zebra members toolkit"), "home: new this month");
    let home = app.get_text("/", &ana).await;
    assert!(home.contains("Zebra open guide") && home.contains("Zebra members toolkit"));

    let hits = |v: Value| titles(&v["learning"]);
    assert_eq!(hits(app.get_json("/api/v1/search?q=zebra", &Visitor).await), vec!["Zebra open guide"]);
    assert_eq!(hits(app.get_json("/api/v1/search?q=zebra", &ana).await).len(), 2);
    let page = app.get_text("/search?q=zebra", &Visitor).await;
    assert!(page.contains("Zebra open guide") && !page.contains("Zebra members toolkit"), "the search page too");
}

async fn drafts_are_found_on_no_surface_even_by_staff_browsing(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let draft = resource(app, &staff, "Quokka draft checklist", json!({"status": "draft", "kind": "checklist"})).await;
    collection(app, &staff, &this_month(), Some(Utc::now() - minutes(1)), &[&draft]).await;
    for who in [Some(&ana), Some(&staff), None] {
        for path in
            [format!("/api/v1/resources/{draft}"), format!("/resources/{draft}"), format!("/resources/{draft}/file")]
        {
            assert_eq!(app.read_as(who, &path).await.0, 404, "{path}");
        }
        for path in ["/api/v1/resources", "/resources", "/api/v1/search?q=quokka", "/search?q=quokka", "/"] {
            assert!(!app.read_as(who, path).await.1.contains("Quokka"), "{path} never shows a draft");
        }
        let month = app.read_as(who, &format!("/api/v1/resources/collections/{}", this_month())).await.1;
        assert!(!month.contains("Quokka"), "nor does the month it is in");
    }
    let staff_page = app.get_text("/admin/resources", &staff).await;
    assert!(staff_page.contains("Quokka draft checklist"), "staff see it on their own page");
    let body = json!({"kind": "checklist", "title": "Quokka checklist", "body": "Done.", "audience": "members", "status": "published"});
    let (status, v) = app.call("PUT", &format!("/api/v1/admin/resources/{draft}"), &staff, Some(body)).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["published_at"].is_string(), "publishing dates it");
    assert_eq!(
        app.send("GET", &format!("/api/v1/resources/{draft}"), &ana).await.0,
        200,
        "once published, members open it"
    );
}

async fn the_library_filters_by_topic_condition_and_member_type_and_names_an_unknown_filter(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let asthma = app.condition_id("asthma").await;
    let tagged = json!({"topics": ["policy"], "conditions": [asthma], "member_types": ["caregiver"]});
    resource(app, &staff, "Policy for caregivers with asthma", tagged).await;
    resource(app, &staff, "Storytelling for everyone", json!({"topics": ["storytelling"], "kind": "template"})).await;
    let list =
        |q: String| async move { titles(&app.get_json(&format!("/api/v1/resources?{q}"), &Visitor).await["items"]) };
    assert_eq!(list("topic=policy".into()).await, vec!["Policy for caregivers with asthma"]);
    assert_eq!(list(format!("condition={asthma}")).await, vec!["Policy for caregivers with asthma"]);
    assert_eq!(list("member_type=caregiver".into()).await, vec!["Policy for caregivers with asthma"]);
    assert_eq!(list("kind=template".into()).await, vec!["Storytelling for everyone"]);
    assert_eq!(list("topic=storytelling&condition=".into()).await, vec!["Storytelling for everyone"], "empty is any");
    assert!(list("topic=policy&kind=template".into()).await.is_empty(), "filters combine");
    for (q, field) in [
        ("topic=knitting", "topic"),
        ("condition=not-an-id", "condition"),
        ("condition=0190a0b0-0000-7000-8000-000000000000", "condition"),
        ("member_type=wizard", "member_type"),
        ("kind=poster", "kind"),
    ] {
        let (status, v) = app.call("GET", &format!("/api/v1/resources?{q}"), &Visitor, None).await;
        assert_eq!(status, 422, "{q}");
        assert!(v["error"]["fields"][field].is_string(), "{q} names {field}: {v}");
    }
    assert_eq!(app.send("GET", "/api/v1/resources?limit=0", &Visitor).await.0, 400);
    let (status, html) = app.send("GET", "/resources?topic=knitting", &Visitor).await;
    assert_eq!(status, 422);
    assert!(html.contains("There is no such topic") && html.contains("error-summary"), "said on the page");
    let html = app.get_text(&format!("/resources?condition={asthma}"), &Visitor).await;
    assert!(html.contains("Policy for caregivers") && !html.contains("Storytelling for everyone"));
    assert!(html.contains(&format!("<option value=\"{asthma}\" selected>")), "the chosen filter stays chosen");
    for n in 0..21 {
        resource(app, &staff, &format!("Filler {n}"), json!({"topics": ["media"]})).await;
    }
    let pages = app.pages("/api/v1/resources?topic=media&limit=10", &Visitor).await;
    assert_eq!(pages.iter().map(|p| p["items"].as_array().unwrap().len()).collect::<Vec<_>>(), vec![10, 10, 1]);
}

async fn a_month_shows_its_published_collection_and_the_archive_lists_only_months_that_are_out(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let r = resource(app, &staff, "Monthly guide", json!({})).await;
    let now = Utc::now();
    collection(app, &staff, "2026-01", Some(now - days(300)), &[&r]).await;
    collection(app, &staff, "2026-02", Some(now - days(270)), &[&r]).await;
    collection(app, &staff, "2099-01", Some(now + days(30)), &[&r]).await;
    collection(app, &staff, "2098-12", None, &[&r]).await;
    let v = app.get_json("/api/v1/resources/collections/2026-02", &Visitor).await;
    assert_eq!((v["month"].as_str(), v["intro"].as_str()), (Some("2026-02"), Some("The resources of 2026-02.")));
    for (month, status) in [("2099-01", 404), ("2098-12", 404), ("2025-07", 404), ("2026-13", 422), ("26-1", 422)] {
        let (got, v) = app.call("GET", &format!("/api/v1/resources/collections/{month}"), &Visitor, None).await;
        assert_eq!(got, status, "{month}: {v}");
        let page = app.send("GET", &format!("/resources/collections/{month}"), &Visitor).await.0;
        assert_eq!(page, 404, "the page of {month}");
    }
    let archive = app.get_text("/resources/collections", &Visitor).await;
    assert!(archive.contains("February 2026") && archive.contains("January 2026"));
    assert!(archive.find("February 2026") < archive.find("January 2026"), "latest month first");
    assert!(!archive.contains("2099") && !archive.contains("December 2098"), "scheduled and draft months are not out");
    let hub = app.get_text("/learn", &Visitor).await;
    assert!(hub.contains("/courses") && hub.contains("/resources") && hub.contains("/articles"));
}

async fn staff_pages_and_routes_answer_not_found_to_members_and_ask_visitors_to_authenticate(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let id = resource(app, &staff, "Staff only edits", json!({})).await;
    let body = json!({"kind": "guide", "title": "Sneaky", "audience": "public", "status": "draft"});
    for (method, path) in [
        ("POST", "/api/v1/admin/resources".to_string()),
        ("PUT", format!("/api/v1/admin/resources/{id}")),
        ("PUT", "/api/v1/admin/resources/collections/2026-11".to_string()),
    ] {
        assert_eq!(app.call(method, &path, &ana, Some(body.clone())).await.0, 404, "{method} {path} for a member");
        assert_eq!(app.call(method, &path, &Visitor, Some(body.clone())).await.0, 401, "{method} {path} for a visitor");
        let raw = app.request(method, &path, &ana).body("{not json").header("content-type", "application/json");
        assert_eq!(answer(raw).await.0, 404, "the body is not read before the check");
    }
    let browser = ana.browser(app).await;
    for path in [
        "/admin/resources".to_string(),
        "/admin/resources/new".to_string(),
        format!("/admin/resources/{id}/edit"),
        "/admin/resources/collections".to_string(),
        "/admin/resources/collections/2026-11".to_string(),
    ] {
        assert_eq!(app.send("GET", &path, &browser).await.0, 404, "{path} is staff only");
    }
    let page = app.get_text("/resources", &browser).await;
    let r = browser
        .post(app.url("/admin/resources/new"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("kind", "guide"),
            ("title", "Sneaky"),
            ("audience", "public"),
            ("status", "published"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM resources WHERE title = 'Sneaky'").await, 0);
}

async fn the_staff_form_keeps_what_was_typed_and_names_each_mistake_beside_its_field(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let page = app.get_text("/admin/resources/new", &browser).await;
    let csrf = csrf_of(&page);
    let long_summary = "s".repeat(501);
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "poster"),
        ("title", "Advocacy <b>basics</b>"),
        ("summary", long_summary.as_str()),
        ("audience", "public"),
        ("status", "published"),
        ("topics", "storytelling"),
    ];
    let r = browser.post(app.url("/admin/resources/new")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"Advocacy &lt;b&gt;basics&lt;/b&gt;\""), "the title is kept, escaped");
    assert!(html.contains("Choose a guide, toolkit, template or checklist."), "kind");
    assert!(html.contains("Keep the summary to 500 characters."), "summary");
    assert!(html.contains("A published resource needs some text or a file."), "body");
    assert!(html.contains("value=\"storytelling\" checked"), "the topic stays ticked");
    assert!(html.contains("href=\"#f-kind\"") && html.contains("id=\"f-kind\""), "the summary links to the field");
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "guide"),
        ("title", "Advocacy basics"),
        ("audience", "members"),
        ("status", "draft"),
    ];
    let r = browser.post(app.url("/admin/resources/new")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303, "a draft with only a title is saved");
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/edit"));
    let bad = json!({"kind": "poster", "title": "", "audience": "friends", "status": "published",
                     "topics": ["knitting"], "conditions": ["0190a0b0-0000-7000-8000-000000000000"], "member_types": ["patient"]});
    let (status, v) = app.call("POST", "/api/v1/admin/resources", &staff, Some(bad)).await;
    assert_eq!(status, 400, "unknown enum values are a wrong shape: {v}");
    let bad = json!({"kind": "guide", "title": "", "audience": "public", "status": "published", "topics": ["knitting"],
                     "conditions": ["0190a0b0-0000-7000-8000-000000000000"]});
    let (status, v) = app.call("POST", "/api/v1/admin/resources", &staff, Some(bad)).await;
    assert_eq!(status, 422);
    for f in ["title", "topics", "body"] {
        assert!(v["error"]["fields"][f].is_string(), "{f} is named: {v}");
    }
    let unknown = json!({"kind": "guide", "title": "T", "body": "b", "audience": "public", "status": "published",
                         "conditions": ["0190a0b0-0000-7000-8000-000000000000"]});
    let (status, v) = app.call("POST", "/api/v1/admin/resources", &staff, Some(unknown)).await;
    assert_eq!((status, v["error"]["fields"]["conditions"].is_string()), (422, true), "an unknown condition: {v}");
}

async fn upload(app: &TestApp, browser: &reqwest::Client, id: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let csrf = csrf_of(&app.get_text(&format!("/admin/resources/{id}/edit"), browser).await);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("resource_id", id.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    answer(browser.post(app.url("/admin/resources/upload")).multipart(form)).await
}

async fn uploads_are_bounded_in_size_and_type_and_downloaded_as_attachments_by_those_who_may_open_them(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().create().await;
    let draft = json!({"audience": "members", "body": "", "status": "draft", "kind": "toolkit"});
    let id = resource(app, &staff, "Toolkit with a file", draft).await;
    let browser = staff.browser(app).await;
    let (status, html) = upload(app, &browser, &id, "page.html", b"<script>alert(1)</script>".to_vec()).await;
    assert_eq!(status, 422);
    assert!(html.contains("Upload a PDF, Word, Excel, PowerPoint, PNG, JPEG, plain text or CSV file."), "{html}");
    let (status, html) = upload(app, &browser, &id, "fake.pdf", b"<html>not a pdf</html>".to_vec()).await;
    assert_eq!(status, 422);
    assert!(html.contains("That file is not really a .pdf file."));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let (status, html) = upload(app, &browser, &id, "big.pdf", big).await;
    assert_eq!(status, 422);
    assert!(html.contains("That file is larger than 5 MB."));
    let pdf = b"%PDF-1.7\n% a toolkit\n".to_vec();
    let (status, _) = upload(app, &browser, &id, "Our \"toolkit\".pdf", pdf.clone()).await;
    assert_eq!(status, 303);
    let publish =
        json!({"kind": "toolkit", "title": "Toolkit with a file", "audience": "members", "status": "published"});
    let (status, v) = app.call("PUT", &format!("/api/v1/admin/resources/{id}"), &staff, Some(publish)).await;
    assert_eq!(status, 200, "with its file it may be published without text: {v}");
    let r = app.request("GET", &format!("/resources/{id}/file"), &ana).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"Our toolkit.pdf\"");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(app.send("GET", &format!("/resources/{id}/file"), &Visitor).await.0, 404, "members only");
    let v = app.get_json(&format!("/api/v1/resources/{id}"), &ana).await;
    assert_eq!(v["file"]["content_type"], "application/pdf");
    assert_eq!(v["file"]["size"], pdf.len());
    let (status, _) = upload(app, &browser, &id, "notes.txt", b"Plain notes".to_vec()).await;
    assert_eq!(status, 303, "a second file replaces the first");
    let r = app.request("GET", &format!("/resources/{id}/file"), &ana).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let ana_browser_upload = app.member().with_password().create().await.browser(app).await;
    let (status, _) = upload_as_member(app, &ana_browser_upload, &id).await;
    assert_eq!(status, 404, "a member cannot upload");
}

async fn upload_as_member(app: &TestApp, browser: &reqwest::Client, id: &str) -> (u16, String) {
    let csrf = csrf_of(&app.get_text("/resources", browser).await);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("resource_id", id.to_string())
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1".to_vec()).file_name("x.pdf"));
    answer(browser.post(app.url("/admin/resources/upload")).multipart(form)).await
}

async fn the_collection_editor_orders_adds_and_removes_resources(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let a = resource(app, &staff, "Alpha", json!({})).await;
    let b = resource(app, &staff, "Bravo", json!({})).await;
    let c = resource(app, &staff, "Charlie", json!({})).await;
    let browser = staff.browser(app).await;
    let page = app.get_text("/admin/resources/collections", &browser).await;
    let csrf = csrf_of(&page);
    let r = browser
        .post(app.url("/admin/resources/collections"))
        .form(&[("csrf", csrf.as_str()), ("month", "2026-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Write the month as yyyy-mm"), "a malformed month is named");
    let r = browser
        .post(app.url("/admin/resources/collections"))
        .form(&[("csrf", csrf.as_str()), ("month", "2026-02")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/admin/resources/collections/2026-02");
    let path = "/admin/resources/collections/2026-02";
    let post = |fields: Vec<(String, String)>| {
        let mut form = vec![("csrf".to_string(), csrf.clone())];
        form.extend(fields);
        browser.post(app.url(path)).form(&form).send()
    };
    let f = |k: &str, v: &str| (k.to_string(), v.to_string());
    for add in [&a, &b, &c] {
        let r = post(
            vec![f("intro", "Hello"), f("publish_on", "2026-02-01"), f("add", add)]
                .into_iter()
                .chain(stored_items(app, "2026-02").await.iter().map(|i| f("item", i)))
                .collect(),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 303);
    }
    let order = |v: Value| titles(&v["items"]);
    assert_eq!(
        order(app.get_json("/api/v1/resources/collections/2026-02", &Visitor).await),
        vec!["Alpha", "Bravo", "Charlie"]
    );
    let fields = vec![
        f("intro", "Reordered"),
        f("publish_on", "2026-02-01"),
        f("item", &a),
        f(&format!("position-{a}"), "3"),
        f("item", &b),
        f(&format!("position-{b}"), "1"),
        f(&format!("remove-{b}"), "on"),
        f("item", &c),
        f(&format!("position-{c}"), "2"),
    ];
    assert_eq!(post(fields).await.unwrap().status(), 303);
    assert_eq!(order(app.get_json("/api/v1/resources/collections/2026-02", &Visitor).await), vec!["Charlie", "Alpha"]);
    let fields =
        vec![f("intro", "Typed intro"), f("publish_on", "soon"), f("item", &a), f(&format!("position-{a}"), "first")];
    let r = post(fields).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Typed intro") && html.contains("value=\"soon\"") && html.contains("value=\"first\""),
        "kept"
    );
    assert!(html.contains("Give a date like 2026-12-01") && html.contains("whole number from 1 to 999"));
    let v = app.get_json("/api/v1/resources/collections/2026-02", &Visitor).await;
    assert_eq!(v["intro"], "Reordered", "nothing was saved");
}

/// The resource ids of a month's collection, in order, as staff see it.
async fn stored_items(app: &TestApp, month: &str) -> Vec<String> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        resource_id: uuid::Uuid,
    }
    let sql = format!(
        "SELECT i.resource_id FROM resource_collection_items i JOIN resource_collections c ON c.id = i.collection_id \
         WHERE c.month = '{month}' ORDER BY i.position"
    );
    app.rows::<Row>(&sql).await.into_iter().map(|r| r.resource_id.to_string()).collect()
}

async fn the_api_document_lists_the_fixed_routes(app: &TestApp) {
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/resources", "get"),
        ("/api/v1/resources/{id}", "get"),
        ("/api/v1/resources/collections/{month}", "get"),
        ("/api/v1/admin/resources", "post"),
        ("/api/v1/admin/resources/{id}", "put"),
        ("/api/v1/admin/resources/collections/{month}", "put"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
    let params = doc["paths"]["/api/v1/resources"]["get"]["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&"topic") && names.contains(&"condition"), "{names:?}");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ResourceKind"]["enum"],
        json!(["guide", "toolkit", "template", "checklist"]),
        "named apart from other kinds"
    );
    assert_eq!(schemas["ResourceStatus"]["enum"], json!(["draft", "published"]));
}

async fn the_demo_has_a_library_and_this_and_last_months_collections(app: &TestApp) {
    app.load_demo(6).await;
    assert!(app.count("SELECT COUNT(*) FROM resources WHERE status = 'published'").await >= 10);
    assert!(app.count("SELECT COUNT(*) FROM resources WHERE status = 'draft'").await >= 1);
    let now = Utc::now();
    let last = (now.date_naive().with_day(1).unwrap() - chrono::Duration::days(1)).format("%Y-%m").to_string();
    for month in [this_month(), last] {
        let v = app.get_json(&format!("/api/v1/resources/collections/{month}"), &Visitor).await;
        assert!(!v["items"].as_array().unwrap().is_empty(), "{month} has public items for a visitor: {v}");
    }
    let home = app.get_text("/", &Visitor).await;
    assert!(home.contains("New this month"), "the home page shows this month's resources");
}

async fn erasing_a_staff_member_keeps_their_resources_and_forgets_who_wrote_them(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let id = resource(app, &staff, "Outlives its author", json!({})).await;
    collection(app, &staff, "2026-03", Some(Utc::now() - days(1)), &[&id]).await;
    let tx = app.state.db.begin().await.unwrap();
    let gone = contracts::events::MemberDeleted { member_id: staff.id };
    kernel::outbox::publish(&tx, Some(staff.id), &gone).await.unwrap();
    tx.commit().await.unwrap();
    app.consume("learning-resources-erasure").await;
    let by = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE created_by IS NOT NULL");
    assert_eq!((app.count(&by("resources")).await, app.count(&by("resource_collections")).await), (0, 0));
    assert_eq!(app.send("GET", &format!("/api/v1/resources/{id}"), &Visitor).await.0, 200, "the resource stays");
}

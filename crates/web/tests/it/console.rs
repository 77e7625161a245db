//! The staff console (issue 20): one page linking every staff task; every staff page and
//! staff API route answers 404 to a member who is not staff (never 403, which would say
//! the route exists); and the main navigation folds into a menu on a phone.

use std::collections::BTreeSet;

use crate::architecture::{rust_sources, workspace_root};
use crate::both_backends;
use crate::support::*;

both_backends![
    the_console_links_every_staff_area_and_does_not_exist_for_anyone_else,
    every_staff_page_and_staff_api_route_is_not_found_for_a_member,
    the_navigation_folds_into_a_menu_that_opens_without_javascript,
];

async fn the_console_links_every_staff_area_and_does_not_exist_for_anyone_else(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let member = app.member().with_password().create().await;
    let (status, page) = app.send("GET", "/admin", &staff.browser(app).await).await;
    assert_eq!(status, 200);
    for href in [
        "/admin/members",
        "/moderation",
        "/admin/rewards",
        "/admin/opportunities",
        "/admin/courses",
        "/admin/resources",
        "/admin/surveys",
        "/admin/articles",
        "/admin/analytics",
        "/admin/awards",
        "/admin/newsletter",
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")), "the console links {href}");
    }
    assert!(page.contains("href=\"/admin\" aria-current=\"page\""), "the Staff link marks the console as current");
    assert_eq!(app.send("GET", "/admin", &member.browser(app).await).await.0, 404);
    assert_eq!(app.send("GET", "/admin", &Visitor).await.0, 404);
    let home = app.get_text("/", &member.browser(app).await).await;
    assert!(!home.contains("href=\"/admin\""), "members are not shown the way in");
}

/// Every `.route("…")` of a staff path in the slices' sources, with the methods it
/// declares (`get(`, `post(` … within the call).
fn staff_routes_in_the_sources() -> BTreeSet<(String, String)> {
    let mut files = vec![];
    rust_sources(&workspace_root().join("crates"), &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for call in source.split(".route(").skip(1) {
            let Some(path) = call.strip_prefix('"').and_then(|rest| rest.split('"').next()) else { continue };
            if !(path == "/admin" || path.starts_with("/admin/") || path.starts_with("/api/v1/admin/")) {
                continue;
            }
            let body = up_to_its_closing_parenthesis(call);
            for method in ["get", "post", "put", "patch", "delete"] {
                if body.contains(&format!("{method}(")) {
                    found.insert((method.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    found
}

/// The text of a call's arguments (it starts just after the opening parenthesis).
fn up_to_its_closing_parenthesis(call: &str) -> &str {
    let mut depth = 0;
    for (i, c) in call.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return &call[..i],
            ')' => depth -= 1,
            _ => {}
        }
    }
    call
}

/// Every staff operation in the OpenAPI document.
async fn staff_operations_in_the_api_document(app: &TestApp) -> BTreeSet<(String, String)> {
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            found.insert((method.to_uppercase(), path.clone()));
        }
    }
    found
}

/// `path` with each `{parameter}` filled with something of the right shape.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| match part {
            "{code}" => "course_completed".to_string(),
            "{year}" => "2027".to_string(),
            "{month}" | "{yyyy-mm}" => "2026-11".to_string(),
            p if p.starts_with('{') => uuid::Uuid::now_v7().to_string(),
            p => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn every_staff_page_and_staff_api_route_is_not_found_for_a_member(app: &TestApp) {
    let member = app.member().with_password().create().await;
    let browser = member.browser(app).await;
    let csrf = csrf_of(&app.get_text("/settings/profile", &browser).await);
    let routes = staff_routes_in_the_sources();
    let operations = staff_operations_in_the_api_document(app).await;
    assert!(routes.len() > 20 && operations.len() > 10, "the walk finds the staff routes: {routes:?} {operations:?}");
    let mut wrong = vec![];
    for (method, path) in routes.iter().chain(&operations) {
        let url = concrete(path);
        let status = if path.starts_with("/api/") {
            app.call(method, &url, &member, Some(serde_json::json!({}))).await.0
        } else if method == "GET" {
            app.send(method, &url, &browser).await.0
        } else {
            let rb = app.request(method, &url, &browser).form(&[("csrf", csrf.as_str())]);
            answer(rb).await.0
        };
        if status != 404 {
            wrong.push(format!("{method} {path} → {status}"));
        }
    }
    assert!(wrong.is_empty(), "a member who is not staff must get 404 from every staff route:\n{}", wrong.join("\n"));
}

async fn the_navigation_folds_into_a_menu_that_opens_without_javascript(app: &TestApp) {
    let member = app.member().with_password().create().await;
    let home = app.get_text("/", &member.browser(app).await).await;
    let menu = home.split("<details class=\"menu").nth(1).expect("the header has a details menu");
    let menu = menu.split("</details>").next().unwrap();
    assert!(menu.contains("<summary>Menu</summary>"), "the menu opens from a summary, no script needed");
    for href in ["/members", "/groups", "/events", "/opportunities", "/learn"] {
        assert!(menu.contains(&format!("href=\"{href}\"")), "the menu holds {href}");
    }
    let css = app.get_text("/static/app.css", &Visitor).await;
    assert!(css.contains(".narrow-only { display: none; }"), "wide screens show the row instead of the menu");
}

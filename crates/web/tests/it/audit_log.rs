//! The audit log page for staff (issue 20): filtered by who did it, the action, whom it
//! was about and a range of days; paged by keyset with every entry shown once; a bad
//! filter is a 422 with the message beside the field and what was typed kept; nobody
//! but staff finds it.

use chrono::{DateTime, Utc};
use kernel::ids::MemberId;
use kernel::params;

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_narrow_the_log_by_actor_action_target_and_days,
    the_log_pages_by_keyset_and_shows_every_entry_once,
    a_bad_filter_is_refused_beside_its_field_keeping_what_was_typed,
    the_audit_log_is_not_found_for_anyone_but_staff,
];

/// One audit row written straight to the log, its detail naming it.
async fn entry(
    app: &TestApp,
    at: DateTime<Utc>,
    actor: Option<MemberId>,
    action: &str,
    subject: Option<MemberId>,
    tag: &str,
) {
    app.exec(
        "INSERT INTO audit_log (id, at, actor_id, action, subject_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![uuid::Uuid::now_v7(), at, actor, action, subject, "192.0.2.1", format!("{{\"tag\":\"{tag}\"}}")],
    )
    .await;
}

/// The tags (`tag-…`) of the entries shown on a page, in order.
fn tags(page: &str) -> Vec<String> {
    page.split("&quot;tag&quot;:&quot;").skip(1).map(|rest| rest.split("&quot;").next().unwrap().to_string()).collect()
}

fn search(query: &str) -> String {
    format!("/admin/audit?{query}")
}

async fn staff_narrow_the_log_by_actor_action_target_and_days(app: &TestApp) {
    let staff = app.staff_member().named("Audit Reader").with_password().create().await;
    let ana = app.member().named("Ana Auditee").create().await;
    let ben = app.member().named("Ben Bystander").create().await;
    let now = Utc::now();
    entry(app, now - days(1), Some(staff.id), "suspended", Some(ana.id), "t-suspend-ana").await;
    entry(app, now - days(2), Some(staff.id), "suspended", Some(ben.id), "t-suspend-ben").await;
    entry(app, now - days(3), Some(ana.id), "login_failed", Some(ana.id), "t-ana-failed").await;
    entry(app, now - days(40), Some(staff.id), "reinstated", Some(ana.id), "t-old-reinstate").await;
    let browser = staff.browser(app).await;

    let page = app.get_text(&search("action=suspended"), &browser).await;
    assert_eq!(tags(&page), ["t-suspend-ana", "t-suspend-ben"], "by action, newest first");
    assert!(page.contains("Ana Auditee") && page.contains("Audit Reader"), "actors and targets by name");

    let page = app.get_text(&search("target=ana+auditee"), &browser).await;
    assert_eq!(tags(&page), ["t-suspend-ana", "t-ana-failed", "t-old-reinstate"], "by target's name, any case");

    let page = app.get_text(&search(&format!("actor={}", ana.id)), &browser).await;
    assert_eq!(tags(&page), ["t-ana-failed"], "by actor's id");

    let (from, to) = ((now - days(35)).date_naive(), (now - days(2)).date_naive());
    let page = app.get_text(&search(&format!("actor=Audit+Reader&from={from}&to={to}")), &browser).await;
    assert_eq!(tags(&page), ["t-suspend-ben"], "by days, both included, with the actor");
    assert!(page.contains(&format!("value=\"{from}\"")), "the form keeps the filters");

    let page = app.get_text(&search("action=never_happened"), &browser).await;
    assert!(tags(&page).is_empty() && page.contains("No entries match"));
}

async fn the_log_pages_by_keyset_and_shows_every_entry_once(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let now = Utc::now();
    for i in 0..120 {
        // Pairs share an instant, so the id must break the tie.
        entry(app, now - minutes(i / 2), Some(staff.id), "paging_probe", None, &format!("p{i:03}")).await;
    }
    entry(app, now, Some(staff.id), "other_action", None, "not-this").await;
    let browser = staff.browser(app).await;
    let mut url = search("action=paging_probe");
    let mut seen = vec![];
    let mut pages = 0;
    loop {
        let (status, page) = app.send("GET", &url, &browser).await;
        assert_eq!(status, 200, "{url}");
        let shown = tags(&page);
        assert!(shown.len() <= 50, "at most 50 entries a page");
        seen.extend(shown);
        pages += 1;
        let Some(next) = page.split("\" rel=\"next\"").next().filter(|_| page.contains("rel=\"next\"")) else { break };
        url = next.rsplit("href=\"").next().unwrap().replace("&amp;", "&");
        assert!(url.contains("action=paging_probe"), "the next page keeps the filters: {url}");
        assert!(pages < 5, "paging ends");
    }
    assert_eq!(pages, 3);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (120, 120), "every entry exactly once");
    let (status, _) = app.send("GET", &search("action=paging_probe&cursor=not-a-cursor"), &browser).await;
    assert_eq!(status, 400, "a tampered cursor is refused");
}

async fn a_bad_filter_is_refused_beside_its_field_keeping_what_was_typed(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let (status, page) = app
        .send("GET", &search("actor=Nobody+Called+This&action=DROP+TABLE&from=2026-13-01&to=yesterday"), &browser)
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("class=\"error-summary\""), "an error summary at the top");
    for field in ["actor", "action", "from", "to"] {
        assert!(page.contains(&format!("href=\"#f-{field}\"")), "the summary links {field}");
        assert!(page.contains(&format!("id=\"f-{field}-error\"")), "the message sits beside {field}");
    }
    for typed in ["value=\"Nobody Called This\"", "value=\"DROP TABLE\"", "value=\"2026-13-01\"", "value=\"yesterday\""]
    {
        assert!(page.contains(typed), "the form keeps {typed}");
    }
    let (status, page) = app.send("GET", &search("from=2026-11-10&to=2026-11-01"), &browser).await;
    assert_eq!(status, 422);
    assert!(page.contains("on or after the first day"));
    let long = "a".repeat(101);
    assert_eq!(app.send("GET", &search(&format!("action={long}")), &browser).await.0, 422, "lengths are bounded");
}

async fn the_audit_log_is_not_found_for_anyone_but_staff(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let member = app.member().with_password().create().await;
    assert_eq!(app.send("GET", "/admin/audit", &member.browser(app).await).await.0, 404);
    assert_eq!(app.send("GET", "/admin/audit?action=DROP", &Visitor).await.0, 404);
    let console = app.get_text("/admin", &staff.browser(app).await).await;
    assert!(console.contains("href=\"/admin/audit\""), "the console links the audit log");
}

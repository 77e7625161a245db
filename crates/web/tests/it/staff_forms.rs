//! The staff console's forms (issue 20) for rewards, members and moderation: a refused
//! change answers 422 with an error summary linking the field, the message beside the
//! field, and what was typed kept, with no JavaScript.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    a_refused_earning_rule_or_redemption_note_is_shown_beside_its_field,
    a_refused_change_to_an_account_is_shown_on_its_row,
    a_refused_moderation_decision_keeps_the_decision_as_typed,
];

/// The page answers 422 with a summary linking `#f-{field}` and the message beside it.
fn assert_refused_beside(status: u16, page: &str, field: &str) {
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("class=\"error-summary\""), "an error summary");
    assert!(page.contains(&format!("href=\"#f-{field}\"")), "the summary links {field}");
    assert!(page.contains(&format!("id=\"f-{field}\"")), "the field {field} is on the page");
    assert!(page.contains(&format!("id=\"f-{field}-error\"")), "the message sits beside {field}");
}

async fn post(app: &TestApp, who: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    answer(
        app.request("POST", path, who)
            .form(&[&[("csrf", csrf_of(&app.get_text("/admin", who).await).as_str())], fields].concat()),
    )
    .await
}

async fn a_refused_earning_rule_or_redemption_note_is_shown_beside_its_field(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let (status, page) = post(
        app,
        &browser,
        "/admin/rewards/rules/course_completed",
        &[("points", "-5"), ("daily_cap", "12"), ("enabled", "on")],
    )
    .await;
    assert_refused_beside(status, &page, "points");
    assert!(page.contains("value=\"-5\"") && page.contains("value=\"12\""), "the rule as typed");

    let member = app.member().create().await;
    let (s, v) = app.call("POST", "/api/v1/admin/rewards", &staff, Some(json!({"name": "Mug", "cost": 10}))).await;
    assert_eq!(s, 201, "{v}");
    app.credit_points(&staff, member.id, 50, "welcome").await;
    let (s, r) =
        app.call("POST", &format!("/api/v1/rewards/{}/redemptions", v["id"].as_str().unwrap()), &member, None).await;
    assert!(s == 200 || s == 201, "{r}");
    let redemption = r["id"].as_str().unwrap();
    let (status, page) =
        post(app, &browser, &format!("/admin/rewards/redemptions/{redemption}/reject"), &[("note", " ")]).await;
    assert_refused_beside(status, &page, "note");

    let (status, page) = answer(app.request("GET", "/admin/rewards?member=someone", &browser)).await;
    assert_refused_beside(status, &page, "member");
    assert!(page.contains("value=\"someone\""));
}

async fn a_refused_change_to_an_account_is_shown_on_its_row(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let (status, page) = post(app, &browser, &format!("/admin/members/{}/suspension", staff.id), &[("on", "on")]).await;
    assert_refused_beside(status, &page, &format!("suspension-{}", staff.id));
    assert!(page.contains("You cannot suspend your own account."));

    let admin = app.member().admin().with_password().create().await;
    let (status, page) = post(app, &browser, &format!("/admin/members/{}/suspension", admin.id), &[("on", "on")]).await;
    assert_eq!(status, 422, "staff may not suspend an admin, and are told so on the list");
    assert!(page.contains("Only an admin can change an admin"));

    let admin_browser = admin.browser(app).await;
    let (status, page) =
        post(app, &admin_browser, &format!("/admin/members/{}/role", staff.id), &[("role", "emperor")]).await;
    assert_refused_beside(status, &page, &format!("role-{}", staff.id));
}

async fn a_refused_moderation_decision_keeps_the_decision_as_typed(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let reporter = app.member().create().await;
    let troll = app.member().create().await;
    let (s, report) = app.report(&reporter, "member", troll.id, "spam").await;
    assert_eq!(s, 201, "{report}");
    let path = format!("/moderation/reports/{}", report["id"].as_str().unwrap());
    let browser = staff.browser(app).await;
    assert_eq!(app.send("GET", &path, &browser).await.0, 200);
    let decision = [("action", "suspend_group"), ("reason", "Posting adverts everywhere"), ("days", "400")];
    let (status, page) = post(app, &browser, &format!("{path}/decision"), &decision).await;
    assert_refused_beside(status, &page, "days");
    assert!(page.contains("value=\"Posting adverts everywhere\"") && page.contains("value=\"400\""), "kept");
    assert!(page.contains("<option value=\"suspend_group\" selected>"), "the action chosen stays chosen");

    let decision = [("action", "hide"), ("reason", "Posting adverts everywhere"), ("days", "7")];
    let (status, page) = post(app, &browser, &format!("{path}/decision"), &decision).await;
    assert_refused_beside(status, &page, "action");
    assert!(page.contains("Only a thread, reply or message can be hidden"));
}

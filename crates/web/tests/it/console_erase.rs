//! Staff erasing a member's account from its page in the console or the admin API (issue
//! 20): the same erasure the member can do themselves (every slice erases its part from
//! the same event), confirmed by retyping the account's e-mail address (a mismatch is
//! said beside the field, with what was typed kept); never one's own account, and an
//! admin's only by an admin. Audited; 404 for anyone but staff.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_erase_a_members_account_from_its_console_page_as_the_member_could_themselves,
    staff_erase_nobody_by_mistake_nor_themselves_nor_an_admin,
    staff_and_admins_erase_accounts_through_the_admin_api,
    erasing_an_account_does_not_exist_for_members,
];

/// Ana, with a story on her profile, a membership of a group and a discussion in it.
async fn ana_with_a_story_and_a_discussion(app: &TestApp, staff: &Member) -> Member {
    let ana = app.member().named("Ana Erased").email("ana.erased@example.org").create().await;
    let (s, v) = app.patch_profile(&ana, json!({"story": "to be forgotten"})).await;
    assert_eq!(s, 200, "{v}");
    let group = app.group().named("Gardeners").owned_by(staff).with_members(&[&ana]).create().await;
    group.thread(app, &ana, "My tomatoes", "They came up red.").await;
    ana
}

async fn staff_erase_a_members_account_from_its_console_page_as_the_member_could_themselves(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let console = staff.browser(app).await;
    let ana = ana_with_a_story_and_a_discussion(app, &staff).await;
    let at = format!("/admin/members/{}", ana.id);
    let list = app.get_text("/admin/members", &console).await;
    assert!(list.contains(&format!("href=\"{at}\"")), "the accounts list links each account's page");
    let page = app.get_text(&at, &console).await;
    assert!(page.contains("ana.erased@example.org"), "staff see the address to retype");
    assert!(page.contains(&format!("action=\"{at}/erase\"")), "and the form to erase it");
    assert_eq!(app.audited("staff_viewed_account").await, vec![(Some(staff.id), Some(ana.id))], "the visit");

    let r = form_post(app, &console, &format!("{at}/erase"), &[("email", "ana@example.org")]).await;
    assert_eq!(r.status(), 422, "the wrong address erases nothing");
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"error-summary\"") && page.contains("href=\"#f-email\""), "a summary links it");
    assert!(page.contains("id=\"f-email-error\"") && page.contains("not this member"), "said beside the field");
    assert!(page.contains("value=\"ana@example.org\""), "with what was typed kept");
    assert_eq!(app.get_json("/api/v1/me", &ana).await["display_name"], "Ana Erased", "Ana is still there");

    let r = form_post(app, &console, &format!("{at}/erase"), &[("email", " Ana.Erased@example.org ")]).await;
    assert_eq!(r.status(), 303, "erased");
    assert_eq!(r.headers()["location"], at.as_str());
    assert!(app.get_text(&at, &console).await.contains("This account has been erased."));
    assert_eq!(app.audited("account_deleted").await, vec![(Some(staff.id), Some(ana.id))], "by staff");
    assert_eq!(app.send("GET", "/api/v1/me", &ana).await.0, 401, "her tokens are gone");
    let left = "SELECT COUNT(*) FROM members WHERE email IS NOT NULL AND display_name = 'Ana Erased'";
    assert_eq!(app.count(left).await, 0, "her name and address are gone");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE story = 'to be forgotten'").await, 0, "and her story");
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'MemberDeleted'").await, 1, "told to the rest");

    app.consume("community-erasure").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM threads WHERE title = 'My tomatoes'").await, 0, "her discussion too");
    let member_of = "SELECT COUNT(*) FROM group_members WHERE member_id = $1";
    let memberships = app.state.db.scalar::<i64>(member_of, kernel::params![ana.id]).await.unwrap();
    assert_eq!(memberships, Some(0), "and her membership");
    assert!(app.problems().await.is_empty(), "invariants hold after erasure");
}

async fn staff_erase_nobody_by_mistake_nor_themselves_nor_an_admin(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let console = staff.browser(app).await;
    let own = format!("/admin/members/{}", staff.id);
    assert!(app.get_text(&own, &console).await.contains("your data settings"), "no form for oneself");
    let r = form_post(app, &console, &format!("{own}/erase"), &[("email", staff.email.as_str())]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"f-email-error\""), "refused beside the field");

    let admin = app.member().admin().create().await;
    let at = format!("/admin/members/{}", admin.id);
    assert!(app.get_text(&at, &console).await.contains("Only an admin can erase an admin"), "no form for staff");
    let r = form_post(app, &console, &format!("{at}/erase"), &[("email", admin.email.as_str())]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Only an admin can erase an admin"), "said if posted anyway");
    assert!(app.audited("account_deleted").await.is_empty(), "nobody was erased");
    assert_eq!(app.send("GET", "/api/v1/me", &admin).await.0, 200);
}

async fn staff_and_admins_erase_accounts_through_the_admin_api(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = ana_with_a_story_and_a_discussion(app, &staff).await;
    let erase = format!("/api/v1/admin/members/{}", ana.id);
    let (status, v) = app.call("DELETE", &erase, &staff, Some(json!({"email": "someone@example.org"}))).await;
    assert_eq!((status, v["error"]["fields"]["email"].is_string()), (422, true), "{v}");
    let (status, v) = app.call("DELETE", &erase, &staff, Some(json!({}))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("invalid_body")), "the address is required: {v}");
    assert_eq!(app.call("DELETE", &erase, &staff, Some(json!({"email": ana.email}))).await.0, 204);
    assert_eq!(app.call("DELETE", &erase, &staff, Some(json!({"email": ana.email}))).await.0, 404, "once");
    assert_eq!(app.audited("account_deleted").await, vec![(Some(staff.id), Some(ana.id))]);

    let [admin, other_admin] = [app.member().admin().create().await, app.member().admin().create().await];
    let erase_admin = format!("/api/v1/admin/members/{}", other_admin.id);
    let body = json!({"email": other_admin.email});
    assert_eq!(app.call("DELETE", &erase_admin, &staff, Some(body.clone())).await.0, 403, "not by staff");
    let own = format!("/api/v1/admin/members/{}", admin.id);
    let (status, v) = app.call("DELETE", &own, &admin, Some(json!({"email": admin.email}))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("self_erase")), "{v}");
    assert_eq!(app.call("DELETE", &erase_admin, &admin, Some(body)).await.0, 204, "but by another admin");
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    assert!(doc["paths"]["/api/v1/admin/members/{id}"]["delete"].is_object(), "documented");
}

async fn erasing_an_account_does_not_exist_for_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = ana_with_a_story_and_a_discussion(app, &staff).await;
    let ben = app.member().with_password().create().await;
    let browser = ben.browser(app).await;
    let at = format!("/admin/members/{}", ana.id);
    assert_eq!(app.send("GET", &at, &browser).await.0, 404);
    let typed = [("email", ana.email.as_str())];
    assert_eq!(form_post(app, &browser, &format!("{at}/erase"), &typed).await.status(), 404);
    let api = format!("/api/v1/admin/members/{}", ana.id);
    assert_eq!(app.call("DELETE", &api, &ben, Some(json!({"email": ana.email}))).await.0, 404);
    assert_eq!(app.get_json("/api/v1/me", &ana).await["display_name"], "Ana Erased", "Ana is still there");
    assert!(app.audited("account_deleted").await.is_empty());
}

//! Removing a member from a group in the staff console or the admin API (issue 20): the
//! group's console page lists its members, each with a button to remove them but the
//! owner; removing ends the membership as leaving does (they read the group no more and
//! may ask to join again), audited; the owner is refused (409, said in their row), and
//! neither way exists for anyone but staff.

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_remove_a_member_from_a_private_group_who_then_reads_it_no_more_but_may_ask_again,
    the_owner_is_never_removed_and_the_page_says_why_in_their_row,
    staff_remove_a_member_through_the_admin_api,
    removing_a_member_does_not_exist_for_members,
];

/// A staff member signed in to the console, with the private group they own, where Ana
/// (who started a discussion) and Ben are members.
struct Scene {
    staff: Member,
    console: reqwest::Client,
    ana: Member,
    ben: Member,
    group: Group,
    thread: String,
}

async fn a_private_group_with_two_members(app: &TestApp) -> Scene {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().named("Ana Removed").with_password().create().await;
    let ben = app.member().named("Ben Stays").create().await;
    let group =
        app.group().named("Night owls").private().screening(["Why?"]).owned_by(&staff).with_members(&[&ana, &ben]);
    let group = group.create().await;
    let thread = group.thread(app, &ana, "Sleepless", "Who else is up at 3?").await;
    let console = staff.browser(app).await;
    Scene { staff, console, ana, ben, group, thread }
}

/// `who`'s standing in the group, as the API tells them.
async fn standing(app: &TestApp, group: &Group, who: &Member) -> String {
    let g = app.get_json(&format!("/api/v1/groups/{group}"), who).await;
    g["standing"].as_str().unwrap().to_string()
}

async fn staff_remove_a_member_from_a_private_group_who_then_reads_it_no_more_but_may_ask_again(app: &TestApp) {
    let Scene { staff, console, ana, ben, group, thread } = a_private_group_with_two_members(app).await;
    let at = format!("/admin/groups/{group}");
    let page = app.get_text(&at, &console).await;
    let remove_ana = format!("{at}/members/{}/remove", ana.id);
    assert!(page.contains(&format!("action=\"{remove_ana}\"")), "each member has a remove button");
    assert!(page.contains("Remove<span class=\"visually-hidden\"> Ana Removed from the group</span>"), "named");
    assert!(!page.contains(&format!("{at}/members/{}/remove", staff.id)), "but not the owner");

    let r = form_post(app, &console, &remove_ana, &[]).await;
    assert_eq!(r.status(), 303, "removed");
    assert_eq!(r.headers()["location"], at.as_str(), "back to the group's page");
    let page = app.get_text(&at, &console).await;
    assert!(!page.contains("Ana Removed") && page.contains("Ben Stays"), "Ana has left the list, Ben has not");
    assert_eq!(app.audited("group_remove").await, vec![(Some(staff.id), Some(ana.id))]);

    assert_eq!(standing(app, &group, &ana).await, "none", "no longer a member, as after leaving");
    assert_eq!(standing(app, &group, &ben).await, "member");
    assert_eq!(app.send("GET", &format!("/api/v1/threads/{thread}"), &ana).await.0, 404, "she reads it no more");
    group.request_to_join(app, &ana).await;
    assert_eq!(standing(app, &group, &ana).await, "pending", "not banned: she may ask to join again");
}

async fn the_owner_is_never_removed_and_the_page_says_why_in_their_row(app: &TestApp) {
    let Scene { staff, group, .. } = a_private_group_with_two_members(app).await;
    let colleague = app.staff_member().with_password().create().await;
    let console = colleague.browser(app).await;
    let r = form_post(app, &console, &format!("/admin/groups/{group}/members/{}/remove", staff.id), &[]).await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"error-summary\""), "a summary at the top");
    assert!(page.contains(&format!("href=\"#f-remove-{}\"", staff.id)), "linking the owner's row");
    assert!(page.contains(&format!("id=\"f-remove-{}-error\"", staff.id)), "where the message is");
    assert!(page.contains("owner cannot be removed"), "saying why");
    assert_eq!(standing(app, &group, &staff).await, "owner", "still the owner");
    assert!(app.audited("group_remove").await.is_empty());
}

async fn staff_remove_a_member_through_the_admin_api(app: &TestApp) {
    let Scene { staff, ben, group, .. } = a_private_group_with_two_members(app).await;
    let remove = format!("/api/v1/admin/groups/{group}/members/{}", ben.id);
    assert_eq!(app.send("DELETE", &remove, &staff).await.0, 204);
    assert_eq!(standing(app, &group, &ben).await, "none");
    assert_eq!(app.send("DELETE", &remove, &staff).await.0, 404, "once: he is no longer in it");
    let owner = format!("/api/v1/admin/groups/{group}/members/{}", staff.id);
    let colleague = app.staff_member().create().await;
    let (status, v) = app.call("DELETE", &owner, &colleague, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("owner")), "the owner stays: {v}");
    let (status, v) = app.call("DELETE", &owner, &staff, None).await;
    assert_eq!((status, v["error"]["fields"]["member_id"].is_string()), (422, true), "nor removes themselves: {v}");
    assert_eq!(app.audited("group_remove").await, vec![(Some(staff.id), Some(ben.id))]);
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    assert!(doc["paths"]["/api/v1/admin/groups/{id}/members/{member_id}"]["delete"].is_object(), "documented");
}

async fn removing_a_member_does_not_exist_for_members(app: &TestApp) {
    let Scene { ana, ben, group, .. } = a_private_group_with_two_members(app).await;
    let browser = ana.browser(app).await;
    let page = format!("/admin/groups/{group}/members/{}/remove", ben.id);
    assert_eq!(form_post(app, &browser, &page, &[]).await.status(), 404, "POST {page}");
    let api = format!("/api/v1/admin/groups/{group}/members/{}", ben.id);
    assert_eq!(app.send("DELETE", &api, &ana).await.0, 404, "DELETE {api}");
    assert_eq!(standing(app, &group, &ben).await, "member", "Ben is still in");
    assert!(app.audited("group_remove").await.is_empty());
}

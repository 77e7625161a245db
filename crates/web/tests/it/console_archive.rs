//! Archiving a group from the staff console or the admin API (issue 20): an archived
//! group leaves the list of groups and takes no new members, discussions, replies or
//! reactions (a clear 409), while those who could read it still do; bringing it back
//! opens it again. Both are audited, and neither exists for anyone but staff.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    an_archived_group_leaves_the_list_and_takes_no_new_posts_but_its_members_still_read_it,
    staff_bring_an_archived_group_back_through_the_admin_api,
    archiving_a_group_does_not_exist_for_members,
];

/// A staff member signed in to the console, with the private group they run, where Ana
/// has started a discussion.
struct Scene {
    staff: Member,
    console: reqwest::Client,
    ana: Member,
    group: Group,
    thread: String,
}

async fn a_private_group_with_a_discussion(app: &TestApp) -> Scene {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().named("Ana Archive").with_password().create().await;
    let group = app.group().named("Winter walkers").private().owned_by(&staff).with_members(&[&ana]).create().await;
    let thread = group.thread(app, &ana, "Icy paths", "Where do you walk when it freezes?").await;
    let console = staff.browser(app).await;
    Scene { staff, console, ana, group, thread }
}

/// The names of the groups `who` finds in the API's list.
async fn listed_names(app: &TestApp, who: &Member) -> Vec<String> {
    let list = app.get_json("/api/v1/groups", who).await;
    list["items"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
}

/// The answer's status and error code.
fn refused(answer: &(u16, serde_json::Value)) -> (u16, &str) {
    (answer.0, answer.1["error"]["code"].as_str().unwrap_or_default())
}

async fn an_archived_group_leaves_the_list_and_takes_no_new_posts_but_its_members_still_read_it(app: &TestApp) {
    let Scene { staff, console, ana, group, thread } = a_private_group_with_a_discussion(app).await;
    let page = app.get_text(&format!("/admin/groups/{group}"), &console).await;
    assert!(page.contains(&format!("action=\"/admin/groups/{group}/archive\"")), "the console offers to archive");

    let r = form_post(app, &console, &format!("/admin/groups/{group}/archive"), &[]).await;
    assert_eq!(r.status(), 303, "archived from the console");
    assert_eq!(app.audited("group_archived").await, vec![(Some(staff.id), None)]);
    let page = app.get_text(&format!("/admin/groups/{group}"), &console).await;
    assert!(page.contains(&format!("action=\"/admin/groups/{group}/unarchive\"")), "and then to bring it back");
    assert!(app.get_text("/admin/groups", &console).await.contains("Archived"), "the console list says so");

    assert!(!listed_names(app, &ana).await.contains(&group.name), "out of the API's list");
    assert!(!app.get_text("/groups", &ana.browser(app).await).await.contains("Winter walkers"), "and the page's");
    let g = app.get_json(&format!("/api/v1/groups/{group}"), &ana).await;
    assert!(g["archived_at"].is_string(), "the group says it is archived: {g}");
    let t = app.get_json(&format!("/api/v1/threads/{thread}"), &ana).await;
    assert_eq!(t["title"], "Icy paths", "its member still reads what was said");
    let outsider = app.member().create().await;
    assert_eq!(app.send("GET", &format!("/api/v1/threads/{thread}"), &outsider).await.0, 404, "others still do not");

    let posting = group.try_thread(app, &ana, json!({"title": "Spring", "body": "Soon?"})).await;
    assert_eq!(refused(&posting), (409, "group_archived"), "{posting:?}");
    let replying = app.try_reply(&ana, &thread, json!({"body": "By the river."})).await;
    assert_eq!(refused(&replying), (409, "group_archived"), "{replying:?}");
    let reacting = app.call("PUT", &format!("/api/v1/threads/{thread}/reactions/support"), &ana, None).await;
    assert_eq!(refused(&reacting), (409, "group_archived"), "{reacting:?}");
    let joining = app.call("POST", &format!("/api/v1/groups/{group}/join"), &outsider, Some(json!({}))).await;
    assert_eq!(refused(&joining), (409, "group_archived"), "{joining:?}");

    let browser = ana.browser(app).await;
    let page = app.get_text(&format!("/groups/{group}"), &browser).await;
    assert!(page.contains("Archived.") && !page.contains("Start a discussion"), "the page says why, with no form");
    let page = app.get_text(&format!("/threads/{thread}"), &browser).await;
    assert!(page.contains("This group is archived") && !page.contains("id=\"reply-form\""), "the thread too");
}

async fn staff_bring_an_archived_group_back_through_the_admin_api(app: &TestApp) {
    let Scene { staff, ana, group, .. } = a_private_group_with_a_discussion(app).await;
    let archive = format!("/api/v1/admin/groups/{group}/archive");
    assert_eq!(app.send("POST", &archive, &staff).await.0, 204);
    assert_eq!(app.send("POST", &archive, &staff).await.0, 204, "archiving twice changes nothing");
    assert_eq!(app.send("POST", &format!("/api/v1/admin/groups/{group}/unarchive"), &staff).await.0, 204);
    assert_eq!(app.audited("group_unarchived").await, vec![(Some(staff.id), None)]);
    assert!(listed_names(app, &ana).await.contains(&group.name), "listed again");
    group.thread(app, &ana, "Spring", "Back to the hills.").await;
    let missing = uuid::Uuid::now_v7();
    assert_eq!(app.send("POST", &format!("/api/v1/admin/groups/{missing}/archive"), &staff).await.0, 404);
}

async fn archiving_a_group_does_not_exist_for_members(app: &TestApp) {
    let Scene { ana, group, .. } = a_private_group_with_a_discussion(app).await;
    let browser = ana.browser(app).await;
    for action in ["archive", "unarchive"] {
        let api = format!("/api/v1/admin/groups/{group}/{action}");
        assert_eq!(app.send("POST", &api, &ana).await.0, 404, "POST {api}");
        let page = format!("/admin/groups/{group}/{action}");
        assert_eq!(form_post(app, &browser, &page, &[]).await.status(), 404, "POST {page}");
    }
    assert!(app.audited("group_archived").await.is_empty());
    assert!(listed_names(app, &ana).await.contains(&group.name), "still listed");
}

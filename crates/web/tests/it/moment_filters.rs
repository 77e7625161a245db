//! Lists filter by moment (issue 21): the resources library, the courses list, the
//! events list, a group's discussions and search (their pages and APIs) show only what is tagged with the chosen moment; an unknown moment
//! is a 422 that says so, never the whole list.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    the_library_and_the_courses_list_filter_by_moment,
    the_events_list_filters_by_moment,
    a_groups_discussions_filter_by_moment,
    search_narrowed_to_a_moment_finds_only_tagged_content_and_never_people,
];

async fn tag(app: &TestApp, staff: &Member, kind: &str, id: &str, moments: Value) {
    let (s, v) = app
        .call("PUT", &format!("/api/v1/admin/moment-tags/{kind}/{id}"), staff, Some(json!({"moments": moments})))
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn resource(app: &TestApp, staff: &Member, title: &str) -> String {
    let body = json!({"kind": "guide", "title": title, "summary": "A summary", "body": "Some text.",
        "audience": "members", "status": "published"});
    let (s, v) = app.call("POST", "/api/v1/admin/resources", staff, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn course(app: &TestApp, staff: &Member, title: &str) -> String {
    let body = json!({"title": title, "summary": "Learn.", "modules": [{"title": "Basics", "lessons": [
        {"title": "One", "body": "Hello.", "video_url": null, "captions_url": null}]}]});
    let (s, v) = app.call("POST", "/api/v1/admin/courses", staff, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/admin/courses/{id}/status");
    assert_eq!(app.call("POST", &path, staff, Some(json!({"status": "published"}))).await.0, 204);
    id
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

async fn the_library_and_the_courses_list_filter_by_moment(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let first = resource(app, &staff, "Your first weeks after a diagnosis").await;
    resource(app, &staff, "Writing to your representative").await;
    tag(app, &staff, "resource", &first, json!(["new_diagnosis"])).await;
    let tagged = course(app, &staff, "Starting a new treatment well").await;
    course(app, &staff, "Public speaking").await;
    tag(app, &staff, "course", &tagged, json!(["starting_treatment"])).await;

    let all = app.get_json("/api/v1/resources", &member).await;
    assert_eq!(titles(&all).len(), 2);
    let only = app.get_json("/api/v1/resources?moment=new_diagnosis", &member).await;
    assert_eq!(titles(&only), vec!["Your first weeks after a diagnosis"]);
    let none = app.get_json("/api/v1/resources?moment=caring", &member).await;
    assert!(titles(&none).is_empty(), "nothing is tagged caring");
    let (s, v) = app.call("GET", "/api/v1/resources?moment=crypto", &member, None).await;
    assert_eq!(s, 422, "{v}");
    let html = app.get_text("/resources?moment=new_diagnosis", &member).await;
    assert!(html.contains("Your first weeks after a diagnosis") && !html.contains("Writing to your representative"));
    assert!(html.contains("<label for=\"f-moment\">Moment</label>"), "a labelled select");
    assert!(html.contains("<option value=\"new_diagnosis\" selected>"), "the chosen moment stays chosen");
    let (s, html) = app.send("GET", "/resources?moment=crypto", &member).await;
    assert_eq!(s, 422);
    assert!(html.contains("There is no such moment"), "{html}");

    let only = app.get_json("/api/v1/courses?moment=starting_treatment", &member).await;
    assert_eq!(titles(&only), vec!["Starting a new treatment well"]);
    assert_eq!(titles(&app.get_json("/api/v1/courses", &member).await).len(), 2);
    assert_eq!(app.call("GET", "/api/v1/courses?moment=crypto", &member, None).await.0, 422);
    let html = app.get_text("/courses?moment=starting_treatment", &member).await;
    assert!(html.contains("Starting a new treatment well") && !html.contains("Public speaking"), "{html}");
    assert!(html.contains("<label for=\"f-moment\">Moment</label>"));
    let (s, html) = app.send("GET", "/courses?moment=crypto", &member).await;
    assert_eq!(s, 422);
    assert!(html.contains("There is no such moment") && !html.contains("Public speaking"));
}

async fn the_events_list_filters_by_moment(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let tagged = app.event().titled("Caring for a parent: an evening").by(&staff).create().await;
    app.event().titled("Storytelling workshop").by(&staff).create().await;
    tag(app, &staff, "event", &tagged.id, json!(["caring"])).await;

    assert_eq!(titles(&app.get_json("/api/v1/events", &member).await).len(), 2);
    let only = app.get_json("/api/v1/events?moment=caring", &member).await;
    assert_eq!(titles(&only), vec!["Caring for a parent: an evening"]);
    assert!(titles(&app.get_json("/api/v1/events?moment=new_symptoms", &member).await).is_empty());
    assert_eq!(app.call("GET", "/api/v1/events?moment=crypto", &member, None).await.0, 422);
    let html = app.get_text("/events?moment=caring", &member).await;
    assert!(html.contains("Caring for a parent: an evening") && !html.contains("Storytelling workshop"), "{html}");
    assert!(html.contains("<label for=\"moment\">Moment</label>"));
    assert!(html.contains("<option value=\"caring\" selected>"));
}

async fn a_groups_discussions_filter_by_moment(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let group = app.group().named("Living with migraine").owned_by(&staff).create().await;
    let tagged = group.thread(app, &staff, "Test results came back, now what?", "Tell us.").await;
    group.thread(app, &staff, "Favourite walks", "Share them.").await;
    tag(app, &staff, "thread", &tagged, json!(["test_results"])).await;

    let path = format!("/api/v1/groups/{}/threads", group.id);
    assert_eq!(titles(&app.get_json(&path, &member).await).len(), 2);
    let only = app.get_json(&format!("{path}?moment=test_results"), &member).await;
    assert_eq!(titles(&only), vec!["Test results came back, now what?"]);
    assert!(titles(&app.get_json(&format!("{path}?moment=caring"), &member).await).is_empty());
    assert_eq!(app.call("GET", &format!("{path}?moment=crypto"), &member, None).await.0, 422);
    let html = app.get_text(&format!("/groups/{}?moment=test_results", group.id), &member).await;
    assert!(html.contains("Test results came back, now what?") && !html.contains("Favourite walks"), "{html}");
    assert!(html.contains("<label for=\"f-moment\">Moment</label>"));
    assert!(html.contains("<option value=\"test_results\" selected>"));
}

fn found(res: &Value, part: &str) -> Vec<String> {
    res[part].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap_or_default().to_string()).collect()
}

async fn search_narrowed_to_a_moment_finds_only_tagged_content_and_never_people(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    app.member().named("Kumquat Person").create().await;
    let group = app.group().named("Kumquat circle").owned_by(&staff).create().await;
    group.admit(app, &member).await;
    let tagged = group.thread(app, &staff, "Kumquat and new symptoms", "Kumquat talk.").await;
    group.thread(app, &staff, "Kumquat recipes", "More kumquat talk.").await;
    tag(app, &staff, "thread", &tagged, json!(["new_symptoms"])).await;
    let guide = resource(app, &staff, "Kumquat guide for new symptoms").await;
    resource(app, &staff, "Kumquat gardening").await;
    tag(app, &staff, "resource", &guide, json!(["new_symptoms"])).await;

    let all = app.get_json("/api/v1/search?q=kumquat", &member).await;
    assert_eq!(found(&all, "posts").len(), 2, "{all}");
    assert_eq!(found(&all, "learning").len(), 2, "{all}");
    let only = app.get_json("/api/v1/search?q=kumquat&moment=new_symptoms", &member).await;
    assert_eq!(found(&only, "posts"), vec!["Kumquat and new symptoms"], "{only}");
    assert_eq!(found(&only, "learning"), vec!["Kumquat guide for new symptoms"], "{only}");
    assert!(only["members"].as_array().unwrap().is_empty() && only["groups"].as_array().unwrap().is_empty());
    assert_eq!(app.call("GET", "/api/v1/search?q=kumquat&moment=crypto", &member, None).await.0, 422);
    let html = app.get_text("/search?q=kumquat&moment=new_symptoms", &member).await;
    assert!(html.contains("Kumquat and new symptoms") && !html.contains("Kumquat recipes"), "{html}");
    assert!(html.contains("<label for=\"f-moment\">Moment</label>"));
    let (s, html) = app.send("GET", "/search?q=kumquat&moment=crypto", &member).await;
    assert_eq!(s, 422);
    assert!(html.contains("There is no such moment"));
}

//! Discussions at the right moment (issue 21): an author tags their own thread with the
//! moments it fits (on the group page's form and in the API) and may change them later;
//! an unknown moment is refused with nothing stored; a thread started while a staff
//! prompt of its group is open carries the prompt's moments unless its author chose.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    an_author_tags_their_thread_on_the_group_page_and_an_unknown_moment_is_refused_inline,
    an_author_tags_a_thread_through_the_api_and_may_change_the_tags_later,
    threads_started_while_a_prompt_is_open_carry_its_moments_unless_the_author_chooses,
];

fn moments_path(thread: &str) -> String {
    format!("/api/v1/threads/{thread}/moments")
}

async fn moments_of(app: &TestApp, who: &Member, thread: &str) -> Value {
    app.get_json(&moments_path(thread), who).await["moments"].clone()
}

async fn threads_titled(app: &TestApp, title: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM threads WHERE title = '{title}'")).await
}

async fn an_author_tags_their_thread_on_the_group_page_and_an_unknown_moment_is_refused_inline(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let author = app.member().named("Page Author").signed_up().create().await;
    let group = app.group().named("Newly diagnosed").owned_by(&staff).with_members(&[&author]).create().await;
    let browser = author.browser(app).await;
    let page = browser.get(app.url(&format!("/groups/{}", group.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<fieldset id=\"f-moments\""), "a fieldset of moments: {page}");
    assert!(page.contains("<legend>Moments it fits</legend>"));
    assert!(page.contains("name=\"moments\" value=\"new_diagnosis\">"), "nothing ticked without a prompt");

    let path = format!("/groups/{}/threads", group.id);
    let bad = [("title", "Where do I start?"), ("body", "Just diagnosed."), ("moments", "crypto")];
    let r = form_post(app, &browser, &path, &bad).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-moments-error\""), "the error sits at the moments: {html}");
    assert!(html.contains("is not one of the moments"));
    assert!(html.contains("value=\"Where do I start?\""), "the draft is kept");
    assert_eq!(threads_titled(app, "Where do I start?").await, 0, "nothing stored");

    let good = [
        ("title", "Where do I start?"),
        ("body", "Just diagnosed."),
        ("moments", "new_diagnosis"),
        ("moments", "test_results"),
    ];
    let r = form_post(app, &browser, &path, &good).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let listed = app.get_json(&format!("/api/v1/groups/{}/threads?moment=test_results", group.id), &author).await;
    let thread = listed["items"][0]["id"].as_str().expect("the tagged thread is listed").to_string();
    assert_eq!(moments_of(app, &author, &thread).await, json!(["new_diagnosis", "test_results"]));
}

async fn an_author_tags_a_thread_through_the_api_and_may_change_the_tags_later(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let author = app.member().named("Api Author").create().await;
    let reader = app.member().named("Reader").create().await;
    let outsider = app.member().named("Outsider").create().await;
    let group = app.group().named("Carers").private().owned_by(&staff).with_members(&[&author, &reader]).create().await;

    let (s, v) = group
        .try_thread(app, &author, json!({"title": "Caring at night", "body": "Tips?", "moments": ["caring", "crypto"]}))
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["moments"].as_str().unwrap().contains("crypto"), "{v}");
    assert_eq!(threads_titled(app, "Caring at night").await, 0, "nothing stored");
    let (s, v) = group
        .try_thread(
            app,
            &author,
            json!({"title": "Caring at night", "body": "Tips?", "moments": ["caring", "caring", "long_term"]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let thread = v["id"].as_str().unwrap().to_string();
    assert_eq!(moments_of(app, &reader, &thread).await, json!(["caring", "long_term"]));
    assert_eq!(app.call("GET", &moments_path(&thread), &outsider, None).await.0, 404, "private group");

    let change = |m: Value| Some(json!({"moments": m}));
    let (s, v) = app.call("PUT", &moments_path(&thread), &author, change(json!(["starting_treatment"]))).await;
    assert_eq!((s, v), (200, json!({"moments": ["starting_treatment"]})));
    assert_eq!(app.call("PUT", &moments_path(&thread), &reader, change(json!(["caring"]))).await.0, 403);
    assert_eq!(app.call("PUT", &moments_path(&thread), &outsider, change(json!(["caring"]))).await.0, 404);
    let (s, v) = app.call("PUT", &moments_path(&thread), &author, change(json!(["crypto"]))).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(moments_of(app, &author, &thread).await, json!(["starting_treatment"]), "unchanged");
    let (s, _) = app.call("PUT", &moments_path(&thread), &staff, change(json!(["caring"]))).await;
    assert_eq!(s, 200, "the group's moderators may retag it");
    let only = app.get_json(&format!("/api/v1/groups/{}/threads?moment=caring", group.id), &reader).await;
    assert_eq!(only["items"][0]["id"], json!(thread));
}

/// Staff open a prompt in `group` now, about `moments`; its id.
async fn open_prompt(app: &TestApp, staff: &Member, group: &Group, moments: Value) -> (u16, Value) {
    let body = json!({"title": "This week: your first appointment", "body": "How did it go?",
        "opens_at": (chrono::Utc::now() - hours(1)).to_rfc3339(),
        "closes_at": (chrono::Utc::now() + days(6)).to_rfc3339(), "moments": moments});
    app.call("POST", &format!("/api/v1/groups/{}/prompts", group.id), staff, Some(body)).await
}

async fn threads_started_while_a_prompt_is_open_carry_its_moments_unless_the_author_chooses(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let author = app.member().named("Prompt Follower").create().await;
    let group = app.group().named("First weeks").owned_by(&staff).with_members(&[&author]).create().await;
    let quiet = app.group().named("Quiet corner").owned_by(&staff).with_members(&[&author]).create().await;

    assert_eq!(open_prompt(app, &staff, &group, json!(["crypto"])).await.0, 422, "prompts take known moments");
    let (s, prompt) = open_prompt(app, &staff, &group, json!(["new_diagnosis"])).await;
    assert_eq!(s, 201, "{prompt}");
    let prompt = prompt["id"].as_str().unwrap().to_string();
    assert_eq!(moments_of(app, &author, &prompt).await, json!(["new_diagnosis"]));
    // A later prompt, not open yet, passes nothing on.
    let later = json!({"title": "Next month", "body": "Soon.", "moments": ["caring"],
        "opens_at": (chrono::Utc::now() + days(20)).to_rfc3339(), "closes_at": (chrono::Utc::now() + days(27)).to_rfc3339()});
    assert_eq!(app.call("POST", &format!("/api/v1/groups/{}/prompts", group.id), &staff, Some(later)).await.0, 201);

    let inherits = group.thread(app, &author, "My first appointment", "It went well.").await;
    assert_eq!(moments_of(app, &author, &inherits).await, json!(["new_diagnosis"]), "as the open prompt");
    let (s, v) =
        group.try_thread(app, &author, json!({"title": "Own choice", "body": "Hm.", "moments": ["caring"]})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(moments_of(app, &author, v["id"].as_str().unwrap()).await, json!(["caring"]), "the author's choice");
    let (s, v) = group.try_thread(app, &author, json!({"title": "No moments", "body": "Hm.", "moments": []})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(moments_of(app, &author, v["id"].as_str().unwrap()).await, json!([]), "an empty choice is a choice");
    let elsewhere = quiet.thread(app, &author, "Elsewhere", "No prompt here.").await;
    assert_eq!(moments_of(app, &author, &elsewhere).await, json!([]), "another group's prompt is not inherited");

    // The group page's form ticks the prompt's moments for the author.
    let page = app.get_text(&format!("/groups/{}", group.id), &author).await;
    assert!(page.contains("name=\"moments\" value=\"new_diagnosis\" checked>"), "{page}");
    assert!(page.contains("name=\"moments\" value=\"caring\">"), "the later prompt's moment is not ticked");
    let quiet_page = app.get_text(&format!("/groups/{}", quiet.id), &author).await;
    assert!(!quiet_page.contains(" checked>"), "nothing ticked without an open prompt");
}

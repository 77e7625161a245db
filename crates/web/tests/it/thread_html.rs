//! The thread page reads each post's HTML as stored when it was written or edited (issue
//! 19), renders only a row stored before that (or by an older renderer), which
//! `shn check` reports and `shn check --repair` stores; and each post has one reaction
//! form, whose buttons add and take back a reaction without JavaScript. Direct messages
//! keep their HTML the same way.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    a_post_s_html_is_stored_when_written_and_edited_and_the_page_shows_the_stored_html,
    a_post_without_current_html_still_renders_and_the_repair_stores_it,
    each_post_has_one_reaction_form_whose_buttons_add_and_take_back_a_reaction,
    a_message_s_html_is_stored_when_sent_and_a_message_without_it_still_renders,
];

const RENDERER: i32 = kernel::markdown::RENDERER_VERSION;

/// The stored HTML and renderer version of a row of `table`.
async fn stored(app: &TestApp, table: &str, id: &str) -> (Option<String>, Option<i32>) {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        body_html: Option<String>,
        body_html_v: Option<i32>,
    }
    let id: uuid::Uuid = id.parse().unwrap();
    let sql = format!("SELECT body_html, body_html_v FROM {table} WHERE id = $1");
    let row: Row = app.state.db.one(&sql, kernel::params![id]).await.unwrap().expect("the row");
    (row.body_html, row.body_html_v)
}

async fn set_stored(app: &TestApp, table: &str, id: &str, html: Option<&str>, v: Option<i32>) {
    let id: uuid::Uuid = id.parse().unwrap();
    let sql = format!("UPDATE {table} SET body_html = $1, body_html_v = $2 WHERE id = $3");
    app.exec(&sql, kernel::params![html, v, id]).await;
}

async fn page(c: &reqwest::Client, app: &TestApp, thread: &str) -> String {
    let r = c.get(app.url(&format!("/threads/{thread}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn a_post_s_html_is_stored_when_written_and_edited_and_the_page_shows_the_stored_html(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ada, bea) = (&app.member().create().await, &app.member().with_password().create().await);
    let open = app.group().named("Caregivers").owned_by(&staff).with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Respite care", "Looking for **bold** advice").await;
    let r = app.reply(ada, &t, "an *early* answer").await;
    assert_eq!(
        stored(app, "threads", &t).await,
        (Some("<p>Looking for <strong>bold</strong> advice</p>\n".into()), Some(RENDERER))
    );
    assert_eq!(stored(app, "posts", &r).await, (Some("<p>an <em>early</em> answer</p>\n".into()), Some(RENDERER)));
    // The page shows what is stored, not the Markdown rendered again.
    set_stored(app, "posts", &r, Some("<p>stored-reply-marker</p>"), Some(RENDERER)).await;
    set_stored(app, "threads", &t, Some("<p>stored-thread-marker</p>"), Some(RENDERER)).await;
    let browser = bea.browser(app).await;
    let html = page(&browser, app, &t).await;
    assert!(html.contains("stored-reply-marker") && html.contains("stored-thread-marker"), "{html}");
    assert!(!html.contains("<em>early</em>") && !html.contains("<strong>bold</strong>"));
    // An edit stores the new HTML, which the page shows.
    let edit = json!({"body": "a *later* answer"});
    assert_eq!(app.call("PATCH", &format!("/api/v1/replies/{r}"), ada, Some(edit)).await.0, 204);
    let edit = json!({"body": "Now `code` advice"});
    assert_eq!(app.call("PATCH", &format!("/api/v1/threads/{t}"), ada, Some(edit)).await.0, 204);
    assert_eq!(stored(app, "posts", &r).await, (Some("<p>a <em>later</em> answer</p>\n".into()), Some(RENDERER)));
    assert_eq!(stored(app, "threads", &t).await.0.as_deref(), Some("<p>Now <code>code</code> advice</p>\n"));
    let html = page(&browser, app, &t).await;
    assert!(html.contains("<em>later</em>") && html.contains("<code>code</code>"), "{html}");
    assert!(!html.contains("stored-reply-marker") && !html.contains("stored-thread-marker"));
    // A reply someone quoted, deleted, stays as a tombstone: its stored HTML too.
    let (s, v) = app.try_reply(bea, &t, json!({"body": "Agreed", "quote_id": r})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(app.call("DELETE", &format!("/api/v1/replies/{r}"), ada, None).await.0, 204);
    assert_eq!(stored(app, "posts", &r).await.0.as_deref(), Some("<p>[deleted]</p>\n"));
    assert!(!page(&browser, app, &t).await.contains("<em>later</em>"));
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn a_post_without_current_html_still_renders_and_the_repair_stores_it(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ada = &app.member().with_password().create().await;
    let open = app.group().named("Asthma").owned_by(&staff).with_members(&[ada]).create().await;
    let t = open.thread(app, ada, "Inhalers", "Which **spacer**?").await;
    let r = app.reply(ada, &t, "The *small* one").await;
    // As written before the column existed, and as stored by an older renderer.
    set_stored(app, "posts", &r, None, None).await;
    set_stored(app, "threads", &t, Some("<p>stale-html-marker</p>"), Some(RENDERER - 1)).await;
    let html = page(&ada.browser(app).await, app, &t).await;
    assert!(html.contains("<em>small</em>") && html.contains("<strong>spacer</strong>"), "{html}");
    assert!(!html.contains("stale-html-marker"), "HTML of an older renderer is never shown");
    let problems = app.problems().await;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.contains("shn check --repair")), "{problems:?}");
    let done = app.repair().await;
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(app.problems().await, Vec::<String>::new());
    assert_eq!(stored(app, "posts", &r).await, (Some("<p>The <em>small</em> one</p>\n".into()), Some(RENDERER)));
    assert_eq!(stored(app, "threads", &t).await.0.as_deref(), Some("<p>Which <strong>spacer</strong>?</p>\n"));
    assert!(app.repair().await.is_empty(), "nothing left to repair");
}

async fn each_post_has_one_reaction_form_whose_buttons_add_and_take_back_a_reaction(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ada, bea) = (&app.member().create().await, &app.member().with_password().create().await);
    let open = app.group().named("Migraine").owned_by(&staff).with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Light", "Sunglasses indoors?").await;
    let r = app.reply(ada, &t, "Tinted lenses").await;
    let _ = app.reply(ada, &t, "Dim screens").await;
    let browser = bea.browser(app).await;
    let html = page(&browser, app, &t).await;
    let action = format!("action=\"/threads/{t}/react\"");
    assert_eq!(html.matches(&action).count(), 3, "one form for the thread and one per reply");
    assert!(html.contains("name=\"react\" value=\"support:1\""), "{html}");
    let csrf = csrf_of(&html);
    let react = |on: &'static str| {
        let fields = vec![
            ("csrf", csrf.clone()),
            ("target_type", "reply".to_string()),
            ("target_id", r.clone()),
            ("react", format!("support:{on}")),
        ];
        browser.post(app.url(&format!("/threads/{t}/react"))).form(&fields).send()
    };
    assert_eq!(react("1").await.unwrap().status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 1);
    let html = page(&browser, app, &t).await;
    assert!(html.contains("name=\"react\" value=\"support:0\" class=\"reaction\" aria-pressed=\"true\""), "{html}");
    assert_eq!(react("0").await.unwrap().status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 0);
}

async fn a_message_s_html_is_stored_when_sent_and_a_message_without_it_still_renders(app: &TestApp) {
    let ana = &app.member().with_password().create().await;
    let bo = &app.member().create().await;
    assert_eq!(app.call("PUT", "/api/v1/me/messaging", bo, Some(json!({"allow": "everyone"}))).await.0, 204);
    let body = json!({"member_id": bo.id, "body": "Hello, *Bo*"});
    let (s, v) = app.call("POST", "/api/v1/conversations", ana, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    let conversation = v["id"].as_str().unwrap().to_string();
    let message: uuid::Uuid = app.state.db.scalar("SELECT id FROM messages", vec![]).await.unwrap().unwrap();
    let message = message.to_string();
    assert_eq!(stored(app, "messages", &message).await, (Some("<p>Hello, <em>Bo</em></p>\n".into()), Some(RENDERER)));
    let browser = ana.browser(app).await;
    let path = format!("/messages/{conversation}");
    set_stored(app, "messages", &message, Some("<p>stored-message-marker</p>"), Some(RENDERER)).await;
    let html = browser.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("stored-message-marker"), "{html}");
    set_stored(app, "messages", &message, None, None).await;
    let html = browser.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Hello, <em>Bo</em>"), "{html}");
    assert_eq!(app.problems().await.len(), 1);
    assert_eq!(app.repair().await, vec!["stored the HTML of 1 row(s) of messages".to_string()]);
    assert_eq!(app.problems().await, Vec::<String>::new());
}

//! Reporting from the thread page: each post someone else wrote links to a report page
//! of its own (the page carries no report form per reply), which shows what is reported
//! only to someone who may read it, says a mistake next to its field, keeps what was
//! typed, and files the report.

use crate::both_backends;
use crate::support::*;

both_backends![
    each_post_links_to_its_report_page_and_the_thread_carries_no_report_form,
    a_report_page_refuses_inline_keeps_the_note_and_files_the_report,
    a_report_page_shows_nothing_to_whoever_may_not_read_the_post,
];

async fn each_post_links_to_its_report_page_and_the_thread_carries_no_report_form(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ada, bea) = (&app.member().create().await, &app.member().with_password().create().await);
    let open = app.group().named("Migraine").owned_by(&staff).with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Light", "Sunglasses indoors?").await;
    let hers = app.reply(ada, &t, "Tinted lenses").await;
    let mine = app.reply(bea, &t, "Dim screens").await;
    let html =
        bea.browser(app).await.get(app.url(&format!("/threads/{t}"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(&format!("action=\"/threads/{t}/report\"")), "no report form on the thread page");
    assert!(html.contains(&format!("href=\"/threads/{t}/report?target_type=reply&amp;target_id={hers}\"")), "{html}");
    assert!(html.contains(&format!("href=\"/threads/{t}/report\"")), "the discussion itself: {html}");
    assert!(!html.contains(&format!("target_id={mine}\"")), "nobody reports their own reply");
}

async fn a_report_page_refuses_inline_keeps_the_note_and_files_the_report(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ada, bea) = (&app.member().named("Ada").create().await, &app.member().with_password().create().await);
    let open = app.group().named("Asthma").owned_by(&staff).with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Inhalers", "Which spacer?").await;
    let r = app.reply(ada, &t, "Buy my miracle cure at example.com").await;
    let browser = bea.browser(app).await;
    let path = format!("/threads/{t}/report?target_type=reply&target_id={r}");
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Report this reply by Ada") && html.contains("Buy my miracle cure"), "{html}");
    assert!(html.contains("<legend>Why are you reporting it?</legend>") && html.contains("for=\"f-note\""), "{html}");

    // No reason chosen: the page again, the mistake by its field, the note kept.
    let target = [("target_type", "reply"), ("target_id", r.as_str())];
    let mut fields = target.to_vec();
    fields.push(("note", "Selling things & <links>"));
    let refused = form_post(app, &browser, &format!("/threads/{t}/report"), &fields).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"f-reason-error\""), "the error by its field: {html}");
    assert!(html.contains("Selling things &amp; &lt;links&gt;</textarea>"), "the note kept: {html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 0);

    fields.push(("reason", "spam"));
    let sent = form_post(app, &browser, &format!("/threads/{t}/report"), &fields).await;
    assert_eq!(sent.status(), 200);
    assert!(sent.text().await.unwrap().contains("The moderators will look at your report."));
    let sql = "SELECT COUNT(*) FROM reports WHERE target_type = 'reply' AND target_id = $1 AND reason = 'spam' \
               AND note = 'Selling things & <links>'";
    let filed: Option<i64> = app.state.db.scalar(sql, kernel::params![r.parse::<uuid::Uuid>().unwrap()]).await.unwrap();
    assert_eq!(filed, Some(1));
}

async fn a_report_page_shows_nothing_to_whoever_may_not_read_the_post(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ada = &app.member().create().await;
    let outsider = &app.member().with_password().create().await;
    let secret = app.group().named("Private circle").owned_by(&staff).private().with_members(&[ada]).create().await;
    let t = secret.thread(app, ada, "Something hard", "Only for us").await;
    let r = app.reply(ada, &t, "A private reply").await;
    let open = app.group().named("Open").owned_by(&staff).with_members(&[ada, outsider]).create().await;
    let elsewhere = open.thread(app, ada, "Hello", "Open to all").await;
    let browser = outsider.browser(app).await;
    for path in [
        format!("/threads/{t}/report"),
        format!("/threads/{t}/report?target_type=reply&target_id={r}"),
        // A reply of a thread the viewer cannot read, named through one they can.
        format!("/threads/{elsewhere}/report?target_type=reply&target_id={r}"),
        format!("/threads/{elsewhere}/report?target_type=member&target_id={r}"),
    ] {
        let page = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 404, "{path}");
        assert!(!page.text().await.unwrap().contains("A private reply"), "{path}");
    }
    let fields = [("target_type", "reply"), ("target_id", r.as_str()), ("reason", "spam")];
    let refused = form_post(app, &browser, &format!("/threads/{elsewhere}/report"), &fields).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 0);
    // A visitor is asked to sign in first.
    let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = visitor.get(app.url(&format!("/threads/{elsewhere}/report"))).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert!(page.headers()["location"].to_str().unwrap().starts_with("/login?next="));
}

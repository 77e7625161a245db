//! Delivering the weekly newsletter: the send job gives every verified subscribed
//! member their own edition once over SMTP (plain text and HTML, List-Unsubscribe with
//! one-click POST, List-Id), the issue shows its delivery figures and `/metrics` its
//! progress, a hard bounce or a provider's report stops further sending to that address,
//! and the member is told on their next visit.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    an_issue_reaches_each_verified_subscribed_member_once_with_list_headers,
    a_hard_bounce_stops_the_address_and_the_member_is_told_once,
    the_bounce_webhook_records_complaints_for_staff_only_and_they_are_skipped,
];

const ISSUES: &str = "/api/v1/admin/newsletters";

/// A draft for `week`; its path.
async fn draft(app: &TestApp, editor: &Member, week: &str) -> String {
    let (status, issue) = app.call("POST", ISSUES, editor, Some(json!({ "week": week }))).await;
    assert_eq!(status, 201, "{issue}");
    format!("{ISSUES}/{}", issue["id"].as_str().unwrap())
}

/// Sends the issue at `path` and lets the worker run until it is sent; its figures.
async fn send_and_wait(app: &TestApp, editor: &Member, path: &str) -> Value {
    let (status, body) = app.call("POST", &format!("{path}/send"), editor, Some(json!({}))).await;
    assert_eq!(status, 202, "{body}");
    app.drain().await;
    let (status, issue) = app.call("GET", path, editor, None).await;
    assert_eq!(status, 200);
    assert_eq!(issue["status"], "sent", "{issue}");
    issue["delivery"].clone()
}

fn received_by(app: &TestApp, email: &str) -> Vec<Mail> {
    app.smtp.mails.lock().unwrap().iter().filter(|m| m.to == email.to_lowercase()).cloned().collect()
}

async fn an_issue_reaches_each_verified_subscribed_member_once_with_list_headers(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let bo = app.member().named("Bo").create().await;
    let (status, _) = app
        .call(
            "PUT",
            "/api/v1/me/newsletter-preferences",
            &bo,
            Some(json!({"weekly": false, "monthly_resources": true, "topics": []})),
        )
        .await;
    assert_eq!(status, 200);
    let path = draft(app, &editor, "2026-W49").await;
    // Enough featured links that one line of them would be too long for
    // 7-bit text (998 characters): the HTML part must still go as 7-bit.
    let mut featured = vec![json!({"title": "The toolkit", "href": "/learn"})];
    for n in 1..10 {
        featured.push(json!({"title": format!("Coffee conversation {n}: {}", "x".repeat(100)), "href": "/events"}));
    }
    let edit = json!({"intro": "This week: **advocacy**.", "featured": featured});
    assert_eq!(app.call("PUT", &path, &editor, Some(edit)).await.0, 200);
    assert_eq!(app.call("POST", &format!("{path}/send"), &ana, None).await.0, 404, "members cannot send");
    assert_eq!(app.call("POST", &format!("{path}/send"), &Visitor, None).await.0, 401);
    let (_, before) = app.call("GET", &path, &editor, None).await;
    assert_eq!(before["delivery"]["state"], "not_started", "{before}");

    let figures = send_and_wait(app, &editor, &path).await;
    assert_eq!(figures["state"], "done", "{figures}");
    assert_eq!((figures["recipients"].as_i64(), figures["sent"].as_i64()), (Some(2), Some(2)), "{figures}");
    assert_eq!((figures["failed"].as_i64(), figures["pending"].as_i64()), (Some(0), Some(0)));
    let mails = received_by(app, &ana.email);
    assert_eq!(mails.len(), 1, "Ana receives the issue once");
    let raw = &mails[0].raw;
    assert!(mails[0].subject().contains("2026-W49"));
    assert!(raw.contains("List-Unsubscribe: <http") && raw.contains("/unsubscribe/newsletter/"), "{raw}");
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
    assert!(raw.contains("List-Id: Health Leader weekly <weekly."), "{raw}");
    assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"));
    assert!(raw.contains("<strong>advocacy</strong>") && raw.contains("/learn"), "{raw}");
    let html = &raw[raw.find("Content-Type: text/html").expect("an HTML part")..];
    assert!(html.contains("Content-Transfer-Encoding: 7bit") && html.contains("Coffee conversation 9"), "{html}");
    assert!(received_by(app, &bo.email).is_empty(), "Bo turned the weekly issue off");
    assert_eq!(received_by(app, &editor.email).len(), 1, "staff are members too");

    // The one-click link of the message works with a bare POST, and counts in the figures.
    let text_part = raw.split("Unsubscribe with one click: ").nth(1).expect("the link in the text part");
    let url = text_part.split_whitespace().next().unwrap();
    assert!(raw.contains(&format!("List-Unsubscribe: <{url}>")), "the header carries the same link: {raw}");
    let r = reqwest::Client::new().post(url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, issue) = app.call("GET", &path, &editor, None).await;
    assert_eq!(issue["delivery"]["unsubscribed"], 1, "{issue}");

    let (status, body) = app.call("POST", &format!("{path}/send"), &editor, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("already_sent")), "an issue is sent once");
    app.drain().await;
    assert_eq!(received_by(app, &ana.email).len(), 1, "and nobody receives it twice");
    let metrics = app.get_text("/metrics", &Visitor).await;
    assert!(metrics.contains("shn_newsletter_delivery{") && metrics.contains("week=\"2026-W49\""), "{metrics}");
    assert!(metrics.contains("shn_newsletter_messages_total{outcome=\"sent\"}"), "{metrics}");
}

async fn a_hard_bounce_stops_the_address_and_the_member_is_told_once(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let cy = app.member().named("Cy").with_password().create().await;
    let di = app.member().named("Di").create().await;
    app.smtp.refused.lock().unwrap().push(cy.email.to_lowercase());
    let first = draft(app, &editor, "2026-W50").await;
    let figures = send_and_wait(app, &editor, &first).await;
    assert_eq!((figures["bounced"].as_i64(), figures["sent"].as_i64()), (Some(1), Some(2)), "{figures}");
    assert!(figures["recent_errors"].to_string().contains("550"), "the server's answer is shown: {figures}");
    app.smtp.refused.lock().unwrap().clear();

    let second = draft(app, &editor, "2026-W51").await;
    let figures = send_and_wait(app, &editor, &second).await;
    assert_eq!(figures["recipients"], 2, "the bounced address is not sent to again: {figures}");
    assert!(received_by(app, &cy.email).is_empty());
    assert_eq!(received_by(app, &di.email).len(), 2);

    let browser = cy.browser(app).await;
    let home = browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(
        home.contains("We stopped sending the newsletter to") && home.contains(&cy.email),
        "told on the next visit"
    );
    let again = browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("We stopped sending the newsletter"), "and only once");
    let prefs = browser.get(app.url("/newsletter/preferences")).send().await.unwrap().text().await.unwrap();
    assert!(prefs.contains("the mail server refused it"), "the preferences page keeps saying why");
    let di_home = app.get_text("/", &di).await;
    assert!(!di_home.contains("We stopped sending"), "nobody else is told");
}

async fn the_bounce_webhook_records_complaints_for_staff_only_and_they_are_skipped(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let eve = app.member().named("Eve").create().await;
    let fay = app.member().named("Fay").create().await;
    let hook = "/api/v1/newsletter/bounces";
    let report =
        json!({"reports": [{"email": eve.email.to_uppercase(), "kind": "complaint", "detail": "spam button"}]});
    assert_eq!(app.call("POST", hook, &Visitor, Some(report.clone())).await.0, 401);
    assert_eq!(app.call("POST", hook, &fay, Some(report.clone())).await.0, 404, "members do not see the webhook");
    let (status, body) = app.call("POST", hook, &editor, Some(report.clone())).await;
    assert_eq!((status, body), (200, json!({"recorded": 1, "already": 0})));
    let (_, body) = app.call("POST", hook, &editor, Some(report)).await;
    assert_eq!(body, json!({"recorded": 0, "already": 1}), "a repeat report changes nothing");
    for bad in [
        json!({"reports": [{"email": "x@example.org", "kind": "shrug"}]}),
        json!({"reports": [{"email": "not an address", "kind": "bounce"}]}),
        json!({"reports": []}),
    ] {
        let (status, body) = app.call("POST", hook, &editor, Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    assert_eq!(app.call("POST", hook, &editor, Some(json!({"email": "x"}))).await.0, 400);

    let path = draft(app, &editor, "2026-W52").await;
    let figures = send_and_wait(app, &editor, &path).await;
    assert!(received_by(app, &eve.email).is_empty(), "a complaint stops further sending: {figures}");
    assert_eq!(received_by(app, &fay.email).len(), 1);
    let home = app.get_text("/", &eve).await;
    assert!(home.contains("reported as unwanted mail"), "Eve is told on her next visit");
    let export = app.get_json("/api/v1/me/export", &eve).await;
    let stopped = export["newsletter"]["stopped_addresses"].to_string();
    assert!(stopped.contains(&eve.email.to_lowercase()), "her data export says so: {export}");
}

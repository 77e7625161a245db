//! The newsletter's editor side (issue 18): scheduling, every part of a member's edition
//! and the proof that no edition holds anything its member could not open on the site,
//! the editor's desk (draft, edit, preview as any member, a test to oneself, schedule),
//! and the public archive of sent issues.

use kernel::ids::MemberId;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    an_issue_is_scheduled_only_for_a_time_to_come_and_only_by_staff,
    each_edition_holds_the_members_own_opportunities_events_groups_resources_and_points,
    no_edition_holds_anything_its_member_could_not_open_members_applicants_and_former_members,
    the_editor_drafts_edits_previews_tests_and_schedules_from_the_desk,
    the_archive_shows_sent_issues_to_everyone_without_personal_parts,
];

const ISSUES: &str = "/api/v1/admin/newsletters";

async fn draft(app: &TestApp, editor: &Member, week: &str) -> String {
    let (status, issue) = app.call("POST", ISSUES, editor, Some(json!({ "week": week }))).await;
    assert_eq!(status, 201, "drafting {week}: {issue}");
    issue["id"].as_str().unwrap().to_string()
}

async fn edition(app: &TestApp, editor: &Member, issue: &str, member: MemberId) -> Value {
    let (status, e) = app.call("GET", &format!("{ISSUES}/{issue}/preview?member_id={member}"), editor, None).await;
    assert_eq!(status, 200, "{e}");
    e
}

async fn an_issue_is_scheduled_only_for_a_time_to_come_and_only_by_staff(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let member = app.member().create().await;
    let id = draft(app, &editor, "2026-W51").await;
    let path = format!("{ISSUES}/{id}/schedule");
    let soon = (chrono::Utc::now() + days(2)).to_rfc3339();
    assert_eq!(app.call("POST", &path, &Visitor, Some(json!({ "send_at": soon }))).await.0, 401);
    assert_eq!(app.call("POST", &path, &member, Some(json!({ "send_at": soon }))).await.0, 404);
    assert_eq!(app.call("POST", &path, &member, Some(json!("not even an object"))).await.0, 404, "authorised first");

    let past = (chrono::Utc::now() - minutes(1)).to_rfc3339();
    for bad in [past.as_str(), "tomorrow", "2026-13-01T00:00:00Z", ""] {
        let (status, body) = app.call("POST", &path, &editor, Some(json!({ "send_at": bad }))).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"]["fields"]["send_at"].is_string(), "{body}");
    }
    assert_eq!(app.call("POST", &path, &editor, Some(json!({ "when": soon }))).await.0, 400);
    assert_eq!(app.call("GET", &format!("{ISSUES}/{id}"), &editor, None).await.1["status"], "draft");

    let (status, issue) = app.call("POST", &path, &editor, Some(json!({ "send_at": soon }))).await;
    assert_eq!(status, 200, "{issue}");
    assert_eq!(issue["status"], "scheduled");
    let at = chrono::DateTime::parse_from_rfc3339(issue["send_at"].as_str().unwrap()).unwrap();
    assert_eq!(at.timestamp(), chrono::DateTime::parse_from_rfc3339(&soon).unwrap().timestamp());
    let later = (chrono::Utc::now() + days(3)).to_rfc3339();
    assert_eq!(app.call("POST", &path, &editor, Some(json!({ "send_at": later }))).await.0, 200, "rescheduled");
    assert_eq!(app.call("GET", &format!("{ISSUES}/{id}"), &editor, None).await.1["status"], "scheduled");

    app.exec("UPDATE newsletter_issues SET status = 'sent'", vec![]).await;
    let (status, body) = app.call("POST", &path, &editor, Some(json!({ "send_at": later }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not_schedulable")));
    let unknown = format!("{ISSUES}/{}/schedule", uuid::Uuid::now_v7());
    assert_eq!(app.call("POST", &unknown, &editor, Some(json!({ "send_at": later }))).await.0, 404);
}

fn titles(items: &Value) -> Vec<String> {
    items.as_array().map(|a| a.iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

async fn each_edition_holds_the_members_own_opportunities_events_groups_resources_and_points(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    app.set_profile(&ana, json!({"country": "GB", "time_zone": "Asia/Tokyo"})).await;
    let everyone = app.opportunity().titled("Open to all").by(&editor).create().await;
    app.opportunity().titled("Applied already").by(&editor).create().await.applied_by(app, &ana).await;
    app.opportunity().titled("France only").rules(json!({"countries": ["FR"]})).by(&editor).create().await;
    app.opportunity().titled("Gone").closing_in(-days(1)).by(&editor).create().await;
    let group = app.group().named("Runners").with_members(&[&ana]).create().await;
    group.thread(app, &ana, "Our Sunday run", "See you there.").await;
    let cy = app.member().named("Cy").create().await;
    app.group().named("Elsewhere").with_members(&[&cy]).create().await.thread(app, &cy, "Not Ana's group", "x").await;
    app.event().at("2030-01-01T09:00:00", "2030-01-01T10:00:00", "UTC").by(&editor).create().await;
    let soon = app.event().with("title", json!("Soon webinar")).by(&editor).create().await;
    app.event().with("title", json!("Leaders' circle")).audience("health_leaders").by(&editor).create().await;
    app.event().with("title", json!("Runners' meet")).for_group(&group).by(&editor).create().await;
    let resource = json!({"kind": "guide", "title": "Asking your doctor", "summary": "s", "body": "b",
                          "audience": "members", "status": "published"});
    let (status, r) = app.call("POST", "/api/v1/admin/resources", &editor, Some(resource)).await;
    assert_eq!(status, 201, "{r}");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let out = (chrono::Utc::now() - minutes(5)).to_rfc3339();
    let body = json!({"intro": "This month.", "publish_at": out, "resources": [r["id"]]});
    let (status, v) =
        app.call("PUT", &format!("/api/v1/admin/resources/collections/{month}"), &editor, Some(body)).await;
    assert_eq!(status, 200, "{v}");
    app.credit_points(&editor, ana.id, 150, "Welcome").await;
    for (name, cost) in [("Coffee voucher", 120), ("Conference pass", 400)] {
        let reward = json!({"name": name, "cost": cost, "fulfilment": "digital_code"});
        assert_eq!(app.call("POST", "/api/v1/admin/rewards", &editor, Some(reward)).await.0, 201);
    }

    let issue = draft(app, &editor, "2026-W52").await;
    let e = edition(app, &editor, &issue, ana.id).await;
    assert_eq!(titles(&e["opportunities"]), vec!["Open to all"], "eligible, open, not applied to: {e}");
    assert_eq!(e["opportunities"][0]["href"], format!("/opportunities/{everyone}"));
    let events = titles(&e["events"]);
    assert!(events.contains(&"Soon webinar".to_string()) && events.contains(&"Runners' meet".to_string()), "{e}");
    assert!(!events.contains(&"Leaders' circle".to_string()), "not her audience: {e}");
    assert_eq!(events.len(), 2, "nothing years ahead either: {e}");
    let soon_item = e["events"].as_array().unwrap().iter().find(|i| i["href"] == format!("/events/{soon}")).unwrap();
    assert!(soon_item["note"].as_str().unwrap().contains("Asia/Tokyo"), "in her time zone: {soon_item}");
    assert_eq!(titles(&e["highlights"]), vec!["Our Sunday run"], "only her groups: {e}");
    assert!(titles(&e["new_this_month"]).contains(&"Asking your doctor".to_string()), "{e}");
    assert_eq!(e["points"]["balance"], 150);
    assert_eq!(titles(&e["points"]["affordable"]), vec!["Coffee voucher"], "what 150 points pay for: {e}");
    the_message_she_receives_is_the_edition_she_was_previewed(app, &editor, &issue, &ana, &e).await;
}

/// The e-mail is rendered from the same edition as the preview: every item of every
/// part, with its link made absolute, in both the text and the HTML part.
async fn the_message_she_receives_is_the_edition_she_was_previewed(
    app: &TestApp,
    editor: &Member,
    issue: &str,
    member: &Member,
    e: &Value,
) {
    let (status, body) = app.call("POST", &format!("{ISSUES}/{issue}/send"), editor, Some(json!({}))).await;
    assert_eq!(status, 202, "{body}");
    app.drain().await;
    let mails: Vec<Mail> = app.smtp.mails.lock().unwrap().iter().cloned().collect();
    let mails: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.to == member.email.to_lowercase() && m.subject().starts_with("Health Leader weekly"))
        .collect();
    assert_eq!(mails.len(), 1, "the issue, once");
    // Quoted-printable wraps long lines with a soft break and writes `=` as `=3D`.
    let raw = mails[0].raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let (text, html) = raw.split_once("text/html").expect("a text and an HTML part");
    let parts = ["highlights", "new_this_month", "opportunities", "events"];
    let items =
        parts.iter().flat_map(|p| e[p].as_array().unwrap().iter()).chain(e["points"]["affordable"].as_array().unwrap());
    for item in items {
        let href = app.url(item["href"].as_str().unwrap());
        let title = item["title"].as_str().unwrap();
        assert!(text.contains(title) && text.contains(&href), "{title} at {href} in the text part: {text}");
        assert!(html.contains(&format!("href=\"{href}\"")), "{href} in the HTML part: {html}");
    }
    assert!(text.contains("You have 150 points."), "{text}");
}

/// Every link of an edition opens for its member on the site; an opportunity in it is
/// one they are eligible for and have not applied to. The failures, in words.
async fn what_they_could_not_open(app: &TestApp, member: &Member, e: &Value) -> Vec<String> {
    let mut links: Vec<String> = vec![];
    for part in ["featured", "highlights", "new_this_month", "opportunities", "events"] {
        links.extend(e[part].as_array().unwrap().iter().map(|i| i["href"].as_str().unwrap().to_string()));
    }
    if let Some(points) = e["points"]["affordable"].as_array() {
        links.extend(points.iter().map(|i| i["href"].as_str().unwrap().to_string()));
    }
    let mut wrong = vec![];
    for href in links {
        let (status, _) = app.send("GET", &href, member).await;
        if status != 200 {
            wrong.push(format!("{href} answers {status} to {}", member.name));
        }
        if let Some(id) = href.strip_prefix("/opportunities/") {
            let o = app.get_json(&format!("/api/v1/opportunities/{id}"), member).await;
            if o["eligible"] != true || !o["my_application"].is_null() {
                wrong.push(format!("{} is offered {href}: {o}", member.name));
            }
        }
    }
    wrong
}

async fn no_edition_holds_anything_its_member_could_not_open_members_applicants_and_former_members(app: &TestApp) {
    let demo = app.load_demo(12).await;
    let editor = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let applicant = app.member().named("Applicant").create().await;
    let former = app.member().named("Former").create().await;
    let leader = app.member().named("Leader").create().await;
    app.exec(
        "UPDATE members SET health_leader_since = $1 WHERE id = $2",
        kernel::params![chrono::Utc::now(), leader.id],
    )
    .await;
    let generated = app.members(4).await;
    let private = app.group().private().with_members(&[&ana, &former]).create().await;
    private.request_to_join(app, &applicant).await;
    private.thread(app, &ana, "Confidential treatment notes", "Only for us.").await;
    let (status, _) = app.call("POST", &format!("/api/v1/groups/{private}/leave"), &former, None).await;
    assert!(status == 200 || status == 204, "Former leaves: {status}");
    app.event().with("title", json!("Private circle")).for_group(&private).by(&editor).create().await;
    app.event().with("title", json!("Leaders only")).audience("health_leaders").by(&editor).create().await;
    app.event().with("title", json!("For all members")).by(&editor).create().await;
    app.opportunity().titled("Leaders' panel").rules(json!({"health_leader": true})).by(&editor).create().await;
    app.opportunity().titled("For anyone").by(&editor).create().await;

    let issue = draft(app, &editor, "2026-W53").await;
    let put = json!({"intro": "Hello", "featured": [{"title": "Events", "href": "/events"}]});
    assert_eq!(app.call("PUT", &format!("{ISSUES}/{issue}"), &editor, Some(put)).await.0, 200);
    let mut failures = vec![];
    let mut everyone: Vec<&Member> = vec![&ana, &applicant, &former, &leader];
    everyone.extend(generated.iter());
    for m in &everyone {
        let e = edition(app, &editor, &issue, m.id).await;
        let text = e.to_string();
        let insider = m.id == ana.id;
        assert_eq!(text.contains("Confidential treatment notes"), insider, "{}: {text}", m.name);
        assert_eq!(text.contains("Private circle"), insider, "{}: {text}", m.name);
        assert_eq!(text.contains("Leaders only"), m.id == leader.id, "{}: {text}", m.name);
        assert_eq!(text.contains("Leaders' panel"), m.id == leader.id, "{}: {text}", m.name);
        assert!(text.contains("For all members") && text.contains("For anyone"), "{}: {text}", m.name);
        failures.extend(what_they_could_not_open(app, m, &e).await);
    }
    // The demo's own members, with their groups, events, opportunities and points.
    let people: Vec<DemoRow> = app.rows("SELECT id, email FROM members WHERE email LIKE '%@demo.example.org'").await;
    assert!(people.len() >= 10, "the demo made members");
    for p in people {
        let (status, t) = app.ask_token(&p.email, &demo.password).await;
        assert_eq!(status, 200, "{}: {t}", p.email);
        let m = Member { id: p.id, token: t["token"].as_str().unwrap().into(), email: p.email.clone(), name: p.email };
        let e = edition(app, &editor, &issue, m.id).await;
        failures.extend(what_they_could_not_open(app, &m, &e).await);
    }
    assert!(failures.is_empty(), "editions hold what their members cannot open: {failures:#?}");
    delivered_editions_hold_only_their_own_members_parts(app, &editor, &issue, &everyone, &ana, &leader).await;
}

/// The send assembles its recipients in batches: each delivered message holds what that
/// member's preview holds and nothing of a neighbour's in the batch.
async fn delivered_editions_hold_only_their_own_members_parts(
    app: &TestApp,
    editor: &Member,
    issue: &str,
    everyone: &[&Member],
    insider: &Member,
    leader: &Member,
) {
    let (status, body) = app.call("POST", &format!("{ISSUES}/{issue}/send"), editor, Some(json!({}))).await;
    assert_eq!(status, 202, "{body}");
    app.drain().await;
    for m in everyone {
        let mails: Vec<Mail> =
            app.smtp.mails.lock().unwrap().iter().filter(|x| x.to == m.email.to_lowercase()).cloned().collect();
        let mails: Vec<Mail> = mails.into_iter().filter(|x| x.subject().starts_with("Health Leader weekly")).collect();
        assert_eq!(mails.len(), 1, "{} receives the issue once", m.name);
        let raw = &mails[0].raw;
        assert_eq!(raw.contains("Confidential treatment notes"), m.id == insider.id, "{}: {raw}", m.name);
        assert_eq!(raw.contains("Private circle"), m.id == insider.id, "{}: {raw}", m.name);
        assert_eq!(raw.contains("Leaders only"), m.id == leader.id, "{}: {raw}", m.name);
        assert!(raw.contains("For all members") && raw.contains("For anyone"), "{}: {raw}", m.name);
    }
}

#[derive(sea_orm::FromQueryResult)]
struct DemoRow {
    id: MemberId,
    email: String,
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn the_editor_drafts_edits_previews_tests_and_schedules_from_the_desk(app: &TestApp) {
    let editor = app.staff_member().with_password().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let bo = app.member().named("Bo").create().await;
    let group = app.group().private().with_members(&[&ana]).create().await;
    group.thread(app, &ana, "Confidential treatment notes", "Only for the group.").await;
    for path in ["/admin/newsletter", "/admin/newsletter/issues"] {
        assert_eq!(app.send("GET", path, &ana).await.0, if path.ends_with("issues") { 405 } else { 404 });
    }
    let member_browser = ana.browser(app).await;
    let r = form_post(app, &member_browser, "/admin/newsletter/issues", &[("week", "2026-W50")]).await;
    assert_eq!(r.status(), 404, "members cannot draft");

    let browser = editor.browser(app).await;
    let desk = browser.get(app.url("/admin/newsletter")).send().await.unwrap().text().await.unwrap();
    assert!(desk.contains("Create the draft") && desk.contains("No issue yet"), "{desk}");
    let r = form_post(app, &browser, "/admin/newsletter/issues", &[("week", "week fifty")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("value=\"week fifty\""), "kept what was typed");
    let r = form_post(app, &browser, "/admin/newsletter/issues", &[("week", "2026-W50")]).await;
    assert_eq!(r.status(), 303);
    let page = location(&r);
    assert!(page.starts_with("/admin/newsletter/"), "{page}");
    let again = form_post(app, &browser, "/admin/newsletter/issues", &[("week", "2026-W50")]).await;
    assert_eq!(again.status(), 422, "one issue per week, said beside the field");

    let typed = [
        ("intro", "Welcome, **everyone**."),
        ("title", "Off site"),
        ("href", "https://evil.example"),
        ("title", ""),
        ("href", ""),
    ];
    let r = form_post(app, &browser, &page, &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Welcome, **everyone**.") && html.contains("value=\"https://evil.example\""), "kept");
    assert!(html.contains("href=\"#f-featured\""), "the summary links to the featured links");
    let good = [("intro", "Welcome, **everyone**."), ("title", "Our events"), ("href", "/events")];
    let r = form_post(app, &browser, &page, &good).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, format!("{page}?saved")));
    let id = page.rsplit('/').next().unwrap().to_string();
    let saved = app.get_json(&format!("{ISSUES}/{id}"), &editor).await;
    assert_eq!(saved["intro"], "Welcome, **everyone**.");
    assert_eq!(saved["featured"], json!([{"title": "Our events", "href": "/events"}]));

    let issue_page = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert!(
        issue_page.contains(&format!("<option value=\"{}\">{}</option>", ana.id, ana.email)),
        "a list to pick from"
    );
    let preview = |q: String| {
        let browser = browser.clone();
        let url = app.url(&format!("{page}/preview?{q}"));
        async move {
            let r = browser.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = preview(format!("email={}&member_id=", ana.email.to_uppercase())).await;
    assert_eq!(status, 200);
    assert!(html.contains("as Ana would receive it") && html.contains("Confidential treatment notes"), "{html}");
    assert!(html.contains("<strong>everyone</strong>") && html.contains("href=\"/events\""), "the intro and links");
    let (status, html) = preview(format!("email=&member_id={}", bo.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("as Bo would receive it") && !html.contains("Confidential"), "not Bo's to read");
    let (status, html) = preview("email=nobody%40example.org&member_id=".into()).await;
    assert_eq!(status, 422);
    assert!(html.contains("No active member has that address") && html.contains("There is a problem"));

    let r = form_post(app, &browser, &format!("{page}/test"), &[]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, format!("{page}?tested")));
    let mails = app.mails_to(&editor.email).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject().contains("[Test]") && mails[0].raw.contains("Our events"), "{}", mails[0].raw);
    let to_ana = app.mails_to(&ana.email).await;
    assert!(!to_ana.iter().any(|m| m.subject().contains("[Test]")), "a test goes to the editor alone");

    let r = form_post(app, &browser, &format!("{page}/schedule"), &[("send_at", "2020-01-01T08:00")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Choose a time in the future") && html.contains("value=\"2020-01-01T08:00\""), "{html}");
    let r = form_post(app, &browser, &format!("{page}/schedule"), &[("send_at", "soon")]).await;
    assert_eq!(r.status(), 422);
    let when = (chrono::Utc::now() + days(3)).format("%Y-%m-%dT%H:%M").to_string();
    let r = form_post(app, &browser, &format!("{page}/schedule"), &[("send_at", when.as_str())]).await;
    assert_eq!(r.status(), 303);
    let issue = app.get_json(&format!("{ISSUES}/{id}"), &editor).await;
    assert_eq!(issue["status"], "scheduled");
    let desk = browser.get(app.url("/admin/newsletter")).send().await.unwrap().text().await.unwrap();
    assert!(desk.contains("2026-W50") && desk.contains("scheduled"), "{desk}");
    for path in [page.clone(), format!("{page}/preview?member_id={}", ana.id)] {
        assert_eq!(app.send("GET", &path, &ana).await.0, 404, "{path}");
        assert_eq!(app.send("GET", &path, &Visitor).await.0, 404, "{path}");
    }
}

async fn the_archive_shows_sent_issues_to_everyone_without_personal_parts(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let group = app.group().private().with_members(&[&ana]).create().await;
    group.thread(app, &ana, "Confidential treatment notes", "x").await;
    app.credit_points(&editor, ana.id, 75, "Thanks").await;
    let sent = draft(app, &editor, "2026-W40").await;
    let put = json!({"intro": "Last week's <script>alert(1)</script> **news**", "featured": [{"title": "The toolkit", "href": "/learn"}]});
    assert_eq!(app.call("PUT", &format!("{ISSUES}/{sent}"), &editor, Some(put)).await.0, 200);
    let waiting = draft(app, &editor, "2026-W41").await;
    assert!(!waiting.is_empty());
    app.exec("UPDATE newsletter_issues SET status = 'sent' WHERE week = '2026-W40'", vec![]).await;

    let (status, html) = app.send("GET", "/newsletters", &Visitor).await;
    assert_eq!(status, 200, "the archive is public");
    assert!(html.contains("href=\"/newsletters/2026-W40\""), "{html}");
    assert!(!html.contains("2026-W41"), "a draft is not in the archive");
    let (status, html) = app.send("GET", "/newsletters/2026-W40", &Visitor).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>news</strong>") && html.contains("The toolkit"), "{html}");
    assert!(!html.contains("<script>alert"), "the intro is sanitised");
    assert!(!html.contains("Confidential") && !html.contains("Your points"), "no personal part");
    let (status, member_view) = app.send("GET", "/newsletters/2026-W40", &ana).await;
    assert_eq!(status, 200);
    assert!(!member_view.contains("Confidential") && !member_view.contains("75 points"), "not even for a member");
    for missing in ["/newsletters/2026-W41", "/newsletters/2026-W39", "/newsletters/garbage"] {
        assert_eq!(app.send("GET", missing, &Visitor).await.0, 404, "{missing}");
    }
}

//! The weekly newsletter: preferences through the API and the page, the one-click
//! unsubscribe (a bare POST to the signed link, RFC 8058) taking effect for the next
//! issue, members who never verified their address receiving nothing, issues drafted
//! by staff, and each member's edition holding only what they may read on the site.

use kernel::ids::MemberId;
use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    preferences_start_at_the_defaults_and_the_api_saves_them_and_refuses_bad_ones,
    the_preferences_page_saves_the_ticks_and_keeps_them_when_a_topic_is_wrong,
    one_click_unsubscribe_is_a_bare_post_to_the_signed_link_and_counts_from_the_next_issue,
    members_who_never_verified_their_address_receive_nothing,
    staff_draft_one_issue_per_week_and_edit_its_intro_and_featured_links,
    a_private_groups_thread_reaches_its_members_editions_and_never_an_outsiders,
];

const PREFS: &str = "/api/v1/me/newsletter-preferences";

async fn recipients(app: &TestApp) -> Vec<MemberId> {
    ::newsletter::preferences::weekly_recipients(&app.state).await.unwrap().into_iter().map(|(id, _)| id).collect()
}

async fn preferences_start_at_the_defaults_and_the_api_saves_them_and_refuses_bad_ones(app: &TestApp) {
    let ana = app.member().create().await;
    let (status, body) = app.call("GET", PREFS, &ana, None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"weekly": true, "monthly_resources": true, "topics": []}));

    let wanted = json!({"weekly": false, "monthly_resources": true, "topics": ["advocacy", "research"]});
    let (status, _) = app.call("PUT", PREFS, &ana, Some(wanted.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(app.call("GET", PREFS, &ana, None).await.1, wanted);

    let (status, body) = app
        .call("PUT", PREFS, &ana, Some(json!({"weekly": true, "monthly_resources": true, "topics": ["crypto"]})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["topics"].as_str().unwrap().contains("crypto"), "{body}");
    let twice = json!({"weekly": true, "monthly_resources": true, "topics": ["advocacy", "advocacy"]});
    assert_eq!(app.call("PUT", PREFS, &ana, Some(twice)).await.0, 422);
    let (status, _) = app.call("PUT", PREFS, &ana, Some(json!({"weekly": "yes"}))).await;
    assert_eq!(status, 400);
    assert_eq!(app.call("GET", PREFS, &ana, None).await.1, wanted, "refused changes leave the preferences alone");

    assert_eq!(app.call("GET", PREFS, &Visitor, None).await.0, 401);
    assert_eq!(app.call("PUT", PREFS, &Visitor, Some(wanted)).await.0, 401);
}

async fn the_preferences_page_saves_the_ticks_and_keeps_them_when_a_topic_is_wrong(app: &TestApp) {
    let (status, _) = app.send("GET", "/newsletter/preferences", &Visitor).await;
    assert!(status == 303 || status == 302 || status == 200, "a visitor is sent to sign in: {status}");
    let bo = app.member().with_password().create().await;
    let browser = bo.browser(app).await;
    let html = browser.get(app.url("/newsletter/preferences")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("name=\"weekly\" value=\"on\" checked"), "weekly is on by default");

    let r =
        form_post(app, &browser, "/newsletter/preferences", &[("monthly_resources", "on"), ("topic", "caregiving")])
            .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Your preferences are saved"));
    let saved = app.call("GET", PREFS, &bo, None).await.1;
    assert_eq!(saved, json!({"weekly": false, "monthly_resources": true, "topics": ["caregiving"]}));

    let r = form_post(app, &browser, "/newsletter/preferences", &[("weekly", "on"), ("topic", "<b>crypto</b>")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("href=\"#f-topics\""), "an error summary");
    assert!(html.contains("&lt;b&gt;crypto"), "the bad topic is named, escaped");
    assert!(html.contains("name=\"weekly\" value=\"on\" checked"), "what was ticked is kept");
    assert_eq!(app.call("GET", PREFS, &bo, None).await.1, saved, "nothing was saved");
}

async fn one_click_unsubscribe_is_a_bare_post_to_the_signed_link_and_counts_from_the_next_issue(app: &TestApp) {
    let cy = app.member().create().await;
    let di = app.member().create().await;
    assert!(recipients(app).await.contains(&cy.id));
    let url = ::newsletter::preferences::unsubscribe_url(&app.state, cy.id);
    let path = url.split_once("/unsubscribe/").map(|(_, rest)| format!("/unsubscribe/{rest}")).unwrap();

    let (status, html) = app.send("GET", &path, &Visitor).await;
    assert_eq!(status, 200);
    assert!(html.contains("Unsubscribe from the newsletter"), "the link opens a page with a button");
    assert!(recipients(app).await.contains(&cy.id), "opening the link changes nothing");

    // What a mail provider sends (RFC 8058): a bare POST, no cookie, no form token.
    let r = reqwest::Client::new()
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let next = recipients(app).await;
    assert!(!next.contains(&cy.id), "the next issue skips the member who left");
    assert!(next.contains(&di.id), "and only them");
    let prefs = app.call("GET", PREFS, &cy, None).await.1;
    assert_eq!(prefs["weekly"], false);
    assert_eq!(prefs["monthly_resources"], false);
    assert_eq!(app.send("POST", &path, &Visitor).await.0, 200, "posting twice is harmless");

    let forged = path.replace(&cy.id.to_string(), &di.id.to_string());
    assert_eq!(app.send("POST", &forged, &Visitor).await.0, 404, "a link made for one member never works for another");
    assert_eq!(app.send("POST", "/unsubscribe/newsletter/nonsense", &Visitor).await.0, 404);
    assert!(recipients(app).await.contains(&di.id));
}

async fn members_who_never_verified_their_address_receive_nothing(app: &TestApp) {
    let verified = app.member().create().await;
    let staff = app.staff_member().create().await;
    let unverified = MemberId::new();
    let now = chrono::Utc::now();
    app.exec(
        "INSERT INTO members (id, email, display_name, name_key, member_type, created_at, updated_at) \
         VALUES ($1, 'never-verified@example.org', 'Ed', 'ed', 'patient', $2, $2)",
        kernel::params![unverified, now],
    )
    .await;
    let to = ::newsletter::preferences::weekly_recipients(&app.state).await.unwrap();
    assert!(to.iter().any(|(id, email)| *id == verified.id && *email == verified.email));
    assert!(!to.iter().any(|(id, _)| *id == unverified), "an unverified address is never sent to");

    let (status, html) = app.send("GET", "/admin/newsletter", &staff).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<dd>{}</dd>", to.len())), "the desk counts who the next issue would reach");
    assert_eq!(app.send("GET", "/admin/newsletter", &verified).await.0, 404, "members do not see the desk");
    assert_eq!(app.send("GET", "/admin/newsletter", &Visitor).await.0, 404);
}

const ISSUES: &str = "/api/v1/admin/newsletters";

async fn staff_draft_one_issue_per_week_and_edit_its_intro_and_featured_links(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let member = app.member().create().await;
    let week = json!({"week": "2026-W49"});
    assert_eq!(app.call("POST", ISSUES, &Visitor, Some(week.clone())).await.0, 401);
    assert_eq!(app.call("POST", ISSUES, &member, Some(week.clone())).await.0, 404, "members do not see the route");
    let (status, issue) = app.call("POST", ISSUES, &editor, Some(week.clone())).await;
    assert_eq!(status, 201, "{issue}");
    assert_eq!(issue["status"], "draft");
    assert_eq!(issue["week"], "2026-W49");
    let (status, body) = app.call("POST", ISSUES, &editor, Some(week)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("week_taken")));
    for bad in ["2026-49", "2025-W53", "next week"] {
        let (status, body) = app.call("POST", ISSUES, &editor, Some(json!({ "week": bad }))).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }

    let path = format!("{ISSUES}/{}", issue["id"].as_str().unwrap());
    let edit = json!({"intro": "Welcome to **December**.", "featured": [{"title": "The toolkit", "href": "/learn"}]});
    let (status, saved) = app.call("PUT", &path, &editor, Some(edit)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["featured"][0]["href"], "/learn");
    let offsite = json!({"intro": "x", "featured": [{"title": "Elsewhere", "href": "https://evil.example"}]});
    assert_eq!(app.call("PUT", &path, &editor, Some(offsite)).await.0, 422, "featured links stay on the site");
    let long = json!({"intro": "x".repeat(5001), "featured": []});
    assert_eq!(app.call("PUT", &path, &editor, Some(long)).await.0, 422);
    let (status, again) = app.call("GET", &path, &editor, None).await;
    assert_eq!(status, 200);
    assert_eq!(again["intro"], "Welcome to **December**.", "refused edits leave the draft alone");
    assert_eq!(app.call("GET", &path, &member, None).await.0, 404);
    assert_eq!(app.call("GET", &format!("{ISSUES}/not-an-id"), &editor, None).await.0, 404);
}

async fn a_private_groups_thread_reaches_its_members_editions_and_never_an_outsiders(app: &TestApp) {
    let editor = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let bo = app.member().named("Bo").create().await;
    let cy = app.member().named("Cy").create().await;
    let group = app.group().private().with_members(&[&ana]).create().await;
    group.request_to_join(app, &cy).await;
    group.thread(app, &ana, "Our confidential treatment notes", "Only for the group.").await;
    let (_, issue) = app.call("POST", ISSUES, &editor, Some(json!({"week": "2026-W50"}))).await;
    let preview = |m: MemberId| format!("{ISSUES}/{}/preview?member_id={m}", issue["id"].as_str().unwrap());

    let (status, mine) = app.call("GET", &preview(ana.id), &editor, None).await;
    assert_eq!(status, 200, "{mine}");
    assert!(mine.to_string().contains("confidential treatment notes"), "a member of the group sees it: {mine}");
    for outsider in [&bo, &cy] {
        let (status, theirs) = app.call("GET", &preview(outsider.id), &editor, None).await;
        assert_eq!(status, 200);
        assert!(!theirs.to_string().contains("confidential"), "{} never gets it: {theirs}", outsider.name);
    }
    assert_eq!(app.call("GET", &preview(MemberId::new()), &editor, None).await.0, 404);
    let bare = format!("{ISSUES}/{}/preview", issue["id"].as_str().unwrap());
    assert_eq!(app.call("GET", &bare, &editor, None).await.0, 400, "the member to preview as is required");
    assert_eq!(app.call("GET", &preview(ana.id), &bo, None).await.0, 404, "members cannot preview");
}

//! Support at the right moment (issue 21), continued: a request for a small group
//! conversation holds the asker and up to three volunteers in one conversation (a direct
//! message request still answers a second volunteer 409 `taken`: see `moments`); and the
//! privacy matrix for e-mail and the feed: a member's moments and conditions never reach
//! an e-mail sent about a support request, a daily digest, or the home feed of a viewer
//! the owner's visibility excludes; and partner reports, which never carry them, beside
//! the staff's figures by moment, which hide a moment asked about fewer than five times.

use serde_json::{Value, json};

use crate::both_backends;
use crate::moments::{mark, owner_at_moments, set_moments, volunteer};
use crate::support::*;

both_backends!(settings = [("SHN_SUPPORT_FANOUT", "6")];
    a_small_group_request_gathers_the_asker_and_up_to_three_volunteers_in_one_conversation);
both_backends![
    moments_never_reach_support_e_mails_digests_or_the_feed_of_an_excluded_viewer,
    moments_never_reach_partner_reports_and_staff_see_requests_by_moment_only_from_five
];

fn accept_path(id: &str) -> String {
    format!("/api/v1/support-requests/{id}/accept")
}

async fn ask(app: &TestApp, who: &Member, moment: &str, contact: &str) -> String {
    let body = json!({"moment_id": moment, "note": "Just diagnosed, feeling lost.", "contact": contact});
    let (s, v) = app.call("POST", "/api/v1/support-requests", who, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn notes_of(app: &TestApp, who: &Member) -> Vec<String> {
    app.drain().await;
    let v = app.get_json("/api/v1/notifications", who).await;
    v["items"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap().to_string()).collect()
}

async fn a_small_group_request_gathers_the_asker_and_up_to_three_volunteers_in_one_conversation(app: &TestApp) {
    let asker = app.member().named("Group Asker").create().await;
    let mut vs = Vec::new();
    for name in ["Vol One", "Vol Two", "Vol Three", "Vol Four", "Vol Five"] {
        vs.push(volunteer(app, name, "caring", None).await);
    }
    // They already talk one to one: the group is a conversation of its own.
    let (s, v) =
        app.call("POST", "/api/v1/conversations", &vs[0], Some(json!({"member_id": asker.id, "body": "Hi!"}))).await;
    assert!(s == 201 || s == 409, "{s} {v}");
    let id = ask(app, &asker, "caring", "small_group").await;
    let decline = format!("/api/v1/support-requests/{id}/decline");
    assert_eq!(app.call("POST", &decline, &vs[4], None).await.0, 204);

    let mut joined = Vec::new();
    for v in &vs[..3] {
        let (s, won) = app.call("POST", &accept_path(&id), v, None).await;
        assert_eq!(s, 201, "{} joins: {won}", v.name);
        joined.push(won["conversation_id"].as_str().unwrap().to_string());
    }
    assert!(joined.iter().all(|c| *c == joined[0]), "one conversation: {joined:?}");
    let conversation = &joined[0];
    let (s, full) = app.call("POST", &accept_path(&id), &vs[3], None).await;
    assert_eq!((s, full["error"]["code"].as_str()), (409, Some("taken")), "the group is full");
    let (s, v) = app.call("POST", &accept_path(&id), &vs[4], None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("declined")));
    assert!(notes_of(app, &vs[3]).await.iter().any(|n| n.contains("taken by another volunteer")));

    let path = format!("/api/v1/conversations/{conversation}/messages");
    let (s, v) = app.call("POST", &path, &vs[1], Some(json!({"body": "Glad to be here, all of you."}))).await;
    assert_eq!(s, 201, "{v}");
    for who in [&asker, &vs[0], &vs[1], &vs[2]] {
        let seen = app.get_json(&path, who).await;
        assert_eq!(seen["conversation"]["kind"], "group");
        assert_eq!(seen["items"].as_array().unwrap().len(), 4, "three hellos and a message: {seen}");
    }
    assert_eq!(app.call("GET", &path, &vs[3], None).await.0, 404, "not in the group");
    let names = app.get_json(&path, &asker).await["conversation"]["with_name"].as_str().unwrap().to_string();
    assert!(names.contains("Vol One") && names.contains("Vol Two") && names.contains("Vol Three"), "{names}");
    let listed = app.get_json("/api/v1/conversations", &vs[2]).await.to_string();
    assert!(listed.contains(conversation.as_str()), "{listed}");
    let page = app.get_text(&format!("/messages/{conversation}"), &vs[2]).await;
    assert!(page.contains("Glad to be here, all of you."));
    assert!(notes_of(app, &asker).await.iter().any(|n| n.contains("joined your small group")));
    let mine = app.get_json("/api/v1/support-requests", &asker).await;
    assert_eq!(mine[0]["conversation_id"], json!(conversation));
    assert_eq!(app.count("SELECT COUNT(*) FROM support_offers WHERE status = 'accepted'").await, 3);
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(open_offers), 0) AS BIGINT) FROM moment_settings").await, 0);
}

/// Every e-mail sent to `who` so far, whole.
async fn mail_text(app: &TestApp, who: &Member) -> String {
    app.mails_to(&who.email).await.iter().map(|m| m.raw.clone()).collect::<Vec<_>>().join("\n")
}

fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

async fn moments_never_reach_support_e_mails_digests_or_the_feed_of_an_excluded_viewer(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (owner, migraine) = owner_at_moments(app, "private").await;
    let other_volunteer = volunteer(app, "Other Volunteer", "new_diagnosis", None).await;
    let asker = app.member().named("Asker").create().await;
    let secrets =
        ["new_symptoms", "New or changing symptoms", "new_diagnosis", "A new diagnosis", "Migraine", &migraine];

    // Asked (immediately by e-mail), the owner accepts; the asker hears, the other is told it is taken.
    let id = ask(app, &asker, "new_diagnosis", "direct_message").await;
    assert!(!mail_text(app, &owner).await.is_empty(), "the owner is e-mailed about the request");
    assert_eq!(app.call("POST", &accept_path(&id), &owner, None).await.0, 201);
    for who in [&owner, &asker, &other_volunteer] {
        let mail = mail_text(app, who).await;
        assert!(!mail.is_empty(), "{} is e-mailed", who.name);
        assert_no_secret(&format!("e-mail to {}", who.name), &mail, &secrets);
        assert!(!mail.contains("diagnosed"), "the asker's note stays out of e-mail: {mail}");
    }
    // The same in a daily digest.
    let daily = Some(json!({"email": {"support": "daily"}}));
    assert_eq!(app.call("PUT", "/api/v1/me/notification-settings", &owner, daily).await.0, 200);
    let before = app.mails_to(&owner.email).await.len();
    ask(app, &app.member().create().await, "new_diagnosis", "small_group").await;
    app.drain().await;
    app.send_digests_now().await;
    let mails = app.mails_to(&owner.email).await;
    assert!(mails.len() > before, "a digest went out");
    assert_no_secret("the digest", &mails.iter().map(|m| m.raw.clone()).collect::<String>(), &secrets);

    // The feed: a follower outside the owner's private group sees the owner's open
    // thread, never the private one the owner tagged with their moment.
    let open = app.group().named("Open talk").owned_by(&staff).with_members(&[&owner]).create().await;
    let private = app.group().named("Inner circle").private().owned_by(&staff).with_members(&[&owner]).create().await;
    open.thread(app, &owner, "A hello to everyone", "Hello.").await;
    let (s, v) = private
        .try_thread(app, &owner, json!({"title": "Flare diary", "body": "Rough week.", "moments": ["new_symptoms"]}))
        .await;
    assert_eq!(s, 201, "{v}");
    let follower = app.member().named("Follower").create().await;
    let follow = format!("/api/v1/members/{}/follow", owner.id);
    assert!(app.call("POST", &follow, &follower, None).await.0 < 300);
    set_moments(app, &follower, vec![mark("new_symptoms", None)], vec![], ("members", "members"), false).await;
    let feed = app.get_json("/api/v1/feed", &follower).await.to_string();
    assert!(feed.contains("A hello to everyone"), "the feed works: {feed}");
    let home = app.get_text("/", &follower).await;
    assert!(home.contains("For your moment: New or changing symptoms"), "the follower's own moment");
    for (what, text) in [("the feed", feed), ("the home page", home)] {
        assert_no_secret(what, &text, &["Flare diary", "Migraine", &migraine, "new_diagnosis", "A new diagnosis"]);
    }
    let json: Value = app.get_json("/api/v1/moments/new_symptoms/content", &follower).await;
    assert!(!json.to_string().contains("Flare diary"));
}

async fn moments_never_reach_partner_reports_and_staff_see_requests_by_moment_only_from_five(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let (owner, migraine) = owner_at_moments(app, "members").await;
    let secrets =
        ["new_symptoms", "New or changing symptoms", "new_diagnosis", "A new diagnosis", "Migraine", &migraine];
    // The owner applies to a partner's opportunity; the partner's contact reads its figures.
    let contact = app.member().named("Pat Partner").signed_up().create().await;
    let partner = app.partner(&staff, "BreatheWell").await;
    let contacts = format!("/api/v1/admin/partners/{partner}/contacts");
    assert_eq!(app.call("POST", &contacts, &staff, Some(json!({"member_id": contact.id}))).await.0, 204);
    let o = app.opportunity().titled("Headache week").seats(6).for_partner(&partner).by(&staff).create().await;
    o.applied_by(app, &owner).await;
    for m in app.members(5).await {
        o.applied_by(app, &m).await;
    }
    let figures = app.get_json("/api/v1/partner/figures", &contact).await;
    assert_eq!(figures[0]["opportunities"][0]["applications"]["value"], 6, "the figures are there: {figures}");
    assert_no_secret("the partner's figures", &figures.to_string(), &secrets);
    let page = app.get_text("/partner", &contact.browser(app).await).await;
    assert!(page.contains("Headache week"), "{page}");
    assert_no_secret("the partner page", &page, &["Owner Person", "new_symptoms", "A new diagnosis"]);

    // Staff see requests by moment, but a moment asked about fewer than five times is
    // shown as such, never as its count.
    let asker = app.member().create().await;
    ask(app, &asker, "new_diagnosis", "direct_message").await;
    let browser = staff.browser(app).await;
    let csv = app.get_text("/admin/analytics/moments-requests-by-moment.csv", &browser).await;
    assert!(csv.contains("\"A new diagnosis\",\"fewer than 5\""), "{csv}");
    for _ in 0..4 {
        ask(app, &app.member().create().await, "new_diagnosis", "direct_message").await;
    }
    let csv = app.get_text("/admin/analytics/moments-requests-by-moment.csv", &browser).await;
    assert!(csv.contains("\"A new diagnosis\",\"5\""), "five requests are shown: {csv}");
}

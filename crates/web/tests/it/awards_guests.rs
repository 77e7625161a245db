//! Industry guest judges: staff invite them by name and e-mail for some categories;
//! the guest chooses a password from the e-mailed one-time link, signs in and judges,
//! and is no member anywhere else: every community page and API answers them as a
//! visitor, and they are absent from the directory, search and the member counts.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![a_guest_judge_is_invited_sets_a_password_and_judges_but_is_no_member,];

const YEAR: i64 = 2027;
const GUEST: &str = "ines.industry@example.org";
const GUEST_PASSWORD: &str = "a long guest judge passphrase";

/// A programme in the judging phase with Ana and Ben accepted in its first category;
/// answers the programme.
async fn judging_with_two_finalists(app: &TestApp, staff: &Member) -> Value {
    let body = json!({"year": YEAR, "categories": [{"name": "Patient Leader"}, {"name": "Advocate"}],
        "criteria": [{"name": "Impact", "weight": 3}], "finalists_per_category": 3});
    let (status, created) = app.call("POST", "/api/v1/admin/awards", staff, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let category = created["categories"][0]["id"].as_str().unwrap().to_string();
    for name in ["Ana Ortiz", "Ben Bauer"] {
        let who = app.member().named(name).create().await;
        let by = app.member().create().await;
        let body = json!({"category_id": category, "nominee_member_id": who.id, "statement": "Lifts everyone up."});
        let (status, v) = app.call("POST", &format!("/api/v1/awards/{YEAR}/nominations"), &by, Some(body)).await;
        assert_eq!(status, 201, "{v}");
        let body = json!({"nominee_ids": [v["nominee_id"]], "decision": "accepted"});
        app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), staff, Some(body)).await;
    }
    for phase in ["endorsements", "judging"] {
        let path = format!("/api/v1/admin/awards/{YEAR}/phase");
        assert_eq!(app.call("POST", &path, staff, Some(json!({"phase": phase}))).await.0, 204);
    }
    created
}

async fn a_guest_judge_is_invited_sets_a_password_and_judges_but_is_no_member(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().named("Mia Member").create().await;
    let created = judging_with_two_finalists(app, &staff).await;
    let category = created["categories"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/awards/{YEAR}/guest-judges");
    let invite = json!({"name": "Ines Industry", "email": GUEST, "category_ids": [category]});
    assert_eq!(app.call("POST", &path, &member, Some(json!("not even an invitation"))).await.0, 404, "members: 404");
    assert_eq!(app.call("POST", &path, &Visitor, Some(invite.clone())).await.0, 401);
    let (status, v) =
        app.call("POST", &path, &staff, Some(json!({"name": "X", "email": GUEST, "category_ids": []}))).await;
    assert_eq!(status, 422, "no category: {v}");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE status = 'guest_judge'").await, 0, "nothing created");
    let (status, v) = app.call("POST", &path, &staff, Some(invite.clone())).await;
    assert!(status == 201 && v["assigned"] == 2, "{v}");
    let judge_id = v["judge_id"].as_str().unwrap().to_string();
    assert_eq!(app.call("POST", &path, &staff, Some(invite)).await.0, 422, "one account per address");

    // Before choosing a password the guest cannot sign in; the link sets it once.
    assert_eq!(app.ask_token(GUEST, GUEST_PASSWORD).await.0, 401);
    let mail = app.mails_to(GUEST).await.into_iter().find(|m| m.subject().contains("judge")).expect("invitation");
    let token = mail.token("/reset-password?token=").expect("a one-time link");
    let c = app.client();
    let r = form_post(app, &c, "/reset-password", &[("token", &token), ("password", GUEST_PASSWORD)]).await;
    assert_eq!(r.status(), 200);
    let again = form_post(app, &c, "/reset-password", &[("token", &token), ("password", "another passphrase")]).await;
    assert_eq!(again.status(), 400, "the link works once");
    let (status, v) = app.ask_token(GUEST, GUEST_PASSWORD).await;
    assert_eq!(status, 200, "{v}");
    let guest = v["token"].as_str().unwrap().to_string();
    // A guest who forgets their password asks for a new link like anyone else.
    assert_eq!(form_post(app, &c, "/forgot-password", &[("email", GUEST)]).await.status(), 200);
    let reset = app.mails_to(GUEST).await.into_iter().find(|m| m.subject().contains("Reset")).expect("a reset link");
    assert!(reset.token("/reset-password?token=").is_some());

    // The guest judges through the API and the pages.
    let mine = app.get_json("/api/v1/judging/assignments", &guest).await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    let a = &mine[0];
    let scores: serde_json::Map<String, Value> =
        a["criteria"].as_array().unwrap().iter().map(|c| (c["id"].as_str().unwrap().to_string(), json!(7))).collect();
    let score_path = format!("/api/v1/judging/{}/scores", a["id"].as_str().unwrap());
    let (status, v) = app.call("POST", &score_path, &guest, Some(json!({"scores": scores}))).await;
    assert_eq!(status, 204, "{v}");
    let browser = app.client();
    let r = form_post(app, &browser, "/login", &[("email", GUEST), ("password", GUEST_PASSWORD)]).await;
    assert_eq!(r.status(), 303);
    let (status, page) = app.send("GET", "/judging", &browser).await;
    assert!(status == 200 && page.contains("Ana Ortiz"), "{status}");
    // The header knows who is signed in: their judging page and a way out, not "Log in".
    assert!(page.contains("href=\"/judging\">") && page.contains("Log out"), "{page}");
    assert!(!page.contains("href=\"/login\">Log in") && !page.contains("/settings/profile"), "{page}");

    // Everywhere else the guest is a visitor.
    for api in [
        "/api/v1/members",
        &format!("/api/v1/members/{}", member.id),
        "/api/v1/me",
        "/api/v1/conversations",
        "/api/v1/feed",
        "/api/v1/notifications",
        "/api/v1/me/profile",
    ] {
        let (as_guest, as_visitor) = (app.send("GET", api, &guest).await.0, app.send("GET", api, &Visitor).await.0);
        assert_eq!(as_guest, as_visitor, "{api} answers the guest as a visitor");
    }
    for page in ["/members", &format!("/members/{}", member.id), "/messages", "/settings/profile", "/notifications"] {
        let (as_guest, as_visitor) = (app.send("GET", page, &browser).await.0, app.send("GET", page, &Visitor).await.0);
        assert_eq!(as_guest, as_visitor, "{page} answers the guest as a visitor");
    }
    let nominee = mine[1]["nominee"]["id"].as_str().unwrap_or_default().to_string();
    let endorse = app.call("POST", &format!("/api/v1/nominees/{nominee}/endorse"), &guest, None).await.0;
    assert!(endorse == 401 || endorse == 404, "no endorsing: {endorse}");
    let body = json!({"category_id": category, "nominee_member_id": member.id, "statement": "Great."});
    let nominate = app.call("POST", &format!("/api/v1/awards/{YEAR}/nominations"), &guest, Some(body)).await.0;
    assert_eq!(nominate, 401, "no nominating");

    // Nobody finds the guest: not in the directory, search, profile or member counts.
    let (status, _) = app.call("GET", &format!("/api/v1/members/{judge_id}"), &member, None).await;
    assert_eq!(status, 404, "no profile");
    let listed = app.get_text("/api/v1/members?q=Ines", &member).await;
    assert!(!listed.contains("Ines"), "not in the directory: {listed}");
    let found = app.get_text("/api/v1/search?q=Ines", &member).await;
    assert!(!found.contains("Ines"), "not in search: {found}");
    assert!(!app.get_text("/members?q=Ines", &member).await.contains("Ines Industry"), "not on the directory page");
}

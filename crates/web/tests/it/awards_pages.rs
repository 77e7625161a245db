//! The awards, as staff and judges work them in the browser (plain forms, inline
//! errors that keep what was typed, 404 to non-staff), the winner's badge on their
//! profile kept until the ceremony, finalists' complimentary Connexion tickets (once),
//! invitations to nominated non-members and their claim on joining, the minimum
//! membership age of a category, and the awards' part of "download my data".

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_screen_assign_judges_read_standings_and_lock_in_the_browser,
    a_judge_scores_and_declares_a_conflict_in_the_browser,
    a_member_nominates_through_the_form_with_errors_kept,
    the_winner_badge_shows_on_the_profile_only_from_the_ceremony,
    finalists_get_one_complimentary_connexion_ticket,
    nominating_a_non_member_invites_them_and_joining_claims_the_nomination,
    a_category_refuses_members_who_joined_too_recently,
    my_awards_data_is_in_my_export,
];

const YEAR: i64 = 2027;

async fn programme_with(app: &TestApp, staff: &Member, extra: Value) -> Value {
    let mut body = json!({
        "year": YEAR,
        "categories": [{"name": "Patient Leader"}, {"name": "Caregiver Leader", "member_types": ["caregiver"]}],
        "criteria": [{"name": "Impact", "weight": 3}, {"name": "Reach", "weight": 1}],
        "finalists_per_category": 3,
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    let (status, v) = app.call("POST", "/api/v1/admin/awards", staff, Some(body)).await;
    assert_eq!(status, 201, "creating the programme: {v}");
    v
}

fn category(created: &Value, i: usize) -> String {
    created["categories"][i]["id"].as_str().unwrap().to_string()
}

async fn nominate(app: &TestApp, who: &Member, category: &str, nominee: &Member) -> (u16, Value) {
    let body = json!({"category_id": category, "nominee_member_id": nominee.id, "statement": "Lifts everyone up."});
    app.call("POST", &format!("/api/v1/awards/{YEAR}/nominations"), who, Some(body)).await
}

async fn pending_nominee(app: &TestApp, category: &str, who: &Member) -> String {
    let by = app.member().create().await;
    let (status, v) = nominate(app, &by, category, who).await;
    assert_eq!(status, 201, "{v}");
    v["nominee_id"].as_str().unwrap().to_string()
}

async fn move_to(app: &TestApp, staff: &Member, phase: &str) {
    let path = format!("/api/v1/admin/awards/{YEAR}/phase");
    assert_eq!(app.call("POST", &path, staff, Some(json!({"phase": phase}))).await.0, 204);
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await
}

async fn page_of(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_form(c: &reqwest::Client, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(app.url(path)).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn staff_screen_assign_judges_read_standings_and_lock_in_the_browser(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let ceremony = app.event().titled("Awards ceremony").starting_in(days(30)).by(&staff).create().await;
    let created = programme_with(app, &staff, json!({"ceremony_event_id": ceremony.id})).await;
    let people = [
        app.member().named("Ana Ortiz").create().await,
        app.member().named("Ben Bauer").create().await,
        app.member().named("Cleo Chen").create().await,
    ];
    let mut ids = Vec::new();
    for p in &people {
        ids.push(pending_nominee(app, &category(&created, 0), p).await);
    }
    let admin_page = format!("/admin/awards/{YEAR}");
    let ana = &people[0];
    for path in [admin_page.as_str(), "/admin/awards"] {
        assert_eq!(app.send("GET", path, ana).await.0, 404, "{path} is staff only");
        assert_eq!(app.send("GET", path, &Visitor).await.0, 404, "{path} is staff only");
    }
    let desk = staff.browser(app).await;
    let (status, page) = page_of(&desk, app, "/admin/awards").await;
    assert!(status == 200 && page.contains(&format!("href=\"{admin_page}\"")), "the desk links the programme page");
    let (status, page) = page_of(&desk, app, &admin_page).await;
    assert_eq!(status, 200);
    assert!(page.contains("Ana Ortiz") && page.contains("Lifts everyone up.") && page.contains("pending"), "{page}");
    let csrf = csrf_of(&page);
    let screening = format!("/admin/awards/{YEAR}/screening");

    // Declining without a reason: the summary, the field, and the choices kept.
    let (status, page) =
        post_form(&desk, app, &screening, &[("csrf", &csrf), ("nominee_ids", &ids[2]), ("decision", "declined")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("There is a problem") && page.contains("href=\"#f-reason\""), "{page}");
    assert!(page.contains(&format!("value=\"{}\" checked", ids[2])), "the nominee stays chosen");
    assert!(page.contains("id=\"d-declined\" name=\"decision\" value=\"declined\" checked"));
    let (status, page) = post_form(&desk, app, &screening, &[("csrf", &csrf), ("reason", "kept text")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose at least one nominee.") && page.contains(">kept text</textarea>"));

    let (status, page) = post_form(
        &desk,
        app,
        &screening,
        &[("csrf", &csrf), ("nominee_ids", &ids[0]), ("nominee_ids", &ids[1]), ("decision", "accepted")],
    )
    .await;
    assert!(status == 200 && page.contains("2 nominee(s) accepted."), "{page}");
    let fields = [("csrf", csrf.as_str()), ("nominee_ids", &ids[2]), ("decision", "declined"), ("reason", "Duplicate")];
    let (status, _) = post_form(&desk, app, &screening, &fields).await;
    assert_eq!(status, 200);
    assert_eq!(audited(app, "award_nominee_screened").await, 3, "each decision is audited");

    // The phase form: onwards to judging draws the two accepted as finalists.
    let r = desk
        .post(app.url(&format!("/admin/awards/{YEAR}/phase")))
        .form(&[("csrf", csrf.as_str()), ("phase", "judging")])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, admin_page.as_str()));
    assert_eq!(app.get_json(&format!("/api/v1/awards/{YEAR}"), &Visitor).await["phase"], "judging");
    let (status, page) =
        post_form(&desk, app, &format!("/admin/awards/{YEAR}/phase"), &[("csrf", &csrf), ("phase", "endorsements")])
            .await;
    assert!(status == 409 && page.contains("phases only move forward"), "moving back is refused on the page");

    // Judges: by a name nobody has (kept, explained), then by name.
    let judge = app.member().named("Judith Judge").create().await;
    let judges = format!("/admin/awards/{YEAR}/judges");
    let cat = category(&created, 0);
    let (status, page) =
        post_form(&desk, app, &judges, &[("csrf", &csrf), ("member_id", "Nobody Here"), ("category_ids", &cat)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("No member has that name") && page.contains("value=\"Nobody Here\""), "{page}");
    assert!(page.contains(&format!("value=\"{cat}\" checked")), "the category stays ticked");
    let (status, page) =
        post_form(&desk, app, &judges, &[("csrf", &csrf), ("member_id", "Judith Judge"), ("category_ids", &cat)]).await;
    assert!(status == 200 && page.contains("assigned 2 finalist(s)"), "{page}");

    // An industry guest from outside the community: a missing name is explained and the
    // address kept; then the invitation creates a judge-only account assigned the same way.
    let guest = [
        ("csrf", csrf.as_str()),
        ("guest_name", ""),
        ("guest_email", "guest@pharma.example"),
        ("category_ids", cat.as_str()),
    ];
    let (status, page) = post_form(&desk, app, &judges, &guest).await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter the guest") && page.contains("value=\"guest@pharma.example\""), "{page}");
    let guest = [
        ("csrf", csrf.as_str()),
        ("guest_name", "Gail Guest"),
        ("guest_email", "guest@pharma.example"),
        ("category_ids", cat.as_str()),
    ];
    let (status, page) = post_form(&desk, app, &judges, &guest).await;
    assert!(
        status == 200 && page.contains("Gail Guest was invited by e-mail as a guest judge and assigned 2 finalist(s)"),
        "{page}"
    );
    let both = [
        ("csrf", csrf.as_str()),
        ("member_id", "Judith Judge"),
        ("guest_name", "Gail"),
        ("guest_email", "g2@pharma.example"),
        ("category_ids", cat.as_str()),
    ];
    let (status, page) = post_form(&desk, app, &judges, &both).await;
    assert!(status == 422 && page.contains("not both"), "{page}");

    // Scores through the API; the standings show raw and normalised figures and progress.
    let mine = app.get_json("/api/v1/judging/assignments", &judge).await;
    for (i, a) in mine.as_array().unwrap().iter().enumerate() {
        let scores: serde_json::Map<String, Value> = a["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().into(), json!(9 - i)))
            .collect();
        let path = format!("/api/v1/judging/{}/scores", a["id"].as_str().unwrap());
        assert_eq!(app.call("POST", &path, &judge, Some(json!({"scores": scores}))).await.0, 204);
    }
    let (_, page) = page_of(&desk, app, &admin_page).await;
    assert!(page.contains("Judith Judge: 9.00 / 1.00") && page.contains("Judith Judge: 8.00 / -1.00"), "{page}");
    assert!(page.contains("<td>Judith Judge</td><td>2</td><td>2</td>"), "the judge's progress: {page}");

    let (status, page) = post_form(&desk, app, &format!("/admin/awards/{YEAR}/lock"), &[("csrf", &csrf)]).await;
    assert!(status == 200 && page.contains("Winners locked (1)"), "{page}");
    let (status, page) = post_form(&desk, app, &format!("/admin/awards/{YEAR}/lock"), &[("csrf", &csrf)]).await;
    assert!(status == 409 && page.contains("already locked"), "locking twice is refused: {page}");
    assert!(!page.contains("Lock the winners</button>"), "the form is gone once locked");
    assert_eq!(audited(app, "award_winners_locked").await, 1);
    assert_eq!(audited(app, "award_phase_changed").await, 1);
    assert_eq!(audited(app, "award_scored").await, 2);
    let member = app.member().with_password().create().await.browser(app).await;
    let (_, own) = page_of(&member, app, "/awards").await;
    let (status, _) = post_form(&member, app, &format!("/admin/awards/{YEAR}/lock"), &[("csrf", &csrf_of(&own))]).await;
    assert_eq!(status, 404, "a member posting the lock form finds nothing");
}

async fn a_judge_scores_and_declares_a_conflict_in_the_browser(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme_with(app, &staff, json!({})).await;
    let ana = app.member().named("Ana Ortiz").create().await;
    let ben = app.member().named("Ben Bauer").create().await;
    for p in [&ana, &ben] {
        let id = pending_nominee(app, &category(&created, 0), p).await;
        let body = json!({"nominee_ids": [id], "decision": "accepted"});
        app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), &staff, Some(body)).await;
    }
    move_to(app, &staff, "endorsements").await;
    move_to(app, &staff, "judging").await;
    let judge = app.member().named("Judith").with_password().create().await;
    let body = json!({"member_id": judge.id, "category_ids": [category(&created, 0)]});
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/judges"), &staff, Some(body)).await;
    let r = app.client().get(app.url("/judging")).send().await.unwrap();
    let to = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(r.status() == 303 && to.starts_with("/login"), "a visitor is sent to log in");

    let browser = judge.browser(app).await;
    let (_, index) = page_of(&browser, app, "/awards").await;
    assert!(index.contains("href=\"/judging\""), "the awards page leads a judge to their page");
    let (status, page) = page_of(&browser, app, "/judging").await;
    assert!(status == 200 && page.contains("Ana Ortiz — Patient Leader") && page.contains("Impact (weight 3)"));
    let mine = app.get_json("/api/v1/judging/assignments", &judge).await;
    let of = |name: &str| mine.as_array().unwrap().iter().find(|a| a["nominee"]["name"] == name).unwrap().clone();
    let (a, b) = (of("Ana Ortiz"), of("Ben Bauer"));
    let key =
        |a: &Value, i: usize| format!("s-{}-{}", a["id"].as_str().unwrap(), a["criteria"][i]["id"].as_str().unwrap());
    let path = format!("/judging/{}/scores", a["id"].as_str().unwrap());
    let csrf = csrf_of(&page);
    let (status, page) =
        post_form(&browser, app, &path, &[("csrf", &csrf), (&key(&a, 0), "11"), (&key(&a, 1), "7")]).await;
    assert_eq!(status, 422);
    assert!(page.contains(&format!("href=\"#f-{}\"", key(&a, 0))) && page.contains("from 1 to 10"), "{page}");
    assert!(page.contains(&format!("name=\"{}\" value=\"7\"", key(&a, 1))), "what was typed is kept");
    let (status, page) =
        post_form(&browser, app, &path, &[("csrf", &csrf), (&key(&a, 0), "8"), (&key(&a, 1), "7")]).await;
    assert!(status == 200 && page.contains("Your scores for Ana Ortiz are saved."), "{page}");
    assert!(page.contains(&format!("name=\"{}\" value=\"8\"", key(&a, 0))), "the saved score shows");

    let conflict = format!("/judging/{}/conflict", b["id"].as_str().unwrap());
    let (status, page) = post_form(&browser, app, &conflict, &[("csrf", &csrf)]).await;
    assert!(status == 422 && page.contains("Tick the box"), "the declaration asks for confirmation");
    let (status, page) = post_form(&browser, app, &conflict, &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert!(status == 200 && page.contains("Conflict of interest recorded"), "{page}");
    assert!(!page.contains("Ben Bauer"), "the conflicted nominee is gone from the judge's page");
    let path = format!("/judging/{}/scores", b["id"].as_str().unwrap());
    let (status, _) = post_form(&browser, app, &path, &[("csrf", &csrf), (&key(&b, 0), "5"), (&key(&b, 1), "5")]).await;
    assert_eq!(status, 404, "nor can they score them");
    assert_eq!(audited(app, "award_conflict_recorded").await, 1);
}

async fn a_member_nominates_through_the_form_with_errors_kept(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme_with(app, &staff, json!({})).await;
    let ana = app.member().named("Ana Ortiz").create().await;
    let fan = app.member().with_password().create().await;
    let form = format!("/awards/{YEAR}/nominate");
    let r = app.client().get(app.url(&form)).send().await.unwrap();
    let to = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(r.status() == 303 && to.starts_with("/login"), "a visitor is sent to log in");
    let year_page = app.get_text(&format!("/awards/{YEAR}"), &Visitor).await;
    assert!(year_page.contains(&format!("href=\"{form}\"")), "the year page offers the form while nominating");

    let browser = fan.browser(app).await;
    let (status, page) = page_of(&browser, app, &format!("{form}?member={}", ana.id)).await;
    assert!(status == 200 && page.contains("You are nominating <strong>Ana Ortiz</strong>"), "{page}");
    let csrf = csrf_of(&page);
    let cat = category(&created, 0);
    let member_id = ana.id.to_string();
    let fields = [("csrf", csrf.as_str()), ("category_id", &cat), ("nominee_member_id", &member_id), ("statement", "")];
    let (status, page) = post_form(&browser, app, &form, &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("There is a problem") && page.contains("href=\"#f-statement\""), "{page}");
    assert!(page.contains(&format!("value=\"{cat}\" selected")) && page.contains("Ana Ortiz"), "choices kept");
    let caregivers = category(&created, 1);
    let fields = [
        ("csrf", csrf.as_str()),
        ("category_id", &caregivers),
        ("nominee_member_id", &member_id),
        ("statement", "She is wonderful."),
    ];
    let (status, page) = post_form(&browser, app, &form, &fields).await;
    assert!(status == 422 && page.contains("Caregiver Leader is for caregiver members."), "{page}");
    assert!(page.contains(">She is wonderful.</textarea>"), "the statement is kept");
    let fields = [
        ("csrf", csrf.as_str()),
        ("category_id", &cat),
        ("nominee_member_id", &member_id),
        ("statement", "She is wonderful."),
    ];
    let (status, page) = post_form(&browser, app, &form, &fields).await;
    assert!(status == 200 && page.contains("Your nomination is in"), "{page}");
    let (status, page) = post_form(&browser, app, &form, &fields).await;
    assert!(status == 409 && page.contains("already nominated"), "{page}");
}

/// The 2027 programme locked with Ana as the Patient Leader winner, the ceremony
/// `secs` seconds from now (as locking records it).
async fn ana_wins(app: &TestApp, staff: &Member, ana: &Member, secs: i64) -> String {
    let created = programme_with(app, staff, json!({})).await;
    let id = pending_nominee(app, &category(&created, 0), ana).await;
    let body = json!({"nominee_ids": [id], "decision": "accepted"});
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), staff, Some(body)).await;
    let (cat, nominee) = (uuid::Uuid::parse_str(&category(&created, 0)).unwrap(), uuid::Uuid::parse_str(&id).unwrap());
    let now = kernel::time::now();
    app.exec(
        "INSERT INTO award_winners (category_id, nominee_id, locked_at) VALUES ($1, $2, $3)",
        kernel::params![cat, nominee, now],
    )
    .await;
    let at = now + chrono::Duration::seconds(secs);
    app.exec("UPDATE award_programmes SET locked_at = $1, ceremony_at = $2", kernel::params![now, at]).await;
    id
}

async fn the_winner_badge_shows_on_the_profile_only_from_the_ceremony(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana Ortiz").create().await;
    let member = app.member().create().await;
    let nominee = ana_wins(app, &staff, &ana, 1).await;
    let badge = format!("Winner — Social Health Awards {YEAR}");
    let profile = format!("/members/{}", ana.id);
    for (who, label) in [(&member, "a member"), (&ana, "the winner")] {
        let page = app.get_text(&profile, who).await;
        assert!(page.contains("Ana Ortiz") && !page.contains(&badge), "one second before, {label} sees no badge");
    }
    app.exec(
        "UPDATE award_programmes SET ceremony_at = $1",
        kernel::params![kernel::time::now() - chrono::Duration::seconds(1)],
    )
    .await;
    for (who, label) in [(&member, "a member"), (&ana, "the winner")] {
        let page = app.get_text(&profile, who).await;
        assert!(page.contains(&badge), "one second after, {label} sees the badge: {page}");
        assert!(page.contains(&format!("href=\"/nominees/{nominee}\"")), "the badge links the nominee page");
    }
    let other = app.get_text(&format!("/members/{}", member.id), &ana).await;
    assert!(!other.contains(&badge), "only the winner carries it");
}

async fn finalists_get_one_complimentary_connexion_ticket(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let conference = json!({"name": "Connexion 2027", "year": 2027, "starts_on": "2027-06-14", "ends_on": "2027-06-15",
                            "time_zone": "UTC", "ticket_types": [{"name": "In person", "capacity": 10}]});
    let (s, conf) = app.call("POST", "/api/v1/conferences", &staff, Some(conference)).await;
    assert_eq!(s, 201, "{conf}");
    let cid = conf["id"].as_str().unwrap().to_string();
    let session = json!({"kind": "conference_session", "title": "Social Health Awards", "starts_at": "2027-06-15T18:00:00",
        "ends_at": "2027-06-15T19:30:00", "time_zone": "UTC", "capacity": null, "join_url": "", "audience": "public",
        "conference_id": cid, "awards_ceremony": true});
    let ceremony = app.event().exactly(session).by(&staff).create().await;
    let created =
        programme_with(app, &staff, json!({"ceremony_event_id": ceremony.id, "finalists_per_category": 2})).await;
    let [ana, ben, cleo] = [app.member().create().await, app.member().create().await, app.member().create().await];
    // Ben bought his ticket already.
    let paid = conf["ticket_types"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/conferences/{cid}/tickets");
    assert_eq!(app.call("POST", &path, &ben, Some(json!({"ticket_type_id": paid}))).await.0, 201);
    let mut ids = Vec::new();
    for p in [&ana, &ben, &cleo] {
        ids.push(pending_nominee(app, &category(&created, 0), p).await);
    }
    let body = json!({"nominee_ids": ids, "decision": "accepted"});
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), &staff, Some(body)).await;
    let tickets = "SELECT COUNT(*) FROM conference_tickets t JOIN ticket_types y ON y.id = t.ticket_type_id \
                   WHERE y.name = 'Complimentary (Social Health Awards finalist)'";
    move_to(app, &staff, "endorsements").await;
    app.drain().await;
    assert_eq!(app.count(tickets).await, 0, "no ticket before the finalists are drawn");
    move_to(app, &staff, "judging").await;
    app.drain().await;
    assert_eq!(app.count(tickets).await, 1, "Ana (a finalist) is given one; Ben keeps the one he bought");
    let mine = app.get_json(&format!("/api/v1/conferences/{cid}"), &ana).await;
    assert!(mine["my_ticket"].is_string(), "Ana holds a ticket: {mine}");
    let bens = app.get_json(&format!("/api/v1/conferences/{cid}"), &ben).await;
    assert_eq!(bens["my_ticket"], json!(paid));
    let add = json!({"nominee_id": ids[2]});
    assert_eq!(
        app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/finalists"), &staff, Some(add.clone())).await.0,
        204
    );
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/finalists"), &staff, Some(add)).await;
    app.drain().await;
    app.drain().await;
    assert_eq!(app.count(tickets).await, 2, "a finalist added by staff is given one too, exactly once");
    assert_eq!(app.count("SELECT COUNT(*) FROM ticket_types WHERE name LIKE 'Complimentary%'").await, 1);
}

async fn nominating_a_non_member_invites_them_and_joining_claims_the_nomination(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme_with(app, &staff, json!({})).await;
    let [ben, cleo] = [app.member().named("Ben").create().await, app.member().create().await];
    let path = format!("/api/v1/awards/{YEAR}/nominations");
    let body = |email: &str| {
        json!({"category_id": category(&created, 0), "nominee": {"name": "Dee Diaz", "email": email},
               "statement": "A tireless advocate."})
    };
    let (status, first) = app.call("POST", &path, &ben, Some(body("dee@example.org"))).await;
    assert_eq!(status, 201, "{first}");
    let (status, second) = app.call("POST", &path, &cleo, Some(body("Dee@Example.org"))).await;
    assert_eq!((status, &second["nominee_id"]), (201, &first["nominee_id"]));
    let mails = app.mails_to("dee@example.org").await;
    assert_eq!(mails.len(), 1, "one invitation, however many nominate them");
    assert!(mails[0].subject().contains(&format!("nominated for the Social Health Awards {YEAR}")));
    assert!(mails[0].link("/signup").is_some(), "the invitation links the sign-up: {}", mails[0].raw);

    let dee = app.signup_verified("dee@example.org", "Dee Diaz").await;
    app.drain().await;
    let nominee = first["nominee_id"].as_str().unwrap();
    let body = json!({"nominee_ids": [nominee], "decision": "accepted"});
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), &staff, Some(body)).await;
    let v = app.get_json(&format!("/api/v1/nominees/{nominee}"), &Visitor).await;
    assert_eq!(v["member_id"], json!(dee), "the nomination is the new member's: {v}");
    assert_eq!(audited(app, "award_nominations_claimed").await, 1);
    let queue = app.get_json(&format!("/api/v1/admin/awards/{YEAR}/nominees"), &staff).await;
    assert_eq!(queue[0]["invite_email"], Value::Null, "the address is no longer kept on the nominee");
    assert_eq!(queue[0]["statements"].as_array().unwrap().len(), 2, "both statements came along");
}

async fn a_category_refuses_members_who_joined_too_recently(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let body = json!({"categories": [{"name": "Lifetime Achievement", "min_member_days": 60}]});
    let created = programme_with(app, &staff, body).await;
    assert_eq!(created["categories"][0]["min_member_days"], 60);
    let (ana, ben) = (app.member().create().await, app.member().create().await);
    let (status, v) = nominate(app, &ben, &category(&created, 0), &ana).await;
    assert_eq!(status, 422, "a member of 30 days is too new: {v}");
    let message = v["error"]["fields"]["nominee_member_id"].as_str().unwrap();
    assert!(message.contains("at least 60 days"), "{message}");
    let joined = kernel::time::now() - chrono::Duration::days(61);
    app.exec("UPDATE members SET created_at = $1 WHERE id = $2", kernel::params![joined, ana.id]).await;
    assert_eq!(nominate(app, &ben, &category(&created, 0), &ana).await.0, 201);
    let bad = json!({"year": YEAR + 1, "categories": [{"name": "X", "min_member_days": -1}],
                     "criteria": [{"name": "Y", "weight": 1}], "finalists_per_category": 1});
    let (status, v) = app.call("POST", "/api/v1/admin/awards", &staff, Some(bad)).await;
    assert!(status == 422 && v["error"]["fields"]["categories"].is_string());
}

async fn my_awards_data_is_in_my_export(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme_with(app, &staff, json!({})).await;
    let (ana, ben) = (app.member().create().await, app.member().create().await);
    let (_, v) = nominate(app, &ben, &category(&created, 0), &ana).await;
    let nominee = v["nominee_id"].as_str().unwrap().to_string();
    let body = json!({"nominee_ids": [nominee], "decision": "accepted"});
    app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), &staff, Some(body)).await;
    move_to(app, &staff, "endorsements").await;
    assert_eq!(app.call("POST", &format!("/api/v1/nominees/{nominee}/endorse"), &ben, None).await.0, 201);
    let doc = app.get_json("/api/v1/me/export", &ben).await;
    assert_eq!(doc["awards"]["nominations"][0]["statement"], "Lifts everyone up.");
    assert_eq!(doc["awards"]["endorsements"][0]["nominee_id"], nominee.as_str());
    let doc = app.get_json("/api/v1/me/export", &ana).await;
    assert_eq!(doc["awards"]["nominated"][0]["id"], nominee.as_str());
    assert_eq!(doc["awards"]["nominations"], json!([]), "what others wrote is theirs");
}

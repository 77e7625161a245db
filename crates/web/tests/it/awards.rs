//! The Social Health Awards: programmes created and moved forward by staff only (and
//! audited), nominations that merge per person and category, bulk screening with
//! reasons, one endorsement per member and nominee under fifty-way races, finalists
//! drawn by endorsements, and winners embargoed until the ceremony — walked a second
//! before and a second after, as a member, the winner and an anonymous visitor.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    only_staff_create_and_move_programmes_and_every_move_is_audited,
    nominations_of_one_person_in_a_category_merge_and_keep_every_statement,
    nominations_are_refused_clearly_and_closed_outside_their_phase,
    staff_screen_in_bulk_with_a_reason_and_only_accepted_nominees_are_public,
    one_endorsement_per_member_and_nominee_even_when_fifty_requests_race,
    leaving_the_endorsements_draws_the_most_endorsed_as_finalists_shown_from_the_announcement,
    the_ceremony_time_comes_from_the_event_and_winners_stay_hidden_until_it_starts,
    the_pages_show_the_year_its_nominees_and_endorse_without_javascript,
    a_conflicted_judge_never_sees_or_scores_that_nominee,
    standings_normalise_each_judge_and_locked_winners_are_announced_once_at_the_ceremony,
    one_vote_per_member_and_category_even_when_fifty_race_and_staff_void_with_a_reason,
    the_demo_has_this_years_programme_taking_endorsements_and_last_years_winners_in_the_hall_of_fame,
    an_erased_member_leaves_no_statements_endorsements_or_name_behind,
];

const YEAR: i64 = 2027;

/// Staff create the 2027 programme: two categories (the second for caregivers only),
/// two criteria, `finalists` per category; the created body.
async fn programme(app: &TestApp, staff: &Member, finalists: i64) -> Value {
    let body = json!({
        "year": YEAR,
        "categories": [{"name": "Patient Leader"}, {"name": "Caregiver Leader", "member_types": ["caregiver"]}],
        "criteria": [{"name": "Impact", "weight": 3}, {"name": "Reach", "weight": 1}],
        "finalists_per_category": finalists,
    });
    let (status, v) = app.call("POST", "/api/v1/admin/awards", staff, Some(body)).await;
    assert_eq!(status, 201, "creating the programme: {v}");
    v
}

fn category(created: &Value, i: usize) -> String {
    created["categories"][i]["id"].as_str().unwrap().to_string()
}

async fn move_to(app: &TestApp, staff: &Member, phase: &str) {
    let path = format!("/api/v1/admin/awards/{YEAR}/phase");
    let (status, v) = app.call("POST", &path, staff, Some(json!({"phase": phase}))).await;
    assert_eq!(status, 204, "moving to {phase}: {v}");
}

/// `who` nominates member `nominee` in `category`; the answer.
async fn nominate(app: &TestApp, who: &Member, category: &str, nominee: &Member, statement: &str) -> (u16, Value) {
    let body = json!({"category_id": category, "nominee_member_id": nominee.id, "statement": statement});
    app.call("POST", &format!("/api/v1/awards/{YEAR}/nominations"), who, Some(body)).await
}

async fn accept(app: &TestApp, staff: &Member, nominees: &[&str]) {
    let body = json!({"nominee_ids": nominees, "decision": "accepted"});
    let (status, v) = app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/screening"), staff, Some(body)).await;
    assert_eq!(status, 200, "accepting: {v}");
}

/// A nominee of `who`, nominated by a new member and accepted; its id.
async fn accepted_nominee(app: &TestApp, staff: &Member, category: &str, who: &Member) -> String {
    let by = app.member().create().await;
    let (status, v) = nominate(app, &by, category, who, "Changes lives every week.").await;
    assert_eq!(status, 201, "{v}");
    let id = v["nominee_id"].as_str().unwrap().to_string();
    accept(app, staff, &[&id]).await;
    id
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await
}

async fn only_staff_create_and_move_programmes_and_every_move_is_audited(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let body = json!({"year": YEAR, "categories": [{"name": "Rookie of the Year"}], "criteria": [{"name": "Impact", "weight": 1}], "finalists_per_category": 3});
    let (status, _) = app.call("POST", "/api/v1/admin/awards", &ana, Some(body.clone())).await;
    assert_eq!(status, 404, "a member gets a 404, not a hint that the route exists");
    let (status, _) = app.call("POST", "/api/v1/admin/awards", &Visitor, Some(body.clone())).await;
    assert_eq!(status, 401, "no token: authenticate");
    let (status, _) = app.send("POST", "/api/v1/admin/awards", &ana).await;
    assert_eq!(status, 404, "the body is not even read before the check");
    let bad =
        json!({"year": 1700, "categories": [], "criteria": [{"name": "", "weight": 0}], "finalists_per_category": 0});
    let (status, v) = app.call("POST", "/api/v1/admin/awards", &staff, Some(bad)).await;
    assert_eq!(status, 422);
    for field in ["year", "categories", "criteria", "finalists_per_category"] {
        assert!(v["error"]["fields"][field].is_string(), "{field} is explained: {v}");
    }
    let (status, created) = app.call("POST", "/api/v1/admin/awards", &staff, Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["categories"][0]["name"], "Rookie of the Year");
    assert!(created["criteria"][0]["id"].is_string());
    let (status, v) = app.call("POST", "/api/v1/admin/awards", &staff, Some(body)).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("programme_exists")));

    let (status, v) = app.call("GET", &format!("/api/v1/awards/{YEAR}"), &Visitor, None).await;
    assert_eq!(status, 200, "the programme is public: {v}");
    assert_eq!(v["phase"], "nominations");
    assert_eq!(v["winners"], json!([]));
    let path = format!("/api/v1/admin/awards/{YEAR}/phase");
    let (status, _) = app.call("POST", &path, &ana, Some(json!({"phase": "judging"}))).await;
    assert_eq!(status, 404);
    move_to(app, &staff, "endorsements").await;
    move_to(app, &staff, "judging").await;
    let (status, v) = app.call("POST", &path, &staff, Some(json!({"phase": "nominations"}))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("phase_not_ahead")), "phases only move forward");
    let (status, _) = app.call("POST", &path, &staff, Some(json!({"phase": "winners"}))).await;
    assert_eq!(status, 400, "an unknown phase is malformed input");
    assert_eq!(audited(app, "award_phase_changed").await, 2, "each move is in the audit log");
    assert_eq!(audited(app, "award_programme_created").await, 1);
    let (status, _) = app.call("GET", "/api/v1/awards/1999", &Visitor, None).await;
    assert_eq!(status, 404);
}

async fn nominations_of_one_person_in_a_category_merge_and_keep_every_statement(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let patient = category(&created, 0);
    let [ana, ben, cleo] = [
        app.member().named("Ana").create().await,
        app.member().named("Ben").create().await,
        app.member().named("Cleo").create().await,
    ];
    let (status, first) = nominate(app, &ben, &patient, &ana, "Ana runs our support circle.").await;
    assert_eq!(status, 201, "{first}");
    let (_, second) = nominate(app, &cleo, &patient, &ana, "Ana taught me to speak up.").await;
    let (_, own) = nominate(app, &ana, &patient, &ana, "I would like to be considered.").await;
    assert_eq!(first["nominee_id"], second["nominee_id"], "the same person in the same category is one nominee");
    assert_eq!(first["nominee_id"], own["nominee_id"], "a self-nomination merges too");
    assert_ne!(first["id"], second["id"], "each nomination is kept");
    let (status, v) = nominate(app, &ben, &patient, &ana, "Again!").await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("already_nominated")));

    // Someone not yet a member, by e-mail, however the nominators spell its case.
    let path = format!("/api/v1/awards/{YEAR}/nominations");
    let by_email = |who: &str, email: &str| {
        json!({"category_id": patient, "nominee": {"name": who, "email": email}, "statement": "A tireless advocate.",
               "links": ["https://example.org/story"]})
    };
    let (status, dee1) = app.call("POST", &path, &ben, Some(by_email("Dee Diaz", "dee@example.org"))).await;
    assert_eq!(status, 201, "{dee1}");
    let (_, dee2) = app.call("POST", &path, &cleo, Some(by_email("Dee", "DEE@Example.org"))).await;
    assert_eq!(dee1["nominee_id"], dee2["nominee_id"]);
    assert_ne!(dee1["nominee_id"], first["nominee_id"]);

    // Fifty nominations of one new person racing still make one nominee.
    let racers: Vec<Member> = futures::future::join_all((0..50).map(|_| app.member().create())).await;
    let body = by_email("Eve", "eve@example.org");
    let statuses = app.all_at_once("POST", &path, racers.iter(), Some(body)).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM award_nominees WHERE invite_email = 'eve@example.org'").await, 1);

    let (status, queue) = app.call("GET", &format!("/api/v1/admin/awards/{YEAR}/nominees"), &staff, None).await;
    assert_eq!(status, 200);
    let ana_row = queue.as_array().unwrap().iter().find(|n| n["id"] == first["nominee_id"]).unwrap();
    let statements: Vec<&str> =
        ana_row["statements"].as_array().unwrap().iter().map(|s| s["statement"].as_str().unwrap()).collect();
    assert_eq!(
        statements,
        ["Ana runs our support circle.", "Ana taught me to speak up.", "I would like to be considered."]
    );
    let dee_row = queue.as_array().unwrap().iter().find(|n| n["id"] == dee1["nominee_id"]).unwrap();
    assert_eq!(dee_row["statements"][0]["links"], json!(["https://example.org/story"]));
    assert_eq!(audited(app, "award_nominees_read").await, 1, "staff reading the queue is audited");
    let (status, _) = app.call("GET", &format!("/api/v1/admin/awards/{YEAR}/nominees"), &ana, None).await;
    assert_eq!(status, 404);
}

async fn nominations_are_refused_clearly_and_closed_outside_their_phase(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let [patient, caregivers] = [category(&created, 0), category(&created, 1)];
    let [ana, ben] = [app.member().named("Ana").create().await, app.member().named("Ben").create().await];
    let path = format!("/api/v1/awards/{YEAR}/nominations");
    let (status, _) = app.call("POST", &path, &Visitor, Some(json!({}))).await;
    assert_eq!(status, 401);
    let (status, v) = app.call("POST", &path, &ben, Some(json!({"category_id": patient, "statement": ""}))).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["nominee_member_id"].is_string() && v["error"]["fields"]["statement"].is_string());
    let both = json!({"category_id": patient, "nominee_member_id": ana.id, "nominee": {"name": "X", "email": "x@example.org"}, "statement": "Hi"});
    assert_eq!(app.call("POST", &path, &ben, Some(both)).await.0, 422, "a member or an invitee, not both");
    let long = "x".repeat(5001);
    assert_eq!(nominate(app, &ben, &patient, &ana, &long).await.0, 422, "statements are bounded");
    let bad_link = json!({"category_id": patient, "nominee_member_id": ana.id, "statement": "Hi", "links": ["javascript:alert(1)"]});
    let (status, v) = app.call("POST", &path, &ben, Some(bad_link)).await;
    assert_eq!(status, 422);
    assert!(v["error"]["fields"]["links"].is_string());
    let (status, v) = nominate(app, &ben, &caregivers, &ana, "She cares for her dad.").await;
    assert_eq!(status, 422, "Ana is a patient, the category is for caregivers: {v}");
    assert!(v["error"]["fields"]["nominee_member_id"].as_str().unwrap().contains("caregiver"));
    let unknown = json!({"category_id": uuid::Uuid::now_v7(), "nominee_member_id": ana.id, "statement": "Hi"});
    assert_eq!(app.call("POST", &path, &ben, Some(unknown)).await.0, 422);
    let nobody = json!({"category_id": patient, "nominee_member_id": uuid::Uuid::now_v7(), "statement": "Hi"});
    assert_eq!(app.call("POST", &path, &ben, Some(nobody)).await.0, 422);
    let (status, _) =
        app.request("POST", &path, &ben).body("{not json").send().await.map(|r| (r.status().as_u16(), ())).unwrap();
    assert_eq!(status, 400);
    move_to(app, &staff, "endorsements").await;
    let (status, v) = nominate(app, &ben, &patient, &ana, "Too late?").await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("phase_closed")));
}

async fn staff_screen_in_bulk_with_a_reason_and_only_accepted_nominees_are_public(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let patient = category(&created, 0);
    let [ana, ben, cleo] = [
        app.member().named("Ana").create().await,
        app.member().named("Ben").create().await,
        app.member().named("Cleo").create().await,
    ];
    let (_, a) = nominate(app, &cleo, &patient, &ana, "Ana!").await;
    let (_, b) = nominate(app, &cleo, &patient, &ben, "Ben!").await;
    let [a, b] = [a["nominee_id"].as_str().unwrap(), b["nominee_id"].as_str().unwrap()];
    let (status, _) = app.call("GET", &format!("/api/v1/nominees/{a}"), &Visitor, None).await;
    assert_eq!(status, 404, "a pending nominee is not public");
    let screening = format!("/api/v1/admin/awards/{YEAR}/screening");
    let (status, _) =
        app.call("POST", &screening, &ana, Some(json!({"nominee_ids": [a], "decision": "accepted"}))).await;
    assert_eq!(status, 404);
    let (status, v) =
        app.call("POST", &screening, &staff, Some(json!({"nominee_ids": [b], "decision": "declined"}))).await;
    assert_eq!(status, 422, "declining needs a reason: {v}");
    let decline = json!({"nominee_ids": [b], "decision": "declined", "reason": "Not eligible this year."});
    assert_eq!(app.call("POST", &screening, &staff, Some(decline)).await.1["updated"], 1);
    let (status, v) =
        app.call("POST", &screening, &staff, Some(json!({"nominee_ids": [a, b], "decision": "accepted"}))).await;
    assert_eq!((status, v["updated"].as_i64()), (200, Some(2)), "a bulk decision, reversing the decline too");
    assert_eq!(audited(app, "award_nominee_screened").await, 3, "each decision is audited");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activity WHERE kind = 'AwardNominated'").await,
        2,
        "each accepted member hears of it"
    );
    let (status, v) = app.call("GET", &format!("/api/v1/nominees/{a}"), &Visitor, None).await;
    assert_eq!(status, 200);
    assert_eq!((v["name"].as_str(), v["category"].as_str()), (Some("Ana"), Some("Patient Leader")));
    assert!(v.get("email").is_none() && v["finalist"] == false);
    let (_, list) = app.call("GET", &format!("/api/v1/awards/{YEAR}/nominees"), &Visitor, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

async fn one_endorsement_per_member_and_nominee_even_when_fifty_requests_race(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let ana = app.member().named("Ana").create().await;
    let nominee = accepted_nominee(app, &staff, &category(&created, 0), &ana).await;
    let path = format!("/api/v1/nominees/{nominee}/endorse");
    let ben = app.member().named("Ben").create().await;
    let (status, v) = app.call("POST", &path, &ben, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("phase_closed")), "not before the endorsements open");
    move_to(app, &staff, "endorsements").await;
    assert_eq!(app.call("POST", &path, &Visitor, None).await.0, 401);

    let statuses = app.all_at_once("POST", &path, std::iter::repeat_n(&ben, 50), None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    let (_, v) = app.call("POST", &path, &ben, None).await;
    assert_eq!(v["error"]["code"], "already_endorsed");

    let crowd: Vec<Member> = futures::future::join_all((0..50).map(|_| app.member().create())).await;
    let statuses = app.all_at_once("POST", &path, crowd.iter(), None).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let (_, v) = app.call("GET", &format!("/api/v1/nominees/{nominee}"), &Visitor, None).await;
    assert_eq!(v["endorsements"], 51);
    let (status, _) = app.call("POST", &format!("/api/v1/nominees/{}/endorse", uuid::Uuid::now_v7()), &ben, None).await;
    assert_eq!(status, 404);
}

async fn leaving_the_endorsements_draws_the_most_endorsed_as_finalists_shown_from_the_announcement(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 2).await;
    let patient = category(&created, 0);
    let people: Vec<Member> = futures::future::join_all((0..4).map(|_| app.member().create())).await;
    let mut nominees = Vec::new();
    for p in &people {
        nominees.push(accepted_nominee(app, &staff, &patient, p).await);
    }
    move_to(app, &staff, "endorsements").await;
    let fans: Vec<Member> = futures::future::join_all((0..3).map(|_| app.member().create())).await;
    // Endorsements: nominee 3 gets three, nominee 1 two, nominees 0 and 2 none.
    for (nominee, how_many) in [(3, 3), (1, 2)] {
        for fan in &fans[..how_many] {
            assert_eq!(
                app.call("POST", &format!("/api/v1/nominees/{}/endorse", nominees[nominee]), fan, None).await.0,
                201
            );
        }
    }
    move_to(app, &staff, "judging").await;
    let finalists = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|n| n["finalist"] == true)
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, list) = app.call("GET", &format!("/api/v1/awards/{YEAR}/nominees"), &Visitor, None).await;
    assert!(finalists(&list).is_empty(), "finalists are not public before the announcement");
    assert_eq!(app.count("SELECT COUNT(*) FROM award_nominees WHERE finalist = TRUE").await, 2);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/admin/awards/{YEAR}/finalists"),
            &staff,
            Some(json!({"nominee_id": nominees[0]})),
        )
        .await;
    assert_eq!(status, 204, "staff may add a finalist");
    move_to(app, &staff, "finalists").await;
    let (_, list) = app.call("GET", &format!("/api/v1/awards/{YEAR}/nominees"), &Visitor, None).await;
    let mut expected = vec![nominees[0].clone(), nominees[1].clone(), nominees[3].clone()];
    expected.sort();
    let mut shown = finalists(&list);
    shown.sort();
    assert_eq!(shown, expected);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'AwardFinalist'").await, 3);
    assert_eq!(audited(app, "award_finalist_added").await, 1);
}

/// Winners as every surface shows them to `who`: the API's list; whether both the year
/// page and the hall of fame name the winner; whether either does.
async fn winners_seen_by(app: &TestApp, who: &(impl Caller + ?Sized)) -> (Value, bool, bool) {
    let (_, v) = app.call("GET", &format!("/api/v1/awards/{YEAR}"), who, None).await;
    let page = app.get_text(&format!("/awards/{YEAR}"), who).await;
    let hall = app.get_text("/awards/hall-of-fame", who).await;
    (
        v["winners"].clone(),
        page.contains("Winner:") && hall.contains("Patient Leader: <a"),
        page.contains("Winner:") || hall.contains("Patient Leader: <a"),
    )
}

async fn the_ceremony_time_comes_from_the_event_and_winners_stay_hidden_until_it_starts(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ceremony = app.event().titled("Connexion awards ceremony").starting_in(days(30)).by(&staff).create().await;
    let body = json!({"year": YEAR, "categories": [{"name": "Patient Leader"}], "criteria": [{"name": "Impact", "weight": 1}],
                      "finalists_per_category": 1, "ceremony_event_id": ceremony.id});
    let (status, created) = app.call("POST", "/api/v1/admin/awards", &staff, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (_, v) = app.call("GET", &format!("/api/v1/awards/{YEAR}"), &Visitor, None).await;
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(at(&v["ceremony_at"]), at(&ceremony["starts_at"]), "the ceremony is the event's start");
    let bad = json!({"year": YEAR + 1, "categories": [{"name": "A"}], "criteria": [{"name": "B", "weight": 1}],
                     "finalists_per_category": 1, "ceremony_event_id": uuid::Uuid::now_v7()});
    let (status, v) = app.call("POST", "/api/v1/admin/awards", &staff, Some(bad)).await;
    assert_eq!(status, 422);
    assert!(v["error"]["fields"]["ceremony_event_id"].is_string());

    let ana = app.member().named("Ana").create().await;
    let nominee = accepted_nominee(app, &staff, &category(&created, 0), &ana).await;
    let member = app.member().create().await;
    // The winner as locking records it, with the ceremony a second away.
    let ceremony_in = |secs: i64| kernel::time::now() + chrono::Duration::seconds(secs);
    app.exec(
        "INSERT INTO award_winners (category_id, nominee_id, locked_at) VALUES ($1, $2, $3)",
        kernel::params![
            uuid::Uuid::parse_str(&category(&created, 0)).unwrap(),
            uuid::Uuid::parse_str(&nominee).unwrap(),
            kernel::time::now()
        ],
    )
    .await;
    app.exec(
        "UPDATE award_programmes SET locked_at = $1, ceremony_at = $2",
        kernel::params![kernel::time::now(), ceremony_in(1)],
    )
    .await;
    for (who, label) in [(Some(&member), "a member"), (Some(&ana), "the winner"), (None, "a visitor")] {
        let (winners, _, any_page) = winners_seen_by(app, &who).await;
        assert_eq!(winners, json!([]), "one second before, {label} sees no winner");
        let svg = app.get_text(&format!("/api/v1/nominees/{nominee}/badge.svg"), &who).await;
        assert!(svg.contains("Nominee —"), "one second before, the badge says nominee to {label}");
        assert!(!any_page, "one second before, no page names the winner to {label}");
    }
    let (winners, _, _) = winners_seen_by(app, &staff).await;
    assert_eq!(winners.as_array().unwrap().len(), 1, "staff see the winner before the ceremony");
    app.exec("UPDATE award_programmes SET ceremony_at = $1", kernel::params![ceremony_in(-1)]).await;
    for (who, label) in [(Some(&member), "a member"), (Some(&ana), "the winner"), (None, "a visitor")] {
        let (winners, every_page, _) = winners_seen_by(app, &who).await;
        assert_eq!(winners[0]["nominee_id"], nominee.as_str(), "one second after, {label} sees the winner");
        assert_eq!(winners[0]["member_id"], json!(ana.id));
        assert!(every_page, "one second after, the year page and the hall of fame name the winner to {label}");
        let svg = app.get_text(&format!("/api/v1/nominees/{nominee}/badge.svg"), &who).await;
        assert!(svg.contains("Winner —"), "one second after, the badge says winner to {label}");
    }
}

async fn the_pages_show_the_year_its_nominees_and_endorse_without_javascript(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let created = programme(app, &staff, 3).await;
    let ana = app.member().named("Ana Ortiz").create().await;
    let nominee = accepted_nominee(app, &staff, &category(&created, 0), &ana).await;
    let index = app.get_text("/awards", &Visitor).await;
    assert!(index.contains(&format!("/awards/{YEAR}")), "the index links the year");
    let year = app.get_text(&format!("/awards/{YEAR}"), &Visitor).await;
    assert!(year.contains("Patient Leader") && year.contains("Ana Ortiz") && year.contains("Nominations open"));
    let desk = staff.browser(app).await;
    let page = desk.get(app.url("/admin/awards")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Next phase for 2027"), "the desk offers the next phases");
    let r = desk
        .post(app.url(&format!("/admin/awards/{YEAR}/phase")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("phase", "endorsements")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the desk reloads after the move");
    assert_eq!(app.get_json(&format!("/api/v1/awards/{YEAR}"), &Visitor).await["phase"], "endorsements");
    let (status, _) = app.send("GET", "/admin/awards", &ana).await;
    assert_eq!(status, 404, "the desk is staff only");

    let fan = app.member().named("Fan").with_password().create().await;
    let browser = fan.browser(app).await;
    let page = browser.get(app.url(&format!("/nominees/{nominee}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Endorse Ana Ortiz"), "a signed-in member sees the endorse button");
    let r = browser
        .post(app.url(&format!("/nominees/{nominee}/endorse")))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.contains("your endorsement is counted") && text.contains("1 endorsement"), "{text}");
    let again = browser
        .post(app.url(&format!("/nominees/{nominee}/endorse")))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert!(again.text().await.unwrap().contains("already endorsed"));
    let anonymous = app.get_text(&format!("/nominees/{nominee}"), &Visitor).await;
    assert!(!anonymous.contains("Endorse Ana Ortiz"));
    assert!(
        anonymous.contains("id=\"badge-snippet\"") && anonymous.contains("badge.svg"),
        "the page offers the snippet to copy"
    );
    let r = app.request("GET", &format!("/api/v1/nominees/{nominee}/badge.svg"), &Visitor).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains(&format!("Nominee — Social Health Awards {YEAR}"))
            && !svg.contains("<script")
    );
    let (status, _) = app.send("GET", &format!("/api/v1/nominees/{}/badge.svg", uuid::Uuid::now_v7()), &Visitor).await;
    assert_eq!(status, 404);
}

/// Three accepted members' nominees in the first category, then judging opens (all three
/// become finalists when `finalists` is 3); the nominees' ids.
async fn three_finalists(app: &TestApp, staff: &Member, created: &Value, people: &[Member]) -> Vec<String> {
    let mut nominees = Vec::new();
    for p in people {
        nominees.push(accepted_nominee(app, staff, &category(created, 0), p).await);
    }
    move_to(app, staff, "endorsements").await;
    move_to(app, staff, "judging").await;
    nominees
}

async fn assign_judge(app: &TestApp, staff: &Member, judge: &Member, created: &Value) -> Value {
    let body = json!({"member_id": judge.id, "category_ids": [category(created, 0)]});
    let (status, v) = app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/judges"), staff, Some(body)).await;
    assert_eq!(status, 200, "assigning: {v}");
    v
}

async fn assignments_of(app: &TestApp, judge: &Member) -> Vec<Value> {
    let (status, v) = app.call("GET", "/api/v1/judging/assignments", judge, None).await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn assignment_for<'a>(list: &'a [Value], nominee: &str) -> Option<&'a Value> {
    list.iter().find(|a| a["nominee"]["id"] == nominee)
}

/// `judge` gives `nominee` `score` on every criterion.
async fn score_all(app: &TestApp, judge: &Member, created: &Value, nominee: &str, score: i64) {
    let list = assignments_of(app, judge).await;
    let a = assignment_for(&list, nominee).expect("assigned");
    let scores: serde_json::Map<String, Value> = created["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), json!(score)))
        .collect();
    let path = format!("/api/v1/judging/{}/scores", a["id"].as_str().unwrap());
    let (status, v) = app.call("POST", &path, judge, Some(json!({"scores": scores}))).await;
    assert_eq!(status, 204, "scoring: {v}");
}

async fn a_conflicted_judge_never_sees_or_scores_that_nominee(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let people: Vec<Member> = futures::future::join_all((0..3).map(|_| app.member().create())).await;
    let nominees = three_finalists(app, &staff, &created, &people).await;
    let judge = app.member().named("Judge").create().await;
    let stranger = app.member().create().await;
    let conflicts = format!("/api/v1/admin/awards/{YEAR}/conflicts");
    let conflict = json!({"judge_id": judge.id, "nominee_id": nominees[0]});
    assert_eq!(app.call("POST", &conflicts, &stranger, Some(conflict.clone())).await.0, 404);
    assert_eq!(app.call("POST", &conflicts, &staff, Some(conflict)).await.0, 204, "staff record a conflict");
    let body = json!({"member_id": judge.id, "category_ids": [category(&created, 0)]});
    assert_eq!(app.call("POST", &format!("/api/v1/admin/awards/{YEAR}/judges"), &stranger, Some(body)).await.0, 404);
    assert_eq!(assign_judge(app, &staff, &judge, &created).await["assigned"], 2, "the conflicted pair is left out");
    let list = assignments_of(app, &judge).await;
    assert!(assignment_for(&list, &nominees[0]).is_none(), "the judge never sees that entry");
    let ben = assignment_for(&list, &nominees[1]).unwrap().clone();
    assert_eq!(ben["statements"], json!(["Changes lives every week."]), "the entry is the nomination statements");
    assert_eq!(ben["criteria"].as_array().unwrap().len(), 2);

    let criterion = created["criteria"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/judging/{}/scores", ben["id"].as_str().unwrap());
    let (status, v) = app.call("POST", &path, &judge, Some(json!({"scores": {criterion: 11}}))).await;
    assert_eq!(status, 422, "scores are 1 to 10: {v}");
    let (status, _) =
        app.call("POST", &path, &judge, Some(json!({"scores": {uuid::Uuid::now_v7().to_string(): 5}}))).await;
    assert_eq!(status, 422, "only this programme's criteria");
    assert_eq!(
        app.call("POST", &path, &stranger, Some(json!({"scores": {criterion: 5}}))).await.0,
        404,
        "only the judge scores"
    );
    assert_eq!(app.call("POST", &path, &judge, Some(json!({"scores": {criterion: 7}}))).await.0, 204);
    assert_eq!(audited(app, "award_scored").await, 1, "each score is audited");

    // The judge declares a conflict with Ben's nominee: the assignment and its score go.
    let declare = format!("/api/v1/judging/{}/conflict", ben["id"].as_str().unwrap());
    assert_eq!(app.call("POST", &declare, &judge, None).await.0, 204);
    assert_eq!(app.call("POST", &path, &judge, Some(json!({"scores": {criterion: 9}}))).await.0, 404, "nor score it");
    let list = assignments_of(app, &judge).await;
    assert_eq!(list.len(), 1);
    assert!(assignment_for(&list, &nominees[1]).is_none());
    assert_eq!(assign_judge(app, &staff, &judge, &created).await["assigned"], 0, "reassigning brings neither back");
    assert_eq!(app.count("SELECT COUNT(*) FROM award_scores").await, 0);
    assert_eq!(audited(app, "award_conflict_recorded").await, 2);
    let (_, standings) = app.call("GET", &format!("/api/v1/admin/awards/{YEAR}/standings"), &staff, None).await;
    assert_eq!(standings["judges"][0]["assigned"], 1);
}

async fn standings_normalise_each_judge_and_locked_winners_are_announced_once_at_the_ceremony(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ceremony = app.event().titled("Connexion awards ceremony").starting_in(days(30)).by(&staff).create().await;
    let body = json!({"year": YEAR, "categories": [{"name": "Patient Leader"}],
                      "criteria": [{"name": "Impact", "weight": 3}, {"name": "Reach", "weight": 1}],
                      "finalists_per_category": 3, "ceremony_event_id": ceremony.id});
    let (_, created) = app.call("POST", "/api/v1/admin/awards", &staff, Some(body)).await;
    let people: Vec<Member> = futures::future::join_all((0..3).map(|_| app.member().create())).await;
    let nominees = three_finalists(app, &staff, &created, &people).await;
    let [harsh, generous] = [app.member().named("Harsh").create().await, app.member().named("Generous").create().await];
    for judge in [&harsh, &generous] {
        assign_judge(app, &staff, judge, &created).await;
    }
    // The harsh judge clearly prefers the first; the generous one slightly the second.
    for (n, h, g) in [(0, 3, 8), (1, 2, 10), (2, 1, 5)] {
        score_all(app, &harsh, &created, &nominees[n], h).await;
        score_all(app, &generous, &created, &nominees[n], g).await;
    }
    let standings_path = format!("/api/v1/admin/awards/{YEAR}/standings");
    assert_eq!(app.call("GET", &standings_path, &harsh, None).await.0, 404, "standings are staff only");
    let (_, standings) = app.call("GET", &standings_path, &staff, None).await;
    let ranked: Vec<&str> = standings["categories"][0]["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["nominee_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ranked,
        [nominees[0].as_str(), nominees[1].as_str(), nominees[2].as_str()],
        "raw sums would put the second first"
    );
    let first = &standings["categories"][0]["standings"][0];
    assert_eq!(first["figures"].as_array().unwrap().len(), 2, "raw and normalised per judge: {first}");
    assert!(
        first["figures"].as_array().unwrap().iter().any(|f| f["raw"] == 3.0 && f["normalised"].as_f64().unwrap() > 1.0)
    );
    assert!(standings["judges"].as_array().unwrap().iter().all(|j| j["assigned"] == 3 && j["finished"] == 3));

    let lock = format!("/api/v1/admin/awards/{YEAR}/lock");
    assert_eq!(app.call("POST", &lock, &harsh, None).await.0, 404);
    let (status, locked) = app.call("POST", &lock, &staff, None).await;
    assert_eq!(status, 200, "{locked}");
    assert_eq!(locked["winners"][0]["nominee_id"], nominees[0].as_str());
    let (status, v) = app.call("POST", &lock, &staff, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("already_locked")));
    assert_eq!(audited(app, "award_winners_locked").await, 1);

    let winner = &people[0];
    app.run_job("awards.publish_winners").await;
    for who in [Some(winner), Some(&harsh), None] {
        assert_eq!(app.call("GET", &format!("/api/v1/awards/{YEAR}"), &who, None).await.1["winners"], json!([]));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activity WHERE kind = 'AwardWon'").await,
        0,
        "no announcement before the ceremony"
    );
    app.exec(
        "UPDATE award_programmes SET ceremony_at = $1",
        kernel::params![kernel::time::now() - chrono::Duration::seconds(1)],
    )
    .await;
    let (_, v) = app.call("GET", &format!("/api/v1/awards/{YEAR}"), &Visitor, None).await;
    assert_eq!(v["winners"][0]["member_id"], json!(winner.id), "from the ceremony's start, everyone sees the winner");
    app.run_job("awards.publish_winners").await;
    app.run_job("awards.publish_winners").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'AwardWon'").await, 1, "announced once");
}

async fn one_vote_per_member_and_category_even_when_fifty_race_and_staff_void_with_a_reason(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let body = json!({"year": YEAR, "categories": [{"name": "Hilarious Health Leader", "vote_weight_percent": 50}],
                      "criteria": [{"name": "Humour", "weight": 1}], "finalists_per_category": 2});
    let (_, created) = app.call("POST", "/api/v1/admin/awards", &staff, Some(body)).await;
    let people: Vec<Member> = futures::future::join_all((0..2).map(|_| app.member().create())).await;
    let mut nominees = Vec::new();
    for p in &people {
        nominees.push(accepted_nominee(app, &staff, &category(&created, 0), p).await);
    }
    move_to(app, &staff, "endorsements").await;
    move_to(app, &staff, "judging").await;
    let ben = app.member().named("Ben").create().await;
    let vote = |n: usize| format!("/api/v1/nominees/{}/vote", nominees[n]);
    let (status, v) = app.call("POST", &vote(0), &ben, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("phase_closed")));
    move_to(app, &staff, "voting").await;
    assert_eq!(app.call("POST", &vote(0), &Visitor, None).await.0, 401);

    let statuses = app.all_at_once("POST", &vote(0), std::iter::repeat_n(&ben, 50), None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    let (status, v) = app.call("POST", &vote(1), &ben, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("already_voted")), "one vote per category");
    let crowd: Vec<Member> = futures::future::join_all((0..50).map(|_| app.member().create())).await;
    let statuses = app.all_at_once("POST", &vote(1), crowd.iter(), None).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let newcomer = app.member().named("Newcomer").signed_up().create().await;
    assert_eq!(app.call("POST", &vote(1), &newcomer, None).await.0, 201);
    let (_, v) = app.call("GET", &format!("/api/v1/nominees/{}", nominees[1]), &ben, None).await;
    assert!(v.get("votes").is_none(), "counts are hidden from members: {v}");

    let signals = format!("/api/v1/admin/awards/{YEAR}/votes/signals");
    assert_eq!(app.call("GET", &signals, &ben, None).await.0, 404);
    let (_, s) = app.call("GET", &signals, &staff, None).await;
    assert!(s["shared_addresses"][0]["votes"].as_i64().unwrap() >= 5, "many votes from one address: {s}");
    let fresh: Vec<&Value> = s["new_accounts"].as_array().unwrap().iter().collect();
    assert_eq!(fresh.len(), 1, "only the account made today: {s}");
    assert_eq!(fresh[0]["member_id"], json!(newcomer.id));

    let void = format!("/api/v1/admin/awards/{YEAR}/votes/void");
    let body = |reason: &str| json!({"member_id": newcomer.id, "category_id": category(&created, 0), "reason": reason});
    assert_eq!(app.call("POST", &void, &ben, Some(body("x"))).await.0, 404);
    assert_eq!(app.call("POST", &void, &staff, Some(body(""))).await.0, 422, "a reason is required");
    assert_eq!(app.call("POST", &void, &staff, Some(body("Account made to vote."))).await.0, 204);
    assert_eq!(app.call("POST", &void, &staff, Some(body("Again."))).await.0, 404, "nothing left to void");
    assert_eq!(audited(app, "award_vote_voided").await, 1);
    assert_eq!(
        app.call("POST", &vote(1), &newcomer, None).await.1["error"]["code"],
        "already_voted",
        "a voided voter stays voted"
    );
    let (_, standings) = app.call("GET", &format!("/api/v1/admin/awards/{YEAR}/standings"), &staff, None).await;
    let votes: Vec<i64> = standings["categories"][0]["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["votes"].as_i64().unwrap())
        .collect();
    let mut votes = votes;
    votes.sort();
    assert_eq!(votes, [1, 50], "the voided vote does not count");
}

async fn the_demo_has_this_years_programme_taking_endorsements_and_last_years_winners_in_the_hall_of_fame(
    app: &TestApp,
) {
    app.load_demo(8).await;
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    let (status, now) = app.call("GET", &format!("/api/v1/awards/{year}"), &Visitor, None).await;
    assert_eq!((status, now["phase"].as_str()), (200, Some("endorsements")), "{now}");
    let (_, nominees) = app.call("GET", &format!("/api/v1/awards/{year}/nominees"), &Visitor, None).await;
    assert!(nominees.as_array().unwrap().len() >= 4, "{nominees}");
    assert!(nominees.as_array().unwrap().iter().any(|n| n["endorsements"].as_i64().unwrap() > 0));
    let (_, last) = app.call("GET", &format!("/api/v1/awards/{}", year - 1), &Visitor, None).await;
    assert!(!last["winners"].as_array().unwrap().is_empty(), "last year's winners are public: {last}");
    let hall = app.get_text("/awards/hall-of-fame", &Visitor).await;
    assert!(hall.contains(&(year - 1).to_string()) && hall.contains("Patient Leader"));
}

async fn an_erased_member_leaves_no_statements_endorsements_or_name_behind(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let created = programme(app, &staff, 3).await;
    let [ana, ben] = [app.member().named("Ana Erased").create().await, app.member().named("Ben").create().await];
    let (_, by_ana) = nominate(app, &ana, &category(&created, 0), &ben, "Ana's words about Ben.").await;
    let ana_nominee = accepted_nominee(app, &staff, &category(&created, 0), &ana).await;
    accept(app, &staff, &[by_ana["nominee_id"].as_str().unwrap()]).await;
    move_to(app, &staff, "endorsements").await;
    let ben_nominee = by_ana["nominee_id"].as_str().unwrap();
    assert_eq!(app.call("POST", &format!("/api/v1/nominees/{ben_nominee}/endorse"), &ana, None).await.0, 201);
    let r = app.client().delete(app.url("/api/v1/me")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    app.consume("awards-erasure").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM award_nominations WHERE statement LIKE 'Ana%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM award_endorsements").await, 0);
    let (status, v) = app.call("GET", &format!("/api/v1/nominees/{ana_nominee}"), &Visitor, None).await;
    assert_eq!(status, 200, "the nominee keeps its place in the history");
    assert_eq!((v["name"].as_str(), &v["member_id"]), (Some("A former member"), &Value::Null));
}

//! Paid opportunities: partners and opportunities posted by staff (and nobody else), the
//! board of what a member is eligible for with the reasons for the rest, hidden profile
//! fields that match without showing, applications under concurrency, screening with
//! history and notifications, the FTC disclosure check and its audited override,
//! payouts with the CSV for finance, points paid once, the partner's figures, erasure.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    only_staff_post_partners_and_opportunities_and_others_get_not_found,
    the_staff_form_keeps_what_was_typed_and_says_what_is_wrong_beside_each_field,
    the_board_offers_what_a_member_is_eligible_for_and_explains_the_rest,
    members_only_fields_match_but_a_private_one_does_not_and_neither_is_shown_to_others,
    staff_see_why_any_member_is_or_is_not_eligible,
    one_application_per_member_even_when_requests_race_and_refusals_say_why,
    fifty_concurrent_selections_never_take_more_than_the_seats,
    every_move_is_recorded_with_who_and_when_and_the_member_is_told,
    staff_shortlist_and_decline_in_bulk_with_one_message,
    the_disclosure_check_classifies_a_table_of_captions,
    approval_needs_a_disclosure_or_an_audited_override,
    an_approved_payout_is_marked_paid_and_lands_in_the_csv_defused,
    points_are_credited_once_even_when_the_payout_event_is_delivered_twice,
    the_partner_sees_counts_only_and_small_ones_are_suppressed,
    an_erased_member_leaves_no_answers_captions_or_tax_form,
    unpaid_work_opens_no_payout_and_the_board_filters_by_kind,
    the_api_document_lists_the_fixed_routes,
    the_demo_has_two_partners_and_open_and_closed_work_of_every_kind_some_for_the_demo_member,
    a_member_who_withdraws_frees_the_seat_and_staff_can_close_early,
    a_required_credential_is_a_near_miss_until_a_course_completion_for_it_is_consumed,
    the_credential_code_is_checked_by_the_api_and_beside_its_field_in_the_staff_form,
];

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app.client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Staff post the new-opportunity form (read from `page`, for its CSRF token): an article
/// feature with two seats for `partner`, with `fields` added or taking the place of those.
async fn post_new_opportunity(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    partner: &Partner,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_of(page);
    let defaults = [("kind", "article_feature"), ("seats", "2")];
    let mut form = vec![("csrf", csrf.as_str()), ("partner_id", partner.id.as_str())];
    form.extend(defaults.iter().filter(|(k, _)| !fields.iter().any(|(f, _)| f == k)).copied());
    form.extend(fields.iter().copied());
    browser.post(app.url("/admin/opportunities/new")).form(&form).send().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
}

async fn only_staff_post_partners_and_opportunities_and_others_get_not_found(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").signed_up().create().await;
    let partner = app.partner(&staff, "BreatheWell").await;
    let c = app.client();
    let body = json!({"name": "Sneaky Co", "website": "https://sneaky.example.org"});
    let r = c.post(app.url("/api/v1/admin/partners")).bearer_auth(&ana.token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 404, "a member gets a 404, not a hint that the route exists");
    let r = c.post(app.url("/api/v1/admin/partners")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 401, "a call without a token is told to authenticate, as on every API operation");
    let r = c.post(app.url("/api/v1/admin/partners")).bearer_auth(&ana.token).body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 404, "the body is not even read before the check");
    let r = c
        .post(app.url("/api/v1/admin/partners"))
        .bearer_auth(&staff.token)
        .json(&json!({"name": "breathewell"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "one partner per name");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "partner_exists");
    let o =
        json!({"kind": "panel_seat", "title": "Panel", "partner_id": partner.id, "seats": 2, "apply_by": "2099-01-31"});
    let r = c.post(app.url("/api/v1/admin/opportunities")).bearer_auth(&ana.token).json(&o).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let rb = c.post(app.url("/api/v1/admin/opportunities")).bearer_auth(&staff.token).json(&o);
    let created = send_expecting(rb, 201, "staff post an unpaid panel seat").await;
    assert_eq!(created["compensation"], json!({"kind": "unpaid"}));
    assert_eq!(created["requirements"], json!([]), "an empty rule set means every member");
    assert_eq!(created["apply_by"], "2099-01-31T23:59:59Z", "a date closes at the end of that day");
    let bad = json!({"kind": "party", "title": "x", "partner_id": partner.id, "seats": 0, "apply_by": "soon",
                     "compensation": {"amount": 10.555, "currency": "dollars"},
                     "rules": {"member_types": ["wizard"], "min_followers": {"channel": "myspace", "count": 10}}});
    let r = c.post(app.url("/api/v1/admin/opportunities")).bearer_auth(&staff.token).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let fields = r.json::<Value>().await.unwrap()["error"]["fields"].clone();
    for f in ["kind", "title", "seats", "apply_by", "amount", "currency", "member_types", "followers_channel"] {
        assert!(fields.get(f).is_some(), "{f} is named: {fields}");
    }
    let r = c
        .post(app.url("/api/v1/admin/opportunities"))
        .bearer_auth(&staff.token)
        .json(&json!({"kind": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a wrong shape is a 400");
    let browser = ana.browser(app).await;
    for path in [
        "/admin/opportunities",
        "/admin/opportunities/new",
        "/admin/opportunities/payouts",
        "/admin/opportunities/payouts.csv",
    ] {
        let r = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path} is staff only");
    }
}

async fn the_staff_form_keeps_what_was_typed_and_says_what_is_wrong_beside_each_field(app: &TestApp) {
    let staff = app.staff_member().signed_up().create().await;
    let partner = app.partner(&staff, "CareBridge").await;
    let browser = staff.browser(app).await;
    let page = browser.get(app.url("/admin/opportunities/new")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("CareBridge"), "the partners are offered");
    let fields = [
        ("title", "Living well with asthma"),
        ("compensation", "money"),
        ("amount", "twelve"),
        ("currency", "USD"),
        ("apply_by", "next week"),
        ("countries", "GB, ie"),
        ("member_types", "caregiver"),
    ];
    let r = post_new_opportunity(app, &browser, &page, &partner, &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"Living well with asthma\""), "the title is kept");
    assert!(html.contains("value=\"GB, ie\""), "the countries are kept as typed");
    assert!(
        html.contains("value=\"twelve\"") && html.contains("Give an amount above zero"),
        "the amount, with its message"
    );
    assert!(html.contains("id=\"f-apply_by-error\""), "the deadline's message is tied to its field");
    assert!(html.contains("value=\"caregiver\" checked"), "the member type stays ticked");
    assert!(html.contains("There is a problem"), "with a summary at the top");
    let mut fixed = fields.to_vec();
    fixed.retain(|(k, _)| *k != "amount" && *k != "apply_by");
    fixed.extend([("amount", "120.50"), ("apply_by", "2099-03-31")]);
    let r = post_new_opportunity(app, &browser, &page, &partner, &fixed).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let screen = browser.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
    assert!(screen.contains("USD 120.50") && screen.contains("Living in: GB or IE"), "{screen}");
    assert!(screen.contains("Member type: Caregiver"));
}

async fn the_board_offers_what_a_member_is_eligible_for_and_explains_the_rest(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let asthma = app.condition_id("Asthma").await;
    let ana = app.member().named("Ana").signed_up().create().await;
    app.set_profile(
        &ana,
        json!({"member_type": "caregiver", "country": "GB", "languages": ["en"], "conditions": [asthma],
               "channels": [{"platform": "instagram", "handle": "ana", "audience_size": 640}]}),
    )
    .await;
    let open_to_all = app.opportunity().titled("For everyone").by(&staff).create().await;
    let caregivers_in_gb = app
        .opportunity()
        .titled("Caregivers in GB")
        .rules(json!({"member_types": ["caregiver", "advocate"], "countries": ["GB", "IE"], "conditions": [asthma], "languages": ["en", "es"]}))
        .by(&staff)
        .create()
        .await;
    let big_instagram = app
        .opportunity()
        .titled("Big on Instagram")
        .rules(json!({"min_followers": {"channel": "instagram", "count": 1000}}))
        .by(&staff)
        .create()
        .await;
    let leaders =
        app.opportunity().titled("Leaders only").rules(json!({"health_leader": true})).by(&staff).create().await;
    let closed = app.opportunity().titled("Closed one").closing_in(-days(1)).by(&staff).create().await;
    let (status, mine) = get_json(app, &ana.token, "/api/v1/opportunities").await;
    assert_eq!(status, 200);
    let mut offered = ids(&mine);
    offered.sort();
    let mut expected = vec![open_to_all.id.clone(), caregivers_in_gb.id.clone()];
    expected.sort();
    assert_eq!(offered, expected, "only what Ana is eligible for, and nothing closed");
    let (_, all) = get_json(app, &ana.token, "/api/v1/opportunities?all=true").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "every open one");
    assert!(!ids(&all).contains(&closed.id));
    let item = |id: &str| items.iter().find(|o| o["id"] == id).unwrap().clone();
    assert_eq!(item(&big_instagram.id)["eligible"], false);
    assert_eq!(item(&big_instagram.id)["reasons"], json!(["needs 1,000 followers on Instagram (you have 640)"]));
    assert_eq!(item(&leaders.id)["reasons"], json!(["needs the Health Leader badge"]));
    assert_eq!(item(&caregivers_in_gb.id)["eligible"], true);
    assert_eq!(item(&caregivers_in_gb.id)["reasons"], json!([]));
    let (_, one) = get_json(app, &ana.token, &format!("/api/v1/opportunities/{}", closed.id)).await;
    assert_eq!(one["closed"], true);
    let (status, _) = get_json(app, "no-token", "/api/v1/opportunities").await;
    assert_eq!(status, 401);
    let browser = ana.browser(app).await;
    let board = browser.get(app.url("/opportunities?show=all")).send().await.unwrap().text().await.unwrap();
    assert!(board.contains("needs 1,000 followers on Instagram (you have 640)"), "the page gives the same reason");
    let board = browser.get(app.url("/opportunities?show=closed")).send().await.unwrap().text().await.unwrap();
    assert!(board.contains("Closed one") && board.contains("Closed</strong>"), "closed ones are marked");
    let r = app.client().get(app.url("/opportunities")).send().await.unwrap();
    assert_eq!(r.status(), 303, "visitors are asked to log in");
}

async fn members_only_fields_match_but_a_private_one_does_not_and_neither_is_shown_to_others(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let diabetes = app.condition_id("Type 1 Diabetes").await;
    let [kim, lou, max] = app.members_named(["Kim", "Lou", "Max"]).await;
    // Kim keeps her conditions to members (the default); Lou keeps his to himself.
    app.set_profile(&kim, json!({"conditions": [diabetes], "visibility": {"conditions": "members"}})).await;
    app.set_profile(&lou, json!({"conditions": [diabetes], "visibility": {"conditions": "private"}})).await;
    let o = app.opportunity().rules(json!({"conditions": [diabetes]})).by(&staff).create().await;
    let (_, kims) = get_json(app, &kim.token, "/api/v1/opportunities").await;
    assert_eq!(ids(&kims), vec![o.id.clone()], "a members-only condition matches");
    let (_, lous) = get_json(app, &lou.token, &format!("/api/v1/opportunities/{o}")).await;
    assert_eq!(lous["eligible"], false, "a private one does not");
    let reason = lous["reasons"][0].as_str().unwrap();
    assert!(reason.contains("Type 1 Diabetes") && reason.contains("only me"), "and Lou is told why: {reason}");
    o.applied_by(app, &kim).await;
    // Another member, a partner's contact person, and the API document see nothing of Kim.
    let (_, maxs) = get_json(app, &max.token, &format!("/api/v1/opportunities/{o}")).await;
    let text = maxs.to_string();
    assert!(!text.contains("Kim") && !text.contains(&kim.id.to_string()), "{text}");
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/admin/partners/{}/contacts", o["partner"]["id"].as_str().unwrap())))
        .bearer_auth(&staff.token)
        .json(&json!({"member_id": max.id}));
    send_expecting(r, 204, "Max becomes the partner's contact").await;
    let (status, figures) = get_json(app, &max.token, "/api/v1/partner/figures").await;
    assert_eq!(status, 200);
    let text = figures.to_string();
    assert!(!text.contains("Kim") && !text.contains(&kim.id.to_string()) && !text.contains("Diabetes"), "{text}");
    assert_eq!(
        figures[0]["opportunities"][0]["applications"]["value"],
        Value::Null,
        "one applicant is below the smallest cell"
    );
    let (status, _) = get_json(app, &kim.token, "/api/v1/partner/figures").await;
    assert_eq!(status, 404, "members who are nobody's contact have no figures");
}

async fn staff_see_why_any_member_is_or_is_not_eligible(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    app.set_profile(&ana, json!({"member_type": "patient", "country": "US"})).await;
    let o = app
        .opportunity()
        .rules(json!({"countries": ["GB"], "member_types": ["patient"], "health_leader": true}))
        .by(&staff)
        .create()
        .await;
    let path = format!("/api/v1/admin/opportunities/{o}/eligibility/{}", ana.id);
    let (status, why) = get_json(app, &staff.token, &path).await;
    assert_eq!(status, 200);
    assert_eq!(why["eligible"], false);
    assert_eq!(why["reasons"], json!(["needs you to live in GB", "needs the Health Leader badge"]));
    let (status, _) = get_json(app, &ana.token, &path).await;
    assert_eq!(status, 404, "members cannot ask about each other");
    let rb = app
        .client()
        .post(app.url(&format!("/api/v1/admin/members/{}/health-leader", ana.id)))
        .bearer_auth(&staff.token)
        .json(&json!({"on": true}));
    send_expecting(rb, 204, "Ana becomes a Health Leader").await;
    app.set_profile(&ana, json!({"country": "GB"})).await;
    let (_, why) = get_json(app, &staff.token, &path).await;
    assert_eq!(why["eligible"], true, "{why}");
}

async fn one_application_per_member_even_when_requests_race_and_refusals_say_why(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().asking(["Why you?", "Where would you post?"]).by(&staff).create().await;
    let tries = (0..10).map(|_| o.apply(app, &ana));
    let outcomes = futures::future::join_all(tries).await;
    let created = outcomes.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{outcomes:?}");
    for (status, body) in outcomes.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, body["error"]["code"].as_str()), (409, Some("already_applied")));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
    let bob = app.member().named("Bob").create().await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/opportunities/{o}/applications")))
        .bearer_auth(&bob.token)
        .json(&json!({"answers": ["Only one"], "channels": ["instagram"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let fields = r.json::<Value>().await.unwrap()["error"]["fields"].clone();
    assert!(fields["answers"].is_string() && fields["channels"].is_string(), "{fields}");
    let leaders = app.opportunity().rules(json!({"health_leader": true})).by(&staff).create().await;
    let (status, body) = leaders.apply(app, &bob).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "not_eligible");
    assert_eq!(body["error"]["reasons"], json!(["needs the Health Leader badge"]));
    let closed = app.opportunity().closing_in(-hours(1)).by(&staff).create().await;
    let (status, body) = closed.apply(app, &bob).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("closed")));
}

async fn fifty_concurrent_selections_never_take_more_than_the_seats(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let o = app.opportunity().seats(5).by(&staff).create().await;
    let mut applications = Vec::new();
    for m in app.members(50).await {
        applications.push(o.applied_by(app, &m).await);
    }
    let selections = applications.iter().map(|a| app.move_application(&staff, a, "selected", "Welcome aboard"));
    let statuses = futures::future::join_all(selections).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        45,
        "the rest are told the seats are gone: {statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM applications WHERE status = 'selected'").await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts WHERE status = 'pending'").await, 5, "one payout per selection");
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn every_move_is_recorded_with_who_and_when_and_the_member_is_told(app: &TestApp) {
    let staff = app.staff_member().named("Sam Staff").create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().titled("Asthma week").by(&staff).create().await;
    let a = o.applied_by(app, &ana).await;
    assert_eq!(app.move_application(&staff, &a, "shortlisted", "You are on our list!").await, 200);
    assert_eq!(app.move_application(&staff, &a, "approved", "").await, 409, "a move the flow does not allow");
    assert_eq!(app.move_application(&staff, &a, "paid", "").await, 409, "paying goes through the payout");
    assert_eq!(app.move_application(&staff, &a, "dancing", "").await, 422);
    let (_, mine) = get_json(app, &ana.token, "/api/v1/me/applications").await;
    let history = mine[0]["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0]["status"].as_str(), history[0]["by"].as_str()), (Some("applied"), Some("you")));
    assert_eq!((history[1]["status"].as_str(), history[1]["by"].as_str()), (Some("shortlisted"), Some("the team")));
    assert_eq!(history[1]["message"], "You are on our list!");
    assert!(history[1]["at"].is_string());
    let (_, applicants) = get_json(app, &staff.token, &format!("/api/v1/admin/opportunities/{o}/applications")).await;
    assert_eq!(applicants[0]["history"][1]["by"], "Sam Staff", "staff see who made each move");
    app.consume("community-notifications").await;
    let texts: Vec<String> = {
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            text: String,
        }
        let rows: Vec<Row> = app
            .state
            .db
            .all("SELECT text FROM notifications WHERE member_id = $1 ORDER BY created_at", kernel::params![ana.id])
            .await
            .unwrap();
        rows.into_iter().map(|r| r.text).collect()
    };
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].contains("shortlist") && texts[1].contains("You are on our list!"), "{texts:?}");
    let mails = app.mails_to(&ana.email).await;
    assert!(
        mails.iter().any(|m| m.raw.contains("You are on our list!")),
        "and by e-mail, as she chose (immediately by default)"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application_status_changed'").await, 1);
}

async fn staff_shortlist_and_decline_in_bulk_with_one_message(app: &TestApp) {
    let staff = app.staff_member().signed_up().create().await;
    let o = app.opportunity().seats(3).by(&staff).create().await;
    let people = app.members(3).await;
    let mut apps = Vec::new();
    for m in &people {
        apps.push(o.applied_by(app, m).await);
    }
    assert_eq!(app.move_application(&staff, &apps[2], "declined", "").await, 200);
    let browser = staff.browser(app).await;
    let page = browser.get(app.url(&format!("/admin/opportunities/{o}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&people[0].name) && page.contains("Move the ticked applicants"),
        "the screening page lists them"
    );
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("status", "shortlisted"),
        ("message", "Thanks, we would like to talk."),
        ("applications", apps[0].as_str()),
        ("applications", apps[1].as_str()),
        ("applications", apps[2].as_str()),
    ];
    let r = browser.post(app.url(&format!("/admin/opportunities/{o}/bulk"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("2 application(s) moved.") && html.contains("cannot become shortlisted"),
        "one was declined already"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM applications WHERE status = 'shortlisted'").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_history WHERE message = 'Thanks, we would like to talk.'").await,
        2,
        "each got the message"
    );
}

/// `member` applies for a new opportunity and is selected by `staff`; the application id.
async fn selected(app: &TestApp, staff: &Member, member: &Member, o: &Opportunity) -> String {
    let a = o.applied_by(app, member).await;
    assert_eq!(app.move_application(staff, &a, "selected", "").await, 200);
    a
}

async fn deliver(app: &TestApp, member: &Member, application: &str, caption: &str) -> (u16, Value) {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/applications/{application}/deliverables")))
        .bearer_auth(&member.token)
        .json(&json!({"url": "https://instagram.example.org/p/1", "caption": caption}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn the_disclosure_check_classifies_a_table_of_captions(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().by(&staff).create().await;
    let a = selected(app, &staff, &ana, &o).await;
    let story =
        "Twenty years with asthma taught me to plan my mornings, carry my inhaler everywhere and say no sometimes. ";
    let table: Vec<(&str, String, bool)> = vec![
        ("no disclosure", "My morning routine with asthma.".into(), false),
        ("#ad at the end of a short caption", "My morning routine with asthma. #ad".into(), true),
        ("in another case", "#SPONSORED my morning routine".into(), true),
        ("a phrase in mixed case", "Paid Partnership With @BreatheWell: my routine".into(), true),
        ("a longer word is not #ad", "Off on an #adventure with my inhaler".into(), false),
        ("long caption, disclosure first", format!("#ad {story}{story}"), true),
        ("long caption, disclosure past 125 characters", format!("{story}{story}#ad"), false),
    ];
    for (what, caption, ok) in table {
        let (status, v) = deliver(app, &ana, &a, &caption).await;
        assert_eq!(status, 201, "{what}: {v}");
        assert_eq!(v["disclosure"]["ok"], ok, "{what}: {}", v["disclosure"]["reason"]);
        assert!(v["disclosure"]["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    let (status, _) = deliver(app, &ana, &a, "").await;
    assert_eq!(status, 422, "a caption is needed");
    let bob = app.member().create().await;
    let (status, _) = deliver(app, &bob, &a, "#ad").await;
    assert_eq!(status, 404, "only the member hands in their own work");
    let (_, mine) = get_json(app, &ana.token, "/api/v1/me/applications").await;
    assert_eq!(mine[0]["status"], "submitted");
}

async fn approval_needs_a_disclosure_or_an_audited_override(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().by(&staff).create().await;
    let a = selected(app, &staff, &ana, &o).await;
    assert_eq!(app.move_application(&staff, &a, "approved", "").await, 409, "nothing is handed in yet");
    let (_, d) = deliver(app, &ana, &a, "Loving my new routine (thanks BreatheWell for the kit)").await;
    assert_eq!(d["disclosure"]["ok"], false);
    assert_eq!(app.move_application(&staff, &a, "approved", "").await, 409, "a failing caption blocks approval");
    let path = format!("/api/v1/admin/deliverables/{}/override", d["id"].as_str().unwrap());
    let r = app
        .client()
        .post(app.url(&path))
        .bearer_auth(&staff.token)
        .json(&json!({"ok": true, "reason": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an override needs a reason");
    let r = app
        .client()
        .post(app.url(&path))
        .bearer_auth(&ana.token)
        .json(&json!({"ok": true, "reason": "trust me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "members cannot override");
    let reason = "The platform's paid-partnership label was on; screenshot on file.";
    let rb = app.client().post(app.url(&path)).bearer_auth(&staff.token).json(&json!({"ok": true, "reason": reason}));
    let v = send_expecting(rb, 200, "staff override the check").await;
    assert_eq!((v["passes"].as_bool(), v["override"]["reason"].as_str()), (Some(true), Some(reason)));
    assert_eq!(v["disclosure"]["ok"], false, "the check's own verdict is kept");
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'disclosure_override' AND detail LIKE '%screenshot on file%'").await;
    assert_eq!(audited, 1);
    assert_eq!(app.move_application(&staff, &a, "approved", "Great work").await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM deliverables WHERE approved_at IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'DeliverableApproved'").await, 1);
}

/// Selects `member`, takes a disclosed post and approves it; the application id.
async fn approved(app: &TestApp, staff: &Member, member: &Member, o: &Opportunity) -> String {
    let a = selected(app, staff, member, o).await;
    assert_eq!(deliver(app, member, &a, "#ad My routine").await.0, 201);
    assert_eq!(app.move_application(staff, &a, "approved", "").await, 200);
    a
}

async fn payout_of(app: &TestApp, staff: &Member, o: &Opportunity, application: &str) -> Value {
    let (_, applicants) = get_json(app, &staff.token, &format!("/api/v1/admin/opportunities/{o}/applications")).await;
    let a = applicants.as_array().unwrap().iter().find(|x| x["id"] == application).unwrap();
    a["payout"].clone()
}

async fn mark_paid(app: &TestApp, staff: &Member, payout: &str, reference: &str) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/v1/admin/payouts/{payout}/paid")))
        .bearer_auth(&staff.token)
        .json(&json!({"reference": reference, "paid_on": "2027-04-30"}))
        .send()
        .await
        .unwrap()
}

async fn an_approved_payout_is_marked_paid_and_lands_in_the_csv_defused(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let partner = app.partner(&staff, "=HYPERLINK(\"http://evil\")").await;
    let o = app.opportunity().paying(250.5, "USD").for_partner(&partner).by(&staff).create().await;
    let a = selected(app, &staff, &ana, &o).await;
    let payout = payout_of(app, &staff, &o, &a).await;
    assert_eq!((payout["status"].as_str(), payout["amount"].as_str()), (Some("pending"), Some("USD 250.50")));
    let payout_id = payout["id"].as_str().unwrap().to_string();
    let r = mark_paid(app, &staff, &payout_id, "BANK-1").await;
    assert_eq!(r.status(), 409, "not before the work is approved");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_approved");
    assert_eq!(deliver(app, &ana, &a, "#ad My routine").await.0, 201);
    assert_eq!(app.move_application(&staff, &a, "approved", "").await, 200);
    let r = mark_paid(app, &staff, &payout_id, "@SUM(A1:A9)").await;
    assert_eq!(r.status(), 200);
    let paid: Value = r.json().await.unwrap();
    assert_eq!((paid["status"].as_str(), paid["paid_on"].as_str()), (Some("paid"), Some("2027-04-30")));
    assert_eq!(mark_paid(app, &staff, &payout_id, "again").await.status(), 409, "paid once");
    let rb = app
        .client()
        .put(app.url(&format!("/api/v1/admin/tax-forms/{}", ana.id)))
        .bearer_auth(&staff.token)
        .json(&json!({"status": "collected"}));
    send_expecting(rb, 204, "the tax form is collected").await;
    let r = app.client().get(app.url("/api/v1/admin/payouts.csv")).bearer_auth(&staff.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let line = csv.lines().find(|l| l.contains(&payout_id)).expect("the payout is in the CSV");
    assert!(
        line.contains("\"'@SUM(A1:A9)\"") && line.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "cells are defused: {line}"
    );
    assert!(line.contains(",250.50,USD,0,") && line.ends_with(",collected"), "{line}");
    let (_, totals) = get_json(app, &staff.token, "/api/v1/admin/payouts/totals").await;
    assert_eq!(totals[0]["month"], "2027-04");
    assert_eq!((totals[0]["amount_cents"].as_i64(), totals[0]["payouts"].as_i64()), (Some(25050), Some(1)));
    let (_, mine) = get_json(app, &ana.token, "/api/v1/me/applications").await;
    assert_eq!(mine[0]["status"], "paid");
    let r = app.client().get(app.url("/api/v1/admin/payouts.csv")).bearer_auth(&ana.token).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn points_are_credited_once_even_when_the_payout_event_is_delivered_twice(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().paying_points(600).by(&staff).create().await;
    let a = approved(app, &staff, &ana, &o).await;
    let payout = payout_of(app, &staff, &o, &a).await;
    assert_eq!(payout["amount"], "600 points");
    app.award_points().await;
    let (_, points) = get_json(app, &ana.token, "/api/v1/me/points").await;
    assert_eq!(points["balance"], 0, "nothing before the payout is paid");
    assert_eq!(mark_paid(app, &staff, payout["id"].as_str().unwrap(), "points").await.status(), 200);
    app.award_points_from_two_workers().await;
    let (_, points) = get_json(app, &ana.token, "/api/v1/me/points").await;
    assert_eq!(points["balance"], 600);
    app.redeliver_to_rewards().await;
    let (_, points) = get_json(app, &ana.token, "/api/v1/me/points").await;
    assert_eq!(points["balance"], 600, "a second delivery credits nothing");
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries WHERE reason = 'compensation'").await, 1);
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn the_partner_sees_counts_only_and_small_ones_are_suppressed(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let contact = app.member().named("Pat Partner").signed_up().create().await;
    let partner = app.partner(&staff, "BreatheWell").await;
    let rb = app
        .client()
        .post(app.url(&format!("/api/v1/admin/partners/{partner}/contacts")))
        .bearer_auth(&staff.token)
        .json(&json!({"member_id": contact.id}));
    send_expecting(rb, 204, "Pat becomes BreatheWell's contact").await;
    let o = app.opportunity().titled("Asthma week").seats(6).for_partner(&partner).by(&staff).create().await;
    let people = app.members(6).await;
    for (i, m) in people.iter().enumerate() {
        let a = o.applied_by(app, m).await;
        if i < 2 {
            assert_eq!(app.move_application(&staff, &a, "selected", "").await, 200);
        }
    }
    let (_, figures) = get_json(app, &contact.token, "/api/v1/partner/figures").await;
    let f = &figures[0]["opportunities"][0];
    assert_eq!(f["applications"]["value"], 6, "six applicants is enough to show");
    assert_eq!(f["selected"]["value"], Value::Null, "two selected is too few");
    assert_eq!(f["paid"]["value"], 0, "none is shown as none");
    let text = figures.to_string();
    for m in &people {
        assert!(!text.contains(&m.name) && !text.contains(&m.id.to_string()), "no member is named");
    }
    let page = contact.browser(app).await.get(app.url("/partner")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&partner.name) && page.contains("Asthma week") && page.contains("fewer than 5"), "{page}");
}

async fn an_erased_member_leaves_no_answers_captions_or_tax_form(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let o = app.opportunity().asking(["Tell us about your diagnosis"]).by(&staff).create().await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/opportunities/{o}/applications")))
        .bearer_auth(&ana.token)
        .json(&json!({"answers": ["Diagnosed with asthma at 12"], "channels": []}))
        .send()
        .await
        .unwrap();
    let a = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(app.move_application(&staff, &a, "selected", "").await, 200);
    deliver(app, &ana, &a, "#ad my asthma story").await;
    let rb = app
        .client()
        .put(app.url(&format!("/api/v1/admin/tax-forms/{}", ana.id)))
        .bearer_auth(&staff.token)
        .json(&json!({"status": "collected"}));
    send_expecting(rb, 204, "the tax form is collected").await;
    app.complete_course(ana.id, "storytelling-101").await;
    app.consume("opportunities-credentials").await;
    let (_, export) = get_json(app, &ana.token, "/api/v1/me/export").await;
    let part = &export["opportunities"];
    assert_eq!(part["applications"][0]["answers"], "[\"Diagnosed with asthma at 12\"]", "{part}");
    assert_eq!(part["tax_form"], "collected");
    assert_eq!(part["credentials"][0]["code"], "storytelling-101", "{part}");
    let r = app.client().delete(app.url("/api/v1/me")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    app.erase_from_opportunities().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM applications WHERE answers LIKE '%asthma%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM deliverables WHERE caption LIKE '%asthma%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM tax_forms").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM member_credentials").await, 0, "nor the credentials learned");
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts").await, 1, "the payout stays, nameless, for finance");
}

async fn unpaid_work_opens_no_payout_and_the_board_filters_by_kind(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let panel = app.opportunity().kind("panel_seat").unpaid().by(&staff).create().await;
    let campaign = app.opportunity().by(&staff).create().await;
    assert_eq!(panel["compensation_text"], "Unpaid");
    selected(app, &staff, &ana, &panel).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts").await, 0, "nothing to pay");
    assert_eq!(app.problems().await, Vec::<String>::new());
    let (_, panels) = get_json(app, &ana.token, "/api/v1/opportunities?kind=panel_seat").await;
    assert_eq!(ids(&panels), vec![panel.id.clone()]);
    let (_, campaigns) = get_json(app, &ana.token, "/api/v1/opportunities?kind=social_media_campaign").await;
    assert_eq!(ids(&campaigns), vec![campaign.id.clone()]);
    let (status, _) = get_json(app, &ana.token, "/api/v1/opportunities?kind=party").await;
    assert_eq!(status, 400);
}

async fn the_api_document_lists_the_fixed_routes(app: &TestApp) {
    let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/opportunities", "get"),
        ("/api/v1/opportunities/{id}", "get"),
        ("/api/v1/opportunities/{id}/applications", "post"),
        ("/api/v1/admin/opportunities", "post"),
        ("/api/v1/admin/partners", "post"),
        ("/api/v1/admin/applications/{id}/status", "post"),
        ("/api/v1/applications/{id}/deliverables", "post"),
        ("/api/v1/admin/payouts.csv", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
}

async fn the_demo_has_two_partners_and_open_and_closed_work_of_every_kind_some_for_the_demo_member(app: &TestApp) {
    let logins = app.load_demo(6).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM partners").await, 2);
    for kind in
        ["social_media_campaign", "speaking_engagement", "article_feature", "panel_seat", "advisory_board", "other"]
    {
        let sql = |when: &str| {
            format!("SELECT COUNT(*) FROM opportunities WHERE kind = '{kind}' AND apply_by {when} CURRENT_TIMESTAMP")
        };
        assert!(app.count(&sql(">")).await >= 1, "an open {kind}");
        assert!(app.count(&sql("<")).await >= 1, "a closed {kind}");
    }
    assert!(app.count("SELECT COUNT(*) FROM applications").await >= 1, "someone to screen");
    let r = app
        .client()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": DEMO_MEMBER_EMAIL, "password": logins.password}))
        .send()
        .await
        .unwrap();
    let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let (_, mine) = get_json(app, &token, "/api/v1/opportunities").await;
    let (_, all) = get_json(app, &token, "/api/v1/opportunities?all=true").await;
    let (eligible, open) = (ids(&mine).len(), ids(&all).len());
    assert!(eligible >= 3 && eligible < open, "the demo member is eligible for some ({eligible} of {open})");
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn a_member_who_withdraws_frees_the_seat_and_staff_can_close_early(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let [ana, bob, cy] = app.members_named(["Ana", "Bob", "Cy"]).await;
    let o = app.opportunity().seats(1).by(&staff).create().await;
    let a = selected(app, &staff, &ana, &o).await;
    let b = o.applied_by(app, &bob).await;
    assert_eq!(app.move_application(&staff, &b, "selected", "").await, 409, "the one seat is Ana's");
    let withdraw = |who: &Member, application: &str| {
        app.client()
            .post(app.url(&format!("/api/v1/applications/{application}/withdrawal")))
            .bearer_auth(&who.token)
            .send()
    };
    assert_eq!(withdraw(&bob, &a).await.unwrap().status(), 404, "only Ana withdraws Ana's application");
    assert_eq!(withdraw(&ana, &a).await.unwrap().status(), 204);
    assert_eq!(withdraw(&ana, &a).await.unwrap().status(), 409, "once");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payouts WHERE status = 'cancelled'").await,
        1,
        "her payout is cancelled"
    );
    assert_eq!(app.move_application(&staff, &b, "selected", "").await, 200, "and Bob gets the seat");
    let close = app.client().post(app.url(&format!("/api/v1/admin/opportunities/{o}/close"))).bearer_auth(&staff.token);
    send_expecting(close, 204, "staff close applications early").await;
    let (status, body) = o.apply(app, &cy).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("closed")));
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn a_required_credential_is_a_near_miss_until_a_course_completion_for_it_is_consumed(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let bob = app.member().named("Bob").create().await;
    let o = app
        .opportunity()
        .titled("Storytellers")
        .rules(json!({"credential": "Storytelling-101"}))
        .by(&staff)
        .create()
        .await;
    assert_eq!(o["requirements"], json!(["The credential \u{201c}storytelling-101\u{201d}"]), "kept in lower case");
    let needs = json!(["needs the credential \u{201c}storytelling-101\u{201d}"]);
    let (_, all) = get_json(app, &ana.token, "/api/v1/opportunities?all=true").await;
    let item = all["items"].as_array().unwrap().iter().find(|i| i["id"] == o.id.as_str()).unwrap().clone();
    assert_eq!((item["eligible"].clone(), item["reasons"].clone()), (json!(false), needs.clone()), "the near miss");
    let (_, offered) = get_json(app, &ana.token, "/api/v1/opportunities").await;
    assert!(!ids(&offered).contains(&o.id), "not offered without the credential");
    let (status, body) = o.apply(app, &ana).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("not_eligible")));
    assert_eq!(body["error"]["reasons"], needs);
    // Another course, or the right course completed by someone else, does not count.
    app.complete_course(ana.id, "advocacy-201").await;
    app.complete_course(bob.id, "storytelling-101").await;
    app.consume("opportunities-credentials").await;
    let (status, _) = o.apply(app, &ana).await;
    assert_eq!(status, 403, "advocacy-201 is not storytelling-101");
    // Completing it twice (a retaken course, a redelivery) records it once.
    app.complete_course(ana.id, "storytelling-101").await;
    app.complete_course(ana.id, "storytelling-101").await;
    app.consume("opportunities-credentials").await;
    app.consume("opportunities-credentials").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM member_credentials WHERE code = 'storytelling-101'").await,
        2,
        "Ana and Bob once each"
    );
    let (_, offered) = get_json(app, &ana.token, "/api/v1/opportunities").await;
    assert!(ids(&offered).contains(&o.id), "offered once the completion is known");
    let path = format!("/api/v1/admin/opportunities/{o}/eligibility/{}", ana.id);
    let (_, why) = get_json(app, &staff.token, &path).await;
    assert_eq!((why["eligible"].clone(), why["reasons"].clone()), (json!(true), json!([])), "staff see the same");
    let (status, body) = o.apply(app, &ana).await;
    assert_eq!(status, 201, "{body}");
}

async fn the_credential_code_is_checked_by_the_api_and_beside_its_field_in_the_staff_form(app: &TestApp) {
    let staff = app.staff_member().signed_up().create().await;
    let partner = app.partner(&staff, "StoryCo").await;
    let bad = json!({"kind": "panel_seat", "title": "Panel", "partner_id": partner.id, "seats": 1, "apply_by": "2099-01-31",
                     "rules": {"credential": "story telling!"}});
    let rb = app.client().post(app.url("/api/v1/admin/opportunities")).bearer_auth(&staff.token).json(&bad);
    let body = send_expecting(rb, 422, "a malformed credential code").await;
    assert!(body["error"]["fields"]["credential"].is_string(), "{body}");
    let browser = staff.browser(app).await;
    let page = browser.get(app.url("/admin/opportunities/new")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"credential\""), "the form offers the field");
    let mut form = vec![
        ("title", "Stories that heal"),
        ("compensation", "unpaid"),
        ("apply_by", "2099-03-31"),
        ("credential", "story telling!"),
    ];
    let r = post_new_opportunity(app, &browser, &page, &partner, &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"story telling!\""), "the code is kept as typed");
    assert!(html.contains("id=\"f-credential-error\"") && html.contains("like storytelling-101"), "with its message");
    form.retain(|(k, _)| *k != "credential");
    form.push(("credential", "storytelling-101"));
    let r = post_new_opportunity(app, &browser, &page, &partner, &form).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let screen = browser.get(app.url(&at)).send().await.unwrap().text().await.unwrap();
    assert!(screen.contains("The credential \u{201c}storytelling-101\u{201d}"), "{screen}");
}

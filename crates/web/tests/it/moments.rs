//! Support at the right moment (issue 21): a member's moments and their visibility, the
//! been-there directory, support requests (matching, the first acceptance winning under
//! a race, the conversation it opens, "taken" notices, the check-in and its aggregate),
//! tags on content, and the privacy matrix: moments and conditions never reach a viewer
//! the owner's visibility excludes.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    a_members_moments_round_trip_are_validated_cleared_and_kept_in_a_history_only_they_see,
    the_moments_page_saves_the_ticks_and_keeps_them_when_something_is_wrong,
    been_there_lists_only_opted_in_members_whose_moments_and_conditions_the_viewer_may_see,
    a_request_goes_to_matching_volunteers_and_the_first_to_accept_opens_the_conversation,
    the_check_in_asks_whether_it_helped_and_staff_see_only_the_counts,
    moments_never_reach_a_viewer_the_owners_visibility_excludes,
    an_erased_member_leaves_no_moments_and_their_requests_keep_no_note,
    staff_tag_content_and_a_member_at_the_moment_sees_only_what_they_may_open,
    the_demo_has_members_at_moments_volunteers_and_tagged_content,
];

both_backends!(settings = [("SHN_SUPPORT_FANOUT", "20")]; exactly_one_of_eighteen_racing_accepts_wins);
both_backends!(settings = [("SHN_SUPPORT_FANOUT", "3"), ("SHN_SUPPORT_MAX_OPEN", "2")];
    requests_go_only_to_matching_volunteers_and_nobody_holds_more_than_m_open);

pub const MINE: &str = "/api/v1/me/moments";

/// `who` shows `condition` on their profile to `visibility`.
pub async fn with_condition(app: &TestApp, who: &Member, condition: &str, visibility: &str) {
    let (s, v) =
        app.patch_profile(who, json!({"conditions": [condition], "visibility": {"conditions": visibility}})).await;
    assert_eq!(s, 200, "{v}");
}

pub fn mark(moment: &str, condition: Option<&str>) -> Value {
    json!({"moment_id": moment, "condition_id": condition})
}

/// `who` sets their moments (checked: 200).
pub async fn set_moments(
    app: &TestApp,
    who: &Member,
    now: Vec<Value>,
    been: Vec<Value>,
    vis: (&str, &str),
    available: bool,
) {
    let body = json!({"now": now, "been_through": been, "visibility": {"now": vis.0, "been_through": vis.1},
        "available_to_support": available});
    let (s, v) = app.call("PUT", MINE, who, Some(body)).await;
    assert_eq!(s, 200, "{} sets their moments: {v}", who.name);
}

/// A member who has been through `moment` (with `condition`, shown to members) and offers support.
pub async fn volunteer(app: &TestApp, name: &str, moment: &str, condition: Option<&str>) -> Member {
    let v = app.member().named(name).create().await;
    if let Some(c) = condition {
        with_condition(app, &v, c, "members").await;
    }
    set_moments(app, &v, vec![], vec![mark(moment, condition)], ("members", "members"), true).await;
    v
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|c| c["display_name"].as_str().unwrap().to_string()).collect()
}

async fn a_members_moments_round_trip_are_validated_cleared_and_kept_in_a_history_only_they_see(app: &TestApp) {
    let list = app.get_json("/api/v1/moments", &Visitor).await;
    assert_eq!(list.as_array().unwrap().len(), 7);
    assert_eq!(list[0]["id"], "new_diagnosis");
    let ana = app.member().named("Ana").create().await;
    let fresh = app.get_json(MINE, &ana).await;
    assert_eq!(fresh["visibility"], json!({"now": "members", "been_through": "members"}), "members only by default");
    assert_eq!(fresh["available_to_support"], false);

    let migraine = app.condition_id("migraine").await;
    with_condition(app, &ana, &migraine, "private").await;
    let now = vec![mark("new_diagnosis", Some(&migraine)), mark("test_results", None)];
    set_moments(app, &ana, now.clone(), vec![mark("long_term", None)], ("private", "public"), true).await;
    let got = app.get_json(MINE, &ana).await;
    assert_eq!(got["now"], json!(now));
    assert_eq!(got["visibility"]["been_through"], "public");

    let other = app.condition_id("asthma").await;
    for (bad, field) in [
        (
            json!({"now": [mark("crypto", None)], "been_through": [], "visibility": {"now": "members", "been_through": "members"}, "available_to_support": false}),
            "now",
        ),
        (
            json!({"now": [mark("new_diagnosis", Some(&other))], "been_through": [], "visibility": {"now": "members", "been_through": "members"}, "available_to_support": false}),
            "now",
        ),
    ] {
        let (s, v) = app.call("PUT", MINE, &ana, Some(bad)).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"]["fields"][field].is_string(), "{v}");
    }
    let (s, _) = app.call("PUT", MINE, &ana, Some(json!({"now": [], "visibility": {"now": "everyone"}}))).await;
    assert_eq!(s, 400);
    assert_eq!(app.get_json(MINE, &ana).await["now"], json!(now), "refused changes leave the moments alone");

    set_moments(app, &ana, vec![], vec![], ("members", "members"), false).await;
    let cleared = app.get_json(MINE, &ana).await;
    assert_eq!(cleared["now"], json!([]));
    let history = app.get_json("/api/v1/me/moments/history", &ana).await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "marked").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "cleared").count(), 3);
    assert_eq!(app.call("GET", MINE, &Visitor, None).await.0, 401);
    assert_eq!(app.call("GET", "/api/v1/me/moments/history", &Visitor, None).await.0, 401);
}

async fn the_moments_page_saves_the_ticks_and_keeps_them_when_something_is_wrong(app: &TestApp) {
    let (status, _) = app.send("GET", "/moments", &Visitor).await;
    assert_eq!(status, 303, "a visitor is sent to sign in");
    let bo = app.member().with_password().create().await;
    let migraine = app.condition_id("migraine").await;
    with_condition(app, &bo, &migraine, "members").await;
    let browser = bo.browser(app).await;
    let html = browser.get(app.url("/moments")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("value=\"new_diagnosis:{migraine}\"")), "a choice per condition");

    let with = format!("new_diagnosis:{migraine}");
    let fields = [
        ("now", with.as_str()),
        ("been_through", "long_term"),
        ("now_visibility", "private"),
        ("been_through_visibility", "public"),
        ("available_to_support", "on"),
    ];
    let r = form_post(app, &browser, "/moments", &fields).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Your moments are saved"));
    let saved = app.get_json(MINE, &bo).await;
    assert_eq!(saved["now"], json!([mark("new_diagnosis", Some(&migraine))]));
    assert_eq!(saved["visibility"], json!({"now": "private", "been_through": "public"}));
    assert_eq!(saved["available_to_support"], true);

    let r = form_post(app, &browser, "/moments", &[("now", "test_results"), ("been_through", "<b>nope</b>")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("href=\"#f-been_through\""), "an error summary");
    assert!(html.contains("&lt;b&gt;nope"), "the bad value is named, escaped");
    assert!(html.contains("value=\"test_results\" checked"), "what was ticked is kept");
    assert_eq!(app.get_json(MINE, &bo).await, saved, "nothing was saved");
}

async fn been_there_lists_only_opted_in_members_whose_moments_and_conditions_the_viewer_may_see(app: &TestApp) {
    let migraine = app.condition_id("migraine").await;
    let asthma = app.condition_id("asthma").await;
    let seeker = app.member().named("Seeker").create().await;
    with_condition(app, &seeker, &migraine, "private").await;
    set_moments(app, &seeker, vec![mark("new_diagnosis", Some(&migraine))], vec![], ("members", "members"), false)
        .await;

    let same = volunteer(app, "Same Condition", "new_diagnosis", Some(&migraine)).await;
    volunteer(app, "Other Condition", "new_diagnosis", Some(&asthma)).await;
    volunteer(app, "No Condition", "new_diagnosis", None).await;
    volunteer(app, "Other Moment", "long_term", Some(&migraine)).await;
    // Been through it, but keeps it to themself / does not want to be contacted.
    let hidden = app.member().named("Private Moments").create().await;
    set_moments(app, &hidden, vec![], vec![mark("new_diagnosis", None)], ("members", "private"), true).await;
    let quiet = app.member().named("Not Available").create().await;
    set_moments(app, &quiet, vec![], vec![mark("new_diagnosis", None)], ("members", "public"), false).await;
    // Went through it with migraine, but keeps the condition off their profile.
    let secret = app.member().named("Secret Condition").create().await;
    with_condition(app, &secret, &migraine, "private").await;
    set_moments(app, &secret, vec![], vec![mark("new_diagnosis", Some(&migraine))], ("members", "members"), true).await;

    let all = app.get_json("/api/v1/been-there?moment_id=new_diagnosis", &seeker).await;
    let listed = names(&all);
    assert_eq!(listed[0], "Same Condition", "a shared condition ranks first: {listed:?}");
    for name in ["Other Condition", "No Condition", "Secret Condition"] {
        assert!(listed.iter().any(|n| n == name), "{name} is listed: {listed:?}");
    }
    for name in ["Other Moment", "Private Moments", "Not Available"] {
        assert!(!listed.iter().any(|n| n == name), "{name} is not listed: {listed:?}");
    }
    let secret_card = all.as_array().unwrap().iter().find(|c| c["display_name"] == "Secret Condition").unwrap();
    assert_eq!(secret_card["conditions"], json!([]), "a private condition is never shown");

    let by_condition =
        app.get_json(&format!("/api/v1/been-there?moment_id=new_diagnosis&condition_id={migraine}"), &seeker).await;
    assert_eq!(names(&by_condition), vec!["Same Condition"], "a private condition never matches");
    assert_eq!(by_condition[0]["member_id"], json!(same.id));

    assert_eq!(app.call("GET", "/api/v1/been-there?moment_id=new_diagnosis", &Visitor, None).await.0, 401);
    assert_eq!(app.call("GET", "/api/v1/been-there?moment_id=nope", &seeker, None).await.0, 422);
    assert_eq!(app.call("GET", "/api/v1/been-there?condition_id=x", &seeker, None).await.0, 400);

    let page = app.get_text("/been-there?moment=new_diagnosis", &seeker).await;
    assert!(page.contains("Same Condition") && !page.contains("Private Moments"));
    assert!(page.contains("/support?moment=new_diagnosis"), "a way to ask for support");
}

async fn ask(app: &TestApp, who: &Member, moment: &str, condition: Option<&str>) -> String {
    let body = json!({"moment_id": moment, "condition_id": condition, "note": "Just diagnosed, feeling lost."});
    let (s, v) = app.call("POST", "/api/v1/support-requests", who, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

fn accept_path(id: &str) -> String {
    format!("/api/v1/support-requests/{id}/accept")
}

async fn notes_of(app: &TestApp, who: &Member) -> Vec<String> {
    app.drain().await;
    let v = app.get_json("/api/v1/notifications", who).await;
    v["items"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap().to_string()).collect()
}

async fn a_request_goes_to_matching_volunteers_and_the_first_to_accept_opens_the_conversation(app: &TestApp) {
    let migraine = app.condition_id("migraine").await;
    let asker = app.member().named("Asker").create().await;
    with_condition(app, &asker, &migraine, "private").await;
    let first = volunteer(app, "First", "new_diagnosis", Some(&migraine)).await;
    let second = volunteer(app, "Second", "new_diagnosis", Some(&migraine)).await;
    let decliner = volunteer(app, "Decliner", "new_diagnosis", Some(&migraine)).await;
    let elsewhere = volunteer(app, "Elsewhere", "long_term", Some(&migraine)).await;

    let (s, v) = app
        .call("POST", "/api/v1/support-requests", &asker, Some(json!({"moment_id": "new_diagnosis", "note": " "})))
        .await;
    assert_eq!(s, 422, "{v}");
    let id = ask(app, &asker, "new_diagnosis", Some(&migraine)).await;
    for v in [&first, &second, &decliner] {
        let offers = app.get_json("/api/v1/me/support-offers", v).await;
        assert_eq!(offers[0]["request_id"], json!(id), "{} is asked", v.name);
        assert!(notes_of(app, v).await.iter().any(|n| n.contains("asks for support")));
    }
    assert_eq!(app.get_json("/api/v1/me/support-offers", &elsewhere).await, json!([]));

    let decline = format!("/api/v1/support-requests/{id}/decline");
    assert_eq!(app.call("POST", &decline, &decliner, None).await.0, 204);
    assert_eq!(app.call("POST", &accept_path(&id), &elsewhere, None).await.0, 404, "not offered to them");
    let (s, won) = app.call("POST", &accept_path(&id), &first, None).await;
    assert_eq!(s, 201, "{won}");
    let conversation = won["conversation_id"].as_str().unwrap().to_string();
    let (s, late) = app.call("POST", &accept_path(&id), &second, None).await;
    assert_eq!((s, late["error"]["code"].as_str()), (409, Some("taken")));
    assert!(notes_of(app, &second).await.iter().any(|n| n.contains("taken by another volunteer")));

    // Both are in the same conversation; the asker sees who accepted, never who declined.
    let path = format!("/api/v1/conversations/{conversation}/messages");
    assert_eq!(app.call("GET", &path, &asker, None).await.0, 200);
    assert_eq!(app.call("GET", &path, &first, None).await.0, 200);
    let mine = app.get_json("/api/v1/support-requests", &asker).await;
    assert_eq!(mine[0]["conversation_id"], json!(conversation));
    let text = mine.to_string();
    assert!(!text.contains(&decliner.id.to_string()) && !text.contains("Decliner") && !text.contains("declined"));
    assert!(notes_of(app, &asker).await.iter().any(|n| n.contains("accepted your request")));
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(open_offers), 0) AS BIGINT) FROM moment_settings").await,
        0,
        "every place freed"
    );
}

async fn exactly_one_of_eighteen_racing_accepts_wins(app: &TestApp) {
    let asker = app.member().named("Asker").create().await;
    let mut volunteers = Vec::new();
    for i in 0..18 {
        volunteers.push(volunteer(app, &format!("Volunteer {i:02}"), "starting_treatment", None).await);
    }
    let id = ask(app, &asker, "starting_treatment", None).await;
    let statuses = app.all_at_once("POST", &accept_path(&id), volunteers.iter(), None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 17, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM conversations").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_offers WHERE status = 'accepted'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_offers WHERE status = 'taken'").await, 17);
}

async fn requests_go_only_to_matching_volunteers_and_nobody_holds_more_than_m_open(app: &TestApp) {
    // A random world, new on every run: volunteers with a random moment, condition and
    // willingness; askers asking about random moments and conditions. A failure names
    // its seed, and `SHN_PROPERTY_SEED=<seed>` replays that world.
    let moments = ["new_diagnosis", "test_results", "long_term"];
    let conditions = [app.condition_id("migraine").await, app.condition_id("asthma").await];
    let world_seed: u64 = std::env::var("SHN_PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    let mut seed = world_seed;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut world = Vec::new();
    for i in 0..8 {
        let moment = moments[next(3) as usize];
        let condition = match next(3) {
            2 => None,
            c => Some(conditions[c as usize].clone()),
        };
        let available = next(4) != 0;
        let v = app.member().named(&format!("V{i}")).create().await;
        if let Some(c) = &condition {
            with_condition(app, &v, c, "members").await;
        }
        set_moments(app, &v, vec![], vec![mark(moment, condition.as_deref())], ("members", "private"), available).await;
        world.push((v, moment, condition, available));
    }
    let askers = app.members(3).await;
    for round in 0..10 {
        let asker = &askers[round % 3];
        let moment = moments[next(3) as usize];
        let condition = if next(2) == 0 { Some(conditions[next(2) as usize].clone()) } else { None };
        if let Some(c) = &condition {
            with_condition(app, asker, c, "private").await;
        }
        // Who may be asked: offering support, through this moment (with this condition
        // when one is given) and holding fewer than M open requests.
        let mut eligible = 0;
        for (vol, m, c, available) in &world {
            let offers = app.get_json("/api/v1/me/support-offers", vol).await;
            let open = offers.as_array().unwrap().iter().filter(|o| o["status"] == "open").count();
            let same_condition = condition.is_none() || c == &condition;
            eligible += usize::from(*available && *m == moment && same_condition && open < 2);
        }
        let body = json!({"moment_id": moment, "condition_id": condition, "note": "Help"});
        let (s, v) = app.call("POST", "/api/v1/support-requests", asker, Some(body)).await;
        if s == 409 {
            continue; // the asker's daily limit
        }
        assert_eq!(s, 201, "seed {world_seed}: {v}");
        let id = v["id"].as_str().unwrap().to_string();
        let mut offered = 0;
        for (vol, m, c, available) in &world {
            let offers = app.get_json("/api/v1/me/support-offers", vol).await;
            let asked = offers.as_array().unwrap().iter().any(|o| o["request_id"] == json!(id));
            if asked {
                offered += 1;
                assert!(*available, "seed {world_seed}: {} does not offer support", vol.name);
                assert_eq!(*m, moment, "seed {world_seed}: {} has not been through {moment}", vol.name);
                if condition.is_some() {
                    assert_eq!(c, &condition, "seed {world_seed}: {} went through it with another condition", vol.name);
                }
            }
            let open = offers.as_array().unwrap().iter().filter(|o| o["status"] == "open").count();
            assert!(open <= 2, "seed {world_seed}: {} holds {open} open requests", vol.name);
        }
        assert_eq!(offered, eligible.min(3), "seed {world_seed}: N volunteers are asked when so many may be");
        // Now and then a volunteer declines, freeing a place.
        if round % 4 == 3 {
            for (vol, ..) in &world {
                let offers = app.get_json("/api/v1/me/support-offers", vol).await;
                if let Some(o) = offers.as_array().unwrap().iter().find(|o| o["status"] == "open") {
                    let path = format!("/api/v1/support-requests/{}/decline", o["request_id"].as_str().unwrap());
                    assert_eq!(app.call("POST", &path, vol, None).await.0, 204);
                    break;
                }
            }
        }
    }
    let over = app.count("SELECT COUNT(*) FROM moment_settings WHERE open_offers > 2").await;
    assert_eq!(over, 0, "seed {world_seed}");
    let drift = app
        .count(
            "SELECT COUNT(*) FROM moment_settings s WHERE s.open_offers <> \
             (SELECT COUNT(*) FROM support_offers o WHERE o.volunteer_id = s.member_id AND o.status = 'open')",
        )
        .await;
    assert_eq!(drift, 0, "seed {world_seed}: each counter is the number of open offers");
}

async fn the_check_in_asks_whether_it_helped_and_staff_see_only_the_counts(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let asker = app.member().named("Asker").create().await;
    let v = volunteer(app, "Helper", "test_results", None).await;
    let id = ask(app, &asker, "test_results", None).await;
    let check_in = format!("/api/v1/support-requests/{id}/check-in");
    let (s, v409) = app.call("POST", &check_in, &asker, Some(json!({"helped": true}))).await;
    assert_eq!((s, v409["error"]["code"].as_str()), (409, Some("not_accepted")));
    assert_eq!(app.call("POST", &accept_path(&id), &v, None).await.0, 201);
    // Seven days on, the check-in job asks the asker.
    app.exec("UPDATE jobs SET run_at = $1 WHERE kind = 'moments.checkin'", kernel::params![chrono::Utc::now()]).await;
    assert!(notes_of(app, &asker).await.iter().any(|n| n.contains("Did the support")));
    assert_eq!(app.call("POST", &check_in, &v, Some(json!({"helped": true}))).await.0, 404, "only the asker answers");
    let (s, r) = app.call("POST", &check_in, &asker, Some(json!({"helped": true}))).await;
    assert_eq!((s, r["helped"].as_bool()), (200, Some(true)));
    let page = app.get_text(&format!("/support/requests/{id}"), &asker).await;
    assert!(page.contains("Did it help?"));

    let page = app.get_text("/admin/analytics", &staff).await;
    assert!(page.contains("Support at the right moment") && page.contains("Said it helped"), "{page}");
    assert!(!page.contains("Asker") && !page.contains(&asker.id.to_string()));
    let (status, _) = app.send("GET", "/admin/analytics", &asker).await;
    assert_eq!(status, 404);
}

/// "Owner Person", with migraine kept private, in new symptoms now (private) and
/// through a new diagnosis (shown to `been_through`), both with migraine, offering
/// support; with the condition's id.
pub async fn owner_at_moments(app: &TestApp, been_through: &str) -> (Member, String) {
    let migraine = app.condition_id("migraine").await;
    let owner = app.member().named("Owner Person").create().await;
    with_condition(app, &owner, &migraine, "private").await;
    set_moments(
        app,
        &owner,
        vec![mark("new_symptoms", Some(&migraine))],
        vec![mark("new_diagnosis", Some(&migraine))],
        ("private", been_through),
        true,
    )
    .await;
    (owner, migraine)
}

async fn moments_never_reach_a_viewer_the_owners_visibility_excludes(app: &TestApp) {
    let (owner, migraine) = owner_at_moments(app, "members").await;
    let other = app.member().named("Other Person").create().await;
    for (path, who) in [
        (format!("/api/v1/members/{}", owner.id), &other as &dyn Caller),
        (format!("/api/v1/members/{}", owner.id), &Visitor as &dyn Caller),
        ("/api/v1/members?q=Owner".to_string(), &other as &dyn Caller),
        ("/api/v1/search?q=Owner".to_string(), &other as &dyn Caller),
        ("/api/v1/search?q=symptoms".to_string(), &other as &dyn Caller),
        ("/api/v1/been-there?moment_id=new_symptoms".to_string(), &other as &dyn Caller),
        (format!("/members/{}", owner.id), &other as &dyn Caller),
    ] {
        let (_, body) = app.send("GET", &path, who).await;
        for secret in ["new_symptoms", "New or changing symptoms", "Migraine", &migraine] {
            assert!(!body.contains(secret), "{path} shows {secret:?}: {body}");
        }
    }
    // Been-there shows them (members may see it) but never the private condition.
    let listed = app.get_json("/api/v1/been-there?moment_id=new_diagnosis", &other).await;
    assert_eq!(names(&listed), vec!["Owner Person"]);
    assert!(!listed.to_string().contains(&migraine));
    // Now they keep it to themself: gone from the directory.
    set_moments(app, &owner, vec![], vec![mark("new_diagnosis", None)], ("private", "private"), true).await;
    assert_eq!(app.get_json("/api/v1/been-there?moment_id=new_diagnosis", &other).await, json!([]));
    // Another member's export never holds them; notifications never name a moment.
    let export = app.get_json("/api/v1/me/export", &other).await.to_string();
    assert!(!export.contains("new_diagnosis") && !export.contains(&owner.id.to_string()));
    let asker = app.member().create().await;
    ask(app, &asker, "new_diagnosis", None).await;
    for n in notes_of(app, &owner).await {
        assert!(!n.contains("diagnos") && !n.contains("Migraine"), "{n}");
    }
    let own = app.get_json("/api/v1/me/export", &owner).await;
    assert_eq!(own["moments"]["moments"]["been_through"][0]["moment_id"], "new_diagnosis", "their own export has them");
}

async fn an_erased_member_leaves_no_moments_and_their_requests_keep_no_note(app: &TestApp) {
    let ana = app.member().create().await;
    let v = volunteer(app, "Helper", "caring", None).await;
    set_moments(app, &ana, vec![mark("caring", None)], vec![], ("members", "members"), false).await;
    ask(app, &ana, "caring", None).await;
    let r = app.client().delete(app.url("/api/v1/me")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(r.status().is_success());
    app.consume("moments-erasure").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM moment_marks WHERE stage = 'now'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM moment_history WHERE stage = 'now'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_requests WHERE asker_id IS NOT NULL OR note <> ''").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_requests").await, 1, "the request still counts");
    let offers = app.get_json("/api/v1/me/support-offers", &v).await;
    assert_eq!(offers[0]["note"], "", "the note is gone for the volunteer too");
}

async fn tag(app: &TestApp, who: &Member, kind: &str, id: &str, moments: Value) -> (u16, Value) {
    app.call("PUT", &format!("/api/v1/admin/moment-tags/{kind}/{id}"), who, Some(json!({"moments": moments}))).await
}

async fn staff_tag_content_and_a_member_at_the_moment_sees_only_what_they_may_open(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let body = json!({"kind": "guide", "title": "Your first weeks after a diagnosis", "summary": "Where to start",
        "body": "Some **text**.", "audience": "members", "status": "published"});
    let (s, resource) = app.call("POST", "/api/v1/admin/resources", &staff, Some(body)).await;
    assert_eq!(s, 201, "{resource}");
    let resource = resource["id"].as_str().unwrap().to_string();
    let open = app.group().named("Newly diagnosed").owned_by(&staff).create().await;
    let open_thread = open.thread(app, &staff, "What helped you in week one?", "Tell us.").await;
    let private = app.group().named("Inner circle").private().owned_by(&staff).create().await;
    let private_thread = private.thread(app, &staff, "Private circle talk", "Only for us.").await;

    let member = app.member().named("Newly Diagnosed").create().await;
    assert_eq!(tag(app, &member, "resource", &resource, json!(["new_diagnosis"])).await.0, 404, "staff only");
    let (s, v) = tag(app, &staff, "resource", &resource, json!(["new_diagnosis", "crypto"])).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = tag(app, &staff, "resource", &uuid::Uuid::now_v7().to_string(), json!(["new_diagnosis"])).await;
    assert_eq!(s, 422, "an unknown resource: {v}");
    assert_eq!(tag(app, &staff, "poem", &resource, json!(["new_diagnosis"])).await.0, 422);
    for (kind, id) in [("resource", &resource), ("thread", &open_thread), ("thread", &private_thread)] {
        let (s, v) = tag(app, &staff, kind, id, json!(["new_diagnosis", "new_diagnosis"])).await;
        assert_eq!((s, v), (200, json!({"moments": ["new_diagnosis"]})));
    }

    let helper = volunteer(app, "Has Been There", "new_diagnosis", None).await;
    set_moments(app, &member, vec![mark("new_diagnosis", None)], vec![], ("members", "members"), false).await;
    let home = app.get_text("/", &member).await;
    assert!(home.contains("For your moment: A new diagnosis"), "{home}");
    assert!(home.contains("Your first weeks after a diagnosis") && home.contains("What helped you in week one?"));
    assert!(home.contains(&helper.name), "people who have been there");
    assert!(!home.contains("Private circle talk"), "a private group's thread never reaches an outsider");

    let content = app.get_json("/api/v1/moments/new_diagnosis/content", &member).await.to_string();
    assert!(content.contains(&resource) && content.contains(&open_thread) && !content.contains(&private_thread));
    let page = app.get_text("/been-there?moment=new_diagnosis", &member).await;
    assert!(page.contains("Your first weeks after a diagnosis") && !page.contains("Private circle talk"));
    // Someone not at that moment sees no moment section.
    let other = app.member().create().await;
    assert!(!app.get_text("/", &other).await.contains("For your moment"));
    let admin_page = app.get_text("/admin/moments", &staff).await;
    assert!(admin_page.contains(&resource));
    assert_eq!(app.send("GET", "/admin/moments", &member).await.0, 404);
}

async fn the_demo_has_members_at_moments_volunteers_and_tagged_content(app: &TestApp) {
    app.load_demo(24).await;
    assert!(app.count("SELECT COUNT(DISTINCT moment) FROM moment_marks WHERE stage = 'now'").await >= 3);
    assert!(app.count("SELECT COUNT(*) FROM moment_settings WHERE available_to_support = TRUE").await >= 6);
    assert!(app.count("SELECT COUNT(*) FROM moment_tags WHERE content_kind = 'resource'").await >= 1);
    assert!(app.count("SELECT COUNT(*) FROM moment_tags WHERE content_kind = 'thread'").await >= 1);
    let by_author = "SELECT COUNT(*) FROM moment_tags m JOIN threads t ON t.id = m.content_id \
                     WHERE m.content_kind = 'thread' AND m.tagged_by = t.author_id AND t.opens_at IS NULL";
    assert!(app.count(by_author).await >= 1, "a thread tagged by its author");
    let prompts = "SELECT COUNT(*) FROM moment_tags m JOIN threads t ON t.id = m.content_id \
                   WHERE m.content_kind = 'thread' AND t.opens_at IS NOT NULL";
    assert!(app.count(prompts).await >= 1, "a prompt with moments");
    let (s, v) = app.ask_token(DEMO_MEMBER_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(s, 200, "{v}");
    let demo = v["token"].as_str().unwrap().to_string();
    let body = json!({"now": [mark("new_diagnosis", None)], "been_through": [],
        "visibility": {"now": "members", "been_through": "members"}, "available_to_support": false});
    assert_eq!(app.call("PUT", MINE, &demo, Some(body)).await.0, 200);
    let home = app.get_text("/", &demo).await;
    assert!(home.contains("For your moment: A new diagnosis"), "{home}");
    let listed = app.get_json("/api/v1/been-there?moment_id=new_diagnosis", &demo).await;
    assert!(!listed.as_array().unwrap().is_empty(), "volunteers who have been there");
    assert!(app.problems().await.is_empty());
}

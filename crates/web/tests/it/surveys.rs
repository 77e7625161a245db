//! Insight surveys: the builder (staff only, frozen once published, a copy editable),
//! research consent with its history, answers checked per question with skip logic, one
//! response per member and quotas under concurrency, incentive points credited once,
//! results with percentages equal to a hand count, partners' suppressed results, the
//! import, export and erasure.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    only_staff_build_surveys_and_a_published_one_is_frozen_but_its_copy_can_be_edited,
    a_bad_survey_is_refused_with_a_message_for_each_field,
    consent_no_is_never_invited_and_ask_needs_the_surveys_own_consent_and_the_history_is_exported,
    answers_are_checked_per_question_with_skip_logic_and_rules_keep_others_out,
    one_response_per_member_even_when_fifty_submissions_race,
    fifty_concurrent_members_never_fill_a_quota_past_its_target,
    incentive_points_are_credited_once_even_when_the_completion_is_processed_twice,
    percentages_on_an_imported_file_of_thousands_of_rows_equal_a_hand_count,
    a_bad_import_names_each_row_and_column_and_imports_nothing,
    partners_see_no_cell_below_k_and_none_a_shown_total_would_give_away,
    an_erased_member_leaves_no_consent_or_free_text_and_their_choices_still_count,
    the_api_document_lists_the_fixed_routes,
    staff_build_a_survey_in_the_form_and_each_mistake_stays_beside_its_field,
    a_member_takes_a_survey_page_by_page_after_the_consent_step_and_earns_points,
    the_results_page_draws_each_question_with_its_numbers_and_partners_see_it_suppressed,
    the_demo_has_a_published_survey_with_results_worth_opening_and_a_draft,
];

/// A survey body: a single choice, a multiple choice, a Likert, a scale and a text question.
fn survey_body(title: &str) -> Value {
    json!({
        "title": title,
        "description": "How do you find support?",
        "questions": [
            {"text": "Do you use social resources for support?", "kind": "single", "options": ["Yes", "No"], "required": true},
            {"text": "Which ones?", "kind": "multiple", "options": ["Forums", "Groups", "Podcasts"], "required": true,
             "show_if": {"question": 0, "equals": "Yes"}},
            {"text": "They help me.", "kind": "likert"},
            {"text": "How likely are you to recommend them?", "kind": "scale"},
            {"text": "Anything else?", "kind": "text", "long": true},
        ],
    })
}

async fn create(app: &TestApp, staff: &Member, body: Value) -> Value {
    let (status, v) = app.call("POST", "/api/v1/admin/surveys", staff, Some(body)).await;
    assert_eq!(status, 201, "{v}");
    v
}

/// A published survey made from `body`.
async fn published(app: &TestApp, staff: &Member, body: Value) -> Value {
    let s = create(app, staff, body).await;
    let (status, v) =
        app.call("POST", &format!("/api/v1/admin/surveys/{}/publish", s["id"].as_str().unwrap()), staff, None).await;
    assert_eq!(status, 200, "{v}");
    v
}

fn qid(s: &Value, i: usize) -> String {
    s["questions"][i]["id"].as_str().unwrap().to_string()
}

fn sid(s: &Value) -> String {
    s["id"].as_str().unwrap().to_string()
}

/// `who` answers the first question "No" (so the second is skipped), with `consent`.
async fn answer_no(app: &TestApp, who: &Member, s: &Value) -> (u16, Value) {
    let body = json!({"answers": {qid(s, 0): "No"}, "consent": true});
    app.call("POST", &format!("/api/v1/surveys/{}/responses", sid(s)), who, Some(body)).await
}

async fn set_consent(app: &TestApp, who: &Member, consent: &str) {
    let (status, v) = app.call("PUT", "/api/v1/me/research-consent", who, Some(json!({"consent": consent}))).await;
    assert_eq!(status, 200, "{v}");
}

async fn set_type(app: &TestApp, who: &Member, member_type: &str, country: &str) {
    app.exec(
        "UPDATE members SET member_type = $1, country = $2 WHERE id = $3",
        kernel::params![member_type.to_string(), country.to_string(), who.id],
    )
    .await;
}

async fn only_staff_build_surveys_and_a_published_one_is_frozen_but_its_copy_can_be_edited(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let body = survey_body("Support 2026");
    assert_eq!(app.call("POST", "/api/v1/admin/surveys", &ana, Some(body.clone())).await.0, 404);
    assert_eq!(app.call("POST", "/api/v1/admin/surveys", &Visitor, Some(body.clone())).await.0, 401);
    let s = create(app, &staff, body.clone()).await;
    assert_eq!(s["status"], "draft");
    assert_eq!(s["questions"].as_array().unwrap().len(), 5);
    assert_eq!(s["questions"][2]["options"][4], "Strongly agree", "a Likert question has its five points");
    assert_eq!(s["questions"][3]["options"].as_array().unwrap().len(), 11, "a scale runs from 0 to 10");
    assert_eq!(s["questions"][1]["show_if"]["question"], s["questions"][0]["id"]);
    let path = format!("/api/v1/surveys/{}", sid(&s));
    assert_eq!(app.call("GET", &path, &ana, None).await.0, 404, "a draft is staff's alone");
    let mut edited = body.clone();
    edited["title"] = json!("Support 2026, edited");
    let (status, v) =
        app.call("PUT", &format!("/api/v1/admin/surveys/{}", sid(&s)), &staff, Some(edited.clone())).await;
    assert_eq!((status, v["title"].clone()), (200, json!("Support 2026, edited")));
    let (status, _) = app.call("POST", &format!("/api/v1/admin/surveys/{}/publish", sid(&s)), &ana, None).await;
    assert_eq!(status, 404);
    app.call("POST", &format!("/api/v1/admin/surveys/{}/publish", sid(&s)), &staff, None).await;
    let (status, seen) = app.call("GET", &path, &ana, None).await;
    assert_eq!((status, seen["status"].clone()), (200, json!("published")));
    assert!(seen.get("quotas").is_none(), "members do not see the quotas");
    let (status, v) =
        app.call("PUT", &format!("/api/v1/admin/surveys/{}", sid(&s)), &staff, Some(edited.clone())).await;
    assert_eq!((status, v["error"]["code"].clone()), (409, json!("frozen")));
    let (status, copy) = app.call("POST", &format!("/api/v1/admin/surveys/{}/copy", sid(&s)), &staff, None).await;
    assert_eq!((status, copy["status"].clone()), (201, json!("draft")));
    assert_eq!(copy["questions"][1]["show_if"]["question"], copy["questions"][0]["id"], "skip logic follows the copy");
    let (status, _) = app.call("PUT", &format!("/api/v1/admin/surveys/{}", sid(&copy)), &staff, Some(edited)).await;
    assert_eq!(status, 200, "the copy can be edited");
}

async fn a_bad_survey_is_refused_with_a_message_for_each_field(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let body = json!({
        "title": "",
        "questions": [
            {"text": "Pick", "kind": "single", "options": ["Only one"]},
            {"text": "Pick", "kind": "essay"},
            {"text": "Then", "kind": "text", "show_if": {"question": 5, "equals": "x"}},
        ],
        "quotas": [{"member_type": "pilot", "target": 10}],
        "incentive": {"points": -5},
    });
    let (status, v) = app.call("POST", "/api/v1/admin/surveys", &staff, Some(body)).await;
    assert_eq!(status, 422, "{v}");
    let fields = &v["error"]["fields"];
    for f in [
        "title",
        "questions[0].options",
        "questions[1].text",
        "questions[1].kind",
        "questions[2].show_if",
        "quotas",
        "incentive.points",
    ] {
        assert!(fields.get(f).is_some(), "{f} is named: {fields}");
    }
    let mut unknown_partner = survey_body("Nobody's");
    unknown_partner["partner_id"] = json!(uuid::Uuid::now_v7());
    let (status, v) = app.call("POST", "/api/v1/admin/surveys", &staff, Some(unknown_partner)).await;
    assert_eq!((status, v["error"]["fields"]["partner_id"].is_string()), (422, true), "{v}");
    let (status, _) = app.call("POST", "/api/v1/admin/surveys", &staff, Some(json!({"title": "x"}))).await;
    assert_eq!(status, 400, "a body without questions is the wrong shape");
}

async fn consent_no_is_never_invited_and_ask_needs_the_surveys_own_consent_and_the_history_is_exported(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let s = published(app, &staff, survey_body("Consent")).await;
    let (_, c) = app.call("GET", "/api/v1/me/research-consent", &ana, None).await;
    assert_eq!(c["consent"], "ask", "never answered: asked each time");
    let offered = app.get_json("/api/v1/surveys", &ana).await;
    assert_eq!(offered.as_array().unwrap().len(), 1);
    set_consent(app, &ana, "no").await;
    assert_eq!(app.get_json("/api/v1/surveys", &ana).await, json!([]), "no is never invited");
    let (status, v) = answer_no(app, &ana, &s).await;
    assert_eq!((status, v["error"]["code"].clone()), (403, json!("no_consent")));
    set_consent(app, &ana, "ask").await;
    let body = json!({"answers": {qid(&s, 0): "No"}});
    let (status, v) = app.call("POST", &format!("/api/v1/surveys/{}/responses", sid(&s)), &ana, Some(body)).await;
    assert_eq!((status, v["error"]["code"].clone()), (403, json!("no_consent")), "ask: consent to this survey first");
    let (status, _) = answer_no(app, &ana, &s).await;
    assert_eq!(status, 201);
    set_consent(app, &ana, "yes").await;
    set_consent(app, &ana, "yes").await;
    let (_, c) = app.call("GET", "/api/v1/me/research-consent", &ana, None).await;
    let history: Vec<&str> = c["history"].as_array().unwrap().iter().map(|h| h["consent"].as_str().unwrap()).collect();
    assert_eq!(history, ["no", "ask", "yes"], "each change once");
    let (_, export) = app.call("GET", "/api/v1/me/export", &ana, None).await;
    let part = &export["surveys"];
    assert_eq!(part["research_consent"], "yes", "{part}");
    assert_eq!(part["research_consent_history"].as_array().unwrap().len(), 3, "{part}");
    assert_eq!(part["answers"][0]["value"], "No", "{part}");
    let (status, _) = app.call("PUT", "/api/v1/me/research-consent", &ana, Some(json!({"consent": "maybe"}))).await;
    assert_eq!(status, 400);
}

async fn answers_are_checked_per_question_with_skip_logic_and_rules_keep_others_out(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    set_consent(app, &ana, "yes").await;
    let s = published(app, &staff, survey_body("Checks")).await;
    let path = format!("/api/v1/surveys/{}/responses", sid(&s));
    let body = json!({"answers": {qid(&s, 0): "Yes", qid(&s, 3): 11, qid(&s, 2): "Meh"}});
    let (status, v) = app.call("POST", &path, &ana, Some(body)).await;
    assert_eq!(status, 422, "{v}");
    let fields = &v["error"]["fields"];
    assert!(fields[format!("answers.{}", qid(&s, 1))].is_string(), "Yes makes the second question required: {fields}");
    assert!(fields[format!("answers.{}", qid(&s, 2))].as_str().unwrap().contains("not one of"), "{fields}");
    assert!(fields[format!("answers.{}", qid(&s, 3))].is_string(), "{fields}");
    let body = json!({"answers": {qid(&s, 0): "Yes", qid(&s, 1): ["Forums", "Podcasts"], qid(&s, 3): 9, qid(&s, 4): "Thanks"}});
    let (status, v) = app.call("POST", &path, &ana, Some(body)).await;
    assert_eq!(status, 201, "{v}");
    let mut caregivers_only = survey_body("Caregivers only");
    caregivers_only["rules"] = json!({"member_types": ["caregiver"]});
    let c = published(app, &staff, caregivers_only).await;
    let (status, v) = answer_no(app, &ana, &c).await;
    assert_eq!((status, v["error"]["code"].clone()), (403, json!("not_eligible")), "Ana is a patient");
    let offered: Vec<String> =
        app.get_json("/api/v1/surveys", &ana).await.as_array().unwrap().iter().map(sid).collect();
    assert!(offered.is_empty(), "neither the answered survey nor one for caregivers is offered: {offered:?}");
}

async fn one_response_per_member_even_when_fifty_submissions_race(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    set_consent(app, &ana, "yes").await;
    let s = published(app, &staff, survey_body("Race")).await;
    let path = format!("/api/v1/surveys/{}/responses", sid(&s));
    let body = json!({"answers": {qid(&s, 0): "No"}});
    let statuses = app.all_at_once("POST", &path, std::iter::repeat_n(ana.clone(), 50), Some(body)).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let (status, v) = answer_no(app, &ana, &s).await;
    assert_eq!((status, v["error"]["code"].clone()), (409, json!("already_responded")));
    assert_eq!(app.count("SELECT COUNT(*) FROM survey_responses").await, 1);
}

async fn fifty_concurrent_members_never_fill_a_quota_past_its_target(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mut body = survey_body("Quota");
    body["quotas"] = json!([{"member_type": "caregiver", "target": 7}]);
    body["target_total"] = json!(30);
    let s = published(app, &staff, body).await;
    let people = app.members(50).await;
    for (i, m) in people.iter().enumerate() {
        set_consent(app, m, "yes").await;
        set_type(app, m, if i < 25 { "caregiver" } else { "patient" }, "US").await;
    }
    let path = format!("/api/v1/surveys/{}/responses", sid(&s));
    let body = json!({"answers": {qid(&s, 0): "No"}});
    let statuses = app.all_at_once("POST", &path, people.clone(), Some(body)).await;
    let caregivers = &statuses[..25];
    let patients = &statuses[25..];
    assert_eq!(caregivers.iter().filter(|s| **s == 201).count(), 7, "{statuses:?}");
    assert_eq!(caregivers.iter().filter(|s| **s == 409).count(), 18, "quota_full for the rest");
    assert_eq!(patients.iter().filter(|s| **s == 201).count(), 23, "the target total of 30 bounds the rest");
    assert_eq!(app.count("SELECT COUNT(*) FROM survey_responses").await, 30);
    assert_eq!(app.count("SELECT filled FROM survey_quotas").await, 7);
    assert_eq!(app.get_json("/api/v1/surveys", &people[49]).await, json!([]), "a full survey is offered to nobody");
}

async fn incentive_points_are_credited_once_even_when_the_completion_is_processed_twice(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    set_consent(app, &ana, "yes").await;
    let mut body = survey_body("Paid");
    body["incentive"] = json!({"points": 250});
    let s = published(app, &staff, body).await;
    let (status, v) = answer_no(app, &ana, &s).await;
    assert_eq!((status, v["incentive_points"].clone()), (201, json!(250)));
    app.award_points_from_two_workers().await;
    app.redeliver_to_rewards().await;
    let incentive =
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE reason = 'survey_incentive'";
    assert_eq!(app.count(incentive).await, 250);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries WHERE reason = 'survey_incentive'").await, 1);
    assert_eq!(app.problems().await, Vec::<String>::new());
}

/// A generated file of `n` rows for [`survey_body`]'s survey, from a fixed seed, with the
/// hand count of each answer to the first three questions.
fn generated_file(s: &Value, n: usize) -> (String, std::collections::HashMap<String, i64>) {
    let text = |i: usize| s["questions"][i]["text"].as_str().unwrap().to_string();
    let mut csv = format!("{},{},{},member_type,country\n", text(0), text(1), text(2));
    let mut counts = std::collections::HashMap::new();
    let mut seed: u64 = 7;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let likert = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];
    for _ in 0..n {
        let yes = next(100) < 95;
        let first = if yes { "Yes" } else { "No" };
        *counts.entry(format!("0:{first}")).or_insert(0) += 1;
        let mut which = Vec::new();
        if yes {
            for o in ["Forums", "Groups", "Podcasts"] {
                if next(2) == 0 {
                    which.push(o);
                    *counts.entry(format!("1:{o}")).or_insert(0) += 1;
                }
            }
            if which.is_empty() {
                which.push("Groups");
                *counts.entry("1:Groups".to_string()).or_insert(0) += 1;
            }
            *counts.entry("1:respondents".to_string()).or_insert(0) += 1;
        }
        let l = likert[next(5) as usize];
        *counts.entry(format!("2:{l}")).or_insert(0) += 1;
        let t = ["patient", "caregiver", ""][next(3) as usize];
        csv.push_str(&format!("{first},\"{}\",{l},{t},US\n", which.join(";")));
    }
    (csv, counts)
}

async fn import(app: &TestApp, staff: &Member, s: &Value, csv: String) -> (u16, Value) {
    let rb = app
        .request("POST", &format!("/api/v1/admin/surveys/{}/import", sid(s)), staff)
        .header("content-type", "text/csv")
        .body(csv);
    let (status, text) = answer(rb).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn percent(count: i64, base: i64) -> f64 {
    (count as f64 * 1000.0 / base as f64).round() / 10.0
}

async fn percentages_on_an_imported_file_of_thousands_of_rows_equal_a_hand_count(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let s = published(app, &staff, survey_body("Imported")).await;
    let n = 2371;
    let (csv, counts) = generated_file(&s, n);
    let (status, v) = import(app, &staff, &s, csv).await;
    assert_eq!((status, v["imported"].clone()), (201, json!(n)), "{v}");
    let r = app.get_json(&format!("/api/v1/admin/surveys/{}/results", sid(&s)), &staff).await;
    assert_eq!(r["respondents"], n);
    let q0 = &r["questions"][0];
    assert_eq!(q0["respondents"], n);
    for o in q0["options"].as_array().unwrap() {
        let hand = counts.get(&format!("0:{}", o["label"].as_str().unwrap())).copied().unwrap_or(0);
        assert_eq!(o["count"], hand);
        assert_eq!(o["percent"].as_f64().unwrap(), percent(hand, n as i64), "{o}");
    }
    let q1 = &r["questions"][1];
    let base = counts["1:respondents"];
    assert_eq!(q1["respondents"], base, "only those who said Yes were asked");
    for o in q1["options"].as_array().unwrap() {
        let hand = counts[&format!("1:{}", o["label"].as_str().unwrap())];
        assert_eq!(o["percent"].as_f64().unwrap(), percent(hand, base), "share of respondents choosing it: {o}");
    }
    for o in r["questions"][2]["options"].as_array().unwrap() {
        let hand = counts.get(&format!("2:{}", o["label"].as_str().unwrap())).copied().unwrap_or(0);
        assert_eq!(o["count"], hand);
    }
    let by = app.get_json(&format!("/api/v1/admin/surveys/{}/results?by=member_type", sid(&s)), &staff).await;
    let segments = by["questions"][0]["segments"].as_array().unwrap();
    let total: i64 = segments.iter().map(|g| g["respondents"].as_i64().unwrap()).sum();
    assert_eq!(total, n as i64, "the member types, with those not known, add up to everyone");
    let (status, csv) = app.send("GET", &format!("/api/v1/admin/surveys/{}/results.csv", sid(&s)), &staff).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("question,segment,option,count,percent"));
    assert!(csv.contains(&format!("Do you use social resources for support?,All,Yes,{}", counts["0:Yes"])), "{csv}");
}

async fn a_bad_import_names_each_row_and_column_and_imports_nothing(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let s = published(app, &staff, survey_body("Bad import")).await;
    let csv = "Do you use social resources for support?,Which ones?,Shoe size\nYes,Forums,42\n".to_string();
    let (status, v) = import(app, &staff, &s, csv).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["row 1, column \u{201c}Shoe size\u{201d}"].is_string(), "{v}");
    let csv = "Do you use social resources for support?,Which ones?,They help me.\nYes,Forums,Agree\nMaybe,,Agree\nYes,,Agree\nYes,Forums;Blogs,Agree\n";
    let (status, v) = import(app, &staff, &s, csv.to_string()).await;
    assert_eq!(status, 422, "{v}");
    let fields = &v["error"]["fields"];
    assert!(
        fields["row 3, column \u{201c}Do you use social resources for support?\u{201d}"].is_string(),
        "an unknown option: {fields}"
    );
    assert!(fields["row 4, column \u{201c}Which ones?\u{201d}"].as_str().unwrap().contains("required"), "{fields}");
    assert!(fields["row 5, column \u{201c}Which ones?\u{201d}"].as_str().unwrap().contains("Blogs"), "{fields}");
    assert_eq!(app.count("SELECT COUNT(*) FROM survey_responses").await, 0, "nothing is imported");
    assert_eq!(import(app, &ana, &s, csv.to_string()).await.0, 404, "members cannot import");
}

/// Every shown count is at least k, and in every sum the table obeys, not exactly one
/// cell is hidden (else the shown ones give it away).
fn assert_safe(r: &Value, k: i64) {
    let shown = |c: &Value| c["count"].as_i64();
    for q in r["questions"].as_array().unwrap() {
        let total = q["respondents"].as_i64();
        let opts = q["options"].as_array().unwrap();
        for c in
            opts.iter().chain(q["segments"].as_array().unwrap().iter().flat_map(|g| g["options"].as_array().unwrap()))
        {
            if let Some(n) = shown(c) {
                assert!(n >= k, "a shown cell below k: {c}");
            } else {
                assert_eq!(c["suppressed"], true);
                assert!(c["percent"].is_null());
            }
        }
        let single = q["kind"] == "single" || q["kind"] == "likert";
        if single {
            let hidden = opts.iter().filter(|c| shown(c).is_none()).count() + usize::from(total.is_none());
            assert_ne!(hidden, 1, "the total minus the shown options gives the hidden one away: {q}");
        }
        for (i, _) in opts.iter().enumerate() {
            let segs = q["segments"].as_array().unwrap();
            if segs.is_empty() {
                continue;
            }
            let hidden = segs.iter().filter(|g| shown(&g["options"][i]).is_none()).count()
                + usize::from(shown(&opts[i]).is_none());
            assert_ne!(hidden, 1, "an option's total minus the shown countries gives one away: {q}");
        }
    }
}

async fn partners_see_no_cell_below_k_and_none_a_shown_total_would_give_away(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let contact = app.member().named("Pat Partner").create().await;
    let stranger = app.member().named("Sam").create().await;
    let partner = app.partner(&staff, "BreatheWell").await;
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/admin/partners/{partner}/contacts"),
            &staff,
            Some(json!({"member_id": contact.id})),
        )
        .await;
    assert_eq!(status, 204);
    let mut body = survey_body("For BreatheWell");
    body["partner_id"] = json!(partner.id);
    let s = published(app, &staff, body).await;
    let q0 = "Do you use social resources for support?";
    let mut csv = format!("{q0},Which ones?,They help me.,country\n");
    // The US: 40 Yes and 30 No; Iceland: 3 respondents, 1 Yes and 2 No.
    for (country, yes, no) in [("US", 40, 30), ("IS", 1, 2)] {
        for _ in 0..yes {
            csv.push_str(&format!("Yes,Forums,Agree,{country}\n"));
        }
        for _ in 0..no {
            csv.push_str(&format!("No,,Disagree,{country}\n"));
        }
    }
    assert_eq!(import(app, &staff, &s, csv).await.0, 201);
    let staff_view = app.get_json(&format!("/api/v1/admin/surveys/{}/results?by=country", sid(&s)), &staff).await;
    assert_eq!(staff_view["questions"][0]["segments"][0]["respondents"], 3, "staff see Iceland's three");
    let path = format!("/api/v1/admin/surveys/{}/results?audience=partner&by=country", sid(&s));
    let partner_view = app.get_json(&path, &staff).await;
    assert_safe(&partner_view, 5);
    let q = &partner_view["questions"][0];
    assert_eq!(q["respondents"], 73, "the grand total is safe to show");
    assert_eq!(q["segments"][0]["key"], "IS");
    assert_eq!(q["segments"][0]["respondents"], Value::Null, "a country with 3 respondents is hidden");
    assert_eq!(q["segments"][1]["respondents"], Value::Null, "and the US total too, or 73 minus it gives Iceland away");
    assert_eq!(q["options"][0]["count"], 41, "the answers' totals are safe to show");
    let own = app.get_json(&format!("/api/v1/partner/surveys/{}/results?by=country", sid(&s)), &contact).await;
    assert_eq!(own["questions"], partner_view["questions"], "the partner's contact sees the same suppressed table");
    assert_safe(&own, 5);
    let (status, _) = app.call("GET", &format!("/api/v1/partner/surveys/{}/results", sid(&s)), &stranger, None).await;
    assert_eq!(status, 404);
    let plain = app.get_json(&format!("/api/v1/partner/surveys/{}/results", sid(&s)), &contact).await;
    assert_safe(&plain, 5);
    assert!(plain["questions"][4]["quotes"].as_array().unwrap().is_empty(), "no free text without approval");
}

async fn an_erased_member_leaves_no_consent_or_free_text_and_their_choices_still_count(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    set_consent(app, &ana, "yes").await;
    let s = published(app, &staff, survey_body("Erasure")).await;
    let body = json!({"answers": {qid(&s, 0): "No", qid(&s, 4): "I live at 1 Main St"}});
    let (status, _) = app.call("POST", &format!("/api/v1/surveys/{}/responses", sid(&s)), &ana, Some(body)).await;
    assert_eq!(status, 201);
    let r = app.client().delete(app.url("/api/v1/me")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    app.consume("surveys-erasure").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM research_consents").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM research_consent_history").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM survey_answers WHERE value LIKE '%Main St%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM survey_responses WHERE member_id IS NOT NULL").await, 0);
    let results = app.get_json(&format!("/api/v1/admin/surveys/{}/results", sid(&s)), &staff).await;
    assert_eq!(results["questions"][0]["options"][1]["count"], 1, "the choice still counts, without a name");
}

async fn the_api_document_lists_the_fixed_routes(app: &TestApp) {
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/admin/surveys", "post"),
        ("/api/v1/admin/surveys/{id}/publish", "post"),
        ("/api/v1/me/research-consent", "get"),
        ("/api/v1/me/research-consent", "put"),
        ("/api/v1/surveys/{id}", "get"),
        ("/api/v1/surveys/{id}/responses", "post"),
        ("/api/v1/admin/surveys/{id}/import", "post"),
        ("/api/v1/admin/surveys/{id}/results", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} is documented");
    }
}

async fn staff_build_a_survey_in_the_form_and_each_mistake_stays_beside_its_field(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let ana = app.member().with_password().create().await;
    let browser = staff.browser(app).await;
    let (status, _) = app.send("GET", "/admin/surveys/new", &ana.browser(app).await).await;
    assert_eq!(status, 404, "the builder is staff's alone");
    let fields = [
        ("slots", "3"),
        ("title", ""),
        ("q0-text", "Which do you use?"),
        ("q0-kind", "single"),
        ("q0-options", "Forums"),
        ("q1-text", "Why?"),
        ("q1-kind", "text"),
        ("quota-caregiver", "many"),
    ];
    let r = form_post(app, &browser, "/admin/surveys/new", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(html.contains("id=\"f-title-error\""), "the title's message is beside it");
    assert!(html.contains("id=\"f-q0-options-error\""), "one option is too few, said beside the options");
    assert!(html.contains("id=\"f-quota-caregiver\"") && html.contains("Give a whole number."));
    assert!(html.contains("value=\"Which do you use?\""), "what was typed is kept");
    let more = form_post(app, &browser, "/admin/surveys/new", &[("slots", "3"), ("go", "more")]).await;
    assert!(more.text().await.unwrap().contains("Question 6"), "more question slots, without JavaScript");
    let fields = [
        ("slots", "3"),
        ("title", "Forums"),
        ("q0-text", "Which do you use?"),
        ("q0-kind", "single"),
        ("q0-options", "Forums\nGroups"),
        ("q0-required", "yes"),
        ("q1-text", "Why?"),
        ("q1-kind", "text"),
        ("q1-show-q", "1"),
        ("q1-show-eq", "Forums"),
        ("quota-caregiver", "100"),
        ("incentive", "50"),
    ];
    let r = form_post(app, &browser, "/admin/surveys/new", &fields).await;
    assert_eq!(r.status(), 303, "saved");
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let page = app.get_text(&at, &browser).await;
    assert!(at.starts_with("/admin/surveys/") && page.contains("Preview"), "on its page: {at}");
    assert!(page.contains("Answer only if you answered \u{201c}Forums\u{201d}"), "skip logic is previewed");
    let r = form_post(app, &browser, &format!("{at}/publish"), &[]).await;
    assert!(r.text().await.unwrap().contains("Published"));
    let (status, _) = app.send("GET", &format!("{at}/edit"), &browser).await;
    assert_eq!(status, 409, "a published survey is frozen");
}

async fn a_member_takes_a_survey_page_by_page_after_the_consent_step_and_earns_points(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().with_password().create().await;
    let mut body = survey_body("Pages");
    for (i, q) in body["questions"].as_array_mut().unwrap().iter_mut().enumerate() {
        q["section"] = json!(if i < 2 { "About you" } else { "Your view" });
    }
    body["incentive"] = json!({"points": 75});
    let s = published(app, &staff, body).await;
    let browser = ana.browser(app).await;
    let path = format!("/surveys/{}", sid(&s));
    let list = app.get_text("/surveys", &browser).await;
    assert!(list.contains("Pages") && list.contains("Earn 75 points"));
    let page = app.get_text(&path, &browser).await;
    assert!(page.contains("I agree to take part"), "never answered: the consent step comes first");
    let r = form_post(app, &browser, &format!("{path}/consent"), &[("agree", "yes")]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Page 1 of 2") && page.contains("Do you use social resources"));
    let q0 = format!("a-{}", qid(&s, 0));
    let q1 = format!("a-{}", qid(&s, 1));
    let r = form_post(app, &browser, &path, &[("page", "0"), ("go", "next"), (&q0, "Yes")]).await;
    assert_eq!(r.status(), 422, "Yes makes Which ones? required");
    let r = form_post(
        app,
        &browser,
        &path,
        &[("page", "0"), ("go", "next"), (&q0, "Yes"), (&q1, "Forums"), (&q1, "Groups")],
    )
    .await;
    assert!(r.text().await.unwrap().contains("Page 2 of 2"));
    let page = app.get_text(&path, &browser).await;
    assert!(page.contains("Page 2 of 2"), "progress is saved between visits");
    let r = form_post(app, &browser, &path, &[("page", "1"), ("go", "back")]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("value=\"Forums\" checked"), "going back shows what was chosen");
    form_post(app, &browser, &path, &[("page", "0"), ("go", "next"), (&q0, "Yes"), (&q1, "Forums")]).await;
    let q3 = format!("a-{}", qid(&s, 3));
    let r = form_post(app, &browser, &path, &[("page", "1"), ("go", "next"), (&q3, "8")]).await;
    assert!(r.text().await.unwrap().contains("75 points are on their way"));
    app.award_points().await;
    let points = app.get_json("/api/v1/me/points", &ana).await;
    assert!(points["balance"].as_i64().unwrap() >= 75, "{points}");
    let results = app.get_json(&format!("/api/v1/admin/surveys/{}/results", sid(&s)), &staff).await;
    assert_eq!(results["questions"][1]["options"][0]["count"], 1, "Forums, once");
    assert_eq!(results["questions"][1]["options"][1]["count"], 0, "Groups was unticked on the way back");
    assert!(app.get_text(&path, &browser).await.contains("already answered"));
}

async fn the_results_page_draws_each_question_with_its_numbers_and_partners_see_it_suppressed(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let contact = app.member().with_password().create().await;
    let partner = app.partner(&staff, "BreatheWell").await;
    app.call(
        "POST",
        &format!("/api/v1/admin/partners/{partner}/contacts"),
        &staff,
        Some(json!({"member_id": contact.id})),
    )
    .await;
    let mut body = survey_body("Charts");
    body["partner_id"] = json!(partner.id);
    let s = published(app, &staff, body).await;
    let mut csv = "Do you use social resources for support?,Which ones?\n".to_string();
    csv.push_str(&"Yes,Forums\n".repeat(12));
    csv.push_str(&"No,\n".repeat(2));
    assert_eq!(import(app, &staff, &s, csv).await.0, 201);
    let page = app.get_text(&format!("/admin/surveys/{}/results", sid(&s)), &staff.browser(app).await).await;
    assert!(page.contains("<svg role=\"img\""), "a chart");
    assert!(page.contains("12 (85.7%)") && page.contains("2 (14.3%)"), "with the numbers beside it");
    let partner_page = app.get_text(&format!("/partner/surveys/{}", sid(&s)), &contact.browser(app).await).await;
    assert!(partner_page.contains("suppressed") && !partner_page.contains("2 (14.3%)"), "two is too few for a partner");
    assert!(!partner_page.contains("12 ("), "and 12 would give the 2 away");
    let list = app.get_text("/partner/surveys", &contact.browser(app).await).await;
    assert!(list.contains("Charts"));
    let (status, _) =
        app.send("GET", &format!("/admin/surveys/{}/results", sid(&s)), &contact.browser(app).await).await;
    assert_eq!(status, 404);
}

async fn the_demo_has_a_published_survey_with_results_worth_opening_and_a_draft(app: &TestApp) {
    app.load_demo(6).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM surveys WHERE status = 'published'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM surveys WHERE status = 'draft'").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM survey_responses").await >= 240, "past research, imported");
    assert!(
        app.count("SELECT COUNT(*) FROM survey_responses WHERE member_id IS NOT NULL").await >= 1,
        "and demo members' answers"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM surveys WHERE partner_id IS NOT NULL AND status = 'published'").await,
        1
    );
}

//! Courses (issue 17): built by staff (and nobody else), outlined without the answers,
//! enrolment with seats that hold under concurrency and a waitlist that promotes in
//! order, lessons and a quiz that gates completion, progress that survives signing out,
//! certificates anyone can verify, credentials shown by the member's choice and required
//! by opportunities, points once, search, export and erasure, the demo.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    only_staff_build_courses_and_drafts_stay_hidden_from_members,
    the_outline_lists_lesson_question_and_option_ids_but_never_which_option_is_correct,
    a_video_without_captions_cannot_be_published,
    a_course_cannot_be_completed_without_passing_its_quiz_and_retries_are_limited,
    progress_survives_signing_out_and_back_in,
    the_certificate_shows_the_right_person_and_course_to_a_visitor_and_a_made_up_code_is_not_found,
    fifty_concurrent_enrolments_never_take_more_than_the_seats,
    withdrawing_frees_a_seat_for_the_waitlist_in_order_and_a_closed_cohort_refuses,
    completion_points_are_credited_once_even_when_the_event_is_delivered_twice,
    the_last_two_lessons_marked_at_once_complete_the_course_exactly_once,
    an_opportunity_requiring_the_credential_becomes_eligible_when_the_course_is_completed,
    the_member_chooses_whether_their_profile_shows_the_credential,
    search_finds_published_courses_but_not_drafts,
    the_export_holds_a_members_course_data_and_erasure_removes_it_and_frees_the_seat,
    the_staff_builder_keeps_what_was_typed_and_orders_lessons,
    the_quiz_page_marks_answers_and_shows_explanations_without_javascript,
    the_api_document_lists_the_fixed_routes,
    the_demo_has_two_courses_one_in_a_cohort_and_the_demo_member_has_started_one,
];

/// A course body as the issue writes it: two lessons in one module and a one-question
/// quiz passed by answering "Right"; `extra` adds or replaces top-level fields.
fn course_body(title: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": title,
        "summary": "Learn to tell your story.",
        "modules": [{"title": "Basics", "lessons": [
            {"title": "First lesson", "body": "Hello **there**.", "video_url": "https://media.example.org/a.mp4",
             "captions_url": "https://media.example.org/a.vtt"},
            {"title": "Second lesson", "body": "More.", "video_url": null, "captions_url": null}
        ]}],
        "quiz": {"pass_mark": 1.0, "max_attempts": 2, "questions": [
            {"text": "Pick the right one", "explanation": "Because it is right.",
             "options": [{"text": "Right", "correct": true}, {"text": "Wrong", "correct": false}]}
        ]},
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

/// A cohort open now for `seats` seats.
fn cohort(seats: i64) -> Value {
    json!({"cohort": {"opens_at": (chrono::Utc::now() - days(1)).to_rfc3339(),
                      "closes_at": (chrono::Utc::now() + days(10)).to_rfc3339(), "seats": seats}})
}

/// Staff create a course (checked: 201); its outline.
async fn course(app: &TestApp, staff: &Member, body: Value) -> Value {
    let (status, v) = app.call("POST", "/api/v1/admin/courses", staff, Some(body)).await;
    assert_eq!(status, 201, "creating a course: {v}");
    v
}

fn lesson_ids(c: &Value) -> Vec<String> {
    let modules = c["modules"].as_array().unwrap();
    modules
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()))
        .collect()
}

/// The quiz's answers: the "Right" option of every question (or the "Wrong" one).
fn answers(c: &Value, right: bool) -> Value {
    let mut out = serde_json::Map::new();
    for q in c["quiz"]["questions"].as_array().unwrap() {
        let want = if right { "Right" } else { "Wrong" };
        let o = q["options"].as_array().unwrap().iter().find(|o| o["text"] == want).unwrap();
        out.insert(q["id"].as_str().unwrap().to_string(), json!([o["id"]]));
    }
    json!({"answers": out})
}

async fn enrol(app: &TestApp, who: &Member, c: &Value) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/courses/{}/enrolment", c["id"].as_str().unwrap()), who, None).await
}

async fn attempt(app: &TestApp, who: &Member, c: &Value, right: bool) -> (u16, Value) {
    let path = format!("/api/v1/quizzes/{}/attempts", c["quiz"]["id"].as_str().unwrap());
    app.call("POST", &path, who, Some(answers(c, right))).await
}

/// `who` enrols, completes every lesson and passes the quiz; the attempt's answer.
async fn complete(app: &TestApp, who: &Member, c: &Value) -> Value {
    assert_eq!(enrol(app, who, c).await.0, 201);
    for l in lesson_ids(c) {
        let (status, v) = app.call("POST", &format!("/api/v1/lessons/{l}/completion"), who, None).await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = attempt(app, who, c, true).await;
    assert_eq!((status, v["passed"].clone()), (201, json!(true)), "{v}");
    v
}

async fn only_staff_build_courses_and_drafts_stay_hidden_from_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let body = course_body("Secret draft", json!({"status": "draft"}));
    assert_eq!(app.call("POST", "/api/v1/admin/courses", &Visitor, Some(body.clone())).await.0, 401);
    assert_eq!(app.call("POST", "/api/v1/admin/courses", &ana, Some(body.clone())).await.0, 404);
    let draft = course(app, &staff, body).await;
    let id = draft["id"].as_str().unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(app.call("GET", &format!("/api/v1/courses/{id}"), &ana, None).await.0, 404, "a draft is hidden");
    assert_eq!(app.call("GET", &format!("/api/v1/courses/{id}"), &staff, None).await.0, 200, "staff see it");
    let listed = app.get_json("/api/v1/courses", &ana).await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    assert_eq!(enrol(app, &ana, &draft).await.0, 404);
    let browser = ana.browser(app).await;
    for path in ["/admin/courses".to_string(), format!("/admin/courses/{id}")] {
        assert_eq!(app.send("GET", &path, &browser).await.0, 404, "{path}");
    }
    let path = format!("/api/v1/admin/courses/{id}/status");
    assert_eq!(app.call("POST", &path, &ana, Some(json!({"status": "published"}))).await.0, 404);
    assert_eq!(app.call("POST", &path, &staff, Some(json!({"status": "published"}))).await.0, 204);
    assert_eq!(app.call("GET", &format!("/api/v1/courses/{id}"), &ana, None).await.0, 200, "published");
}

async fn the_outline_lists_lesson_question_and_option_ids_but_never_which_option_is_correct(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let c = course(app, &staff, course_body("Storytelling", json!({"credential": "Storytelling-101"}))).await;
    assert_eq!(c["credential"], "storytelling-101", "kept in lower case");
    let id = c["id"].as_str().unwrap();
    let (status, text) = app.send("GET", &format!("/api/v1/courses/{id}"), &ana).await;
    assert_eq!(status, 200);
    assert!(!text.contains("correct"), "the outline never says which option is correct: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(lesson_ids(&v).len(), 2);
    assert!(v["quiz"]["id"].is_string());
    assert_eq!(v["quiz"]["questions"][0]["options"].as_array().unwrap().len(), 2);
    assert!(v["quiz"]["questions"][0]["options"][0]["id"].is_string());
    let visitor = app.get_json(&format!("/api/v1/courses/{id}"), &Visitor).await;
    assert!(visitor["me"].is_null(), "a visitor has no progress: {visitor}");
    let derived = course(app, &staff, course_body("Storytelling", json!({}))).await;
    assert_eq!(derived["credential"], "storytelling", "derived from the title");
    let again = course(app, &staff, course_body("Storytelling", json!({}))).await;
    assert_eq!(again["credential"], "storytelling-2", "a derived code is made unique");
    let (status, v) = app
        .call(
            "POST",
            "/api/v1/admin/courses",
            &staff,
            Some(course_body("X", json!({"credential": "storytelling-101"}))),
        )
        .await;
    assert_eq!((status, v["error"]["fields"]["credential"].is_string()), (422, true), "{v}");
}

async fn a_video_without_captions_cannot_be_published(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let modules = json!([{"title": "M", "lessons": [{"title": "Video", "body": "", "video_url": "https://v.example.org/1.mp4", "captions_url": null}]}]);
    let (status, v) = app
        .call("POST", "/api/v1/admin/courses", &staff, Some(course_body("Uncaptioned", json!({"modules": modules}))))
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["modules[0].lessons[0].captions_url"].is_string(), "{v}");
    let draft = course(app, &staff, course_body("Uncaptioned", json!({"modules": modules, "status": "draft"}))).await;
    let path = format!("/api/v1/admin/courses/{}/status", draft["id"].as_str().unwrap());
    let (status, v) = app.call("POST", &path, &staff, Some(json!({"status": "published"}))).await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = app
        .call(
            "POST",
            "/api/v1/admin/courses",
            &staff,
            Some(course_body("Bad", json!({"quiz": {"pass_mark": 1.5, "questions": []}}))),
        )
        .await;
    assert_eq!(status, 422, "a pass mark above 1 and no questions");
}

async fn a_course_cannot_be_completed_without_passing_its_quiz_and_retries_are_limited(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let c = course(app, &staff, course_body("Gated", json!({}))).await;
    let lessons = lesson_ids(&c);
    let (status, v) = app.call("POST", &format!("/api/v1/lessons/{}/completion", lessons[0]), &ana, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("not_enrolled")), "a seat first");
    assert_eq!(enrol(app, &ana, &c).await.0, 201);
    for l in &lessons {
        let (_, v) = app.call("POST", &format!("/api/v1/lessons/{l}/completion"), &ana, None).await;
        assert_eq!(v["course_completed"], false, "the quiz is not passed yet");
    }
    let (status, v) = attempt(app, &ana, &c, false).await;
    assert_eq!((status, v["passed"].clone(), v["score"].clone()), (201, json!(false), json!(0.0)), "{v}");
    assert_eq!(v["course_completed"], false);
    assert_eq!(v["questions"][0]["explanation"], "Because it is right.", "explained after answering");
    assert_eq!(app.get_json("/api/v1/me/credentials", &ana).await, json!([]));
    let (_, v) = attempt(app, &ana, &c, true).await;
    assert_eq!((v["passed"].clone(), v["course_completed"].clone()), (json!(true), json!(true)), "{v}");
    assert!(v["certificate_url"].as_str().unwrap().contains("/certificates/"));
    let (status, v) = attempt(app, &ana, &c, true).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("no_attempts_left")), "two attempts allowed");
    let mine = app.get_json("/api/v1/me/credentials", &ana).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["course_id"], c["id"]);
    let bogus = json!({"answers": {uuid::Uuid::now_v7().to_string(): []}});
    let path = format!("/api/v1/quizzes/{}/attempts", c["quiz"]["id"].as_str().unwrap());
    assert_eq!(app.call("POST", &path, &ana, Some(bogus)).await.0, 422, "a question of another quiz");
}

async fn progress_survives_signing_out_and_back_in(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let c = course(app, &staff, course_body("Keep going", json!({}))).await;
    let id = c["id"].as_str().unwrap();
    let browser = ana.browser(app).await;
    let r = form_post(app, &browser, &format!("/courses/{id}/enrol"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let first = &lesson_ids(&c)[0];
    let page = app.get_text(&format!("/lessons/{first}"), &browser).await;
    assert!(page.contains("Mark complete"), "{page}");
    let r = form_post(app, &browser, &format!("/lessons/{first}/complete"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let html = app.get_text(&format!("/courses/{id}"), &browser).await;
    let r = browser.post(app.url("/logout")).form(&[("csrf", csrf_of(&html))]).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status().is_success());
    let again = ana.browser(app).await;
    let html = app.get_text(&format!("/courses/{id}"), &again).await;
    assert!(html.contains("1 of 2 lessons done"), "{html}");
    let v = app.get_json(&format!("/api/v1/courses/{id}"), &ana).await;
    assert_eq!(v["me"]["lessons_done"], json!([first]));
}

async fn the_certificate_shows_the_right_person_and_course_to_a_visitor_and_a_made_up_code_is_not_found(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana Example").create().await;
    let bob = app.member().named("Bob Other").create().await;
    let c = course(app, &staff, course_body("Advocacy basics", json!({}))).await;
    let done = complete(app, &ana, &c).await;
    let url = done["certificate_url"].as_str().unwrap();
    let path = &url[url.find("/certificates/").unwrap()..];
    let (status, html) = app.send("GET", path, &Visitor).await;
    assert_eq!(status, 200);
    assert!(html.contains("Ana Example") && html.contains("Advocacy basics"), "{html}");
    assert!(!html.contains("Bob Other"));
    assert!(html.contains(url), "the page prints its verification address");
    assert_eq!(app.send("GET", "/certificates/notarealcode", &Visitor).await.0, 404);
    let _ = bob;
}

async fn fifty_concurrent_enrolments_never_take_more_than_the_seats(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let c = course(app, &staff, course_body("Cohort", cohort(10))).await;
    let members = app.members(50).await;
    let path = format!("/api/v1/courses/{}/enrolment", c["id"].as_str().unwrap());
    let statuses = app.all_at_once("POST", &path, members.iter(), None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 40, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM course_enrolments WHERE status = 'enrolled'").await, 10);
    let v = app.get_json(&format!("/api/v1/courses/{}", c["id"].as_str().unwrap()), &Visitor).await;
    assert_eq!(v["cohort"]["seats_left"], 0);
}

async fn withdrawing_frees_a_seat_for_the_waitlist_in_order_and_a_closed_cohort_refuses(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ana, bob, cy) = (app.member().create().await, app.member().create().await, app.member().create().await);
    let c = course(app, &staff, course_body("One seat", cohort(1))).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(enrol(app, &ana, &c).await.0, 201);
    assert_eq!(enrol(app, &bob, &c).await, (202, json!({"course_id": id, "status": "waitlisted"})));
    assert_eq!(enrol(app, &cy, &c).await.0, 202);
    let me = |v: Value| (v["me"]["enrolment"].clone(), v["me"]["waitlist_place"].clone());
    assert_eq!(me(app.get_json(&format!("/api/v1/courses/{id}"), &cy).await), (json!("waitlisted"), json!(2)));
    let path = format!("/api/v1/courses/{id}/enrolment");
    assert_eq!(app.call("DELETE", &path, &ana, None).await.0, 204);
    assert_eq!(me(app.get_json(&format!("/api/v1/courses/{id}"), &bob).await).0, json!("enrolled"), "first in line");
    assert_eq!(me(app.get_json(&format!("/api/v1/courses/{id}"), &cy).await), (json!("waitlisted"), json!(1)));
    assert_eq!(app.call("DELETE", &path, &bob, None).await.0, 204);
    assert_eq!(me(app.get_json(&format!("/api/v1/courses/{id}"), &cy).await).0, json!("enrolled"));
    let closed = json!({"cohort": {"opens_at": (chrono::Utc::now() - days(10)).to_rfc3339(),
                                   "closes_at": (chrono::Utc::now() - days(1)).to_rfc3339(), "seats": 5}});
    let late = course(app, &staff, course_body("Too late", closed)).await;
    let (status, v) = enrol(app, &ana, &late).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("closed")));
}

async fn completion_points_are_credited_once_even_when_the_event_is_delivered_twice(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let c = course(
        app,
        &staff,
        course_body(
            "Points",
            json!({"quiz": {"pass_mark": 0.0, "questions": [
        {"text": "Q", "options": [{"text": "Right", "correct": true}, {"text": "Wrong", "correct": false}]}]}}),
        ),
    )
    .await;
    complete(app, &ana, &c).await;
    // Doing it all again (a lesson re-marked, the quiz retaken) completes nothing new.
    let (_, v) = attempt(app, &ana, &c, true).await;
    assert_eq!(v["course_completed"], true);
    app.call("POST", &format!("/api/v1/lessons/{}/completion", lesson_ids(&c)[0]), &ana, None).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'CourseCompleted'").await, 1);
    app.award_points_from_two_workers().await;
    assert_eq!(app.get_json("/api/v1/me/points", &ana).await["balance"], 100);
    app.redeliver_to_rewards().await;
    assert_eq!(app.get_json("/api/v1/me/points", &ana).await["balance"], 100, "a second delivery credits nothing");
    assert_eq!(app.problems().await, Vec::<String>::new());
}

async fn the_last_two_lessons_marked_at_once_complete_the_course_exactly_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let c = course(app, &staff, course_body("No quiz", json!({"quiz": null}))).await;
    assert_eq!(enrol(app, &ana, &c).await.0, 201);
    let lessons = lesson_ids(&c);
    let paths: Vec<String> = lessons.iter().map(|l| format!("/api/v1/lessons/{l}/completion")).collect();
    let (a, b) = tokio::join!(app.call("POST", &paths[0], &ana, None), app.call("POST", &paths[1], &ana, None));
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM course_completions").await, 1, "the completion is not missed");
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'CourseCompleted'").await, 1);
}

async fn an_opportunity_requiring_the_credential_becomes_eligible_when_the_course_is_completed(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let c = course(app, &staff, course_body("Storytelling", json!({"credential": "storytelling-101"}))).await;
    let o = app
        .opportunity()
        .titled("Storytellers")
        .rules(json!({"credential": "storytelling-101"}))
        .by(&staff)
        .create()
        .await;
    assert_eq!(o.apply(app, &ana).await.0, 403, "not without the credential");
    complete(app, &ana, &c).await;
    app.consume("opportunities-credentials").await;
    let (status, body) = o.apply(app, &ana).await;
    assert_eq!(status, 201, "{body}");
}

async fn the_member_chooses_whether_their_profile_shows_the_credential(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").create().await;
    let bob = app.member().named("Bob").create().await;
    let c = course(app, &staff, course_body("Public speaking", json!({}))).await;
    complete(app, &ana, &c).await;
    let profile = format!("/members/{}", ana.id);
    assert!(!app.get_text(&profile, &bob).await.contains("Public speaking"), "hidden until Ana chooses");
    let code = app.get_json("/api/v1/me/credentials", &ana).await[0]["code"].as_str().unwrap().to_string();
    let path = format!("/api/v1/me/credentials/{code}/shown");
    assert_eq!(app.call("PUT", &path, &bob, Some(json!({"shown": true}))).await.0, 404, "not Bob's");
    assert_eq!(app.call("PUT", &path, &ana, Some(json!({"shown": true}))).await.0, 204);
    let html = app.get_text(&profile, &bob).await;
    assert!(html.contains("Public speaking") && html.contains(&format!("/certificates/{code}")), "{html}");
    assert_eq!(app.call("PUT", &path, &ana, Some(json!({"shown": false}))).await.0, 204);
    assert!(!app.get_text(&profile, &bob).await.contains("Public speaking"));
}

async fn search_finds_published_courses_but_not_drafts(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    course(app, &staff, course_body("Zebra advocacy", json!({}))).await;
    course(app, &staff, course_body("Zebra secrets", json!({"status": "draft"}))).await;
    let browser = ana.browser(app).await;
    let html = app.get_text("/search?q=zebra", &browser).await;
    assert!(html.contains("Zebra advocacy"), "{html}");
    assert!(!html.contains("Zebra secrets"), "a draft is never found");
}

async fn the_export_holds_a_members_course_data_and_erasure_removes_it_and_frees_the_seat(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().create().await;
    let bob = app.member().create().await;
    let c = course(app, &staff, course_body("Private course", cohort(1))).await;
    assert_eq!(enrol(app, &ana, &c).await.0, 201);
    assert_eq!(enrol(app, &bob, &c).await.0, 202);
    app.call("POST", &format!("/api/v1/lessons/{}/completion", lesson_ids(&c)[0]), &ana, None).await;
    attempt(app, &ana, &c, false).await;
    let export = app.get_json("/api/v1/me/export", &ana).await;
    let part = &export["courses"];
    assert_eq!(part["enrolments"][0]["course"], "Private course", "{part}");
    assert_eq!(part["lessons_completed"].as_array().unwrap().len(), 1);
    assert_eq!(part["quiz_attempts"][0]["passed"], false);
    let r = app.client().delete(app.url("/api/v1/me")).bearer_auth(&ana.token).send().await.unwrap();
    assert!(r.status().is_success());
    app.consume("learning-courses-erasure").await;
    for table in
        ["course_enrolments WHERE status = 'waitlisted'", "lesson_progress", "quiz_attempts", "course_completions"]
    {
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
    }
    let v = app.get_json(&format!("/api/v1/courses/{}", c["id"].as_str().unwrap()), &bob).await;
    assert_eq!(v["me"]["enrolment"], "enrolled", "Bob takes the freed seat");
}

async fn the_staff_builder_keeps_what_was_typed_and_orders_lessons(app: &TestApp) {
    let staff = app.staff_member().named("Sam").with_password().create().await;
    let browser = staff.browser(app).await;
    assert_eq!(app.send("GET", "/admin/courses", &browser).await.0, 200);
    let r =
        form_post(app, &browser, "/admin/courses", &[("title", ""), ("summary", "Kept summary"), ("seats", "x")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Kept summary") && html.contains("error-summary") && html.contains("f-title-error"),
        "{html}"
    );
    let r = form_post(app, &browser, "/admin/courses", &[("title", "Built by hand"), ("credential", "hand-101")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let id = edit.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        form_post(app, &browser, &format!("{edit}/modules"), &[("module_title", "Part one")]).await.status(),
        303
    );
    let v = app.get_json(&format!("/api/v1/courses/{id}"), &staff).await;
    let module = v["modules"][0]["id"].as_str().unwrap().to_string();
    for title in ["Alpha", "Beta"] {
        let fields =
            [("module", module.as_str()), ("lesson_title", title), ("lesson_video_url", "https://v.example.org/x.mp4")];
        assert_eq!(
            form_post(app, &browser, &format!("{edit}/lessons"), &fields).await.status(),
            303,
            "a draft takes a video without captions"
        );
    }
    let bad = [
        ("module", module.as_str()),
        ("lesson_title", ""),
        ("lesson_body", "Typed body"),
        ("lesson_files", "no url here"),
    ];
    let r = form_post(app, &browser, &format!("{edit}/lessons"), &bad).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Typed body") && html.contains("f-lesson_files-error"), "{html}");
    let r = form_post(app, &browser, &format!("{edit}/status"), &[("status", "published")]).await;
    assert_eq!(r.status().as_u16(), 422, "videos need captions first");
    assert!(r.text().await.unwrap().contains("Add captions"));
    let titles = async || {
        let v = app.get_json(&format!("/api/v1/courses/{id}"), &staff).await;
        v["modules"][0]["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles().await, ["Alpha", "Beta"]);
    let beta = app.get_json(&format!("/api/v1/courses/{id}"), &staff).await["modules"][0]["lessons"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        form_post(app, &browser, &format!("/admin/lessons/{beta}/move"), &[("direction", "up")]).await.status(),
        303
    );
    assert_eq!(titles().await, ["Beta", "Alpha"]);
    let question =
        [("question_text", "Which?"), ("question_options", "*Yes\nNo"), ("question_explanation", "Yes it is.")];
    assert_eq!(form_post(app, &browser, &format!("{edit}/questions"), &question).await.status(), 303);
    let v = app.get_json(&format!("/api/v1/courses/{id}"), &staff).await;
    assert_eq!(v["quiz"]["questions"][0]["options"].as_array().unwrap().len(), 2);
}

async fn the_quiz_page_marks_answers_and_shows_explanations_without_javascript(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").with_password().create().await;
    let c = course(app, &staff, course_body("Quiz page", json!({}))).await;
    assert_eq!(enrol(app, &ana, &c).await.0, 201);
    let browser = ana.browser(app).await;
    let quiz = c["quiz"]["id"].as_str().unwrap();
    let html = app.get_text(&format!("/quizzes/{quiz}"), &browser).await;
    assert!(html.contains("type=\"radio\""), "{html}");
    let q = c["quiz"]["questions"][0]["id"].as_str().unwrap();
    let wrong = answers(&c, false)["answers"][q][0].as_str().unwrap().to_string();
    let r = form_post(app, &browser, &format!("/quizzes/{quiz}"), &[(&format!("q-{q}"), &wrong)]).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Not passed yet") && html.contains("Because it is right."), "{html}");
}

async fn the_api_document_lists_the_fixed_routes(app: &TestApp) {
    let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/courses", "get"),
        ("/api/v1/courses/{id}", "get"),
        ("/api/v1/courses/{id}/enrolment", "post"),
        ("/api/v1/lessons/{id}/completion", "post"),
        ("/api/v1/quizzes/{id}/attempts", "post"),
        ("/api/v1/admin/courses", "post"),
        ("/api/v1/me/credentials", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
}

async fn the_demo_has_two_courses_one_in_a_cohort_and_the_demo_member_has_started_one(app: &TestApp) {
    app.load_demo(6).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM courses WHERE status = 'published'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM courses WHERE seats IS NOT NULL").await, 1);
    assert!(app.count("SELECT COUNT(*) FROM lesson_progress").await >= 1);
    assert!(app.count("SELECT COUNT(*) FROM course_enrolments").await >= 1);
}

//! The staff console's forms for groups, events and conferences (issue 20): each creates
//! what the JSON API would, each mistake is said beside its field and in a summary at the
//! top while what was typed stays, and none of the pages exists for anyone but staff.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_create_a_private_group_with_a_screening_question_then_change_it_and_appoint_a_moderator,
    staff_schedule_a_webinar_in_its_own_time_zone_then_change_and_cancel_it,
    staff_create_a_conference_with_tracks_and_tickets_and_its_awards_ceremony_session,
    the_console_forms_do_not_exist_for_members,
];

/// The path a form answered with `303 See Other` sends the browser to.
fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn staff_create_a_private_group_with_a_screening_question_then_change_it_and_appoint_a_moderator(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let console = app.get_text("/admin", &browser).await;
    assert!(console.contains("href=\"/admin/groups\""), "the console links the groups");
    let typed = [("name", ""), ("visibility", "private"), ("screening", "Why do you want to join?")];
    let r = form_post(app, &browser, "/admin/groups/new", &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("href=\"#f-name\""), "the summary links the field");
    assert!(html.contains("id=\"f-name-error\""), "the message is beside the name");
    assert!(html.contains(">Why do you want to join?</textarea>"), "the question typed is kept");
    assert!(html.contains("value=\"private\" checked"), "the kind chosen is kept");

    let typed = [
        ("name", "Long COVID carers"),
        ("description", "For people caring for someone with long COVID."),
        ("visibility", "private"),
        ("screening", "Why do you want to join?\n\nWho do you care for?"),
        ("rules", "Be kind."),
        ("public_preview", "teaser"),
    ];
    let r = form_post(app, &browser, "/admin/groups/new", &typed).await;
    assert_eq!(r.status(), 303, "created");
    let at = location(&r);
    let id = at.strip_prefix("/admin/groups/").expect("to the group's console page").to_string();
    let g = app.get_json(&format!("/api/v1/groups/{id}"), &staff).await;
    assert_eq!(g["name"], "Long COVID carers");
    assert_eq!(g["visibility"], "private");
    assert_eq!(g["rules"], "Be kind.");
    assert_eq!(g["standing"], "owner", "the staff member who created it owns it, as through the API");
    assert_eq!(g["screening_questions"], json!(["Why do you want to join?", "Who do you care for?"]));

    let bea = app.member().named("Bea Moderator").create().await;
    let group = Group::made(&id, "Long COVID carers", &staff, 2);
    group.admit(app, &bea).await;
    let r = form_post(app, &browser, &format!("{at}/moderators"), &[("moderators", "Nobody Known")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("No member is called"), "an unknown name is said beside the field");
    let r = form_post(app, &browser, &format!("{at}/moderators"), &[("moderators", "Bea Moderator")]).await;
    assert_eq!(r.status(), 303);
    let g = app.get_json(&format!("/api/v1/groups/{id}"), &bea).await;
    assert_eq!(g["standing"], "moderator", "appointed through the API's own rule");

    let page = app.get_text(&at, &browser).await;
    assert!(page.contains("value=\"Long COVID carers\""), "the form shows the group as it is");
    let changed = [("name", "Long COVID carers"), ("visibility", "hidden"), ("screening", ""), ("rules", "")];
    assert_eq!(form_post(app, &browser, &at, &changed).await.status(), 303, "changed");
    let g = app.get_json(&format!("/api/v1/groups/{id}"), &staff).await;
    assert_eq!(g["visibility"], "hidden");
    assert_eq!(g["screening_questions"], json!([]));
    let too_many = [("name", "x"), ("visibility", "open"), ("screening", "a\nb\nc\nd\ne\nf")];
    let r = form_post(app, &browser, &at, &too_many).await;
    assert_eq!(r.status(), 422, "the same rule as creating: at most 5 questions");
    assert!(r.text().await.unwrap().contains("id=\"f-screening-error\""));

    assert_eq!(form_post(app, &browser, &format!("{at}/delete"), &[]).await.status(), 303, "an empty group goes");
    assert_eq!(app.send("GET", &at, &browser).await.0, 404);
}

async fn staff_schedule_a_webinar_in_its_own_time_zone_then_change_and_cancel_it(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let mut typed = vec![
        ("kind", "webinar"),
        ("title", "Sleep and chronic pain"),
        ("time_zone", "America/New_York"),
        ("starts_at", "next tuesday"),
        ("ends_at", "2027-03-14T13:00"),
        ("capacity", "many"),
        ("audience", "members"),
        ("speakers", "host | Ana Silva | Pain nurse"),
        ("questions", "Do you need captions?"),
    ];
    let r = form_post(app, &browser, "/admin/events/new", &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(html.contains("id=\"f-capacity-error\"") && html.contains("value=\"many\""), "kept beside its error");
    assert!(html.contains("value=\"Sleep and chronic pain\"") && html.contains("host | Ana Silva | Pain nurse"));
    typed[5] = ("capacity", "50");
    let r = form_post(app, &browser, "/admin/events/new", &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-starts_at-error\"") && html.contains("value=\"next tuesday\""), "the API's rule");

    typed[3] = ("starts_at", "2027-03-14T12:00");
    let r = form_post(app, &browser, "/admin/events/new", &typed).await;
    assert_eq!(r.status(), 303, "scheduled");
    let at = location(&r);
    let id = at.strip_prefix("/admin/events/").unwrap().to_string();
    let e = app.get_json(&format!("/api/v1/events/{id}"), &staff).await;
    assert_eq!(e["starts_at"], "2027-03-14T16:00:00Z", "noon in New York, after its clocks went forward");
    assert_eq!(e["local_starts_at"], "2027-03-14T12:00:00");
    assert_eq!(e["time_zone"], "America/New_York");
    assert_eq!(e["capacity"], 50);
    assert_eq!(e["audience"], "members");
    assert_eq!(e["speakers"][0]["name"], "Ana Silva");
    assert_eq!(e["speakers"][0]["role"], "host");
    assert_eq!(e["questions"], json!(["Do you need captions?"]));

    let page = app.get_text(&at, &browser).await;
    assert!(page.contains("value=\"2027-03-14T12:00:00\""), "the time is shown in the event's own zone");
    typed[1] = ("title", "Sleep and chronic pain, part 1");
    typed[2] = ("time_zone", "Europe/London");
    assert_eq!(form_post(app, &browser, &at, &typed).await.status(), 303);
    let e = app.get_json(&format!("/api/v1/events/{id}"), &staff).await;
    assert_eq!(e["title"], "Sleep and chronic pain, part 1");
    assert_eq!(e["starts_at"], "2027-03-14T12:00:00Z", "noon in London");
    assert_eq!(form_post(app, &browser, &format!("{at}/cancel"), &[]).await.status(), 303);
    let e = app.get_json(&format!("/api/v1/events/{id}"), &staff).await;
    assert_eq!(e["status"], "cancelled");
}

async fn staff_create_a_conference_with_tracks_and_tickets_and_its_awards_ceremony_session(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let mut typed = vec![
        ("name", "Connexion 2027"),
        ("year", "2027"),
        ("starts_on", "2027-06-15"),
        ("ends_on", "2027-06-14"),
        ("time_zone", "Europe/London"),
        ("tracks", "Research\nAdvocacy"),
        ("ticket_types", "In person | lots\nOnline"),
    ];
    let r = form_post(app, &browser, "/admin/conferences/new", &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-ticket_types-error\"") && html.contains("In person | lots"));
    typed[6] = ("ticket_types", "In person | 300\nOnline");
    let r = form_post(app, &browser, "/admin/conferences/new", &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-ends_on-error\"") && html.contains("value=\"2027-06-14\""), "the API's rule");
    typed[2] = ("starts_on", "2027-06-14");
    typed[3] = ("ends_on", "2027-06-15");
    let r = form_post(app, &browser, "/admin/conferences/new", &typed).await;
    assert_eq!(r.status(), 303, "created");
    let at = location(&r);
    let id = at.strip_prefix("/admin/conferences/").unwrap().to_string();
    let c = app.get_json(&format!("/api/v1/conferences/{id}"), &staff).await;
    assert_eq!(c["tracks"].as_array().unwrap().len(), 2);
    assert_eq!(c["ticket_types"][0]["capacity"], 300);
    assert_eq!(c["ticket_types"][1]["capacity"], json!(null));

    let page = app.get_text(&at, &browser).await;
    let add = format!("/admin/events/new?conference={id}&amp;ceremony=1");
    assert!(page.contains(&add), "the conference's page offers the ceremony session");
    let form = app.get_text(&add.replace("&amp;", "&"), &browser).await;
    assert!(form.contains("name=\"awards_ceremony\" value=\"yes\" checked"), "ticked already");
    let session = [
        ("kind", "conference_session"),
        ("title", "The Social Health Awards"),
        ("time_zone", "Europe/London"),
        ("starts_at", "2027-06-15T18:00"),
        ("ends_at", "2027-06-15T19:30"),
        ("audience", "members"),
        ("conference_id", id.as_str()),
        ("track", "Advocacy"),
        ("room", "Main hall"),
        ("awards_ceremony", "yes"),
    ];
    let r = form_post(app, &browser, "/admin/events/new", &session).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), at, "back to the conference");
    let agenda = app.get_json(&format!("/api/v1/conferences/{id}/agenda"), &staff).await;
    let s = &agenda["days"][0]["sessions"][0];
    assert_eq!(s["title"], "The Social Health Awards");
    assert_eq!(s["awards_ceremony"], true);
    assert_eq!(s["track"], "Advocacy");
    assert_eq!(s["local_start"], "18:00");
    assert!(app.get_text(&at, &browser).await.contains("the awards ceremony"));

    typed[0] = ("name", "Connexion 2027: together");
    typed[5] = ("tracks", "Research\nAdvocacy\nPolicy");
    typed[6] = ("ticket_types", "In person | 350\nOnline\nStudents | 40");
    assert_eq!(form_post(app, &browser, &at, &typed).await.status(), 303, "changed");
    let c = app.get_json(&format!("/api/v1/conferences/{id}"), &staff).await;
    assert_eq!(c["name"], "Connexion 2027: together");
    assert_eq!(c["tracks"].as_array().unwrap().len(), 3);
    assert_eq!(c["ticket_types"][0]["capacity"], 350);
    assert_eq!(c["ticket_types"][2]["name"], "Students");
    typed[5] = ("tracks", "Research\nPolicy");
    let r = form_post(app, &browser, &at, &typed).await;
    assert_eq!(r.status(), 422, "the ceremony session is in the Advocacy track");
    assert!(r.text().await.unwrap().contains("id=\"f-tracks-error\""));
    typed[5] = ("tracks", "Research\nAdvocacy");
    typed[6] = ("ticket_types", "In person | 350\nOnline");
    assert_eq!(form_post(app, &browser, &at, &typed).await.status(), 303, "unused ones removed");
    let c = app.get_json(&format!("/api/v1/conferences/{id}"), &staff).await;
    assert_eq!(c["tracks"].as_array().unwrap().len(), 2, "Policy is gone");
    assert_eq!(c["ticket_types"].as_array().unwrap().len(), 2, "and Students");
    typed[3] = ("ends_on", "2027-06-01");
    let r = form_post(app, &browser, &at, &typed).await;
    assert_eq!(r.status(), 422, "the same rule as creating");
    assert!(r.text().await.unwrap().contains("id=\"f-ends_on-error\""));
    assert_eq!(form_post(app, &browser, &format!("{at}/delete"), &[]).await.status(), 409, "it has a session");
    typed[3] = ("ends_on", "2027-06-15");
    let r = form_post(app, &browser, "/admin/conferences/new", &typed).await;
    let empty = location(&r);
    assert_eq!(form_post(app, &browser, &format!("{empty}/delete"), &[]).await.status(), 303);
    assert_eq!(app.send("GET", &empty, &browser).await.0, 404, "deleted");
}

async fn the_console_forms_do_not_exist_for_members(app: &TestApp) {
    let member = app.member().with_password().create().await;
    let browser = member.browser(app).await;
    let some = uuid::Uuid::now_v7();
    for path in [
        "/admin/groups".to_string(),
        "/admin/groups/new".into(),
        format!("/admin/groups/{some}"),
        "/admin/events".into(),
        "/admin/events/new".into(),
        format!("/admin/events/{some}"),
        "/admin/conferences".into(),
        "/admin/conferences/new".into(),
        format!("/admin/conferences/{some}"),
    ] {
        assert_eq!(app.send("GET", &path, &browser).await.0, 404, "GET {path}");
    }
    for path in ["/admin/groups/new", "/admin/events/new", "/admin/conferences/new"] {
        let r = form_post(app, &browser, path, &[("name", "Sneaky"), ("title", "Sneaky")]).await;
        assert_eq!(r.status(), 404, "POST {path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM groups WHERE name = 'Sneaky'").await, 0);
}

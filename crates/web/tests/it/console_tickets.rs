//! Revoking a conference ticket from the staff console or the admin API (issue 20): the
//! conference's console page lists the tickets taken, each with a revoke button;
//! revoking frees the seat for someone else, is audited, and exists for staff only.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_revoke_a_ticket_from_the_console_and_its_seat_is_free_again,
    staff_revoke_a_ticket_through_the_admin_api,
    revoking_a_ticket_does_not_exist_for_members,
];

/// A conference with one seat in person (and unlimited virtual ones), whose seat Ana took.
struct Scene {
    staff: Member,
    ana: Member,
    ben: Member,
    conference: String,
    in_person: Value,
}

async fn a_conference_whose_one_seat_ana_took(app: &TestApp) -> Scene {
    let staff = app.staff_member().with_password().create().await;
    let conference = json!({"name": "Connexion 2027", "year": 2027, "starts_on": "2027-06-14", "ends_on": "2027-06-15",
        "time_zone": "UTC", "venue": "Chicago", "online_url": "", "tracks": [],
        "ticket_types": [{"name": "In person", "capacity": 1}, {"name": "Virtual", "capacity": null}]});
    let (s, c) = app.call("POST", "/api/v1/conferences", &staff, Some(conference)).await;
    assert_eq!(s, 201, "{c}");
    let in_person = json!({"ticket_type_id": c["ticket_types"][0]["id"]});
    let [ana, ben] = app.members_named(["Ana Ticket", "Ben Waiting"]).await;
    let conference = c["id"].as_str().unwrap().to_string();
    assert_eq!(take(app, &conference, &ana, &in_person).await, 201, "Ana takes the one seat");
    assert_eq!(take(app, &conference, &ben, &in_person).await, 409, "so Ben cannot");
    Scene { staff, ana, ben, conference, in_person }
}

/// `who` takes a ticket of the type in `body`; the answer's status.
async fn take(app: &TestApp, conference: &str, who: &Member, body: &Value) -> u16 {
    app.call("POST", &format!("/api/v1/conferences/{conference}/tickets"), who, Some(body.clone())).await.0
}

/// The ticket type `who` holds, as the conference's API tells them (null: none).
async fn my_ticket(app: &TestApp, conference: &str, who: &Member) -> Value {
    app.get_json(&format!("/api/v1/conferences/{conference}"), who).await["my_ticket"].clone()
}

async fn staff_revoke_a_ticket_from_the_console_and_its_seat_is_free_again(app: &TestApp) {
    let Scene { staff, ana, ben, conference, in_person } = a_conference_whose_one_seat_ana_took(app).await;
    let console = staff.browser(app).await;
    let at = format!("/admin/conferences/{conference}");
    let page = app.get_text(&at, &console).await;
    let revoke = format!("{at}/tickets/{}/revoke", ana.id);
    assert!(page.contains("Ana Ticket") && page.contains(&format!("action=\"{revoke}\"")), "holders, revocable");
    assert!(page.contains("Revoke<span class=\"visually-hidden\"> Ana Ticket's ticket</span>"), "named");
    assert!(page.contains("In person: 1 of 1 taken"));
    assert_eq!(app.audited("staff_viewed_ticket_holders").await, vec![(Some(staff.id), None)], "reading is audited");

    let r = form_post(app, &console, &revoke, &[]).await;
    assert_eq!(r.status(), 303, "revoked");
    assert_eq!(r.headers()["location"], at.as_str());
    assert_eq!(app.audited("conference_ticket_revoked").await, vec![(Some(staff.id), Some(ana.id))]);
    assert!(my_ticket(app, &conference, &ana).await.is_null(), "Ana holds no ticket");
    assert!(app.get_text(&at, &console).await.contains("In person: 0 of 1 taken"), "the seat is free");
    assert_eq!(take(app, &conference, &ben, &in_person).await, 201, "and Ben takes it");
    assert_eq!(form_post(app, &console, &revoke, &[]).await.status(), 404, "revoked once");
}

async fn staff_revoke_a_ticket_through_the_admin_api(app: &TestApp) {
    let Scene { staff, ana, ben, conference, in_person } = a_conference_whose_one_seat_ana_took(app).await;
    let revoke = format!("/api/v1/admin/conferences/{conference}/tickets/{}", ana.id);
    assert_eq!(app.send("DELETE", &revoke, &staff).await.0, 204);
    assert_eq!(app.send("DELETE", &revoke, &staff).await.0, 404, "once");
    assert_eq!(take(app, &conference, &ben, &in_person).await, 201, "the seat is free again");
    assert_eq!(app.audited("conference_ticket_revoked").await, vec![(Some(staff.id), Some(ana.id))]);
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    assert!(doc["paths"]["/api/v1/admin/conferences/{id}/tickets/{member_id}"]["delete"].is_object(), "documented");
}

async fn revoking_a_ticket_does_not_exist_for_members(app: &TestApp) {
    let Scene { ana, ben, conference, .. } = a_conference_whose_one_seat_ana_took(app).await;
    let browser = app.member().with_password().create().await.browser(app).await;
    let page = format!("/admin/conferences/{conference}/tickets/{}/revoke", ana.id);
    assert_eq!(form_post(app, &browser, &page, &[]).await.status(), 404, "POST {page}");
    let api = format!("/api/v1/admin/conferences/{conference}/tickets/{}", ana.id);
    assert_eq!(app.send("DELETE", &api, &ben).await.0, 404, "DELETE {api}");
    assert!(!my_ticket(app, &conference, &ana).await.is_null(), "Ana keeps her ticket");
    assert!(app.audited("conference_ticket_revoked").await.is_empty());
}

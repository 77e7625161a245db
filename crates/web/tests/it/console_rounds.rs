//! Undoing a networking round (issue 20): a round started by mistake can be undone from
//! the event's console page or the API; its groups go, the next round pairs people as if
//! it never happened, the undo is audited, and it exists for staff only.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![staff_undo_the_latest_round_from_the_console_and_the_api, undoing_a_round_does_not_exist_for_members,];

/// A networking event with four members checked in; the event.
async fn four_checked_in(app: &TestApp, staff: &Member) -> (Event, Vec<Member>) {
    let e = app.event().networking().starting_in(minutes(5)).lasting(minutes(90)).by(staff).create().await;
    let people = app.members(4).await;
    for member in &people {
        assert_eq!(e.register(app, member).await, 201);
        let present = json!({ "member_id": member.id });
        assert_eq!(app.call("POST", &e.api("/attendance"), staff, Some(present)).await.0, 204);
    }
    (e, people)
}

async fn staff_undo_the_latest_round_from_the_console_and_the_api(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let (e, people) = four_checked_in(app, &staff).await;
    let console = staff.browser(app).await;
    let at = format!("/admin/events/{}", e.id);
    assert!(!app.get_text(&at, &console).await.contains("Undo round"), "nothing to undo before a round");
    let started = form_post(app, &console, &format!("{at}/rounds"), &[]).await;
    assert_eq!(started.status(), 200);
    let page = started.text().await.unwrap();
    assert!(page.contains("Round 1 started") && page.contains("Undo round 1"), "{page}");
    assert_eq!(app.get_json(&e.api("/rounds/mine"), &people[0]).await["round"], 1);

    let undone = form_post(app, &console, &format!("{at}/rounds/undo"), &[]).await;
    assert_eq!(undone.status(), 200);
    let page = undone.text().await.unwrap();
    assert!(page.contains("Round 1 undone") && !page.contains("Undo round"), "{page}");
    assert_eq!(app.call("GET", &e.api("/rounds/mine"), &people[0], None).await.0, 404, "the groups are gone");
    assert_eq!(app.audited("networking_round_undone").await, vec![(Some(staff.id), None)]);
    assert_eq!(form_post(app, &console, &format!("{at}/rounds/undo"), &[]).await.status(), 404, "undone once");

    // The next round is number 1 again; through the API it can be undone as well.
    let (s, round) = app.call("POST", &e.api("/rounds"), &staff, None).await;
    assert_eq!((s, round["number"].as_i64()), (201, Some(1)), "{round}");
    assert_eq!(app.send("DELETE", &e.api("/rounds/latest"), &staff).await.0, 204);
    assert_eq!(app.send("DELETE", &e.api("/rounds/latest"), &staff).await.0, 404, "nothing left to undo");
    assert_eq!(app.audited("networking_round_undone").await.len(), 2);
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    assert!(doc["paths"]["/api/v1/events/{id}/rounds/latest"]["delete"].is_object(), "documented");

    // A round nobody can start is refused on the event's page, with the reason.
    let empty = app.event().networking().starting_in(minutes(5)).lasting(minutes(90)).by(&staff).create().await;
    let refused = form_post(app, &console, &format!("/admin/events/{}/rounds", empty.id), &[]).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("At least two people must be checked in"), "said on the page");
}

async fn undoing_a_round_does_not_exist_for_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (e, people) = four_checked_in(app, &staff).await;
    assert_eq!(app.call("POST", &e.api("/rounds"), &staff, None).await.0, 201);
    let browser = app.member().with_password().create().await.browser(app).await;
    let page = format!("/admin/events/{}/rounds/undo", e.id);
    assert_eq!(form_post(app, &browser, &page, &[]).await.status(), 404, "POST {page}");
    assert_eq!(app.send("DELETE", &e.api("/rounds/latest"), &people[0]).await.0, 404);
    assert_eq!(app.get_json(&e.api("/rounds/mine"), &people[0]).await["round"], 1, "the round stands");
    assert!(app.audited("networking_round_undone").await.is_empty());
}

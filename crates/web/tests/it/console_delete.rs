//! Deleting from the staff console (issue 20): an event nobody registered for goes with
//! its speakers, questions and tags, while one with registrations must be cancelled
//! (409, said on its page); a reward is changed, retired or, if nobody redeemed it,
//! deleted, its form keeping what was typed beside each error. All audited, all 404
//! for members.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_delete_an_event_nobody_registered_for_with_its_speakers_and_questions,
    an_event_with_registrations_is_cancelled_not_deleted,
    staff_change_a_reward_then_retire_it_once_redeemed_and_delete_one_never_redeemed,
    deleting_events_and_changing_rewards_do_not_exist_for_members,
];

/// A panel with two speakers and a member's question, by `staff`.
async fn a_panel_with_speakers_and_a_question(app: &TestApp, staff: &Member) -> Event {
    let speakers = json!([{"role": "moderator", "name": "Sam Host"}, {"role": "panelist", "name": "Ana Guest"}]);
    let panel = app.event().panel().starting_in(days(2)).with("speakers", speakers).by(staff).create().await;
    let asker = app.member().create().await;
    let (status, _) = app.call("POST", &panel.api("/questions"), &asker, Some(json!({"body": "How?"}))).await;
    assert_eq!(status, 201, "a question to the panel");
    panel
}

/// How many rows of `table` still belong to the event.
async fn left_of(app: &TestApp, table: &str, event: &Event) -> i64 {
    let id: uuid::Uuid = event.id.parse().unwrap();
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE event_id = $1");
    app.state.db.scalar::<i64>(&sql, kernel::params![id]).await.unwrap().unwrap_or(0)
}

async fn staff_delete_an_event_nobody_registered_for_with_its_speakers_and_questions(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let console = staff.browser(app).await;
    let panel = a_panel_with_speakers_and_a_question(app, &staff).await;
    let page = app.get_text(&format!("/admin/events/{panel}"), &console).await;
    assert!(page.contains(&format!("action=\"/admin/events/{panel}/delete\"")), "the console offers to delete");

    let r = form_post(app, &console, &format!("/admin/events/{panel}/delete"), &[]).await;
    assert_eq!(r.status(), 303, "deleted");
    assert_eq!(app.send("GET", &panel.api(""), &staff).await.0, 404, "gone from the API");
    assert_eq!(app.send("GET", &format!("/admin/events/{panel}"), &console).await.0, 404, "and the console");
    for table in ["event_speakers", "panel_questions"] {
        assert_eq!(left_of(app, table, &panel).await, 0, "nothing left in {table}");
    }
    assert_eq!(app.audited("event_deleted").await, vec![(Some(staff.id), None)]);

    let webinar = app.event().webinar().by(&staff).create().await;
    assert_eq!(app.send("DELETE", &format!("/api/v1/admin/events/{webinar}"), &staff).await.0, 204, "by the API");
    assert_eq!(app.send("DELETE", &format!("/api/v1/admin/events/{webinar}"), &staff).await.0, 404, "once");
}

async fn an_event_with_registrations_is_cancelled_not_deleted(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let console = staff.browser(app).await;
    let panel = a_panel_with_speakers_and_a_question(app, &staff).await;
    let bea = app.member().create().await;
    panel.register(app, &bea).await;
    app.call("DELETE", &panel.api("/registration"), &bea, None).await;

    let (status, v) = app.call("DELETE", &format!("/api/v1/admin/events/{panel}"), &staff, None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("event_has_registrations")), "{v}");
    let r = form_post(app, &console, &format!("/admin/events/{panel}/delete"), &[]).await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(page.contains("cancel it instead"), "the page says why and what to do");
    assert!(page.contains("Cancel this event"), "with the way to do it at hand");
    assert_eq!(left_of(app, "event_speakers", &panel).await, 2, "nothing was removed");
    assert!(app.audited("event_deleted").await.is_empty());
}

/// A reward in the catalogue, added through the API; its id.
async fn a_reward(app: &TestApp, staff: &Member, name: &str, cost: i64) -> String {
    let (s, v) = app.call("POST", "/api/v1/admin/rewards", staff, Some(json!({"name": name, "cost": cost}))).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

/// The names of the rewards members are offered.
async fn offered(app: &TestApp) -> Vec<String> {
    let list = app.get_json("/api/v1/rewards", &Visitor).await;
    list["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

async fn staff_change_a_reward_then_retire_it_once_redeemed_and_delete_one_never_redeemed(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let console = staff.browser(app).await;
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/admin/rewards",
            &staff,
            Some(json!({"name": "Mug", "cost": 10,
        "image_url": "https://example.org/mug.png", "active_until": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let mug = v["id"].as_str().unwrap().to_string();
    let at = format!("/admin/rewards/catalogue/{mug}");
    assert!(app.get_text("/admin/rewards/catalogue", &console).await.contains(&format!("href=\"{at}\"")));
    assert!(app.get_text(&at, &console).await.contains("value=\"Mug\""), "the form shows the reward as it is");

    let typed =
        [("name", "Big mug"), ("cost", "lots"), ("stock", "-3"), ("fulfilment", "shipped_item"), ("active", "yes")];
    let r = form_post(app, &console, &at, &typed).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("class=\"error-summary\"") && page.contains("href=\"#f-cost\""), "a summary links the cost");
    assert!(page.contains("id=\"f-cost-error\"") && page.contains("value=\"lots\""), "kept beside its error");
    assert!(page.contains("value=\"Big mug\"") && page.contains("value=\"shipped_item\" checked"), "all as typed");

    let typed =
        [("name", "Big mug"), ("cost", "25"), ("stock", "4"), ("fulfilment", "shipped_item"), ("active", "yes")];
    assert_eq!(form_post(app, &console, &at, &typed).await.status(), 303, "changed");
    assert_eq!(app.audited("reward_updated").await, vec![(Some(staff.id), None)]);
    assert!(offered(app).await.contains(&"Big mug".to_string()));
    let list = app.get_json("/api/v1/rewards", &Visitor).await;
    let changed = list["items"].as_array().unwrap().iter().find(|r| r["name"] == "Big mug").unwrap().clone();
    assert_eq!((changed["cost"].as_i64(), changed["stock"].as_i64()), (Some(25), Some(4)));
    assert_eq!(changed["image_url"], "https://example.org/mug.png", "what the form does not show is kept");
    assert_eq!(changed["active_until"], "2099-01-01T00:00:00Z");

    let member = app.member().create().await;
    app.credit_points(&staff, member.id, 100, "welcome").await;
    let (s, v) = app.call("POST", &format!("/api/v1/rewards/{mug}/redemptions"), &member, None).await;
    assert!(s == 200 || s == 201, "redeemed: {v}");
    let r = form_post(app, &console, &format!("{at}/delete"), &[]).await;
    assert_eq!(r.status(), 409, "a redeemed reward stays");
    assert!(r.text().await.unwrap().contains("retire it instead"));
    let retired = [("name", "Big mug"), ("cost", "25"), ("stock", "3"), ("fulfilment", "shipped_item")];
    assert_eq!(form_post(app, &console, &at, &retired).await.status(), 303, "retired");
    assert!(!offered(app).await.contains(&"Big mug".to_string()), "members are no longer offered it");
    assert!(app.get_text("/admin/rewards/catalogue", &console).await.contains("Retired"));

    let pen = a_reward(app, &staff, "Pen", 5).await;
    let r = form_post(app, &console, &format!("/admin/rewards/catalogue/{pen}/delete"), &[]).await;
    assert_eq!(r.status(), 303, "never redeemed, so deleted");
    assert_eq!(app.send("GET", &format!("/admin/rewards/catalogue/{pen}"), &console).await.0, 404);
    assert_eq!(app.audited("reward_deleted").await, vec![(Some(staff.id), None)]);
}

async fn deleting_events_and_changing_rewards_do_not_exist_for_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let webinar = app.event().webinar().by(&staff).create().await;
    let mug = a_reward(app, &staff, "Mug", 10).await;
    let member = app.member().with_password().create().await;
    let browser = member.browser(app).await;
    assert_eq!(app.send("DELETE", &format!("/api/v1/admin/events/{webinar}"), &member).await.0, 404);
    for path in [format!("/admin/events/{webinar}/delete"), format!("/admin/rewards/catalogue/{mug}/delete")] {
        assert_eq!(form_post(app, &browser, &path, &[]).await.status(), 404, "POST {path}");
    }
    let at = format!("/admin/rewards/catalogue/{mug}");
    assert_eq!(app.send("GET", &at, &browser).await.0, 404);
    assert_eq!(app.send("GET", "/admin/rewards/catalogue", &browser).await.0, 404);
    assert_eq!(form_post(app, &browser, &at, &[("name", "Sneaky"), ("cost", "1")]).await.status(), 404);
    assert_eq!(app.send("GET", &webinar.api(""), &member).await.0, 200, "the event is still there");
    assert_eq!(offered(app).await, vec!["Mug".to_string()], "and the reward unchanged");
}

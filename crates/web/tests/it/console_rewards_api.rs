//! Changing and deleting a reward through the admin API (issue 20), as the console's
//! catalogue form does: `PATCH` changes the fields sent by the same checks as adding
//! one and keeps the rest, `"active": false` retires it; `DELETE` removes a reward
//! nobody redeemed and refuses a redeemed one (409, saying to retire it). Audited; 404
//! for anyone but staff; both in the OpenAPI document.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    staff_change_a_reward_through_the_api_keeping_what_they_do_not_send,
    staff_retire_a_reward_through_the_api_and_offer_it_again,
    a_redeemed_reward_is_not_deleted_through_the_api_but_one_never_redeemed_is,
    changing_and_deleting_rewards_through_the_api_do_not_exist_for_members,
];

/// A mug in the catalogue (cost 10, 5 in stock, a picture and an end date); its id.
async fn a_mug(app: &TestApp, staff: &Member) -> String {
    let body = json!({"name": "Mug", "cost": 10, "stock": 5, "image_url": "https://example.org/mug.png",
        "active_until": "2099-01-01T00:00:00Z"});
    let (s, v) = app.call("POST", "/api/v1/admin/rewards", staff, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

/// The reward called `name` as members are offered it, if they are.
async fn offered(app: &TestApp, name: &str) -> Option<Value> {
    let list = app.get_json("/api/v1/rewards", &Visitor).await;
    list["items"].as_array().unwrap().iter().find(|r| r["name"] == name).cloned()
}

async fn staff_change_a_reward_through_the_api_keeping_what_they_do_not_send(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mug = a_mug(app, &staff).await;
    let at = format!("/api/v1/admin/rewards/{mug}");

    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"name": " ", "cost": 0, "stock": -3}))).await;
    assert_eq!(s, 422, "the catalogue form's checks: {v}");
    for field in ["name", "cost", "stock"] {
        assert!(v["error"]["fields"][field].is_string(), "{field} is named: {v}");
    }
    assert_eq!(offered(app, "Mug").await.unwrap()["cost"], 10, "nothing changed");
    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"colour": "blue"}))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("invalid_body")), "an unknown field is refused: {v}");

    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"name": "Big mug", "cost": 25}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["name"].as_str(), v["cost"].as_i64(), v["stock"].as_i64()), (Some("Big mug"), Some(25), Some(5)));
    assert_eq!(v["image_url"], "https://example.org/mug.png", "what was not sent is kept");
    assert_eq!(v["active_until"], "2099-01-01T00:00:00Z");
    assert_eq!(offered(app, "Big mug").await.unwrap()["cost"], 25, "members are offered the change");

    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"stock": null, "active_until": null}))).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["stock"].is_null() && v["active_until"].is_null(), "null clears: unlimited, no end: {v}");
    assert_eq!(v["name"], "Big mug");
    assert_eq!(app.audited("reward_updated").await, vec![(Some(staff.id), None), (Some(staff.id), None)]);
    let missing = uuid::Uuid::now_v7();
    let (s, _) = app.call("PATCH", &format!("/api/v1/admin/rewards/{missing}"), &staff, Some(json!({"cost": 5}))).await;
    assert_eq!(s, 404);
}

async fn staff_retire_a_reward_through_the_api_and_offer_it_again(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let mug = a_mug(app, &staff).await;
    let at = format!("/api/v1/admin/rewards/{mug}");
    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"active": false}))).await;
    assert_eq!((s, v["active"].as_bool()), (200, Some(false)), "{v}");
    assert!(offered(app, "Mug").await.is_none(), "members no longer see it");
    let catalogue = app.get_text("/admin/rewards/catalogue", &staff.browser(app).await).await;
    assert!(catalogue.contains("Retired"), "the console's catalogue says so");
    let (s, v) = app.call("PATCH", &at, &staff, Some(json!({"active": true}))).await;
    assert_eq!((s, v["active"].as_bool()), (200, Some(true)), "{v}");
    assert!(offered(app, "Mug").await.is_some(), "offered again");
}

async fn a_redeemed_reward_is_not_deleted_through_the_api_but_one_never_redeemed_is(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mug = a_mug(app, &staff).await;
    let member = app.member().create().await;
    app.credit_points(&staff, member.id, 100, "welcome").await;
    let (s, v) = app.call("POST", &format!("/api/v1/rewards/{mug}/redemptions"), &member, None).await;
    assert_eq!(s, 201, "redeemed: {v}");

    let (s, v) = app.call("DELETE", &format!("/api/v1/admin/rewards/{mug}"), &staff, None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("reward_redeemed")), "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("retire it instead") && message.contains("\"active\": false"), "{message}");
    assert!(offered(app, "Mug").await.is_some(), "the redeemed reward stays");

    let (s, v) = app.call("POST", "/api/v1/admin/rewards", &staff, Some(json!({"name": "Pen", "cost": 5}))).await;
    assert_eq!(s, 201, "{v}");
    let pen = format!("/api/v1/admin/rewards/{}", v["id"].as_str().unwrap());
    assert_eq!(app.send("DELETE", &pen, &staff).await.0, 204, "never redeemed, so deleted");
    assert_eq!(app.send("DELETE", &pen, &staff).await.0, 404, "once");
    assert!(offered(app, "Pen").await.is_none());
    assert_eq!(app.audited("reward_deleted").await, vec![(Some(staff.id), None)]);

    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let item = &doc["paths"]["/api/v1/admin/rewards/{id}"];
    assert!(item["patch"].is_object() && item["delete"].is_object(), "both documented: {item}");
}

async fn changing_and_deleting_rewards_through_the_api_do_not_exist_for_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mug = a_mug(app, &staff).await;
    let member = app.member().create().await;
    let at = format!("/api/v1/admin/rewards/{mug}");
    assert_eq!(app.call("PATCH", &at, &member, Some(json!({"cost": 1}))).await.0, 404);
    assert_eq!(app.send("DELETE", &at, &member).await.0, 404);
    assert_eq!(app.send("DELETE", &at, &Visitor).await.0, 401, "the API says how to authenticate");
    assert_eq!(offered(app, "Mug").await.unwrap()["cost"], 10, "unchanged");
    assert!(app.audited("reward_updated").await.is_empty() && app.audited("reward_deleted").await.is_empty());
}

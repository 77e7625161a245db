//! Points and rewards: the ledger, earning from events, redemption under concurrency,
//! refunds, expiry and the invariants `shn check` verifies.

use kernel::ids::MemberId;
use kernel::params;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    redeeming_debits_once_per_idempotency_key_and_explains_every_refusal,
    a_rejection_returns_points_and_stock_and_fulfilment_shows_the_code,
    a_hundred_concurrent_redemptions_covered_once_succeed_exactly_once,
    a_hundred_members_racing_for_ten_in_stock_get_exactly_ten,
    events_earn_points_once_within_daily_and_lifetime_caps,
    a_rule_change_applies_to_new_events_only,
    adjustments_need_a_reason_never_go_below_zero_and_are_audited,
    the_check_catches_a_balance_that_disagrees_with_its_entries,
    the_leaderboard_lists_only_members_who_opted_in,
    the_reward_pages_redeem_once_per_form_and_staff_decide_from_their_desk,
];

/// A reward in the catalogue, added by staff; its id.
async fn create_reward(app: &TestApp, staff: &str, body: Value) -> String {
    let rb = app.client().post(app.url("/api/v1/admin/rewards")).bearer_auth(staff).json(&body);
    send_expecting(rb, 201, &format!("adding the reward {body}")).await["id"].as_str().unwrap().to_string()
}

/// Staff credit a member's points.
async fn credit(app: &TestApp, staff: &str, member: MemberId, amount: i64) {
    let rb = app
        .client()
        .post(app.url("/api/v1/admin/points/adjustments"))
        .bearer_auth(staff)
        .json(&json!({"member_id": member, "amount": amount, "reason": "welcome bonus"}));
    send_expecting(rb, 201, &format!("crediting {amount} points")).await;
}

async fn points(app: &TestApp, token: &str) -> Value {
    app.client().get(app.url("/api/v1/me/points")).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

async fn redeem(app: &TestApp, token: &str, reward: &str, key: Option<&str>) -> reqwest::Response {
    let mut rb = app.client().post(app.url(&format!("/api/v1/rewards/{reward}/redemptions"))).bearer_auth(token);
    if let Some(k) = key {
        rb = rb.header("Idempotency-Key", k);
    }
    rb.send().await.unwrap()
}

async fn assert_invariants(app: &TestApp) {
    let problems = app.problems().await;
    assert!(problems.is_empty(), "{problems:?}");
}

async fn redeeming_debits_once_per_idempotency_key_and_explains_every_refusal(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    let mug = create_reward(
        app,
        &staff.token,
        json!({"name": "Mug", "description": "A fine mug", "cost": 100, "stock": 1, "per_member_limit": 1}),
    )
    .await;
    let book = create_reward(app, &staff.token, json!({"name": "Book", "cost": 500})).await;
    assert_eq!(points(app, &token).await["balance"], 0);
    let r = redeem(app, &token, &mug, None).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "insufficient_points");
    credit(app, &staff.token, member, 300).await;
    let first = redeem(app, &token, &mug, Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = redeem(app, &token, &mug, Some("key-1")).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), first, "a replay returns the first result");
    let p = points(app, &token).await;
    assert_eq!(p["balance"], 200, "debited once");
    assert_eq!(p["entries"][0]["reason"], "redemption");
    assert_eq!(p["entries"][1]["reason"], "adjustment");
    let r = redeem(app, &token, &mug, Some("key-2")).await;
    assert_eq!(r.status(), 409);
    let code = r.json::<Value>().await.unwrap()["error"]["code"].clone();
    assert!(code == "out_of_stock" || code == "limit_reached", "{code}");
    let Member { id: other, token: other_token, .. } = app.member().create().await;
    credit(app, &staff.token, other, 300).await;
    assert_eq!(
        redeem(app, &other_token, &mug, None).await.json::<Value>().await.unwrap()["error"]["code"],
        "out_of_stock"
    );
    let r = redeem(app, &token, &book, None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "insufficient_points");
    assert_eq!(redeem(app, &token, "not-an-id", None).await.status(), 404);
    assert_eq!(redeem(app, &token, &uuid::Uuid::now_v7().to_string(), None).await.status(), 404);
    let mine: Value = app
        .client()
        .get(app.url("/api/v1/me/redemptions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_invariants(app).await;
}

async fn a_rejection_returns_points_and_stock_and_fulfilment_shows_the_code(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    credit(app, &staff.token, member, 100).await;
    let voucher = create_reward(app, &staff.token, json!({"name": "Voucher", "cost": 40, "stock": 2})).await;
    let a: Value = redeem(app, &token, &voucher, None).await.json().await.unwrap();
    let b: Value = redeem(app, &token, &voucher, None).await.json().await.unwrap();
    let c = app.client();
    let r = c
        .post(app.url(&format!("/api/v1/admin/redemptions/{}/reject", a["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({"note": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "members cannot decide");
    let r = c
        .post(app.url(&format!("/api/v1/admin/redemptions/{}/reject", a["id"].as_str().unwrap())))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a rejection needs a reason");
    let r = c
        .post(app.url(&format!("/api/v1/admin/redemptions/{}/reject", a["id"].as_str().unwrap())))
        .bearer_auth(&staff.token)
        .json(&json!({"note": "Address undeliverable"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "rejected");
    let r = c
        .post(app.url(&format!("/api/v1/admin/redemptions/{}/fulfil", b["id"].as_str().unwrap())))
        .bearer_auth(&staff.token)
        .json(&json!({"note": "CODE-1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again = c
        .post(app.url(&format!("/api/v1/admin/redemptions/{}/reject", b["id"].as_str().unwrap())))
        .bearer_auth(&staff.token)
        .json(&json!({"note": "oops"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "decided once");
    assert_eq!(points(app, &token).await["balance"], 60, "100 - 40 - 40 + 40");
    let list: Value = c.get(app.url("/api/v1/rewards")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["stock"], 1, "stock returned");
    let mine: Value =
        c.get(app.url("/api/v1/me/redemptions")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(mine["items"].as_array().unwrap().iter().any(|r| r["outcome_note"] == "CODE-1234"));
    let email: String =
        app.state.db.scalar("SELECT email FROM members WHERE id = $1", params![member]).await.unwrap().unwrap();
    let subjects: Vec<String> = app.mails_to(&email).await.iter().map(|m| m.subject()).collect();
    assert!(subjects.iter().any(|s| s.contains("received")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("on its way")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("About your reward")), "{subjects:?}");
    assert_invariants(app).await;
}

async fn a_hundred_concurrent_redemptions_covered_once_succeed_exactly_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    let prize = create_reward(app, &staff.token, json!({"name": "Prize", "cost": 70})).await;
    credit(app, &staff.token, member, 100).await;
    let tasks = (0..100).map(|_| {
        let (url, token) = (app.url(&format!("/api/v1/rewards/{prize}/redemptions")), token.clone());
        tokio::spawn(async move {
            reqwest::Client::new().post(url).bearer_auth(token).send().await.unwrap().status().as_u16()
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 99);
    assert_eq!(points(app, &token).await["balance"], 30);
    assert_invariants(app).await;
}

async fn a_hundred_members_racing_for_ten_in_stock_get_exactly_ten(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let racers = app.members(100).await;
    for racer in &racers {
        credit(app, &staff.token, racer.id, 50).await;
    }
    let tee = create_reward(app, &staff.token, json!({"name": "T-shirt", "cost": 50, "stock": 10})).await;
    let tasks = racers.iter().map(|racer| {
        let (url, token) = (app.url(&format!("/api/v1/rewards/{tee}/redemptions")), racer.token.clone());
        tokio::spawn(async move {
            reqwest::Client::new().post(url).bearer_auth(token).send().await.unwrap().status().as_u16()
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 10, "{statuses:?}");
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(stock), 0) AS BIGINT) FROM rewards").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM redemptions").await, 10);
    assert_invariants(app).await;
}

async fn emit(app: &TestApp, kind: &str, member: MemberId) -> kernel::ids::ActivityId {
    let tx = app.state.db.begin().await.unwrap();
    let id = publish_kind(&tx, kind, member).await;
    tx.commit().await.unwrap();
    id
}

async fn events_earn_points_once_within_daily_and_lifetime_caps(app: &TestApp) {
    let Member { id: member, token, .. } = app.member().create().await;
    for _ in 0..15 {
        emit(app, "ReplyPosted", member).await;
    }
    emit(app, "ProfileCompleted", member).await;
    emit(app, "ProfileCompleted", member).await;
    emit(app, "MemberJoined", member).await;
    app.award_points_from_two_workers().await;
    let p = points(app, &token).await;
    // Replies: 2 points each, capped at 20 a day; profile: 50, once in a lifetime.
    assert_eq!(p["balance"], 70, "{p}");
    // The same event handed to the consumer again (its delivery record lost) still credits once.
    app.state.db.exec("DELETE FROM outbox_deliveries", vec![]).await.unwrap();
    app.state.db.exec("DELETE FROM outbox_cursors", vec![]).await.unwrap();
    app.award_points_from_two_workers().await;
    assert_eq!(points(app, &token).await["balance"], 70);
    assert_invariants(app).await;
}

async fn a_rule_change_applies_to_new_events_only(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    emit(app, "CourseCompleted", member).await;
    let r = app
        .client()
        .put(app.url("/api/v1/admin/earning-rules/course_completed"))
        .bearer_auth(&staff.token)
        .json(&json!({"points": 7, "daily_cap": null, "lifetime_cap": null, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["points"], 7);
    emit(app, "CourseCompleted", member).await;
    app.award_points_from_two_workers().await;
    assert_eq!(points(app, &token).await["balance"], 107, "the first at the old 100, the second at the new 7");
    let r = app
        .client()
        .put(app.url("/api/v1/admin/earning-rules/course_completed"))
        .bearer_auth(&token)
        .json(&json!({"points": 1000, "daily_cap": null, "lifetime_cap": null, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client()
        .put(app.url("/api/v1/admin/earning-rules/no_such_rule"))
        .bearer_auth(&staff.token)
        .json(&json!({"points": 1, "daily_cap": null, "lifetime_cap": null, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client()
        .put(app.url("/api/v1/admin/earning-rules/course_completed"))
        .bearer_auth(&staff.token)
        .json(&json!({"points": -5, "daily_cap": null, "lifetime_cap": null, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'earning_rule_changed'").await, 1);
}

async fn adjustments_need_a_reason_never_go_below_zero_and_are_audited(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    let c = app.client();
    let post =
        |body: Value| c.post(app.url("/api/v1/admin/points/adjustments")).bearer_auth(&staff.token).json(&body).send();
    assert_eq!(post(json!({"member_id": member, "amount": 10, "reason": ""})).await.unwrap().status(), 422);
    assert_eq!(post(json!({"member_id": member, "amount": 0, "reason": "nothing"})).await.unwrap().status(), 422);
    assert_eq!(
        post(json!({"member_id": MemberId::new(), "amount": 5, "reason": "ghost"})).await.unwrap().status(),
        422
    );
    assert_eq!(post(json!({"member_id": member, "amount": -1, "reason": "too much"})).await.unwrap().status(), 409);
    assert_eq!(post(json!({"member_id": member, "amount": "ten", "reason": "typo"})).await.unwrap().status(), 400);
    assert_eq!(
        post(json!({"member_id": member, "amount": 25, "reason": "Speaker thank-you"})).await.unwrap().status(),
        201
    );
    let r = c
        .post(app.url("/api/v1/admin/points/adjustments"))
        .bearer_auth(&token)
        .json(&json!({"member_id": member, "amount": 1000, "reason": "me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let p = points(app, &token).await;
    assert_eq!(p["balance"], 25);
    assert_eq!(p["entries"][0]["note"], "Speaker thank-you");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'points_adjusted'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 1, "refused adjustments stored nothing");
}

both_backends!(settings = [("SHN_POINTS_EXPIRE_MONTHS", "12")]; old_points_expire_oldest_first_and_only_once);

async fn old_points_expire_oldest_first_and_only_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let Member { id: member, token, .. } = app.member().create().await;
    credit(app, &staff.token, member, 100).await;
    // That credit was earned 13 months ago.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
    app.state.db.exec("UPDATE ledger_entries SET occurred_at = $1", params![long_ago]).await.unwrap();
    credit(app, &staff.token, member, 50).await;
    let reward = create_reward(app, &staff.token, json!({"name": "Sticker", "cost": 30})).await;
    assert_eq!(redeem(app, &token, &reward, None).await.status(), 201);
    // 100 old − 30 spent (from the oldest) = 70 expire; the recent 50 stay.
    assert_eq!(app.expire_points().await, 1);
    assert_eq!(points(app, &token).await["balance"], 50);
    assert_eq!(app.expire_points().await, 0, "nothing left to expire");
    assert_eq!(points(app, &token).await["balance"], 50);
    assert_invariants(app).await;
}

async fn the_check_catches_a_balance_that_disagrees_with_its_entries(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await.id;
    credit(app, &staff.token, member, 10).await;
    assert_invariants(app).await;
    app.state.db.exec("UPDATE points_accounts SET balance = balance + 5", vec![]).await.unwrap();
    let problems = app.problems().await;
    assert!(problems.iter().any(|p| p.contains("differ from the sum")), "{problems:?}");
}

async fn the_leaderboard_lists_only_members_who_opted_in(app: &TestApp) {
    let people = app.members(3).await;
    for member in &people {
        emit(app, "ArticlePublished", member.id).await;
    }
    app.award_points_from_two_workers().await;
    let c = app.client();
    let r = c
        .put(app.url("/api/v1/me/leaderboard"))
        .bearer_auth(&people[0].token)
        .json(&json!({"opt_in": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let board: Value =
        c.get(app.url("/api/v1/leaderboard")).bearer_auth(&people[1].token).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = board["items"].as_array().unwrap().iter().map(|p| p["member_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![people[0].id.to_string().as_str()]);
    assert_eq!(c.get(app.url("/api/v1/leaderboard")).send().await.unwrap().status(), 401);
}

async fn the_reward_pages_redeem_once_per_form_and_staff_decide_from_their_desk(app: &TestApp) {
    let rae = app.member().named("Rae").signed_up().create().await;
    let staff_id = app.staff_member().create().await.id;
    let staff = app.client();
    let t = kernel::session::start(app.state.db.writer(), staff_id, None).await.unwrap();
    let jar_cookie = format!("shn_session={t}");
    let member_id = rae.id;
    let b = rae.browser(app).await;
    let html = b.get(app.url("/rewards")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("You have <strong>0</strong> points."));
    // Staff add a reward and credit the member through the desk's forms.
    let desk = staff.get(app.url("/admin/rewards")).header("cookie", &jar_cookie).send().await.unwrap();
    assert_eq!(desk.status(), 200);
    let csrf_cookie = desk
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("shn_csrf="))
        .unwrap();
    let token = csrf_of(&desk.text().await.unwrap());
    let cookies = format!("{jar_cookie}; {csrf_cookie}");
    let r = staff
        .post(app.url("/admin/rewards/catalogue"))
        .header("cookie", &cookies)
        .form(&[("csrf", token.as_str()), ("name", "Tote bag"), ("cost", "abc")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"Tote bag\""), "input kept");
    let r = staff
        .post(app.url("/admin/rewards/catalogue"))
        .header("cookie", &cookies)
        .form(&[("csrf", token.as_str()), ("name", "Tote bag"), ("cost", "20"), ("stock", "5")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = staff
        .post(app.url("/admin/rewards/adjustments"))
        .header("cookie", &cookies)
        .form(&[
            ("csrf", token.as_str()),
            ("member_id", member_id.to_string().as_str()),
            ("amount", "45"),
            ("reason", "Panel speaker"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The member redeems; a resent form does not redeem twice.
    let html = b.get(app.url("/rewards")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Tote bag") && html.contains("<strong>45</strong>"));
    let action_at = html.find("/redeem\"").unwrap();
    let action_start = html[..action_at].rfind("action=\"").unwrap() + 8;
    let action = &html[action_start..action_at + 7];
    let key_at = html.find("name=\"idempotency_key\" value=\"").unwrap() + 30;
    let key = html[key_at..].split('"').next().unwrap().to_string();
    let form = [("csrf", csrf_of(&html)), ("idempotency_key", key)];
    assert_eq!(b.post(app.url(action)).form(&form).send().await.unwrap().status(), 303);
    assert_eq!(b.post(app.url(action)).form(&form).send().await.unwrap().status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM redemptions").await, 1);
    let history = b.get(app.url("/rewards/history")).send().await.unwrap().text().await.unwrap();
    assert!(
        history.contains("Adjusted by the team: Panel speaker")
            && history.contains("Redeemed: Tote bag")
            && history.contains("+45")
    );
    let mine = b.get(app.url("/rewards/redemptions?done=requested")).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("Your request is in.") && mine.contains("pending"));
    // Staff fulfil from the queue; the CSV export is staff-only and audited.
    let redemption: uuid::Uuid = app.state.db.scalar("SELECT id FROM redemptions", vec![]).await.unwrap().unwrap();
    let r = staff
        .post(app.url(&format!("/admin/rewards/redemptions/{redemption}/fulfil")))
        .header("cookie", &cookies)
        .form(&[("csrf", token.as_str()), ("note", "Posted today")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        b.get(app.url("/rewards/redemptions")).send().await.unwrap().text().await.unwrap().contains("Posted today")
    );
    assert_eq!(b.get(app.url("/admin/rewards/ledger.csv")).send().await.unwrap().status(), 403);
    let csv = staff
        .get(app.url("/admin/rewards/ledger.csv"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("created_at,member_id,reason,amount,note") && csv.contains("\"Panel speaker\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ledger_exported'").await, 1);
    assert_invariants(app).await;
}

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
async fn create_reward(app: &TestApp, staff: &Member, body: Value) -> String {
    let (s, v) = app.call("POST", "/api/v1/admin/rewards", staff, Some(body.clone())).await;
    assert_eq!(s, 201, "adding the reward {body}: {v}");
    v["id"].as_str().unwrap().to_string()
}

/// Staff credit a member's points.
async fn credit(app: &TestApp, staff: &Member, member: MemberId, amount: i64) {
    app.credit_points(staff, member, amount, "welcome bonus").await;
}

async fn points(app: &TestApp, who: &Member) -> Value {
    app.get_json("/api/v1/me/points", who).await
}

async fn redeem(app: &TestApp, who: &Member, reward: &str, key: Option<&str>) -> reqwest::Response {
    let mut rb = app.request("POST", &format!("/api/v1/rewards/{reward}/redemptions"), who);
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
    let member = app.member().create().await;
    let mug = json!({"name": "Mug", "description": "A fine mug", "cost": 100, "stock": 1, "per_member_limit": 1});
    let mug = create_reward(app, &staff, mug).await;
    let book = create_reward(app, &staff, json!({"name": "Book", "cost": 500})).await;
    assert_eq!(points(app, &member).await["balance"], 0);
    let r = redeem(app, &member, &mug, None).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "insufficient_points");
    credit(app, &staff, member.id, 300).await;
    let first = redeem(app, &member, &mug, Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = redeem(app, &member, &mug, Some("key-1")).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), first, "a replay returns the first result");
    let p = points(app, &member).await;
    assert_eq!(p["balance"], 200, "debited once");
    assert_eq!(p["entries"][0]["reason"], "redemption");
    assert_eq!(p["entries"][1]["reason"], "adjustment");
    let r = redeem(app, &member, &mug, Some("key-2")).await;
    assert_eq!(r.status(), 409);
    let code = r.json::<Value>().await.unwrap()["error"]["code"].clone();
    assert!(code == "out_of_stock" || code == "limit_reached", "{code}");
    let other = app.member().create().await;
    credit(app, &staff, other.id, 300).await;
    let r = redeem(app, &other, &mug, None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "out_of_stock");
    let r = redeem(app, &member, &book, None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "insufficient_points");
    assert_eq!(redeem(app, &member, "not-an-id", None).await.status(), 404);
    assert_eq!(redeem(app, &member, &uuid::Uuid::now_v7().to_string(), None).await.status(), 404);
    let mine = app.get_json("/api/v1/me/redemptions", &member).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_invariants(app).await;
}

async fn a_rejection_returns_points_and_stock_and_fulfilment_shows_the_code(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    credit(app, &staff, member.id, 100).await;
    let voucher = create_reward(app, &staff, json!({"name": "Voucher", "cost": 40, "stock": 2})).await;
    let a: Value = redeem(app, &member, &voucher, None).await.json().await.unwrap();
    let b: Value = redeem(app, &member, &voucher, None).await.json().await.unwrap();
    let decide = async |who: &Member, redemption: &Value, decision: &str, note: Option<&str>| {
        let path = format!("/api/v1/admin/redemptions/{}/{decision}", redemption["id"].as_str().unwrap());
        app.call("POST", &path, who, note.map(|n| json!({ "note": n }))).await
    };
    assert_eq!(decide(&member, &a, "reject", Some("x")).await.0, 404, "members cannot decide");
    assert_eq!(decide(&staff, &a, "reject", None).await.0, 422, "a rejection needs a reason");
    let (s, v) = decide(&staff, &a, "reject", Some("Address undeliverable")).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "rejected");
    assert_eq!(decide(&staff, &b, "fulfil", Some("CODE-1234")).await.0, 200);
    assert_eq!(decide(&staff, &b, "reject", Some("oops")).await.0, 409, "decided once");
    assert_eq!(points(app, &member).await["balance"], 60, "100 - 40 - 40 + 40");
    let list = app.get_json("/api/v1/rewards", &Visitor).await;
    assert_eq!(list["items"][0]["stock"], 1, "stock returned");
    let mine = app.get_json("/api/v1/me/redemptions", &member).await;
    assert!(mine["items"].as_array().unwrap().iter().any(|r| r["outcome_note"] == "CODE-1234"));
    let subjects: Vec<String> = app.mails_to(&member.email).await.iter().map(|m| m.subject()).collect();
    assert!(subjects.iter().any(|s| s.contains("received")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("on its way")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("About your reward")), "{subjects:?}");
    assert_invariants(app).await;
}

async fn a_hundred_concurrent_redemptions_covered_once_succeed_exactly_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let prize = create_reward(app, &staff, json!({"name": "Prize", "cost": 70})).await;
    credit(app, &staff, member.id, 100).await;
    let redemptions = format!("/api/v1/rewards/{prize}/redemptions");
    let statuses = app.all_at_once("POST", &redemptions, std::iter::repeat_n(&member, 100), None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 99);
    assert_eq!(points(app, &member).await["balance"], 30);
    assert_invariants(app).await;
}

async fn a_hundred_members_racing_for_ten_in_stock_get_exactly_ten(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let racers = app.members(100).await;
    for racer in &racers {
        credit(app, &staff, racer.id, 50).await;
    }
    let tee = create_reward(app, &staff, json!({"name": "T-shirt", "cost": 50, "stock": 10})).await;
    let statuses = app.all_at_once("POST", &format!("/api/v1/rewards/{tee}/redemptions"), &racers, None).await;
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
    let member = app.member().create().await;
    for _ in 0..15 {
        emit(app, "ReplyPosted", member.id).await;
    }
    emit(app, "ProfileCompleted", member.id).await;
    emit(app, "ProfileCompleted", member.id).await;
    emit(app, "MemberJoined", member.id).await;
    app.award_points_from_two_workers().await;
    let p = points(app, &member).await;
    // Replies: 2 points each, capped at 20 a day; profile: 50, once in a lifetime.
    assert_eq!(p["balance"], 70, "{p}");
    // The same event handed to the consumer again (its delivery record lost) still credits once.
    app.exec("DELETE FROM outbox_deliveries", vec![]).await;
    app.exec("DELETE FROM outbox_cursors", vec![]).await;
    app.award_points_from_two_workers().await;
    assert_eq!(points(app, &member).await["balance"], 70);
    assert_invariants(app).await;
}

async fn a_rule_change_applies_to_new_events_only(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    emit(app, "CourseCompleted", member.id).await;
    let set_rule = async |who: &Member, rule: &str, points: i64| {
        let body = json!({"points": points, "daily_cap": null, "lifetime_cap": null, "enabled": true});
        app.call("PUT", &format!("/api/v1/admin/earning-rules/{rule}"), who, Some(body)).await
    };
    let (s, v) = set_rule(&staff, "course_completed", 7).await;
    assert_eq!(s, 200);
    assert_eq!(v["points"], 7);
    emit(app, "CourseCompleted", member.id).await;
    app.award_points_from_two_workers().await;
    assert_eq!(points(app, &member).await["balance"], 107, "the first at the old 100, the second at the new 7");
    assert_eq!(set_rule(&member, "course_completed", 1000).await.0, 404);
    assert_eq!(set_rule(&staff, "no_such_rule", 1).await.0, 404);
    assert_eq!(set_rule(&staff, "course_completed", -5).await.0, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'earning_rule_changed'").await, 1);
}

async fn adjustments_need_a_reason_never_go_below_zero_and_are_audited(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let adjust =
        async |who: &Member, body: Value| app.call("POST", "/api/v1/admin/points/adjustments", who, Some(body)).await;
    let id = member.id;
    for (body, status) in [
        (json!({"member_id": id, "amount": 10, "reason": ""}), 422),
        (json!({"member_id": id, "amount": 0, "reason": "nothing"}), 422),
        (json!({"member_id": MemberId::new(), "amount": 5, "reason": "ghost"}), 422),
        (json!({"member_id": id, "amount": -1, "reason": "too much"}), 409),
        (json!({"member_id": id, "amount": "ten", "reason": "typo"}), 400),
        (json!({"member_id": id, "amount": 25, "reason": "Speaker thank-you"}), 201),
    ] {
        assert_eq!(adjust(&staff, body.clone()).await.0, status, "{body}");
    }
    assert_eq!(adjust(&member, json!({"member_id": id, "amount": 1000, "reason": "me"})).await.0, 404);
    let p = points(app, &member).await;
    assert_eq!(p["balance"], 25);
    assert_eq!(p["entries"][0]["note"], "Speaker thank-you");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'points_adjusted'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 1, "refused adjustments stored nothing");
}

both_backends!(settings = [("SHN_POINTS_EXPIRE_MONTHS", "12")]; old_points_expire_oldest_first_and_only_once);

async fn old_points_expire_oldest_first_and_only_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    credit(app, &staff, member.id, 100).await;
    // That credit was earned 13 months ago.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
    app.exec("UPDATE ledger_entries SET occurred_at = $1", params![long_ago]).await;
    credit(app, &staff, member.id, 50).await;
    let reward = create_reward(app, &staff, json!({"name": "Sticker", "cost": 30})).await;
    assert_eq!(redeem(app, &member, &reward, None).await.status(), 201);
    // 100 old − 30 spent (from the oldest) = 70 expire; the recent 50 stay.
    assert_eq!(app.expire_points().await, 1);
    assert_eq!(points(app, &member).await["balance"], 50);
    assert_eq!(app.expire_points().await, 0, "nothing left to expire");
    assert_eq!(points(app, &member).await["balance"], 50);
    assert_invariants(app).await;
}

async fn the_check_catches_a_balance_that_disagrees_with_its_entries(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await.id;
    credit(app, &staff, member, 10).await;
    assert_invariants(app).await;
    app.exec("UPDATE points_accounts SET balance = balance + 5", vec![]).await;
    let problems = app.problems().await;
    assert!(problems.iter().any(|p| p.contains("differ from the sum")), "{problems:?}");
}

async fn the_leaderboard_lists_only_members_who_opted_in(app: &TestApp) {
    let people = app.members(3).await;
    for member in &people {
        emit(app, "ArticlePublished", member.id).await;
    }
    app.award_points_from_two_workers().await;
    assert_eq!(app.call("PUT", "/api/v1/me/leaderboard", &people[0], Some(json!({"opt_in": true}))).await.0, 204);
    let board = app.get_json("/api/v1/leaderboard", &people[1]).await;
    let ids: Vec<&str> = board["items"].as_array().unwrap().iter().map(|p| p["member_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![people[0].id.to_string().as_str()]);
    assert_eq!(app.call("GET", "/api/v1/leaderboard", &Visitor, None).await.0, 401);
}

async fn the_reward_pages_redeem_once_per_form_and_staff_decide_from_their_desk(app: &TestApp) {
    let rae = app.member().named("Rae").signed_up().create().await;
    let staff = app.staff_member().with_password().create().await.browser(app).await;
    let b = rae.browser(app).await;
    let html = app.get_text("/rewards", &b).await;
    assert!(html.contains("You have <strong>0</strong> points."));
    // Staff add a reward and credit the member through the desk's forms.
    assert_eq!(app.send("GET", "/admin/rewards", &staff).await.0, 200);
    let r = form_post(app, &staff, "/admin/rewards/catalogue", &[("name", "Tote bag"), ("cost", "abc")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"Tote bag\""), "input kept");
    let tote = [("name", "Tote bag"), ("cost", "20"), ("stock", "5")];
    assert_eq!(form_post(app, &staff, "/admin/rewards/catalogue", &tote).await.status(), 303);
    let member_id = rae.id.to_string();
    let credit = [("member_id", member_id.as_str()), ("amount", "45"), ("reason", "Panel speaker")];
    assert_eq!(form_post(app, &staff, "/admin/rewards/adjustments", &credit).await.status(), 303);
    // The member redeems; a resent form does not redeem twice.
    let html = app.get_text("/rewards", &b).await;
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
    let history = app.get_text("/rewards/history", &b).await;
    assert!(
        history.contains("Adjusted by the team: Panel speaker")
            && history.contains("Redeemed: Tote bag")
            && history.contains("+45")
    );
    let mine = app.get_text("/rewards/redemptions?done=requested", &b).await;
    assert!(mine.contains("Your request is in.") && mine.contains("pending"));
    // Staff fulfil from the queue; the CSV export is staff-only and audited.
    let redemption: uuid::Uuid = app.state.db.scalar("SELECT id FROM redemptions", vec![]).await.unwrap().unwrap();
    let fulfil = format!("/admin/rewards/redemptions/{redemption}/fulfil");
    assert_eq!(form_post(app, &staff, &fulfil, &[("note", "Posted today")]).await.status(), 303);
    assert!(app.get_text("/rewards/redemptions", &b).await.contains("Posted today"));
    assert_eq!(app.send("GET", "/admin/rewards/ledger.csv", &b).await.0, 404);
    let csv = app.get_text("/admin/rewards/ledger.csv", &staff).await;
    assert!(csv.starts_with("created_at,member_id,reason,amount,note") && csv.contains("\"Panel speaker\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ledger_exported'").await, 1);
    assert_invariants(app).await;
}

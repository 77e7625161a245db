//! Property test: random sequences of earning, redeeming, rejecting, fulfilling,
//! expiring and adjusting keep every ledger invariant, on both backends.

use kernel::params;
use proptest::prelude::*;
use serde_json::json;

use crate::support::*;

#[derive(Debug, Clone)]
enum Op {
    Earn { member: usize, kind: usize },
    Adjust { member: usize, amount: i64 },
    Redeem { member: usize, reward: usize, key: Option<u8> },
    Reject { nth: usize },
    Fulfil { nth: usize },
    AgeEverything,
    Expire,
}

const KINDS: &[&str] = &["ReplyPosted", "ThreadStarted", "EventAttended", "CourseCompleted", "ProfileCompleted"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 0..KINDS.len()).prop_map(|(member, kind)| Op::Earn { member, kind }),
        2 => (0..3usize, -80i64..120).prop_map(|(member, amount)| Op::Adjust { member, amount }),
        4 => (0..3usize, 0..3usize, proptest::option::of(0u8..3)).prop_map(|(member, reward, key)| Op::Redeem { member, reward, key }),
        2 => (0..4usize).prop_map(|nth| Op::Reject { nth }),
        1 => (0..4usize).prop_map(|nth| Op::Fulfil { nth }),
        1 => Just(Op::AgeEverything),
        1 => Just(Op::Expire),
    ]
}

/// The people of a case: a staff member and three members.
struct People {
    staff: Member,
    members: Vec<Member>,
}

async fn apply(app: &TestApp, people: &People, rewards_: &[String], op: &Op) {
    let state = &app.state;
    let c = app.client();
    let staff = &people.staff.token;
    match op {
        Op::Earn { member, kind } => {
            let tx = state.db.begin().await.unwrap();
            publish_kind(&tx, KINDS[*kind], people.members[*member].id).await;
            tx.commit().await.unwrap();
            app.award_points().await;
        }
        Op::Adjust { member, amount } => {
            // Refusals (a debit below zero) are part of the sequence.
            let body = json!({"member_id": people.members[*member].id, "amount": amount, "reason": "property test"});
            let r = c
                .post(app.url("/api/v1/admin/points/adjustments"))
                .bearer_auth(staff)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!([201, 409, 422].contains(&r.status().as_u16()), "adjusting: {}", r.text().await.unwrap());
        }
        Op::Redeem { member, reward, key } => {
            let mut rb = c.post(app.url(&format!("/api/v1/rewards/{}/redemptions", rewards_[*reward])));
            if let Some(k) = key {
                rb = rb.header("Idempotency-Key", format!("k{k}"));
            }
            let r = rb.bearer_auth(&people.members[*member].token).send().await.unwrap();
            assert!(
                [201, 409].contains(&r.status().as_u16()),
                "redeem failed unexpectedly: {}",
                r.text().await.unwrap()
            );
        }
        Op::Reject { nth } | Op::Fulfil { nth } => {
            let rb = c.get(app.url("/api/v1/admin/redemptions?status=pending")).bearer_auth(staff);
            let pending = send_expecting(rb, 200, "staff read the redemption queue").await;
            if let Some(r) = pending["items"].as_array().unwrap().get(*nth) {
                let (step, note) =
                    if matches!(op, Op::Reject { .. }) { ("reject", "out of stock") } else { ("fulfil", "done") };
                let url = app.url(&format!("/api/v1/admin/redemptions/{}/{step}", r["id"].as_str().unwrap()));
                send_expecting(c.post(url).bearer_auth(staff).json(&json!({ "note": note })), 200, step).await;
            }
        }
        Op::AgeEverything => {
            let month = chrono::Duration::days(31);
            let entries: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = {
                #[derive(sea_orm::FromQueryResult)]
                struct Row {
                    id: uuid::Uuid,
                    occurred_at: chrono::DateTime<chrono::Utc>,
                }
                let rows: Vec<Row> = state.db.all("SELECT id, occurred_at FROM ledger_entries", vec![]).await.unwrap();
                rows.into_iter().map(|r| (r.id, r.occurred_at)).collect()
            };
            for (id, at) in entries {
                state
                    .db
                    .exec("UPDATE ledger_entries SET occurred_at = $1 WHERE id = $2", params![at - month, id])
                    .await
                    .unwrap();
            }
        }
        Op::Expire => {
            app.expire_points().await;
        }
    }
}

async fn run_case(backend: Backend, ops: Vec<Op>) {
    // Points expire a month after they are earned in this application.
    let settings = [("SHN_POINTS_EXPIRE_MONTHS", "1")];
    let app = TestApp::start_with(backend, web::StartOptions::migrating(), &settings).await;
    let staff = app.staff_member().create().await;
    let mut members = Vec::new();
    for _ in 0..3 {
        members.push(app.member().create().await);
    }
    let mut rewards_ = Vec::new();
    for (cost, stock, limit) in [(30, Some(3), None), (55, None, Some(2)), (10, Some(1), Some(1))] {
        let body = json!({"name": format!("R{cost}"), "cost": cost, "stock": stock, "per_member_limit": limit});
        let rb = app.client().post(app.url("/api/v1/admin/rewards")).bearer_auth(&staff.token).json(&body);
        let reward = send_expecting(rb, 201, "staff add a reward").await;
        rewards_.push(reward["id"].as_str().unwrap().to_string());
    }
    let people = People { staff, members };
    for op in &ops {
        apply(&app, &people, &rewards_, op).await;
        let problems = app.problems().await;
        assert!(problems.is_empty(), "after {op:?}: {problems:?}\nops: {ops:?}");
    }
    app.finish().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 64, ..ProptestConfig::default() })]
    #[test]
    fn random_ledger_operations_keep_every_invariant_on_sqlite(ops in proptest::collection::vec(op(), 1..30)) {
        tokio::runtime::Runtime::new().unwrap().block_on(run_case(Backend::Sqlite, ops));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 16, ..ProptestConfig::default() })]
    #[test]
    fn random_ledger_operations_keep_every_invariant_on_postgres(ops in proptest::collection::vec(op(), 1..30)) {
        tokio::runtime::Runtime::new().unwrap().block_on(run_case(Backend::Postgres, ops));
    }
}

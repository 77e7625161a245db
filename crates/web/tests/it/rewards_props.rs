//! Property test: random sequences of earning, redeeming, rejecting, fulfilling,
//! expiring and adjusting keep every ledger invariant, on both backends.

use kernel::ids::MemberId;
use kernel::params;
use proptest::prelude::*;
use serde_json::{Value, json};

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

/// The people of a case: a staff member and three members, each with an API token.
struct People {
    staff: String,
    members: Vec<(MemberId, String)>,
}

async fn apply(app: &TestApp, people: &People, rewards_: &[String], op: &Op) {
    let state = &app.state;
    let c = app.client();
    let staff = &people.staff;
    match op {
        Op::Earn { member, kind } => {
            let tx = state.db.begin().await.unwrap();
            let member_id = people.members[*member].0;
            publish_kind(&tx, KINDS[*kind], member_id).await;
            tx.commit().await.unwrap();
            app.consume("rewards").await;
        }
        Op::Adjust { member, amount } => {
            let body = json!({"member_id": people.members[*member].0, "amount": amount, "reason": "property test"});
            let r = c
                .post(app.url("/api/v1/admin/points/adjustments"))
                .bearer_auth(staff)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!([201, 409, 422].contains(&r.status().as_u16()), "adjusting: {}", r.status());
        }
        Op::Redeem { member, reward, key } => {
            let mut req = c.post(app.url(&format!("/api/v1/rewards/{}/redemptions", rewards_[*reward])));
            if let Some(k) = key {
                req = req.header("Idempotency-Key", format!("k{k}"));
            }
            let r = req.bearer_auth(&people.members[*member].1).send().await.unwrap();
            assert!(
                [201, 409].contains(&r.status().as_u16()),
                "redeem failed unexpectedly: {}",
                r.text().await.unwrap()
            );
        }
        Op::Reject { nth } | Op::Fulfil { nth } => {
            let queue: Value = c
                .get(app.url("/api/v1/admin/redemptions?status=pending"))
                .bearer_auth(staff)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(r) = queue["items"].as_array().unwrap().get(*nth) {
                let step = if matches!(op, Op::Reject { .. }) { "reject" } else { "fulfil" };
                let url = app.url(&format!("/api/v1/admin/redemptions/{}/{step}", r["id"].as_str().unwrap()));
                let r = c.post(url).bearer_auth(staff).json(&json!({"note": "out of stock"})).send().await.unwrap();
                assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
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
            app.run_job("rewards.expire").await.unwrap();
        }
    }
}

async fn run_case(backend: Backend, ops: Vec<Op>) {
    let opts = web::StartOptions::migrating();
    let app = TestApp::start_with(backend, opts, &[("SHN_POINTS_EXPIRE_MONTHS", "1")]).await;
    let mut members = quick_members(&app, 4).await;
    let (staff_id, staff) = members.remove(0);
    app.set_role(&staff_id.to_string(), "staff").await;
    let people = People { staff, members };
    let mut rewards_ = Vec::new();
    for (cost, stock, limit) in [(30, Some(3), None), (55, None, Some(2)), (10, Some(1), Some(1))] {
        let body = json!({"name": format!("R{cost}"), "cost": cost, "stock": stock, "per_member_limit": limit});
        let r = app
            .client()
            .post(app.url("/api/v1/admin/rewards"))
            .bearer_auth(&people.staff)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "creating a reward");
        rewards_.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    for op in &ops {
        apply(&app, &people, &rewards_, op).await;
        let problems = app.breaches().await;
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

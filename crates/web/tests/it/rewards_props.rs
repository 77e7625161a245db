//! Property test: random sequences of earning, redeeming, rejecting, fulfilling,
//! expiring and adjusting keep every ledger invariant, on both backends.

use kernel::ids::MemberId;
use kernel::{outbox, params};
use proptest::prelude::*;

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

async fn apply(app: &TestApp, staff: MemberId, members: &[MemberId], rewards_: &[uuid::Uuid], op: &Op) {
    let state = &app.state;
    match op {
        Op::Earn { member, kind } => {
            let tx = state.db.begin().await.unwrap();
            outbox::emit(&tx, KINDS[*kind], None, &serde_json::json!({ "member_id": members[*member] })).await.unwrap();
            tx.commit().await.unwrap();
            app.award_points().await;
        }
        Op::Adjust { member, amount } => {
            // Refusals (a debit below zero) are part of the sequence.
            let _ = app.adjust_points_directly(staff, members[*member], *amount, "property test").await;
        }
        Op::Redeem { member, reward, key } => {
            let key = key.map(|k| format!("k{k}"));
            match app.redeem_directly(members[*member], rewards_[*reward], key.as_deref()).await {
                Ok(()) | Err(kernel::AppError::Conflict { .. }) => {}
                Err(e) => panic!("redeem failed unexpectedly: {e:?}"),
            }
        }
        Op::Reject { nth } | Op::Fulfil { nth } => {
            let pending = app.pending_redemptions().await;
            if let Some(id) = pending.get(*nth) {
                match op {
                    Op::Reject { .. } => app.reject_redemption_directly(staff, *id, "out of stock").await,
                    _ => app.fulfil_redemption_directly(staff, *id, "done").await,
                }
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
            app.expire_points(1).await;
        }
    }
}

async fn run_case(backend: Backend, ops: Vec<Op>) {
    let app = TestApp::start(backend).await;
    let mut members = Vec::new();
    let mut staff = None;
    let t = chrono::Utc::now();
    for i in 0..4 {
        let id = MemberId::new();
        app.state
            .db
            .exec(
                "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, created_at, updated_at) VALUES ($1, $2, $3, 'P', 'p', 'patient', $3, $3)",
                params![id, format!("p{i}-{id}@example.org"), t],
            )
            .await
            .unwrap();
        if i == 0 {
            app.set_role(id, "staff").await;
            staff = Some(id);
        } else {
            members.push(id);
        }
    }
    let staff = staff.unwrap();
    let mut rewards_ = Vec::new();
    for (cost, stock, limit) in [(30, Some(3), None), (55, None, Some(2)), (10, Some(1), Some(1))] {
        rewards_.push(app.add_reward_directly(staff, &format!("R{cost}"), cost, stock, limit).await);
    }
    for op in &ops {
        apply(&app, staff, &members, &rewards_, op).await;
        let problems = app.ledger_problems().await;
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

//! Who may be invited to research is written twice (`surveys::policy`): in Rust for one
//! member and in SQL for lists. This property test stores random consents (and members
//! who never answered) in a real database, on SQLite and on PostgreSQL, and requires
//! the SQL to keep exactly the members the Rust rule invites.

use chrono::Utc;
use kernel::params;
use migration::testing::{BOTH, Backend, Fresh};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use surveys::policy::{invitable, invitable_sql};
use uuid::Uuid;

/// None: never answered; else yes, ask or no.
fn consents() -> impl Strategy<Value = Vec<Option<&'static str>>> {
    proptest::collection::vec(proptest::option::of(prop_oneof![Just("yes"), Just("ask"), Just("no")]), 1..8)
}

fn parse(c: Option<&str>) -> Option<surveys::policy::ConsentValue> {
    c.and_then(surveys::policy::ConsentValue::parse)
}

fn agree_on(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fresh = rt.block_on(Fresh::start(backend));
    let mut runner = TestRunner::new(Config { cases: 60, ..Config::default() });
    let result = runner.run(&consents(), |all| {
        let (mut expected, got) = rt.block_on(async {
            let mut ids = Vec::new();
            let mut expected = Vec::new();
            for c in &all {
                let id = Uuid::now_v7();
                ids.push(id);
                // Every member is listed by a history row; a consent row only when they answered.
                fresh
                    .db
                    .exec(
                        "INSERT INTO research_consent_history (id, member_id, consent, changed_at) VALUES ($1, $2, 'ask', $3)",
                        params![Uuid::now_v7(), id, Utc::now()],
                    )
                    .await
                    .unwrap();
                if let Some(c) = c {
                    fresh
                        .db
                        .exec(
                            "INSERT INTO research_consents (member_id, consent, updated_at) VALUES ($1, $2, $3)",
                            params![id, c.to_string(), Utc::now()],
                        )
                        .await
                        .unwrap();
                }
                if invitable(parse(*c)) {
                    expected.push(id);
                }
            }
            let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT DISTINCT h.member_id FROM research_consent_history h WHERE h.member_id IN ({list}) AND {} ORDER BY h.member_id",
                invitable_sql("h.member_id")
            );
            let got: Vec<Uuid> =
                fresh.db.column(&sql, ids.iter().map(|i| sea_orm::Value::from(*i)).collect()).await.unwrap();
            (expected, got)
        });
        expected.sort();
        prop_assert_eq!(got, expected, "{:?}", all);
        Ok(())
    });
    rt.block_on(fresh.finish());
    result.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
}

#[test]
fn the_sql_invites_exactly_the_members_the_rust_rule_invites_on_both_backends() {
    for backend in BOTH {
        agree_on(backend);
    }
}

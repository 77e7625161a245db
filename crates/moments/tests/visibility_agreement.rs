//! Who may see a member's moments is written twice (`moments::policy`): in Rust for one
//! mark and in SQL for lists. This property test stores random settings (and members who
//! never chose) with marks of both stages in a real database, on SQLite and PostgreSQL,
//! and requires the SQL to keep exactly the marks the Rust rule shows, for an anonymous
//! visitor, the owner and another member, and to list exactly the members the Rust rule
//! lists in the been-there directory.

use chrono::Utc;
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::{Member, Role, Viewer, Visibility};
use migration::testing::{BOTH, Backend, Fresh};
use moments::policy::{Stage, Visibilities, listed, listed_sql, may_see, visible_sql};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn visibility() -> impl Strategy<Value = Visibility> {
    prop_oneof![Just(Visibility::Public), Just(Visibility::Members), Just(Visibility::Private)]
}

/// An owner's settings (now, been through, offers support), if they ever chose.
type Settings = Option<(Visibility, Visibility, bool)>;

/// Per owner: their settings and which stages they marked (now, been through).
fn owners() -> impl Strategy<Value = Vec<(Settings, bool, bool)>> {
    proptest::collection::vec(
        (proptest::option::of((visibility(), visibility(), any::<bool>())), any::<bool>(), any::<bool>()),
        1..6,
    )
}

fn member(id: MemberId) -> Viewer {
    Viewer::Member(Member { id, display_name: "V".into(), role: Role::Member, health_leader: false })
}

async fn store(fresh: &Fresh, id: MemberId, settings: Settings, stages: &[Stage]) {
    if let Some((now, been, available)) = settings {
        fresh
            .db
            .exec(
                "INSERT INTO moment_settings (member_id, now_visibility, been_through_visibility, available_to_support, updated_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                params![id, now.as_str(), been.as_str(), available, Utc::now()],
            )
            .await
            .unwrap();
    }
    for stage in stages {
        fresh
            .db
            .exec(
                "INSERT INTO moment_marks (member_id, stage, moment, marked_at) VALUES ($1, $2, 'new_diagnosis', $3)",
                params![id, stage.as_str(), Utc::now()],
            )
            .await
            .unwrap();
    }
}

async fn select(fresh: &Fresh, ids: &[MemberId], cond: (String, Vec<sea_orm::Value>)) -> Vec<(MemberId, String)> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        stage: String,
    }
    let list = kernel::db::placeholders(cond.1.len() + 1, ids.len());
    let sql = format!(
        "SELECT m.member_id, m.stage FROM moment_marks m LEFT JOIN moment_settings s ON s.member_id = m.member_id \
         WHERE {} AND m.member_id IN ({list}) ORDER BY m.member_id, m.stage",
        cond.0
    );
    let mut values = cond.1;
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let rows: Vec<Row> = fresh.db.all(&sql, values).await.unwrap();
    rows.into_iter().map(|r| (r.member_id, r.stage)).collect()
}

fn agree_on(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fresh = rt.block_on(Fresh::start(backend));
    let mut runner = TestRunner::new(Config { cases: 40, ..Config::default() });
    let result = runner.run(&owners(), |all| {
        let failures = rt.block_on(async {
            let mut ids = Vec::new();
            let mut expected_marks: Vec<(usize, MemberId, String)> = Vec::new();
            let mut expected_listed: Vec<(usize, MemberId)> = Vec::new();
            for (settings, now, been) in &all {
                let id = MemberId::new();
                ids.push(id);
                let stages: Vec<Stage> = [(*now, Stage::Now), (*been, Stage::BeenThrough)]
                    .into_iter()
                    .filter(|x| x.0)
                    .map(|x| x.1)
                    .collect();
                store(&fresh, id, *settings, &stages).await;
            }
            let viewers = [Viewer::Anonymous, member(ids[0]), member(MemberId::new())];
            for (v, viewer) in viewers.iter().enumerate() {
                for ((settings, now, been), id) in all.iter().zip(&ids) {
                    let vis = settings.map(|(n, b, _)| Visibilities { now: n, been_through: b }).unwrap_or_default();
                    let available = settings.is_some_and(|s| s.2);
                    for (marked, stage) in [(*now, Stage::Now), (*been, Stage::BeenThrough)] {
                        if marked && may_see(viewer, *id, stage, vis) {
                            expected_marks.push((v, *id, stage.as_str().to_string()));
                        }
                    }
                    if *been && listed(viewer, *id, vis, available) {
                        expected_listed.push((v, *id));
                    }
                }
            }
            let mut failures = Vec::new();
            for (v, viewer) in viewers.iter().enumerate() {
                let mut want: Vec<(MemberId, String)> =
                    expected_marks.iter().filter(|e| e.0 == v).map(|e| (e.1, e.2.clone())).collect();
                want.sort();
                let got = select(&fresh, &ids, visible_sql(viewer, "m", "s", 1)).await;
                if got != want {
                    failures.push(format!("viewer {v}: visible {got:?} != {want:?}"));
                }
                let mut want: Vec<MemberId> = expected_listed.iter().filter(|e| e.0 == v).map(|e| e.1).collect();
                want.sort();
                let got: Vec<MemberId> =
                    select(&fresh, &ids, listed_sql(viewer, "m", "s", 1)).await.into_iter().map(|r| r.0).collect();
                if got != want {
                    failures.push(format!("viewer {v}: listed {got:?} != {want:?}"));
                }
            }
            failures
        });
        prop_assert!(failures.is_empty(), "{:?}: {:?}", all, failures);
        Ok(())
    });
    rt.block_on(fresh.finish());
    result.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
}

#[test]
fn the_sql_shows_and_lists_exactly_what_the_rust_rule_does_on_both_backends() {
    for backend in BOTH {
        agree_on(backend);
    }
}

//! The eligibility rule is written twice, in Rust and in SQL (`opportunities::policy`).
//! This property test stores random rules in a real database, on SQLite and on
//! PostgreSQL, asks which of them the database offers a random member, and requires
//! exactly those the Rust rule finds the member eligible for (profile and credentials
//! held): offered if and only if eligible.

use chrono::{Duration, Utc};
use kernel::db::Db;
use kernel::params;
use migration::testing::{BOTH, Backend, Fresh};
use opportunities::policy::{self, Candidate, MatchProfile, MemberType, Miss, Rules, eligible, misses};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use uuid::Uuid;

const PLATFORMS: [&str; 3] = ["instagram", "tiktok", "youtube"];
const COUNTRIES: [&str; 3] = ["GB", "US", "KE"];
const LANGUAGES: [&str; 3] = ["en", "es", "sw"];
const CREDENTIALS: [&str; 3] = ["storytelling-101", "advocacy-201", "media-301"];

fn conditions() -> Vec<Uuid> {
    (1..=4u128).map(Uuid::from_u128).collect()
}

fn pick<T: Clone>(all: &[T], mask: u8) -> Vec<T> {
    all.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, v)| v.clone()).collect()
}

/// A list restriction's values as a bit mask: none (no restriction) half of the time, so
/// that members meet every restriction of an opportunity often enough.
fn mask(below: u8) -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), 1..below]
}

fn rules() -> impl Strategy<Value = Rules> {
    let followers = prop_oneof![2 => Just(None), 1 => (0usize..3, 1i64..5000).prop_map(Some)];
    let credential = prop_oneof![2 => Just(None), 1 => (0usize..3).prop_map(Some)];
    (mask(16), mask(16), mask(8), mask(8), followers, proptest::bool::weighted(0.25), credential).prop_map(
        |(types, conds, countries, langs, followers, leader, credential)| Rules {
            member_types: pick(&MemberType::ALL, types),
            conditions: pick(&conditions(), conds),
            countries: pick(&COUNTRIES.map(String::from), countries),
            languages: pick(&LANGUAGES.map(String::from), langs),
            min_followers: followers.map(|(p, n)| (PLATFORMS[p].to_string(), n)),
            health_leader: leader,
            credential: credential.map(|i| CREDENTIALS[i].to_string()),
        },
    )
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (profile(), 0u8..8)
        .prop_map(|(profile, held)| Candidate { profile, credentials: pick(&CREDENTIALS.map(String::from), held) })
}

fn profile() -> impl Strategy<Value = MatchProfile> {
    (
        proptest::option::of(0usize..4),
        0u8..16,
        proptest::option::of(0usize..3),
        0u8..8,
        proptest::collection::vec((0usize..3, 0i64..6000), 0..3),
        any::<bool>(),
    )
        .prop_map(|(t, conds, country, langs, channels, leader)| MatchProfile {
            member_type: t.map(|i| MemberType::ALL[i]),
            conditions: pick(&conditions(), conds),
            country: country.map(|i| COUNTRIES[i].to_string()),
            languages: pick(&LANGUAGES.map(String::from), langs),
            channels: channels.into_iter().map(|(p, n)| (PLATFORMS[p].to_string(), n)).collect(),
            health_leader: leader,
            withheld: vec![],
        })
}

/// Stores an opportunity with `rules` (open, a month to apply) under `partner`.
async fn store(db: &Db, partner: Uuid, rules: &Rules) -> Uuid {
    let id = Uuid::now_v7();
    let t = Utc::now();
    let (channel, min) = rules.min_followers.clone().unzip();
    db.exec(
        "INSERT INTO opportunities (id, partner_id, kind, title, compensation, seats, apply_by, needs_health_leader, \
         followers_channel, followers_min, needs_credential, created_at, updated_at) \
         VALUES ($1, $2, 'other', 'T', 'unpaid', 1, $3, $4, $5, $6, $7, $8, $8)",
        params![id, partner, t + Duration::days(30), rules.health_leader, channel, min, rules.credential.clone(), t],
    )
    .await
    .unwrap();
    policy::write_list_rules(db.writer(), id, rules).await.unwrap();
    id
}

/// The ids among `ids` the database offers the member `p`.
async fn offered(db: &Db, p: &Candidate, ids: &[Uuid]) -> Vec<Uuid> {
    let mut values: Vec<sea_orm::Value> = ids.iter().map(|i| (*i).into()).collect();
    let list = kernel::db::placeholders(1, ids.len());
    let cond = policy::eligible_sql(p, "o", &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let sql = format!("SELECT o.id FROM opportunities o WHERE o.id IN ({list}) AND {cond} ORDER BY o.id");
    let rows: Vec<Row> = db.all(&sql, values).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.id).collect()
}

fn agree_on(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fresh = rt.block_on(Fresh::start(backend));
    let partner = Uuid::now_v7();
    rt.block_on(fresh.db.exec(
        "INSERT INTO partners (id, name, name_key, created_at) VALUES ($1, 'P', 'p', $2)",
        params![partner, Utc::now()],
    ))
    .unwrap();
    let mut runner = TestRunner::new(Config { cases: 150, ..Config::default() });
    // How many opportunities were offered and how many not, over all cases.
    let (offered_n, refused_n) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let case = (proptest::collection::vec(rules(), 1..5), candidate());
    let result = runner.run(&case, |(all_rules, p)| {
        let (expected, got) = rt.block_on(async {
            let mut ids = Vec::new();
            for r in &all_rules {
                ids.push(store(&fresh.db, partner, r).await);
            }
            let mut expected: Vec<Uuid> =
                ids.iter().zip(&all_rules).filter(|(_, r)| policy::eligible(r, &p)).map(|(id, _)| *id).collect();
            expected.sort();
            (expected, offered(&fresh.db, &p, &ids).await)
        });
        offered_n.set(offered_n.get() + expected.len());
        refused_n.set(refused_n.get() + all_rules.len() - expected.len());
        prop_assert_eq!(got, expected, "{:?} for {:?}", all_rules, p);
        Ok(())
    });
    rt.block_on(fresh.finish());
    result.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    assert!(offered_n.get() > 20 && refused_n.get() > 20, "both outcomes are reached: {offered_n:?} {refused_n:?}");
}

#[test]
fn a_member_is_offered_an_opportunity_if_and_only_if_they_are_eligible_on_both_backends() {
    for backend in BOTH {
        agree_on(backend);
    }
}

/// Changes `p` just enough to meet the restriction `miss` names.
fn meet(miss: &Miss, rules: &Rules, c: &mut Candidate) {
    let p = &mut c.profile;
    match miss {
        Miss::MemberType => p.member_type = rules.member_types.first().copied(),
        Miss::Condition => p.conditions.push(rules.conditions[0]),
        Miss::Country => p.country = rules.countries.first().cloned(),
        Miss::Language => p.languages.push(rules.languages[0].clone()),
        Miss::Followers { .. } => p.channels.push(rules.min_followers.clone().unwrap()),
        Miss::HealthLeader => p.health_leader = true,
        Miss::Credential => c.credentials.extend(rules.credential.clone()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    // In Rust alone: each reason is a restriction not met, and meeting it removes only that reason.

    #[test]
    fn each_reason_names_a_restriction_not_met_and_meeting_it_removes_only_that_reason(r in rules(), p in candidate()) {
        let found = misses(&r, &p);
        prop_assert_eq!(eligible(&r, &p), found.is_empty());
        for miss in &found {
            let mut fixed = p.clone();
            meet(miss, &r, &mut fixed);
            let after = misses(&r, &fixed);
            let expected: Vec<Miss> = found.iter().filter(|m| std::mem::discriminant(*m) != std::mem::discriminant(miss)).cloned().collect();
            prop_assert_eq!(after, expected, "meeting {:?}", miss);
        }
        // Meeting every one in turn makes the member eligible.
        let mut all = p.clone();
        for miss in &found {
            meet(miss, &r, &mut all);
        }
        prop_assert!(eligible(&r, &all));
    }

    #[test]
    fn no_restriction_admits_every_profile(p in candidate()) {
        prop_assert!(eligible(&Rules::default(), &p));
    }
}

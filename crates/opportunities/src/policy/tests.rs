//! The eligibility rule in Rust: the reasons it gives are the restrictions not met, each
//! one, and meeting the restriction a reason names takes that reason away.

use proptest::prelude::*;

use super::*;

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

prop_compose! {
    fn rules()(types in 0u8..16, conds in 0u8..16, countries in 0u8..8, langs in 0u8..8,
               followers in proptest::option::of((0usize..3, 1i64..5000)), leader in any::<bool>(),
               credential in proptest::option::of(0usize..3)) -> Rules {
        Rules {
            member_types: pick(&MemberType::ALL, types),
            conditions: pick(&conditions(), conds),
            countries: pick(&COUNTRIES.map(String::from), countries),
            languages: pick(&LANGUAGES.map(String::from), langs),
            min_followers: followers.map(|(p, n)| (PLATFORMS[p].to_string(), n)),
            health_leader: leader,
            credential: credential.map(|i| CREDENTIALS[i].to_string()),
        }
    }
}

prop_compose! {
    fn candidate()(t in proptest::option::of(0usize..4), conds in 0u8..16, country in proptest::option::of(0usize..3),
                 langs in 0u8..8, channels in proptest::collection::vec((0usize..3, 0i64..6000), 0..3),
                 leader in any::<bool>(), held in 0u8..8) -> Candidate {
        let profile = MatchProfile {
            member_type: t.map(|i| MemberType::ALL[i]),
            conditions: pick(&conditions(), conds),
            country: country.map(|i| COUNTRIES[i].to_string()),
            languages: pick(&LANGUAGES.map(String::from), langs),
            channels: channels.into_iter().map(|(p, n)| (PLATFORMS[p].to_string(), n)).collect(),
            health_leader: leader,
            withheld: vec![],
        };
        Candidate { profile, credentials: pick(&CREDENTIALS.map(String::from), held) }
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

#[test]
fn a_near_miss_says_what_is_needed_in_words() {
    let rules = Rules { min_followers: Some(("instagram".into(), 1000)), health_leader: true, ..Default::default() };
    let profile = MatchProfile { channels: vec![("instagram".into(), 640)], ..Default::default() };
    let words = reasons(&rules, &Candidate { profile, credentials: vec![] }, &Default::default());
    assert_eq!(words, vec!["needs 1,000 followers on Instagram (you have 640)", "needs the Health Leader badge"]);
}

#[test]
fn a_missing_credential_is_named_and_holding_it_is_enough() {
    let rules = Rules { credential: Some("storytelling-101".into()), ..Default::default() };
    let mut c = Candidate { credentials: vec!["advocacy-201".into()], ..Default::default() };
    assert_eq!(reasons(&rules, &c, &Default::default()), vec!["needs the credential \u{201c}storytelling-101\u{201d}"]);
    c.credentials.push("storytelling-101".into());
    assert!(eligible(&rules, &c));
    assert_eq!(requirements(&rules, &Default::default()), vec!["The credential \u{201c}storytelling-101\u{201d}"]);
}

#[test]
fn a_condition_kept_to_only_me_is_said_to_be_so() {
    let c = Uuid::from_u128(7);
    let rules = Rules { conditions: vec![c], ..Default::default() };
    let profile = MatchProfile { withheld: vec!["conditions".into()], ..Default::default() };
    let names: ConditionNames = [(c, "Type 1 diabetes".to_string())].into();
    let words = reasons(&rules, &Candidate { profile, credentials: vec![] }, &names);
    assert_eq!(words.len(), 1);
    assert!(words[0].starts_with("needs one of these conditions on your profile: Type 1 diabetes"), "{}", words[0]);
    assert!(words[0].contains("only me"), "{}", words[0]);
}

#[test]
fn requirements_read_as_a_list_of_needs() {
    let rules = Rules {
        member_types: vec![MemberType::Caregiver, MemberType::Advocate],
        countries: vec!["GB".into(), "IE".into(), "US".into()],
        ..Default::default()
    };
    assert_eq!(
        requirements(&rules, &Default::default()),
        vec!["Member type: Caregiver or Advocate", "Living in: GB, IE or US"]
    );
}

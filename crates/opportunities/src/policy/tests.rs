//! The eligibility rule's words: what a near miss says and how requirements read. The
//! properties of the rule (each reason is a restriction not met; meeting it takes that
//! reason away; Rust and SQL agree) are in `tests/eligibility_agreement.rs`, over the same
//! random rules and members.

use super::*;

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

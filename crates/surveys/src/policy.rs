//! Who may take a survey, and who may be invited to one.
//!
//! **The rule.** A member may be invited to research unless their standing research
//! consent is "no"; they may take a survey when it is published and open, they may be
//! invited, and they meet its eligibility rules (`contracts::eligibility`, the
//! opportunities' rules: member type, condition, country, language, Health Leader).
//! With consent "ask each time" they consent to the survey itself before its first
//! question. A member who never answered is asked each time.
//!
//! The consent part is here twice: [`invitable`] for one member and [`invitable_sql`] for
//! lists of members, with a test that they agree on both backends
//! (`tests/invitable_agreement.rs`).

use contracts::eligibility::{Candidate, Rules, misses};

pub use crate::model::Consent as ConsentValue;
use crate::model::Consent;

/// Whether a member with this standing consent may be invited to research.
pub fn invitable(consent: Option<Consent>) -> bool {
    consent != Some(Consent::No)
}

/// [`invitable`] as an SQL condition on the member id column `member`.
pub fn invitable_sql(member: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM research_consents rc WHERE rc.member_id = {member} AND rc.consent = 'no')")
}

/// Why a member may not take a survey (checked in this order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoConsent,
    NotEligible,
    /// Consent "ask each time", and the member has not consented to this survey yet.
    ConsentNeeded,
}

/// Whether a member with `consent` (and `consented` to this survey, or not) who offers
/// `candidate` may take a survey with `rules`.
pub fn may_take(consent: Consent, consented: bool, rules: &Rules, candidate: &Candidate) -> Result<(), Refusal> {
    if !invitable(Some(consent)) {
        return Err(Refusal::NoConsent);
    }
    if !misses(rules, candidate).is_empty() {
        return Err(Refusal::NotEligible);
    }
    if consent == Consent::Ask && !consented {
        return Err(Refusal::ConsentNeeded);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use contracts::members::{MatchProfile, MemberType};

    use super::*;

    #[test]
    fn no_is_never_invited_and_ask_needs_the_surveys_own_consent() {
        let rules = Rules { member_types: vec![MemberType::Caregiver], ..Default::default() };
        let caregiver = Candidate {
            profile: MatchProfile { member_type: Some(MemberType::Caregiver), ..Default::default() },
            credentials: vec![],
        };
        let patient = Candidate::default();
        assert_eq!(may_take(Consent::No, true, &rules, &caregiver), Err(Refusal::NoConsent));
        assert_eq!(may_take(Consent::Yes, false, &rules, &patient), Err(Refusal::NotEligible));
        assert_eq!(may_take(Consent::Ask, false, &rules, &caregiver), Err(Refusal::ConsentNeeded));
        assert_eq!(may_take(Consent::Ask, true, &rules, &caregiver), Ok(()));
        assert_eq!(may_take(Consent::Yes, false, &rules, &caregiver), Ok(()));
        assert!(invitable(None) && invitable(Some(Consent::Ask)) && !invitable(Some(Consent::No)));
    }
}

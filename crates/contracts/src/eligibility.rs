//! Who may take part in something a partner commissions (a paid opportunity, an
//! insight survey): the eligibility rules, shared by the slices that target members, as
//! one pure function. Each slice keeps its own SQL form of the rule next to its tables
//! (`opportunities::policy::eligible_sql`) and tests that the two agree.
//!
//! **The rule.** Each restriction given must be met; one not given is no restriction,
//! so rules without any admit every member. A list restriction (member types,
//! conditions, countries, languages) is met by having any one of the listed values;
//! followers by one channel on the named platform with at least that audience.

use uuid::Uuid;

use crate::members::{MatchProfile, MemberType};

/// Eligibility rules; the default (nothing given) admits everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub member_types: Vec<MemberType>,
    pub conditions: Vec<Uuid>,
    /// ISO 3166-1 alpha-2 codes, upper case.
    pub countries: Vec<String>,
    /// Language codes, lower case.
    pub languages: Vec<String>,
    /// At least this audience on one channel of this platform.
    pub min_followers: Option<(String, i64)>,
    pub health_leader: bool,
    /// The code of a credential the member must hold (a course's certificate code).
    pub credential: Option<String>,
}

/// What a member offers for matching: their profile as the members port shows it, and
/// the credential codes this slice knows they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    pub profile: MatchProfile,
    pub credentials: Vec<String>,
}

/// A restriction a member does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    MemberType,
    Condition,
    Country,
    Language,
    /// `have`: the largest audience the member shows on the platform.
    Followers {
        have: i64,
    },
    HealthLeader,
    Credential,
}

fn overlaps<T: PartialEq>(wanted: &[T], have: &[T]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}

/// Every restriction of `rules` that `c` does not meet, in a fixed order; none means
/// eligible.
pub fn misses(rules: &Rules, c: &Candidate) -> Vec<Miss> {
    let p = &c.profile;
    let mut out = Vec::new();
    if !overlaps(&rules.member_types, p.member_type.as_slice()) {
        out.push(Miss::MemberType);
    }
    if !overlaps(&rules.conditions, &p.conditions) {
        out.push(Miss::Condition);
    }
    if !overlaps(&rules.countries, p.country.as_slice()) {
        out.push(Miss::Country);
    }
    if !overlaps(&rules.languages, &p.languages) {
        out.push(Miss::Language);
    }
    if let Some((platform, min)) = &rules.min_followers
        && !p.channels.iter().any(|(pl, n)| pl == platform && n >= min)
    {
        let have = p.channels.iter().filter(|(pl, _)| pl == platform).map(|(_, n)| *n).max().unwrap_or(0);
        out.push(Miss::Followers { have });
    }
    if rules.health_leader && !p.health_leader {
        out.push(Miss::HealthLeader);
    }
    if let Some(code) = &rules.credential
        && !c.credentials.contains(code)
    {
        out.push(Miss::Credential);
    }
    out
}

/// Whether `c` meets every restriction of `rules`.
pub fn eligible(rules: &Rules, c: &Candidate) -> bool {
    misses(rules, c).is_empty()
}

//! The members slice's vocabulary.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberType {
    Patient,
    Caregiver,
    HealthcareProfessional,
    Advocate,
}

impl MemberType {
    pub const ALL: [MemberType; 4] =
        [MemberType::Patient, MemberType::Caregiver, MemberType::HealthcareProfessional, MemberType::Advocate];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberType::Patient => "patient",
            MemberType::Caregiver => "caregiver",
            MemberType::HealthcareProfessional => "healthcare_professional",
            MemberType::Advocate => "advocate",
        }
    }

    pub fn parse(s: &str) -> Option<MemberType> {
        MemberType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MemberType::Patient => "Patient",
            MemberType::Caregiver => "Caregiver",
            MemberType::HealthcareProfessional => "Healthcare professional",
            MemberType::Advocate => "Advocate",
        }
    }
}

/// Account states. Deleted accounts keep a tombstone row (no personal data) so that
/// content others replied to still has an author.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Suspended,
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Deleted => "deleted",
        }
    }
}

/// Social platforms a member can list.
pub const PLATFORMS: &[(&str, &str)] = &[
    ("instagram", "Instagram"),
    ("tiktok", "TikTok"),
    ("youtube", "YouTube"),
    ("x", "X (Twitter)"),
    ("facebook", "Facebook"),
    ("linkedin", "LinkedIn"),
    ("threads", "Threads"),
    ("bluesky", "Bluesky"),
    ("blog", "Blog"),
    ("podcast", "Podcast"),
];

pub fn platform_label(code: &str) -> Option<&'static str> {
    PLATFORMS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Profile fields whose visibility the owner chooses.
pub const VISIBILITY_FIELDS: &[(&str, &str)] = &[
    ("pronouns", "Pronouns"),
    ("member_type", "Member type"),
    ("conditions", "Conditions"),
    ("story", "Story"),
    ("channels", "Social channels"),
    ("location", "Country and region"),
    ("languages", "Languages"),
    ("avatar", "Photo"),
];

/// Event kinds this slice writes to the outbox.
pub mod events {
    pub const MEMBER_JOINED: &str = "MemberJoined";
    pub const PROFILE_COMPLETED: &str = "ProfileCompleted";
    pub const MEMBER_DELETED: &str = "MemberDeleted";
    pub const HEALTH_LEADER_GRANTED: &str = "HealthLeaderGranted";
}

//! The members slice's vocabulary.

pub use contracts::members::{MemberType, PLATFORMS};

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

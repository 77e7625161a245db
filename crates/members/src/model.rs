//! The members slice's vocabulary.

pub use contracts::members::MemberType;

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

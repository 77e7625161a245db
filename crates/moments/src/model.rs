//! The moments' vocabulary: the fixed list of moments (stable keys, which a translation
//! maps to words; the English words here), the two stages a member marks, how an asker
//! wants to be contacted, and the states of a request and of each volunteer's offer.

use serde::{Deserialize, Serialize};

/// The moments of a health journey: (key, label, a line saying what it means).
pub const MOMENTS: &[(&str, &str, &str)] = &[
    ("new_diagnosis", "A new diagnosis", "You or someone you care for was just diagnosed."),
    (
        "test_results",
        "Waiting for or understanding test results",
        "Tests are done, or results came and need making sense of.",
    ),
    ("new_symptoms", "New or changing symptoms", "Something feels different from before."),
    (
        "learning_treatment",
        "Learning about a new treatment",
        "Reading up on a medicine or treatment that is new to you.",
    ),
    (
        "starting_treatment",
        "Starting or switching treatment",
        "Beginning a medicine or treatment, or changing to another.",
    ),
    ("long_term", "Living with it long term", "Finding a way to live well with a condition over the years."),
    (
        "caring",
        "Caring for someone at one of these moments",
        "Supporting a person you care for through any of the above.",
    ),
];

/// Whether `key` is one of [`MOMENTS`].
pub fn is_moment(key: &str) -> bool {
    MOMENTS.iter().any(|(k, _, _)| *k == key)
}

/// The label of a moment key (the key itself if unknown).
pub fn label(key: &str) -> &str {
    MOMENTS.iter().find(|(k, _, _)| *k == key).map(|(_, l, _)| *l).unwrap_or(key)
}

/// "now" (the moments a member is in) or "been_through".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Now,
    BeenThrough,
}

impl Stage {
    pub const ALL: [Stage; 2] = [Stage::Now, Stage::BeenThrough];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Now => "now",
            Stage::BeenThrough => "been_through",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How the asker wants to be contacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MomentsContact)]
pub enum Contact {
    /// A direct message with the volunteer who accepts.
    DirectMessage,
    /// A small group conversation: the first volunteer to accept opens it with the
    /// asker, and up to two more of the volunteers asked join it by accepting.
    SmallGroup,
}

impl Contact {
    pub fn as_str(self) -> &'static str {
        match self {
            Contact::DirectMessage => "direct_message",
            Contact::SmallGroup => "small_group",
        }
    }

    pub fn parse(s: &str) -> Option<Contact> {
        [Contact::DirectMessage, Contact::SmallGroup].into_iter().find(|c| c.as_str() == s)
    }
}

/// An offer's state once the volunteer declined it (others: open, accepted, taken).
pub mod offer {
    pub const DECLINED: &str = "declined";
}

/// A request's state once a volunteer accepted it (before: open).
pub mod request {
    pub const ACCEPTED: &str = "accepted";
}

//! The events slice's vocabulary.

use serde::Serialize;

pub const KINDS: &[(&str, &str)] = &[
    ("webinar", "Webinar"),
    ("panel", "Panel"),
    ("training_call", "Training call"),
    ("networking", "Networking event"),
    ("live_discussion", "Live discussion"),
    ("conference_session", "Conference session"),
];

pub fn kind_label(code: &str) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == code).map(|(_, l)| *l).unwrap_or("Event")
}

/// Who may see (and register for) an event.
pub const AUDIENCES: &[(&str, &str)] = &[
    ("public", "Everyone"),
    ("members", "Members"),
    ("health_leaders", "Health Leaders"),
    ("group", "Members of a group"),
];

/// A registration's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Registered,
    Waitlisted,
}

//! The courses' vocabulary: a course's status, an enrolment's status, and the limits
//! every input is held to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether members can see and take a course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CourseStatus {
    /// Only staff see it, while they build it.
    Draft,
    /// Members see it and enrol.
    Published,
}

impl CourseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::Draft => "draft",
            CourseStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<CourseStatus> {
        [CourseStatus::Draft, CourseStatus::Published].into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a member stands in a course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Enrolment {
    /// Has a seat: takes lessons and the quiz.
    Enrolled,
    /// Waits for a seat, in the order they asked.
    Waitlisted,
}

impl Enrolment {
    pub fn as_str(self) -> &'static str {
        match self {
            Enrolment::Enrolled => "enrolled",
            Enrolment::Waitlisted => "waitlisted",
        }
    }

    pub fn parse(s: &str) -> Option<Enrolment> {
        [Enrolment::Enrolled, Enrolment::Waitlisted].into_iter().find(|v| v.as_str() == s)
    }
}

/// Bounds on what staff type into a course.
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 2_000;
pub const BODY_MAX: usize = 50_000;
pub const URL_MAX: usize = 500;
pub const TRANSCRIPT_MAX: usize = 100_000;
pub const MODULES_MAX: usize = 30;
pub const LESSONS_MAX: usize = 50;
pub const FILES_MAX: usize = 10;
pub const QUESTIONS_MAX: usize = 50;
pub const OPTIONS_MAX: usize = 10;
pub const SEATS_MAX: i64 = 100_000;
pub const ATTEMPTS_MAX: i64 = 100;
/// The longest credential code (the opportunities slice accepts the same).
pub const CREDENTIAL_MAX: usize = 64;

/// A credential code: lower-case letters, digits and hyphens, as an opportunity's
/// requirement names it.
pub fn well_formed_credential(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= CREDENTIAL_MAX
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

/// The credential code a title suggests: "Telling Your Story 101" → "telling-your-story-101".
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s: String = out.trim_end_matches('-').chars().take(CREDENTIAL_MAX - 5).collect();
    s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "course".into() } else { s }
}

/// Whether `url` is an absolute http(s) link.
pub fn is_web_link(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// A moment as people read it on these pages (UTC).
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// A day as a certificate prints it.
pub fn day(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_becomes_a_well_formed_credential_code() {
        assert_eq!(slug("Telling Your Story: 101!"), "telling-your-story-101");
        assert_eq!(slug("¡¡"), "course");
        assert!(well_formed_credential(&slug(&"long title ".repeat(20))));
    }
}

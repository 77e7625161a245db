//! The resources' vocabulary: kinds, topics, who a resource is for, whether it is out,
//! and the month a collection belongs to.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// What sort of resource it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ResourceKind)]
pub enum Kind {
    Guide,
    Toolkit,
    Template,
    Checklist,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Guide, Kind::Toolkit, Kind::Template, Kind::Checklist];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Guide => "guide",
            Kind::Toolkit => "toolkit",
            Kind::Template => "template",
            Kind::Checklist => "checklist",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Guide => "Guide",
            Kind::Toolkit => "Toolkit",
            Kind::Template => "Template",
            Kind::Checklist => "Checklist",
        }
    }
}

/// The label of a stored kind code.
pub fn kind_label(code: &str) -> &'static str {
    Kind::parse(code).map(Kind::label).unwrap_or("Resource")
}

/// The fixed list of topics a resource is tagged with: code and name. Fixed rather than
/// staff-managed so that a filter link never breaks and the API can document every value.
pub const TOPICS: &[(&str, &str)] = &[
    ("storytelling", "Telling your story"),
    ("policy", "Policy and legislation"),
    ("media", "Working with the media"),
    ("social_media", "Social media"),
    ("research", "Research and clinical trials"),
    ("community", "Community organising"),
    ("self_care", "Self-care for advocates"),
];

/// The name of a topic code, if it is one.
pub fn topic_label(code: &str) -> Option<&'static str> {
    TOPICS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Who may open a published resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ResourceAudience)]
pub enum Audience {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in members.
    Members,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Public, Audience::Members];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Members => "members",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Public => "Everyone",
            Audience::Members => "Members only",
        }
    }
}

/// Whether a resource is out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ResourceStatus)]
pub enum Status {
    Draft,
    Published,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Draft, Status::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The month of a collection, written `yyyy-mm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Reads `yyyy-mm` exactly (four digits, a dash, two digits, a real month).
    pub fn parse(s: &str) -> Option<Month> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().chain(s[5..].bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (year, month) = (s[..4].parse().ok()?, s[5..].parse().ok()?);
        ((1..=12).contains(&month) && year >= 1970).then_some(Month { year, month })
    }

    /// The month `at` falls in (UTC).
    pub fn of(at: DateTime<Utc>) -> Month {
        Month { year: at.year(), month: at.month() }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 { Month { year: self.year - 1, month: 12 } } else { Month { month: self.month - 1, ..self } }
    }

    /// Midnight UTC on the first day of the month.
    pub fn start(self) -> DateTime<Utc> {
        let day = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default();
        Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
    }

    /// "November 2026".
    pub fn label(self) -> String {
        self.start().format("%B %Y").to_string()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_month_is_four_digits_a_dash_and_a_real_month() {
        assert_eq!(Month::parse("2026-11"), Some(Month { year: 2026, month: 11 }));
        for bad in ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "abcd-ef", "+202-11", ""] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(Month::parse("2026-01").unwrap().previous().to_string(), "2025-12");
        assert_eq!(Month::parse("2026-03").unwrap().label(), "March 2026");
    }
}

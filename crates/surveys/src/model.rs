//! The surveys' vocabulary: question kinds, a survey's status, research consent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a question asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SurveyQuestionKind)]
pub enum Kind {
    /// One option.
    Single,
    /// Any number of options (at least one when required).
    Multiple,
    /// One of five points, from "Strongly disagree" to "Strongly agree".
    Likert,
    /// A whole number from 0 to 10.
    Scale,
    /// A number.
    Number,
    /// Text, short or long.
    Text,
}

/// The five points of a Likert question, unless staff name their own five.
pub const LIKERT: [&str; 5] =
    ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Single, Kind::Multiple, Kind::Likert, Kind::Scale, Kind::Number, Kind::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Likert => "likert",
            Kind::Scale => "scale",
            Kind::Number => "number",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Single => "Single choice",
            Kind::Multiple => "Multiple choice",
            Kind::Likert => "Agreement (5 points)",
            Kind::Scale => "Scale 0 to 10",
            Kind::Number => "Number",
            Kind::Text => "Text",
        }
    }

    /// Whether answers are chosen from a list of options (counted per option in results).
    pub fn has_options(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple | Kind::Likert | Kind::Scale)
    }

    /// Whether each respondent gives exactly one option, so the options' counts add up
    /// to the question's respondents (which complementary suppression must know).
    pub fn options_add_up(self) -> bool {
        matches!(self, Kind::Single | Kind::Likert | Kind::Scale)
    }
}

/// The options of a scale question.
pub fn scale_options() -> Vec<String> {
    (0..=10).map(|n| n.to_string()).collect()
}

/// Where a survey is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SurveyStatus)]
pub enum Status {
    /// Being built: questions may change; only staff see it.
    Draft,
    /// Open to eligible members; its questions are frozen.
    Published,
}

impl Status {
    pub fn parse(s: &str) -> Status {
        if s == "published" { Status::Published } else { Status::Draft }
    }
}

/// A member's standing consent to research invitations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ResearchConsent)]
pub enum Consent {
    /// Invite me; taking a survey is consent to it.
    Yes,
    /// Invite me, and ask me before each survey's first question.
    Ask,
    /// Never invite me.
    No,
}

impl Consent {
    pub const ALL: [Consent; 3] = [Consent::Yes, Consent::Ask, Consent::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Yes => "yes",
            Consent::Ask => "ask",
            Consent::No => "no",
        }
    }

    pub fn parse(s: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Consent::Yes => "Yes, invite me to research",
            Consent::Ask => "Ask me each time",
            Consent::No => "No, never invite me",
        }
    }
}

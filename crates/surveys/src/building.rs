//! A survey as staff describe it (the API's JSON or the builder form), and its
//! validation: one set of rules and messages for both, keyed by field
//! (`questions[2].options`), so the form shows each message beside its field.

use contracts::eligibility::Rules;
use contracts::members::MemberType;
use kernel::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{Kind, LIKERT, scale_options};

pub const MAX_QUESTIONS: usize = 100;
pub const MAX_OPTIONS: usize = 30;

/// A question of a new survey.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSurveyQuestion)]
pub struct NewQuestion {
    /// Up to 500 characters; unique within the survey (an imported file's columns are headed by it).
    pub text: String,
    /// single, multiple, likert, scale, number or text.
    pub kind: String,
    /// The options of a single or multiple choice question (2 to 30, each up to 100
    /// characters, without `;`); a likert question may name its own five; others none.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// The section (page) the question is on; questions of one section follow each other.
    #[serde(default)]
    pub section: String,
    /// A text question answered in a larger box.
    #[serde(default)]
    pub long: bool,
    /// Show this question only when an earlier one was answered with a given option.
    #[serde(default)]
    pub show_if: Option<ShowIf>,
}

/// Skip logic: show the question only when the earlier question at `question` (its
/// index, from 0) was answered with the option `equals`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyShowIf)]
pub struct ShowIf {
    pub question: usize,
    pub equals: String,
}

/// Who may take the survey; every field is optional, none means every member.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyRulesInput)]
pub struct RulesInput {
    /// patient, caregiver, healthcare_professional, advocate: any one of them.
    #[serde(default)]
    pub member_types: Vec<String>,
    /// Condition ids: any one of them.
    #[serde(default)]
    pub conditions: Vec<Uuid>,
    /// ISO 3166-1 alpha-2 codes: any one of them.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Language codes such as "en": any one of them.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Only members with the Health Leader badge.
    #[serde(default)]
    pub health_leader: bool,
}

/// At most `target` responses from members of one type.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyQuotaInput)]
pub struct QuotaInput {
    pub member_type: String,
    pub target: i64,
}

/// Points credited to each member who completes the survey.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyIncentiveInput)]
pub struct IncentiveInput {
    pub points: i64,
}

/// A new survey (staff).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurvey {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub questions: Vec<NewQuestion>,
    #[serde(default)]
    pub rules: Option<RulesInput>,
    /// Per member type; a member of a type without a quota is limited by the target total only.
    #[serde(default)]
    pub quotas: Vec<QuotaInput>,
    #[serde(default)]
    pub incentive: Option<IncentiveInput>,
    /// No more responses once this many were given.
    #[serde(default)]
    pub target_total: Option<i64>,
    /// No responses after this instant (RFC 3339).
    #[serde(default)]
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The partner who commissioned it (their contact people see its results, suppressed).
    #[serde(default)]
    pub partner_id: Option<Uuid>,
}

/// A question, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanQuestion {
    pub text: String,
    pub kind: Kind,
    pub options: Vec<String>,
    pub required: bool,
    pub section: String,
    pub long: bool,
    /// (index of the earlier question, option)
    pub show_if: Option<(usize, String)>,
}

/// A survey, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanSurvey {
    pub title: String,
    pub description: String,
    pub questions: Vec<CleanQuestion>,
    pub rules: Rules,
    pub quotas: Vec<(MemberType, i64)>,
    pub incentive_points: i64,
    pub target_total: Option<i64>,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    pub partner_id: Option<Uuid>,
}

/// Checks a new survey; every message is keyed by its field.
pub fn validate(n: &NewSurvey) -> Result<CleanSurvey, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = n.title.trim().to_string();
    e.check_length("title", &title, 1..=200, "Give a title of up to 200 characters.");
    let description = n.description.trim().to_string();
    e.check_length("description", &description, 0..=5000, "Keep the description under 5,000 characters.");
    if n.questions.is_empty() || n.questions.len() > MAX_QUESTIONS {
        e.add("questions", format!("Give between 1 and {MAX_QUESTIONS} questions."));
    }
    let mut questions: Vec<CleanQuestion> = Vec::new();
    for (i, q) in n.questions.iter().take(MAX_QUESTIONS).enumerate() {
        let clean = question(i, q, &questions, &mut e);
        questions.push(clean);
    }
    let rules = rules(n.rules.clone().unwrap_or_default(), &mut e);
    let quotas = quotas(&n.quotas, &mut e);
    let incentive_points = n.incentive.as_ref().map(|i| i.points).unwrap_or(0);
    if !(0..=100_000).contains(&incentive_points) {
        e.add("incentive.points", "Give an incentive of 0 to 100,000 points.");
    }
    if n.target_total.is_some_and(|t| !(1..=1_000_000).contains(&t)) {
        e.add("target_total", "Give a target total of 1 to 1,000,000 responses.");
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(CleanSurvey {
        title,
        description,
        questions,
        rules,
        quotas,
        incentive_points,
        target_total: n.target_total,
        closes_at: n.closes_at,
        partner_id: n.partner_id,
    })
}

fn question(i: usize, q: &NewQuestion, earlier: &[CleanQuestion], e: &mut FieldErrors) -> CleanQuestion {
    let field = |name: &str| format!("questions[{i}].{name}");
    let text = q.text.trim().to_string();
    e.check_length(&field("text"), &text, 1..=500, "Write the question, in up to 500 characters.");
    if earlier.iter().any(|o| o.text == text) {
        e.add(&field("text"), "Another question has the same text; each must differ.");
    }
    let kind = Kind::parse(q.kind.trim()).unwrap_or_else(|| {
        e.add(&field("kind"), "Choose single, multiple, likert, scale, number or text.");
        Kind::Text
    });
    let options = options(kind, &q.options, &field("options"), e);
    let section = q.section.trim().to_string();
    e.check_length(&field("section"), &section, 0..=120, "Keep the section's name under 120 characters.");
    let show_if = q.show_if.as_ref().and_then(|s| {
        let target = earlier.get(s.question).filter(|_| s.question < i);
        match target {
            Some(t) if t.options.iter().any(|o| *o == s.equals.trim()) => {
                Some((s.question, s.equals.trim().to_string()))
            }
            Some(_) => {
                e.add(&field("show_if"), "Name one of the earlier question's options.");
                None
            }
            None => {
                e.add(&field("show_if"), "Refer to an earlier question, by its number from 0.");
                None
            }
        }
    });
    CleanQuestion { text, kind, options, required: q.required, section, long: q.long && kind == Kind::Text, show_if }
}

fn options(kind: Kind, given: &[String], field: &str, e: &mut FieldErrors) -> Vec<String> {
    let given: Vec<String> = given.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
    match kind {
        Kind::Single | Kind::Multiple => {
            if given.len() < 2 || given.len() > MAX_OPTIONS {
                e.add(field, format!("Give 2 to {MAX_OPTIONS} options."));
            } else if given.iter().any(|o| o.chars().count() > 100 || o.contains(';')) {
                e.add(field, "Keep each option under 100 characters, without \u{201c};\u{201d}.");
            } else if (1..given.len()).any(|i| given[..i].contains(&given[i])) {
                e.add(field, "Each option must differ from the others.");
            }
            given
        }
        Kind::Likert if given.is_empty() => LIKERT.iter().map(|o| o.to_string()).collect(),
        Kind::Likert => {
            if given.len() != 5 || given.iter().any(|o| o.chars().count() > 100 || o.contains(';')) {
                e.add(field, "A Likert question has five points; leave them out for the usual ones.");
            }
            given
        }
        Kind::Scale => scale_options(),
        Kind::Number | Kind::Text => {
            if !given.is_empty() {
                e.add(field, "Only choice questions have options.");
            }
            Vec::new()
        }
    }
}

fn rules(r: RulesInput, e: &mut FieldErrors) -> Rules {
    let mut member_types = Vec::new();
    for t in &r.member_types {
        match MemberType::parse(t.trim()) {
            Some(t) if !member_types.contains(&t) => member_types.push(t),
            Some(_) => {}
            None => e.add("rules.member_types", "Choose patient, caregiver, healthcare_professional or advocate."),
        }
    }
    let countries: Vec<String> = r.countries.iter().map(|c| c.trim().to_uppercase()).collect();
    if countries.len() > 50 || countries.iter().any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
        e.add("rules.countries", "Give up to 50 two-letter country codes, such as US.");
    }
    let languages: Vec<String> = r.languages.iter().map(|l| l.trim().to_lowercase()).collect();
    if languages.len() > 50 || languages.iter().any(|l| !(2..=3).contains(&l.len())) {
        e.add("rules.languages", "Give up to 50 language codes, such as en.");
    }
    if r.conditions.len() > 50 {
        e.add("rules.conditions", "Give up to 50 conditions.");
    }
    Rules {
        member_types,
        conditions: r.conditions,
        countries,
        languages,
        min_followers: None,
        health_leader: r.health_leader,
        credential: None,
    }
}

fn quotas(given: &[QuotaInput], e: &mut FieldErrors) -> Vec<(MemberType, i64)> {
    let mut out: Vec<(MemberType, i64)> = Vec::new();
    for q in given.iter().take(10) {
        match MemberType::parse(q.member_type.trim()) {
            Some(t) if out.iter().any(|(o, _)| *o == t) => e.add("quotas", "Give each member type one quota."),
            Some(t) if (1..=1_000_000).contains(&q.target) => out.push((t, q.target)),
            Some(_) => e.add("quotas", "Give each quota a target of 1 to 1,000,000."),
            None => {
                e.add("quotas", "Quotas are per member type: patient, caregiver, healthcare_professional or advocate.")
            }
        }
    }
    if given.len() > 10 {
        e.add("quotas", "Give at most one quota per member type.");
    }
    out
}

/// The rules as stored in the survey row (JSON), and back.
pub fn rules_json(r: &Rules) -> String {
    let input = RulesInput {
        member_types: r.member_types.iter().map(|t| t.as_str().to_string()).collect(),
        conditions: r.conditions.clone(),
        countries: r.countries.clone(),
        languages: r.languages.clone(),
        health_leader: r.health_leader,
    };
    serde_json::to_string(&input).unwrap_or_else(|_| "{}".into())
}

pub fn rules_from_json(s: &str) -> Rules {
    let input: RulesInput = serde_json::from_str(s).unwrap_or_default();
    Rules {
        member_types: input.member_types.iter().filter_map(|t| MemberType::parse(t)).collect(),
        conditions: input.conditions,
        countries: input.countries,
        languages: input.languages,
        min_followers: None,
        health_leader: input.health_leader,
        credential: None,
    }
}

//! The builder form: a survey's fields as staff type them, turned into a `NewSurvey`
//! (checked by `building::validate`, whose messages land beside each field), and back
//! into the form's fields for editing a draft. A fixed number of question slots, with a
//! button for more, keeps it working without JavaScript.

use contracts::members::MemberType;
use kernel::FieldErrors;

use super::{form_value, form_values};
use crate::building::{IncentiveInput, NewQuestion, NewSurvey, QuotaInput, RulesInput, ShowIf};
use crate::model::Kind;
use crate::store::Survey;

/// One question slot of the form, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slot {
    pub text: String,
    pub kind: String,
    /// One option per line.
    pub options: String,
    pub required: bool,
    pub long: bool,
    pub section: String,
    /// The number (from 1) of the earlier question the slot depends on, or "".
    pub show_q: String,
    pub show_eq: String,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.options.trim().is_empty()
    }
}

/// The whole form, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Typed {
    pub title: String,
    pub description: String,
    pub slots: Vec<Slot>,
    pub member_types: Vec<String>,
    pub countries: String,
    pub quotas: Vec<(String, String)>,
    pub incentive: String,
    pub target_total: String,
    pub closes_on: String,
    pub partner_id: String,
}

pub(crate) const MORE: usize = 3;

/// What the form sent.
pub(crate) fn read(pairs: &[(String, String)]) -> Typed {
    let count = form_value(pairs, "slots").parse::<usize>().unwrap_or(MORE).clamp(1, crate::building::MAX_QUESTIONS);
    let slots = (0..count)
        .map(|i| Slot {
            text: form_value(pairs, &format!("q{i}-text")),
            kind: form_value(pairs, &format!("q{i}-kind")),
            options: form_value(pairs, &format!("q{i}-options")),
            required: form_value(pairs, &format!("q{i}-required")) == "yes",
            long: form_value(pairs, &format!("q{i}-long")) == "yes",
            section: form_value(pairs, &format!("q{i}-section")),
            show_q: form_value(pairs, &format!("q{i}-show-q")),
            show_eq: form_value(pairs, &format!("q{i}-show-eq")),
        })
        .collect();
    Typed {
        title: form_value(pairs, "title"),
        description: form_value(pairs, "description"),
        slots,
        member_types: form_values(pairs, "member_type"),
        countries: form_value(pairs, "countries"),
        quotas: MemberType::ALL
            .iter()
            .map(|t| (t.as_str().to_string(), form_value(pairs, &format!("quota-{}", t.as_str()))))
            .collect(),
        incentive: form_value(pairs, "incentive"),
        target_total: form_value(pairs, "target_total"),
        closes_on: form_value(pairs, "closes_on"),
        partner_id: form_value(pairs, "partner_id"),
    }
}

/// The survey the form describes, with the slot index of each question (empty slots
/// are left out) and problems with values the form itself reads (numbers, dates).
pub(crate) fn to_new(t: &Typed) -> (NewSurvey, Vec<usize>, FieldErrors) {
    let mut e = FieldErrors::new();
    let used: Vec<usize> = (0..t.slots.len()).filter(|i| !t.slots[*i].is_empty()).collect();
    let questions = used
        .iter()
        .map(|i| {
            let s = &t.slots[*i];
            let show_if = s.show_q.trim().parse::<usize>().ok().filter(|n| *n >= 1).map(|n| {
                // Staff number questions from 1 as the form shows them; skipped slots do not count.
                let slot = n - 1;
                let question = used.iter().position(|u| *u == slot).unwrap_or(usize::MAX);
                ShowIf { question, equals: s.show_eq.trim().to_string() }
            });
            if !s.show_q.trim().is_empty() && show_if.is_none() {
                e.add(&format!("q{i}-show-q"), "Give the number of an earlier question, such as 1.");
            }
            NewQuestion {
                text: s.text.clone(),
                kind: s.kind.clone(),
                options: s.options.lines().map(str::to_string).collect(),
                required: s.required,
                section: s.section.clone(),
                long: s.long,
                show_if,
            }
        })
        .collect();
    let number = |field: &str, raw: &str, e: &mut FieldErrors| -> Option<i64> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let n = raw.parse::<i64>().ok();
        if n.is_none() {
            e.add(field, "Give a whole number.");
        }
        n
    };
    let quotas = t
        .quotas
        .iter()
        .filter_map(|(ty, raw)| {
            number(&format!("quota-{ty}"), raw, &mut e).map(|target| QuotaInput { member_type: ty.clone(), target })
        })
        .collect();
    let incentive = number("incentive", &t.incentive, &mut e).map(|points| IncentiveInput { points });
    let target_total = number("target_total", &t.target_total, &mut e);
    let closes_at = match t.closes_on.trim() {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(day) => day.and_hms_opt(23, 59, 59).map(|t| t.and_utc()),
            Err(_) => {
                e.add("closes_on", "Give a date such as 2026-12-31.");
                None
            }
        },
    };
    let partner_id = t.partner_id.trim().parse().ok();
    let rules = RulesInput {
        member_types: t.member_types.clone(),
        countries: t.countries.split([',', ' ']).filter(|c| !c.trim().is_empty()).map(str::to_string).collect(),
        ..Default::default()
    };
    let n = NewSurvey {
        title: t.title.clone(),
        description: t.description.clone(),
        questions,
        rules: Some(rules),
        quotas,
        incentive,
        target_total,
        closes_at,
        partner_id,
    };
    (n, used, e)
}

/// The validation's field names (`questions[2].options`) as the form's (`q4-options`).
pub(crate) fn form_errors(errors: &FieldErrors, used: &[usize]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, message) in &errors.0 {
        let renamed = field
            .strip_prefix("questions[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(n, name)| n.parse::<usize>().ok().map(|n| (n, name)))
            .map(|(n, name)| format!("q{}-{}", used.get(n).copied().unwrap_or(n), name.replace('_', "-")))
            .unwrap_or_else(|| match field.as_str() {
                "incentive.points" => "incentive".into(),
                "rules.member_types" => "member_type".into(),
                "rules.countries" => "countries".into(),
                "questions" => "q0-text".into(),
                other => other.to_string(),
            });
        out.add(&renamed, message.clone());
    }
    out
}

/// A stored draft as the form's fields, with room for more questions.
pub(crate) fn of_survey(s: &Survey) -> Typed {
    let number_of = |id: &uuid::Uuid| s.questions.iter().position(|q| q.id == *id).map(|p| (p + 1).to_string());
    let mut slots: Vec<Slot> = s
        .questions
        .iter()
        .map(|q| Slot {
            text: q.text.clone(),
            kind: q.kind.as_str().into(),
            options: if q.kind == Kind::Single || q.kind == Kind::Multiple {
                q.options.join("\n")
            } else {
                String::new()
            },
            required: q.required,
            long: q.long,
            section: q.section.clone(),
            show_q: q.show_if.as_ref().and_then(|(id, _)| number_of(id)).unwrap_or_default(),
            show_eq: q.show_if.as_ref().map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect();
    slots.extend((0..MORE).map(|_| Slot::default()));
    let rules = s.rules();
    Typed {
        title: s.row.title.clone(),
        description: s.row.description.clone(),
        slots,
        member_types: rules.member_types.iter().map(|t| t.as_str().to_string()).collect(),
        countries: rules.countries.join(", "),
        quotas: MemberType::ALL
            .iter()
            .map(|t| {
                let target = s.quotas.iter().find(|q| q.member_type == t.as_str()).map(|q| q.target.to_string());
                (t.as_str().to_string(), target.unwrap_or_default())
            })
            .collect(),
        incentive: if s.row.incentive_points > 0 { s.row.incentive_points.to_string() } else { String::new() },
        target_total: s.row.target_total.map(|t| t.to_string()).unwrap_or_default(),
        closes_on: s.row.closes_at.map(|c| c.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        partner_id: s.row.partner_id.map(|p| p.to_string()).unwrap_or_default(),
    }
}

/// An empty form with a few question slots.
pub(crate) fn blank() -> Typed {
    Typed {
        slots: (0..MORE).map(|_| Slot::default()).collect(),
        quotas: MemberType::ALL.iter().map(|t| (t.as_str().to_string(), String::new())).collect(),
        ..Default::default()
    }
}

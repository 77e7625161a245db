//! Checking a member's (or an imported row's) answers against a survey's questions: the
//! skip logic decides which questions were shown, a shown required question must be
//! answered, an answer must fit its question. One function for the API, the pages and
//! the import, so each says the same thing about the same mistake.

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use crate::model::Kind;
use crate::store::Question;

pub const MAX_TEXT: usize = 2000;

/// Each answered question's values (an option label, several, a number or text), in
/// question order; questions not shown or not answered are absent.
pub type Accepted = Vec<(Uuid, Vec<String>)>;

/// What is wrong with one answer, by question id.
pub type Problems = Vec<(Uuid, String)>;

/// Whether `q` is shown, given the answers accepted so far (skip logic).
pub fn shown(q: &Question, accepted: &Accepted) -> bool {
    match &q.show_if {
        None => true,
        Some((on, value)) => accepted.iter().any(|(id, values)| id == on && values.contains(value)),
    }
}

/// Checks `given` (question id → value) against `questions`. An answer to a question
/// the skip logic hides is dropped; an answer to no question of the survey is a problem
/// reported under the id `Uuid::nil()`.
pub fn check(questions: &[Question], given: &HashMap<Uuid, Value>) -> Result<Accepted, Problems> {
    let mut accepted: Accepted = Vec::new();
    let mut problems: Problems = Vec::new();
    if given.keys().any(|id| !questions.iter().any(|q| q.id == *id)) {
        problems.push((Uuid::nil(), "An answer names a question this survey does not have.".into()));
    }
    for q in questions {
        if !shown(q, &accepted) {
            continue;
        }
        match given.get(&q.id).map(|v| values_of(q, v)) {
            Some(Ok(values)) if !values.is_empty() => accepted.push((q.id, values)),
            Some(Err(message)) => problems.push((q.id, message)),
            _ if q.required => problems.push((q.id, "Answer this question; it is required.".into())),
            _ => {}
        }
    }
    if problems.is_empty() { Ok(accepted) } else { Err(problems) }
}

/// One answer's values, or what is wrong with it. An empty answer is no answer.
pub fn values_of(q: &Question, v: &Value) -> Result<Vec<String>, String> {
    match (q.kind, v) {
        (_, Value::Null) => Ok(vec![]),
        (Kind::Multiple, Value::Array(items)) => {
            let mut out: Vec<String> = Vec::new();
            for item in items.iter().take(q.options.len() + 1) {
                let Value::String(label) = item else { return Err("Give the options' labels as text.".into()) };
                let label = option_of(q, label)?;
                if !out.contains(&label) {
                    out.push(label);
                }
            }
            Ok(out)
        }
        (Kind::Single | Kind::Likert | Kind::Multiple, Value::String(s)) => one_option(q, s),
        (Kind::Scale, Value::Number(n)) => scale(n.as_f64()),
        (Kind::Scale, Value::String(s)) if s.trim().is_empty() => Ok(vec![]),
        (Kind::Scale, Value::String(s)) => scale(s.trim().parse::<f64>().ok()),
        (Kind::Number, Value::Number(n)) => number(n.as_f64()),
        (Kind::Number, Value::String(s)) if s.trim().is_empty() => Ok(vec![]),
        (Kind::Number, Value::String(s)) => number(s.trim().parse::<f64>().ok()),
        (Kind::Text, Value::String(s)) => {
            let t = s.trim();
            if t.chars().count() > MAX_TEXT {
                return Err(format!("Keep the answer under {MAX_TEXT} characters."));
            }
            Ok(if t.is_empty() { vec![] } else { vec![t.to_string()] })
        }
        (Kind::Multiple, _) => Err("Give a list of the options' labels.".into()),
        (Kind::Single | Kind::Likert, _) => Err("Give one of the options' labels.".into()),
        (Kind::Scale, _) => Err("Give a whole number from 0 to 10.".into()),
        (Kind::Number, _) => Err("Give a number.".into()),
        (Kind::Text, _) => Err("Give the answer as text.".into()),
    }
}

fn one_option(q: &Question, s: &str) -> Result<Vec<String>, String> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    option_of(q, s).map(|o| vec![o])
}

fn option_of(q: &Question, label: &str) -> Result<String, String> {
    let label = label.trim();
    q.options.iter().find(|o| o.as_str() == label).cloned().ok_or_else(|| {
        format!(
            "\u{201c}{}\u{201d} is not one of this question's options.",
            label.chars().take(100).collect::<String>()
        )
    })
}

fn scale(n: Option<f64>) -> Result<Vec<String>, String> {
    match n {
        Some(x) if x.fract() == 0.0 && (0.0..=10.0).contains(&x) => Ok(vec![format!("{}", x as i64)]),
        _ => Err("Give a whole number from 0 to 10.".into()),
    }
}

fn number(n: Option<f64>) -> Result<Vec<String>, String> {
    match n {
        Some(x) if x.is_finite() && x.abs() <= 1e12 => Ok(vec![format_number(x)]),
        _ => Err("Give a number (up to a trillion).".into()),
    }
}

/// A number as stored: whole numbers without a decimal point.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x}") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn q(kind: Kind, options: &[&str], required: bool, show_if: Option<(Uuid, &str)>) -> Question {
        Question {
            id: Uuid::now_v7(),
            position: 0,
            section: String::new(),
            text: "Q".into(),
            kind,
            options: options.iter().map(|o| o.to_string()).collect(),
            required,
            long: false,
            show_if: show_if.map(|(id, v)| (id, v.to_string())),
        }
    }

    #[test]
    fn skip_logic_hides_a_required_question_unless_its_condition_is_answered() {
        let a = q(Kind::Single, &["Yes", "No"], true, None);
        let b = q(Kind::Text, &[], true, Some((a.id, "Yes")));
        let qs = vec![a.clone(), b.clone()];
        let no = HashMap::from([(a.id, json!("No")), (b.id, json!("ignored"))]);
        assert_eq!(check(&qs, &no).unwrap(), vec![(a.id, vec!["No".to_string()])]);
        let yes = HashMap::from([(a.id, json!("Yes"))]);
        assert_eq!(check(&qs, &yes).unwrap_err(), vec![(b.id, "Answer this question; it is required.".to_string())]);
    }

    #[test]
    fn each_kind_takes_its_own_shape_of_answer() {
        let m = q(Kind::Multiple, &["A", "B"], false, None);
        assert_eq!(values_of(&m, &json!(["B", "A", "B"])).unwrap(), vec!["B", "A"]);
        assert!(values_of(&m, &json!(["C"])).is_err());
        let s = q(Kind::Scale, &[], false, None);
        assert_eq!(values_of(&s, &json!(7)).unwrap(), vec!["7"]);
        assert_eq!(values_of(&s, &json!("10")).unwrap(), vec!["10"]);
        assert!(values_of(&s, &json!(11)).is_err() && values_of(&s, &json!(2.5)).is_err());
        let n = q(Kind::Number, &[], false, None);
        assert_eq!(values_of(&n, &json!(2.5)).unwrap(), vec!["2.5"]);
        assert!(values_of(&n, &json!("many")).is_err());
        let t = q(Kind::Text, &[], false, None);
        assert!(values_of(&t, &json!("x".repeat(MAX_TEXT + 1))).is_err());
        assert!(check(&[t], &HashMap::from([(Uuid::now_v7(), json!("x"))])).is_err());
    }
}

//! A new opportunity as staff describe it, from the API's JSON or the staff form, and
//! its validation: one set of rules and messages for both, so the form can show each
//! message beside its field and keep what was typed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use contracts::members::{MemberType, PLATFORMS};
use kernel::FieldErrors;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{Kind, Pay};
use crate::policy::Rules;

/// Compensation: money (`{amount, currency}`) or points (`{points}`); leave it out for unpaid work.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CompensationInput {
    Money(MoneyInput),
    Points(PointsInput),
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// A decimal amount, e.g. 250 or 250.50.
    #[schema(value_type = f64)]
    pub amount: serde_json::Number,
    /// ISO 4217 code, e.g. "USD".
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsInput {
    pub points: i64,
}

/// At least `count` followers on one channel of the platform `channel`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinFollowers {
    /// A platform code: instagram, tiktok, youtube, x, facebook, linkedin, threads, bluesky, blog or podcast.
    pub channel: String,
    pub count: i64,
}

/// Who may apply; every field is optional, and none means every member.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesInput {
    /// patient, caregiver, healthcare_professional, advocate: any one of them.
    #[serde(default)]
    pub member_types: Vec<String>,
    /// Condition ids (see `GET /api/v1/conditions`): any one of them.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// ISO 3166-1 alpha-2 codes: any one of them.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Language codes such as "en": any one of them.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub min_followers: Option<MinFollowers>,
    /// Only members with the Health Leader badge.
    #[serde(default)]
    pub health_leader: bool,
    /// Only members holding this credential: a course's certificate code such as
    /// "storytelling-101" (lower-case letters, digits and hyphens).
    #[serde(default)]
    pub credential: Option<String>,
}

/// A new opportunity (staff).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOpportunity {
    /// social_media_campaign, speaking_engagement, article_feature, panel_seat, advisory_board or other.
    pub kind: String,
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub brief: String,
    pub partner_id: String,
    #[serde(default)]
    pub compensation: Option<CompensationInput>,
    pub seats: i64,
    /// The last day to apply (`2027-03-31`, to the end of that day UTC) or a moment (RFC 3339).
    pub apply_by: String,
    /// When the work starts and ends (dates).
    #[serde(default)]
    pub work_starts_on: Option<String>,
    #[serde(default)]
    pub work_ends_on: Option<String>,
    /// Questions applicants answer.
    #[serde(default)]
    pub questions: Vec<String>,
    /// What selected members deliver.
    #[serde(default)]
    pub deliverables: String,
    #[serde(default)]
    pub rules: RulesInput,
}

/// An opportunity as typed, before validation: every value as text, as a form has it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub kind: String,
    pub title: String,
    pub brief: String,
    pub partner_id: String,
    /// money, points or unpaid.
    pub compensation: String,
    pub amount: String,
    pub currency: String,
    pub points: String,
    pub seats: String,
    pub apply_by: String,
    pub work_starts_on: String,
    pub work_ends_on: String,
    /// One question per line.
    pub questions: String,
    pub deliverables: String,
    pub member_types: Vec<String>,
    pub conditions: Vec<String>,
    /// Comma-separated.
    pub countries: String,
    /// Comma-separated.
    pub languages: String,
    pub followers_channel: String,
    pub followers_count: String,
    pub health_leader: bool,
    pub credential: String,
}

impl From<NewOpportunity> for Draft {
    fn from(n: NewOpportunity) -> Draft {
        let (compensation, amount, currency, points) = match n.compensation {
            Some(CompensationInput::Money(m)) => ("money", m.amount.to_string(), m.currency, String::new()),
            Some(CompensationInput::Points(p)) => ("points", String::new(), String::new(), p.points.to_string()),
            None => ("unpaid", String::new(), String::new(), String::new()),
        };
        let followers = n.rules.min_followers;
        Draft {
            kind: n.kind,
            title: n.title,
            brief: n.brief,
            partner_id: n.partner_id,
            compensation: compensation.into(),
            amount,
            currency,
            points,
            seats: n.seats.to_string(),
            apply_by: n.apply_by,
            work_starts_on: n.work_starts_on.unwrap_or_default(),
            work_ends_on: n.work_ends_on.unwrap_or_default(),
            questions: n.questions.iter().map(|q| q.replace('\n', " ")).collect::<Vec<_>>().join("\n"),
            deliverables: n.deliverables,
            member_types: n.rules.member_types,
            conditions: n.rules.conditions,
            countries: n.rules.countries.join(","),
            languages: n.rules.languages.join(","),
            followers_channel: followers.as_ref().map(|f| f.channel.clone()).unwrap_or_default(),
            followers_count: followers.map(|f| f.count.to_string()).unwrap_or_default(),
            health_leader: n.rules.health_leader,
            credential: n.rules.credential.unwrap_or_default(),
        }
    }
}

/// A valid new opportunity. Condition ids are checked against the reference list by
/// the caller (it needs the database).
#[derive(Debug, Clone)]
pub struct Clean {
    pub kind: Kind,
    pub title: String,
    pub brief: String,
    pub partner_id: Uuid,
    pub pay: Pay,
    pub seats: i64,
    pub apply_by: DateTime<Utc>,
    pub work_starts_on: String,
    pub work_ends_on: String,
    pub questions: Vec<String>,
    pub deliverables: String,
    pub rules: Rules,
}

const MAX_BRIEF: usize = 20_000;

fn length_between(e: &mut FieldErrors, field: &str, value: &str, range: std::ops::RangeInclusive<usize>, what: &str) {
    if !range.contains(&value.chars().count()) {
        e.add(field, format!("Give {what} of {} to {} characters.", range.start(), range.end()));
    }
}

/// Validates a draft; every problem is reported against its field.
pub fn validate(d: &Draft) -> Result<Clean, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = Kind::parse(d.kind.trim());
    if kind.is_none() {
        e.add("kind", "Choose the kind of work.");
    }
    let title = d.title.trim().to_string();
    length_between(&mut e, "title", &title, 3..=200, "a title");
    if d.brief.chars().count() > MAX_BRIEF {
        e.add("brief", "Keep the brief under 20,000 characters.");
    }
    let partner_id = d.partner_id.trim().parse::<Uuid>().ok();
    if partner_id.is_none() {
        e.add("partner_id", "Choose the partner who sponsors this.");
    }
    let pay = pay(d, &mut e);
    let seats = d.seats.trim().parse::<i64>().ok().filter(|s| (1..=10_000).contains(s));
    if seats.is_none() {
        e.add("seats", "Give the number of seats, from 1 to 10,000.");
    }
    let apply_by = parse_deadline(&d.apply_by);
    if apply_by.is_none() {
        e.add("apply_by", "Give the last day to apply as a date like 2027-03-31.");
    }
    let (work_starts_on, work_ends_on) = work_dates(d, &mut e);
    let questions: Vec<String> =
        d.questions.lines().map(str::trim).filter(|q| !q.is_empty()).map(String::from).collect();
    if questions.len() > 10 || questions.iter().any(|q| q.chars().count() > 500) {
        e.add("questions", "Ask at most 10 questions of up to 500 characters each.");
    }
    if d.deliverables.chars().count() > 5_000 {
        e.add("deliverables", "Keep the deliverables under 5,000 characters.");
    }
    let rules = rules(d, &mut e);
    match (kind, partner_id, pay, seats, apply_by) {
        (Some(kind), Some(partner_id), Some(pay), Some(seats), Some(apply_by)) if e.is_empty() => Ok(Clean {
            kind,
            title,
            brief: d.brief.clone(),
            partner_id,
            pay,
            seats,
            apply_by,
            work_starts_on,
            work_ends_on,
            questions,
            deliverables: d.deliverables.trim().to_string(),
            rules,
        }),
        _ => Err(e),
    }
}

fn pay(d: &Draft, e: &mut FieldErrors) -> Option<Pay> {
    match d.compensation.trim() {
        "money" => {
            let cents = parse_cents(&d.amount);
            if cents.is_none() {
                e.add("amount", "Give an amount above zero, like 250 or 250.50.");
            }
            let currency = d.currency.trim().to_uppercase();
            if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
                e.add("currency", "Give a three-letter currency code, like USD.");
            }
            cents.map(|amount_cents| Pay::Money { amount_cents, currency })
        }
        "points" => {
            let points = d.points.trim().parse::<i64>().ok().filter(|p| (1..=1_000_000).contains(p));
            if points.is_none() {
                e.add("points", "Give the points, from 1 to 1,000,000.");
            }
            points.map(|points| Pay::Points { points })
        }
        "unpaid" | "" => Some(Pay::Unpaid),
        _ => {
            e.add("compensation", "Choose money, points or unpaid.");
            None
        }
    }
}

/// A decimal amount as cents: "250" → 25000, "250.5" → 25050; at most two decimals,
/// above zero and at most ten million.
pub fn parse_cents(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok().filter(|w| *w <= 10_000_000)?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole * 100 + frac).filter(|c| *c > 0)
}

/// The application deadline: a date means the end of that day in UTC; a moment is
/// RFC 3339, or a date and time without zone taken as UTC.
pub fn parse_deadline(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(23, 59, 59).map(|n| n.and_utc());
    }
    if let Ok(m) = DateTime::parse_from_rfc3339(t) {
        return Some(m.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|n| n.and_utc())
}

fn work_dates(d: &Draft, e: &mut FieldErrors) -> (String, String) {
    let mut date = |field: &str, text: &str| -> Option<NaiveDate> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
        if parsed.is_none() {
            e.add(field, "Give a date like 2027-04-15, or leave it empty.");
        }
        parsed
    };
    let starts = date("work_starts_on", &d.work_starts_on);
    let ends = date("work_ends_on", &d.work_ends_on);
    if let (Some(s), Some(f)) = (starts, ends)
        && f < s
    {
        e.add("work_ends_on", "The work cannot end before it starts.");
    }
    let text = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    (text(starts), text(ends))
}

/// Comma- or space-separated codes, each normalised by `norm`, without repeats.
fn codes(text: &str, norm: fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in text.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()).map(norm) {
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

fn rules(d: &Draft, e: &mut FieldErrors) -> Rules {
    let mut member_types = Vec::new();
    for t in d.member_types.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        match MemberType::parse(t) {
            Some(mt) if !member_types.contains(&mt) => member_types.push(mt),
            Some(_) => {}
            None => e.add("member_types", "Choose member types from the list."),
        }
    }
    let mut conditions = Vec::new();
    for c in d.conditions.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match c.parse::<Uuid>() {
            Ok(id) if !conditions.contains(&id) => conditions.push(id),
            Ok(_) => {}
            Err(_) => e.add("conditions", "Choose conditions from the list."),
        }
    }
    let countries = codes(&d.countries, |c| c.to_uppercase());
    if countries.iter().any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
        e.add("countries", "Give two-letter country codes, like GB or US, separated by commas.");
    }
    let languages = codes(&d.languages, |l| l.to_lowercase());
    if languages.iter().any(|l| !(2..=3).contains(&l.len()) || !l.chars().all(|ch| ch.is_ascii_lowercase())) {
        e.add("languages", "Give language codes, like en or es, separated by commas.");
    }
    let min_followers = followers(d, e);
    let credential = credential(d, e);
    Rules { member_types, conditions, countries, languages, min_followers, health_leader: d.health_leader, credential }
}

/// The longest credential code accepted.
const CREDENTIAL_MAX: usize = 64;

/// A credential code: lower-case letters, digits and hyphens (case is ignored as typed),
/// so that it compares equal to the code a course completion carries.
fn credential(d: &Draft, e: &mut FieldErrors) -> Option<String> {
    let code = d.credential.trim().to_lowercase();
    if code.is_empty() {
        return None;
    }
    let well_formed = code.len() <= CREDENTIAL_MAX
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-');
    if !well_formed {
        e.add("credential", "Give a credential code of letters, digits and hyphens, like storytelling-101.");
        return None;
    }
    Some(code)
}

fn followers(d: &Draft, e: &mut FieldErrors) -> Option<(String, i64)> {
    let channel = d.followers_channel.trim().to_lowercase();
    let count = d.followers_count.trim();
    if channel.is_empty() && count.is_empty() {
        return None;
    }
    if !PLATFORMS.iter().any(|(c, _)| *c == channel) {
        e.add("followers_channel", "Choose the channel the followers are counted on.");
        return None;
    }
    match count.parse::<i64>().ok().filter(|n| (1..=1_000_000_000).contains(n)) {
        Some(n) => Some((channel, n)),
        None => {
            e.add("followers_count", "Give the least number of followers, 1 or more.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            kind: "social_media_campaign".into(),
            title: "Asthma awareness week".into(),
            partner_id: Uuid::now_v7().to_string(),
            compensation: "money".into(),
            amount: "250.5".into(),
            currency: "usd".into(),
            seats: "3".into(),
            apply_by: "2027-03-31".into(),
            countries: "gb, ie".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_draft_is_cleaned() {
        let c = validate(&draft()).unwrap();
        assert_eq!(c.pay, Pay::Money { amount_cents: 25050, currency: "USD".into() });
        assert_eq!(c.rules.countries, vec!["GB", "IE"]);
        assert_eq!(c.apply_by.to_rfc3339(), "2027-03-31T23:59:59+00:00");
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let d = Draft {
            kind: "party".into(),
            title: "x".into(),
            amount: "-3".into(),
            currency: "dollars".into(),
            seats: "0".into(),
            apply_by: "soon".into(),
            work_starts_on: "2027-05-02".into(),
            work_ends_on: "2027-05-01".into(),
            followers_channel: "myspace".into(),
            credential: "story telling!".into(),
            ..draft()
        };
        let e = validate(&d).unwrap_err();
        let fields = [
            "kind",
            "title",
            "amount",
            "currency",
            "seats",
            "apply_by",
            "work_ends_on",
            "followers_channel",
            "credential",
        ];
        for field in fields {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn a_credential_code_is_kept_in_lower_case() {
        let c = validate(&Draft { credential: " Storytelling-101 ".into(), ..draft() }).unwrap();
        assert_eq!(c.rules.credential.as_deref(), Some("storytelling-101"));
        assert_eq!(validate(&draft()).unwrap().rules.credential, None);
    }

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(parse_cents("250"), Some(25000));
        assert_eq!(parse_cents("0.05"), Some(5));
        assert_eq!(parse_cents("1.234"), None);
        assert_eq!(parse_cents("0"), None);
        assert_eq!(parse_cents("1e3"), None);
        assert_eq!(parse_cents(""), None);
    }
}

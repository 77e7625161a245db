//! Who is eligible for an opportunity.
//!
//! **The rule.** An opportunity may restrict who can apply by member type, condition,
//! country, language, followers on a named channel, the Health Leader badge and a
//! credential (such as a course certificate, `storytelling-101`). Each
//! restriction given must be met; one not given is no restriction, so an opportunity
//! without any is open to every member. A list restriction (member types, conditions,
//! countries, languages) is met by having any one of the listed values; followers by
//! one channel on the named platform with at least that audience.
//!
//! A member is matched on what their profile shows to other members (to everyone or to
//! members only): a condition kept members-only counts, one kept to "only me" does not
//! (`contracts::members::MatchProfile`). Credentials are this slice's own record,
//! learned from `CourseCompleted` events (`credentials.rs`). What matched is never shown
//! to anyone but the member and staff; partners see counts only.
//!
//! The rule is here twice, side by side: [`misses`] (one member and one opportunity,
//! with the reason for each restriction not met) and [`eligible_sql`] (the list of
//! opportunities offered to a member, filtered in the database).
//! `tests/eligibility_agreement.rs` proves they agree over random profiles and rules on
//! SQLite and PostgreSQL.

use std::collections::HashMap;

pub use contracts::eligibility::{Candidate, Miss, Rules, eligible, misses};
use contracts::members::platform_label;
pub use contracts::members::{MatchProfile, MemberType};
use kernel::db;
use kernel::params;
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

use crate::model::thousands;

/// [`eligible`] as an SQL condition on the `opportunities` row aliased `o`, for the
/// member `c`. `bind` takes a value and returns its placeholder.
pub fn eligible_sql(c: &Candidate, o: &str, bind: &mut dyn FnMut(Value) -> String) -> String {
    let p = &c.profile;
    let member_types: Vec<String> = p.member_type.iter().map(|t| t.as_str().to_string()).collect();
    let conditions: Vec<String> = p.conditions.iter().map(Uuid::to_string).collect();
    let mut parts = vec![
        list_rule_sql(o, "member_type", &member_types, bind),
        list_rule_sql(o, "condition", &conditions, bind),
        list_rule_sql(o, "country", p.country.as_slice(), bind),
        list_rule_sql(o, "language", &p.languages, bind),
    ];
    let mut followers = vec![format!("{o}.followers_min IS NULL")];
    for (platform, audience) in &p.channels {
        let (pl, n) = (bind(platform.clone().into()), bind((*audience).into()));
        followers.push(format!("({o}.followers_channel = {pl} AND {o}.followers_min <= {n})"));
    }
    parts.push(format!("({})", followers.join(" OR ")));
    if !p.health_leader {
        parts.push(format!("{o}.needs_health_leader = FALSE"));
    }
    parts.push(credential_sql(o, &c.credentials, bind));
    parts.join(" AND ")
}

/// The credential restriction: none asked for, or one the member holds.
fn credential_sql(o: &str, held: &[String], bind: &mut dyn FnMut(Value) -> String) -> String {
    if held.is_empty() {
        return format!("{o}.needs_credential IS NULL");
    }
    let list: Vec<String> = held.iter().map(|v| bind(v.clone().into())).collect();
    format!("({o}.needs_credential IS NULL OR {o}.needs_credential IN ({}))", list.join(", "))
}

/// A list restriction: none given, or one of the member's `values` among those given.
fn list_rule_sql(o: &str, rule: &str, values: &[String], bind: &mut dyn FnMut(Value) -> String) -> String {
    let given = |extra: &str| {
        format!(
            "EXISTS (SELECT 1 FROM opportunity_rules r WHERE r.opportunity_id = {o}.id AND r.rule = '{rule}'{extra})"
        )
    };
    if values.is_empty() {
        return format!("NOT {}", given(""));
    }
    let list: Vec<String> = values.iter().map(|v| bind(v.clone().into())).collect();
    format!("(NOT {} OR {})", given(""), given(&format!(" AND r.value IN ({})", list.join(", "))))
}

/// Stores an opportunity's list restrictions (the others are columns of the
/// opportunity: `followers_channel`, `followers_min`, `needs_health_leader`,
/// `needs_credential`).
pub async fn write_list_rules<C: ConnectionTrait>(c: &C, opportunity: Uuid, rules: &Rules) -> Result<(), DbErr> {
    let member_types: Vec<String> = rules.member_types.iter().map(|t| t.as_str().to_string()).collect();
    let conditions: Vec<String> = rules.conditions.iter().map(Uuid::to_string).collect();
    for (rule, values) in [
        ("member_type", &member_types),
        ("condition", &conditions),
        ("country", &rules.countries),
        ("language", &rules.languages),
    ] {
        for v in values {
            db::exec(
                c,
                "INSERT INTO opportunity_rules (opportunity_id, rule, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                params![opportunity, rule, v.clone()],
            )
            .await?;
        }
    }
    Ok(())
}

/// The rule columns of an opportunity row.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct RuleColumns {
    pub id: Uuid,
    pub followers_channel: Option<String>,
    pub followers_min: Option<i64>,
    pub needs_health_leader: bool,
    pub needs_credential: Option<String>,
}

/// The rules of each opportunity in `rows`, in one query for the list restrictions.
pub async fn load_rules<C: ConnectionTrait>(c: &C, rows: &[RuleColumns]) -> Result<HashMap<Uuid, Rules>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        opportunity_id: Uuid,
        rule: String,
        value: String,
    }
    let mut out: HashMap<Uuid, Rules> = rows
        .iter()
        .map(|r| {
            let min_followers = r.followers_channel.clone().zip(r.followers_min);
            let rules = Rules {
                min_followers,
                health_leader: r.needs_health_leader,
                credential: r.needs_credential.clone(),
                ..Default::default()
            };
            (r.id, rules)
        })
        .collect();
    if rows.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT opportunity_id, rule, value FROM opportunity_rules WHERE opportunity_id IN ({}) ORDER BY rule, value",
        db::placeholders(1, rows.len())
    );
    let found: Vec<Row> = db::all(c, &sql, rows.iter().map(|r| Value::from(r.id)).collect()).await?;
    for f in found {
        let Some(rules) = out.get_mut(&f.opportunity_id) else { continue };
        match f.rule.as_str() {
            "member_type" => rules.member_types.extend(MemberType::parse(&f.value)),
            "condition" => rules.conditions.extend(f.value.parse::<Uuid>().ok()),
            "country" => rules.countries.push(f.value),
            "language" => rules.languages.push(f.value),
            _ => {}
        }
    }
    Ok(out)
}

/// Condition ids → names, for the words below.
pub type ConditionNames = HashMap<Uuid, String>;

fn or_list(items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn condition_list(rules: &Rules, names: &ConditionNames) -> String {
    or_list(
        rules.conditions.iter().map(|c| names.get(c).cloned().unwrap_or_else(|| "a listed condition".into())).collect(),
    )
}

/// Each restriction of `rules` in words ("Member type: Caregiver or Advocate"), for the
/// opportunity's page.
pub fn requirements(rules: &Rules, names: &ConditionNames) -> Vec<String> {
    let mut out = Vec::new();
    if !rules.member_types.is_empty() {
        out.push(format!("Member type: {}", or_list(rules.member_types.iter().map(|t| t.label().into()).collect())));
    }
    if !rules.conditions.is_empty() {
        out.push(format!("Living with or caring for: {}", condition_list(rules, names)));
    }
    if !rules.countries.is_empty() {
        out.push(format!("Living in: {}", or_list(rules.countries.clone())));
    }
    if !rules.languages.is_empty() {
        out.push(format!("Speaking: {}", or_list(rules.languages.clone())));
    }
    if let Some((platform, min)) = &rules.min_followers {
        out.push(format!("At least {} followers on {}", thousands(*min), platform_label(platform)));
    }
    if rules.health_leader {
        out.push("The Health Leader badge".to_string());
    }
    if let Some(code) = &rules.credential {
        out.push(format!("The credential \u{201c}{code}\u{201d}"));
    }
    out
}

/// The profile field a restriction reads.
fn field_of(miss: &Miss) -> Option<&'static str> {
    match miss {
        Miss::MemberType => Some("member_type"),
        Miss::Condition => Some("conditions"),
        Miss::Country => Some("location"),
        Miss::Language => Some("languages"),
        Miss::Followers { .. } => Some("channels"),
        Miss::HealthLeader | Miss::Credential => None,
    }
}

/// Why `miss` keeps a member out, in words addressed to them ("needs 1,000 followers on
/// Instagram"); it names what the opportunity asks for, never what the member has
/// beyond their own follower count. A field they keep to "only me" is said to be so.
pub fn reason(miss: &Miss, rules: &Rules, names: &ConditionNames, withheld: &[String]) -> String {
    let need = match miss {
        Miss::MemberType => format!(
            "needs member type {}",
            or_list(rules.member_types.iter().map(|t| t.label().to_lowercase()).collect())
        ),
        Miss::Condition => format!("needs one of these conditions on your profile: {}", condition_list(rules, names)),
        Miss::Country => format!("needs you to live in {}", or_list(rules.countries.clone())),
        Miss::Language => format!("needs one of these languages: {}", or_list(rules.languages.clone())),
        Miss::Followers { have } => {
            let (platform, min) = rules.min_followers.clone().unwrap_or_default();
            let label = platform_label(&platform);
            let mut s = format!("needs {} followers on {label}", thousands(min));
            if *have > 0 {
                s.push_str(&format!(" (you have {})", thousands(*have)));
            }
            s
        }
        Miss::HealthLeader => "needs the Health Leader badge".to_string(),
        Miss::Credential => {
            format!("needs the credential \u{201c}{}\u{201d}", rules.credential.clone().unwrap_or_default())
        }
    };
    match field_of(miss) {
        Some(f) if withheld.iter().any(|w| w == f) => {
            format!("{need} (your profile keeps this to \u{201c}only me\u{201d}, so it is not used for matching)")
        }
        _ => need,
    }
}

/// Every reason `c` is not eligible, in words (empty: eligible).
pub fn reasons(rules: &Rules, c: &Candidate, names: &ConditionNames) -> Vec<String> {
    misses(rules, c).iter().map(|m| reason(m, rules, names, &c.profile.withheld)).collect()
}

#[cfg(test)]
mod tests;

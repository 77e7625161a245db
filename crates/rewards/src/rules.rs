//! Earning rules: which action earns how many points, with caps. Every change is kept
//! as a version with the moment it took effect, so an event earns by the rule that was
//! in force when it happened — a change applies to new events only.

use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::{Instant, now};
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A default rule: code, label, points, daily cap, lifetime cap.
type DefaultRule = (&'static str, &'static str, i64, Option<i64>, Option<i64>);

/// The rules every install starts with.
const DEFAULTS: &[DefaultRule] = &[
    ("profile_completed", "Complete your profile", 50, None, Some(50)),
    ("event_attended", "Attend an event", 30, Some(90), None),
    ("course_completed", "Complete a course", 100, None, None),
    ("survey_completed", "Complete an insight survey", 40, None, None),
    ("thread_started", "Start a discussion", 10, Some(30), None),
    ("reply_posted", "Reply in a discussion", 2, Some(20), None),
    ("article_published", "Publish an article", 150, None, None),
    ("article_featured", "Have an article featured", 100, None, None),
    ("award_nominated", "Be nominated for a Social Health Award", 100, None, None),
    ("award_finalist", "Become an award finalist", 250, None, None),
    ("award_won", "Win a Social Health Award", 500, None, None),
    ("referral_joined", "Someone you referred joins", 25, None, Some(500)),
];

/// Outbox event kind → the rule it earns under.
pub use contracts::events::EARNING as EVENT_RULES;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Rule {
    pub code: String,
    pub label: String,
    pub points: i64,
    /// Most points this rule gives one member in one (UTC) day.
    pub daily_cap: Option<i64>,
    /// Most points this rule ever gives one member.
    pub lifetime_cap: Option<i64>,
    pub enabled: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The terms of a rule at one moment.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Terms {
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub lifetime_cap: Option<i64>,
    pub enabled: bool,
}

/// Adds the default rules an install does not have yet.
pub async fn seed(db: &Db) -> Result<(), sea_orm::DbErr> {
    let epoch = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
    for (code, label, points, daily, lifetime) in DEFAULTS {
        let added = db
            .exec(
                "INSERT INTO earning_rules (code, label, points, daily_cap, lifetime_cap, enabled, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6) ON CONFLICT (code) DO NOTHING",
                params![*code, *label, *points, *daily, *lifetime, now()],
            )
            .await?;
        if added == 1 {
            db.exec(
                "INSERT INTO earning_rule_versions (id, code, points, daily_cap, lifetime_cap, enabled, effective_from) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
                params![Uuid::now_v7(), *code, *points, *daily, *lifetime, epoch],
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn all(db: &Db) -> Result<Vec<Rule>, sea_orm::DbErr> {
    db.all(
        "SELECT code, label, points, daily_cap, lifetime_cap, enabled, updated_at FROM earning_rules ORDER BY points DESC, code",
        params![],
    )
    .await
}

pub async fn get(db: &Db, code: &str) -> AppResult<Rule> {
    db.one(
        "SELECT code, label, points, daily_cap, lifetime_cap, enabled, updated_at FROM earning_rules WHERE code = $1",
        params![code.to_string()],
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// The terms in force at `at` (the latest version that took effect by then).
pub async fn terms_at<C: sea_orm::ConnectionTrait>(
    c: &C,
    code: &str,
    at: Instant,
) -> Result<Option<Terms>, sea_orm::DbErr> {
    db::one(
        c,
        "SELECT points, daily_cap, lifetime_cap, enabled FROM earning_rule_versions \
         WHERE code = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1",
        params![code.to_string(), at],
    )
    .await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleChange {
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub lifetime_cap: Option<i64>,
    pub enabled: bool,
    pub label: Option<String>,
}

/// Changes a rule from now on (staff). Audited.
pub async fn update(state: &AppState, actor: MemberId, code: &str, change: &RuleChange, ip: &str) -> AppResult<Rule> {
    let mut e = FieldErrors::new();
    if !(0..=100_000).contains(&change.points) {
        e.add("points", "Points must be from 0 to 100,000.");
    }
    for (field, cap) in [("daily_cap", change.daily_cap), ("lifetime_cap", change.lifetime_cap)] {
        if cap.is_some_and(|c| !(0..=10_000_000).contains(&c)) {
            e.add(field, "A cap must be from 0 to 10,000,000, or null for none.");
        }
    }
    if let Some(l) = &change.label
        && (l.trim().is_empty() || l.chars().count() > 120)
    {
        e.add("label", "Give the rule a label of 1 to 120 characters.");
    }
    e.into_result()?;
    let existing = get(&state.db, code).await?;
    let t = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "UPDATE earning_rules SET points = $1, daily_cap = $2, lifetime_cap = $3, enabled = $4, label = $5, updated_at = $6 WHERE code = $7",
        params![
            change.points,
            change.daily_cap,
            change.lifetime_cap,
            change.enabled,
            change.label.clone().map(|l| l.trim().to_string()).unwrap_or(existing.label.clone()),
            t,
            code.to_string()
        ],
    )
    .await?;
    db::exec(
        &tx,
        "INSERT INTO earning_rule_versions (id, code, points, daily_cap, lifetime_cap, enabled, effective_from, changed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![Uuid::now_v7(), code.to_string(), change.points, change.daily_cap, change.lifetime_cap, change.enabled, t, actor],
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "earning_rule_changed",
        None,
        Some(ip),
        serde_json::json!({ "code": code, "from": { "points": existing.points, "daily_cap": existing.daily_cap, "lifetime_cap": existing.lifetime_cap, "enabled": existing.enabled }, "to": { "points": change.points, "daily_cap": change.daily_cap, "lifetime_cap": change.lifetime_cap, "enabled": change.enabled } }),
    )
    .await?;
    tx.commit().await?;
    get(&state.db, code).await
}

//! A programme per year: its categories (with who is eligible), its rubric of weighted
//! criteria, how many finalists each category draws, the ceremony it ends at, and the
//! phase it is in. Staff create programmes and move them forward, one phase at a time
//! or several; every move is audited, and leaving the endorsements draws the finalists.

use chrono::{DateTime, Utc};
use contracts::ids::EventId;
use contracts::members::MemberType;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;

/// Bounds on what staff may send.
const MAX_CATEGORIES: usize = 30;
const MAX_CRITERIA: usize = 12;
const MAX_NAME: usize = 120;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    pub name: String,
    /// Member types who may be nominated (`patient`, `caregiver`, …); empty: anyone.
    #[serde(default)]
    pub member_types: Vec<String>,
    /// How much the public vote counts in the result, 0 to 100 percent (0: no vote).
    #[serde(default)]
    pub vote_weight_percent: i64,
    /// The fewest days a nominee must have been a member, 0 to 3650 (0: no minimum).
    #[serde(default)]
    pub min_member_days: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCriterion {
    pub name: String,
    /// 1 to 100.
    pub weight: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgramme {
    pub year: i64,
    pub categories: Vec<NewCategory>,
    pub criteria: Vec<NewCriterion>,
    /// How many nominees per category become finalists when endorsements close, 1 to 50.
    pub finalists_per_category: i64,
    /// The Connexion event whose start is the ceremony.
    #[serde(default)]
    pub ceremony_event_id: Option<EventId>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub member_types: String,
    pub vote_weight_percent: i64,
    /// The fewest days a nominee must have been a member (0: no minimum).
    pub min_member_days: i64,
}

impl Category {
    pub fn eligible_types(&self) -> Vec<String> {
        serde_json::from_str(&self.member_types).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Criterion {
    pub id: Uuid,
    pub name: String,
    pub weight: i64,
}

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ProgrammeRow {
    pub id: Uuid,
    pub year: i64,
    pub phase: String,
    pub finalists_per_category: i64,
    pub ceremony_event_id: Option<EventId>,
    pub ceremony_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
}

impl ProgrammeRow {
    pub fn phase(&self) -> Phase {
        Phase::parse(&self.phase).unwrap_or(Phase::Closed)
    }
}

/// What was created: the ids staff need for what follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
    pub year: i64,
    pub categories: Vec<Category>,
    pub criteria: Vec<Criterion>,
}

fn check(p: &NewProgramme) -> AppResult<()> {
    let mut e = FieldErrors::new();
    if !(2000..=2200).contains(&p.year) {
        e.add("year", "Give a year between 2000 and 2200.");
    }
    if p.categories.is_empty() || p.categories.len() > MAX_CATEGORIES {
        e.add("categories", format!("Give 1 to {MAX_CATEGORIES} categories."));
    }
    let names_ok = p.categories.iter().all(|c| !c.name.trim().is_empty() && c.name.chars().count() <= MAX_NAME);
    let mut unique: Vec<String> = p.categories.iter().map(|c| c.name.trim().to_lowercase()).collect();
    unique.sort();
    unique.dedup();
    if !names_ok || unique.len() != p.categories.len() {
        e.add("categories", format!("Each category needs its own name of at most {MAX_NAME} characters."));
    }
    let types_ok = p.categories.iter().all(|c| c.member_types.iter().all(|t| MemberType::parse(t).is_some()));
    if !types_ok {
        e.add("categories", "Member types are patient, caregiver, professional or other.");
    }
    if !p.categories.iter().all(|c| (0..=100).contains(&c.vote_weight_percent)) {
        e.add("categories", "A vote weight is 0 to 100 percent.");
    }
    if !p.categories.iter().all(|c| (0..=3650).contains(&c.min_member_days)) {
        e.add("categories", "A minimum membership age is 0 to 3650 days.");
    }
    if p.criteria.is_empty() || p.criteria.len() > MAX_CRITERIA {
        e.add("criteria", format!("Give 1 to {MAX_CRITERIA} criteria."));
    }
    let criteria_ok = p
        .criteria
        .iter()
        .all(|c| !c.name.trim().is_empty() && c.name.chars().count() <= MAX_NAME && (1..=100).contains(&c.weight));
    if !criteria_ok {
        e.add("criteria", "Each criterion needs a name and a weight from 1 to 100.");
    }
    if !(1..=50).contains(&p.finalists_per_category) {
        e.add("finalists_per_category", "Draw 1 to 50 finalists per category.");
    }
    e.into_result()
}

/// Creates a programme in its nominations phase (staff). 409 when the year has one.
pub async fn create(state: &AppState, actor: MemberId, p: &NewProgramme, ip: &str) -> AppResult<Created> {
    check(p)?;
    let ceremony_at = match p.ceremony_event_id {
        Some(event) => Some(
            contracts::calendar::starts_at(state, event)
                .await?
                .ok_or_else(|| AppError::field("ceremony_event_id", "There is no such event."))?,
        ),
        None => None,
    };
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    let inserted = db::exec(
        &tx,
        "INSERT INTO award_programmes (id, year, phase, finalists_per_category, ceremony_event_id, ceremony_at, created_by, created_at) \
         VALUES ($1, $2, 'nominations', $3, $4, $5, $6, $7) ON CONFLICT (year) DO NOTHING",
        params![id, p.year, p.finalists_per_category, p.ceremony_event_id, ceremony_at, actor, now()],
    )
    .await?;
    if inserted == 0 {
        return Err(AppError::conflict("programme_exists", format!("There is already a programme for {}.", p.year)));
    }
    let mut categories = Vec::new();
    for (i, c) in p.categories.iter().enumerate() {
        let cid = Uuid::now_v7();
        let types = serde_json::to_string(&c.member_types).unwrap_or_else(|_| "[]".into());
        db::exec(
            &tx,
            "INSERT INTO award_categories (id, programme_id, position, name, member_types, vote_weight_percent, min_member_days) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![cid, id, i as i64, c.name.trim().to_string(), types.clone(), c.vote_weight_percent, c.min_member_days],
        )
        .await?;
        let name = c.name.trim().to_string();
        let (vote_weight_percent, min_member_days) = (c.vote_weight_percent, c.min_member_days);
        categories.push(Category { id: cid, name, member_types: types, vote_weight_percent, min_member_days });
    }
    let mut criteria = Vec::new();
    for (i, c) in p.criteria.iter().enumerate() {
        let cid = Uuid::now_v7();
        db::exec(
            &tx,
            "INSERT INTO award_criteria (id, programme_id, position, name, weight) VALUES ($1, $2, $3, $4, $5)",
            params![cid, id, i as i64, c.name.trim().to_string(), c.weight],
        )
        .await?;
        criteria.push(Criterion { id: cid, name: c.name.trim().to_string(), weight: c.weight });
    }
    audit::record(&tx, Some(actor), "award_programme_created", None, Some(ip), serde_json::json!({"year": p.year}))
        .await?;
    tx.commit().await?;
    Ok(Created { id, year: p.year, categories, criteria })
}

const COLUMNS: &str = "id, year, phase, finalists_per_category, ceremony_event_id, ceremony_at, locked_at";

/// The programme of `year`, or 404.
pub async fn by_year<C: ConnectionTrait>(c: &C, year: i64) -> AppResult<ProgrammeRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM award_programmes WHERE year = $1"), params![year])
        .await?
        .ok_or(AppError::NotFound)
}

/// Every programme, newest year first.
pub async fn all<C: ConnectionTrait>(c: &C) -> AppResult<Vec<ProgrammeRow>> {
    Ok(db::all(c, &format!("SELECT {COLUMNS} FROM award_programmes ORDER BY year DESC"), params![]).await?)
}

pub async fn categories<C: ConnectionTrait>(c: &C, programme: Uuid) -> AppResult<Vec<Category>> {
    Ok(db::all(
        c,
        "SELECT id, name, member_types, vote_weight_percent, min_member_days FROM award_categories WHERE programme_id = $1 ORDER BY position",
        params![programme],
    )
    .await?)
}

pub async fn criteria<C: ConnectionTrait>(c: &C, programme: Uuid) -> AppResult<Vec<Criterion>> {
    Ok(db::all(
        c,
        "SELECT id, name, weight FROM award_criteria WHERE programme_id = $1 ORDER BY position",
        params![programme],
    )
    .await?)
}

/// Moves the programme of `year` forward to `to` (staff), audited. Leaving the
/// endorsements draws the finalists in the same transaction. 409 when `to` is not ahead.
pub async fn set_phase(state: &AppState, actor: MemberId, year: i64, to: Phase, ip: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let p = by_year(&tx, year).await?;
    let from = p.phase();
    if to <= from {
        return Err(AppError::conflict(
            "phase_not_ahead",
            format!("The programme is in {}; phases only move forward.", from.as_str()),
        ));
    }
    let moved = db::exec(
        &tx,
        "UPDATE award_programmes SET phase = $1 WHERE id = $2 AND phase = $3",
        params![to.as_str(), p.id, from.as_str()],
    )
    .await?;
    if moved == 0 {
        return Err(AppError::conflict("phase_changed", "The phase changed meanwhile; try again."));
    }
    if from <= Phase::Endorsements && to > Phase::Endorsements {
        crate::finalists::draw(&tx, &p).await?;
    }
    let detail = serde_json::json!({"year": year, "from": from.as_str(), "to": to.as_str()});
    audit::record(&tx, Some(actor), "award_phase_changed", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}

//! Judging: staff assign a judge every finalist of some categories, leaving out any
//! pair with a conflict of interest (declared by the judge or recorded by staff); a
//! judge sees only their assignments without a conflict, each with the entry (the
//! nomination statements), and scores each criterion 1 to 10. A conflict recorded
//! later removes the assignment and its scores, so the judge never sees or scores that
//! nominee again. Every score and conflict is audited.

use std::collections::HashMap;

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;
use crate::programmes::{self, Criterion};

/// The pair is not conflicted: a SQL condition over an assignment aliased `a`.
const NO_CONFLICT: &str =
    "NOT EXISTS (SELECT 1 FROM award_conflicts k WHERE k.judge_id = a.judge_id AND k.nominee_id = a.nominee_id)";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgeAssignment {
    pub member_id: MemberId,
    /// 1 to 30 categories of this programme.
    pub category_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Assigned {
    /// Assignments made now (existing and conflicted pairs are left out).
    pub assigned: u64,
}

/// Assigns `a.member_id` every finalist of `a.category_ids` (staff, audited), without
/// conflicted pairs and never their own nomination.
pub async fn assign(
    state: &AppState,
    actor: MemberId,
    year: i64,
    a: &JudgeAssignment,
    ip: &str,
) -> AppResult<Assigned> {
    if a.category_ids.is_empty() || a.category_ids.len() > 30 {
        return Err(AppError::field("category_ids", "Choose 1 to 30 categories."));
    }
    let p = programmes::by_year(state.db.reader(), year).await?;
    let known = programmes::categories(state.db.reader(), p.id).await?;
    if !a.category_ids.iter().all(|c| known.iter().any(|k| k.id == *c)) {
        return Err(AppError::field("category_ids", "Choose categories of this programme."));
    }
    if !contracts::members::directory(state)?.exists(state.db.reader().into(), a.member_id).await? {
        return Err(AppError::field("member_id", "There is no such member."));
    }
    let tx = state.db.begin().await?;
    let mut assigned = 0;
    for category in &a.category_ids {
        let finalists: Vec<Uuid> = db::column(
            &tx,
            "SELECT n.id FROM award_nominees n WHERE n.category_id = $1 AND n.finalist = TRUE AND n.status = 'accepted' \
             AND (n.member_id IS NULL OR n.member_id <> $2) \
             AND NOT EXISTS (SELECT 1 FROM award_conflicts k WHERE k.judge_id = $2 AND k.nominee_id = n.id)",
            params![*category, a.member_id],
        )
        .await?;
        for nominee in finalists {
            assigned += db::exec(
                &tx,
                "INSERT INTO award_assignments (id, judge_id, nominee_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (judge_id, nominee_id) DO NOTHING",
                params![Uuid::now_v7(), a.member_id, nominee, now()],
            )
            .await?;
        }
    }
    let detail = serde_json::json!({"year": year, "categories": a.category_ids, "assigned": assigned});
    audit::record(&tx, Some(actor), "award_judge_assigned", Some(a.member_id), Some(ip), detail).await?;
    tx.commit().await?;
    Ok(Assigned { assigned })
}

/// Records that `judge` has a conflict with `nominee`, removing the assignment and its
/// scores, in one transaction (audited). `by` is the judge or a staff member.
pub async fn record_conflict(
    state: &AppState,
    by: MemberId,
    judge: MemberId,
    nominee: Uuid,
    ip: &str,
) -> AppResult<()> {
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO award_conflicts (judge_id, nominee_id, recorded_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (judge_id, nominee_id) DO NOTHING",
        params![judge, nominee, by, now()],
    )
    .await?;
    let pair = "SELECT id FROM award_assignments WHERE judge_id = $1 AND nominee_id = $2";
    db::exec(&tx, &format!("DELETE FROM award_scores WHERE assignment_id IN ({pair})"), params![judge, nominee])
        .await?;
    db::exec(&tx, "DELETE FROM award_assignments WHERE judge_id = $1 AND nominee_id = $2", params![judge, nominee])
        .await?;
    let detail = serde_json::json!({"judge": judge, "nominee": nominee});
    audit::record(&tx, Some(by), "award_conflict_recorded", Some(judge), Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct AssignmentRow {
    id: Uuid,
    nominee_id: Uuid,
    programme_id: Uuid,
    year: i64,
    phase: String,
    category: String,
}

const ASSIGNMENT: &str = "SELECT a.id, a.nominee_id, c.programme_id, p.year, p.phase, c.name AS category \
    FROM award_assignments a JOIN award_nominees n ON n.id = a.nominee_id JOIN award_categories c ON c.id = n.category_id \
    JOIN award_programmes p ON p.id = c.programme_id";

/// The judge's own assignment `id`, unconflicted, or 404.
async fn own<C: ConnectionTrait>(c: &C, judge: MemberId, id: Uuid) -> AppResult<AssignmentRow> {
    db::one(c, &format!("{ASSIGNMENT} WHERE a.id = $1 AND a.judge_id = $2 AND {NO_CONFLICT}"), params![id, judge])
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: Uuid,
    pub year: i64,
    pub category: String,
    pub nominee: crate::nominees::NomineeView,
    /// The entry: every nomination statement.
    pub statements: Vec<String>,
    pub criteria: Vec<Criterion>,
    /// This judge's scores so far, by criterion id.
    pub scores: HashMap<Uuid, i64>,
}

/// The judge's unconflicted assignments with their entries, criteria and scores.
pub async fn assignments(state: &AppState, judge: MemberId) -> AppResult<Vec<AssignmentView>> {
    let c = state.db.reader();
    let rows: Vec<AssignmentRow> = db::all(
        c,
        &format!(
            "{ASSIGNMENT} WHERE a.judge_id = $1 AND {NO_CONFLICT} ORDER BY p.year, c.position, n.created_at LIMIT 500"
        ),
        params![judge],
    )
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let nominee = crate::nominees::public(c, r.nominee_id).await?;
        let statements: Vec<String> = db::column(
            c,
            "SELECT statement FROM award_nominations WHERE nominee_id = $1 ORDER BY created_at, id",
            params![r.nominee_id],
        )
        .await?;
        let scores: Vec<(Uuid, i64)> = db::all::<ScoreRow, _>(
            c,
            "SELECT criterion_id, score FROM award_scores WHERE assignment_id = $1",
            params![r.id],
        )
        .await?
        .into_iter()
        .map(|s| (s.criterion_id, s.score))
        .collect();
        out.push(AssignmentView {
            id: r.id,
            year: r.year,
            category: r.category,
            nominee: crate::nominees::views(state, vec![nominee]).await?.remove(0),
            statements,
            criteria: programmes::criteria(c, r.programme_id).await?,
            scores: scores.into_iter().collect(),
        });
    }
    Ok(out)
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct ScoreRow {
    criterion_id: Uuid,
    score: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// A score from 1 to 10 for each criterion scored, by criterion id.
    pub scores: HashMap<Uuid, i64>,
}

/// The judge scores their assignment `id` while the programme is judging (each score
/// audited); a later score of a criterion replaces the earlier.
pub async fn score(state: &AppState, judge: MemberId, id: Uuid, s: &Scores, ip: &str) -> AppResult<()> {
    let a = own(state.db.reader(), judge, id).await?;
    if Phase::parse(&a.phase) != Some(Phase::Judging) {
        return Err(AppError::conflict("phase_closed", "Judging is not open."));
    }
    let criteria = programmes::criteria(state.db.reader(), a.programme_id).await?;
    if s.scores.is_empty() || !s.scores.keys().all(|k| criteria.iter().any(|c| c.id == *k)) {
        return Err(AppError::field("scores", "Score this programme's criteria, by their ids."));
    }
    if !s.scores.values().all(|v| (1..=10).contains(v)) {
        return Err(AppError::field("scores", "Each score is a whole number from 1 to 10."));
    }
    let tx = state.db.begin().await?;
    own(&tx, judge, id).await?;
    for (criterion, value) in &s.scores {
        db::exec(
            &tx,
            "INSERT INTO award_scores (assignment_id, criterion_id, score, scored_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (assignment_id, criterion_id) DO UPDATE SET score = excluded.score, scored_at = excluded.scored_at",
            params![id, *criterion, *value, now()],
        )
        .await?;
    }
    let detail = serde_json::json!({"assignment": id, "nominee": a.nominee_id, "year": a.year, "scores": s.scores});
    audit::record(&tx, Some(judge), "award_scored", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The nominee of the judge's own assignment `id`, or 404.
pub async fn nominee_of_assignment(state: &AppState, judge: MemberId, id: Uuid) -> AppResult<Uuid> {
    Ok(own(state.db.reader(), judge, id).await?.nominee_id)
}

/// 404 unless `nominee` is a nominee of programme `p`.
pub async fn nominee_in_programme(state: &AppState, p: &programmes::ProgrammeRow, nominee: Uuid) -> AppResult<()> {
    let found: Option<Uuid> = db::scalar(
        state.db.reader(),
        "SELECT n.id FROM award_nominees n JOIN award_categories c ON c.id = n.category_id WHERE n.id = $1 AND c.programme_id = $2",
        params![nominee, p.id],
    )
    .await?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

//! Results: the standings staff see (each finalist's raw and normalised figures per
//! judge, the combined figure and rank, and each judge's progress), locking the winners
//! (the top of each category, by `normalise::ranking`), and publishing them at the
//! ceremony. Visibility does not wait for the job: `policy::winners_visible` opens at
//! the ceremony's start to the second; the scheduled [`PublishWinners`] then announces
//! (the `AwardWon` events that credit points and notify), once per programme.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use contracts::events::AwardWon;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, outbox, params};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::normalise::{self, Total};
use crate::programmes::{self, ProgrammeRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct JudgeFigure {
    pub judge_id: MemberId,
    /// The judge's weighted mean of the criteria, 1 to 10.
    pub raw: f64,
    /// The same as a z-score over this judge's totals.
    pub normalised: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinalistStanding {
    pub nominee_id: Uuid,
    /// 1 for the best.
    pub rank: usize,
    /// The mean of the normalised figures; null when no judge has finished scoring them.
    pub combined: Option<f64>,
    /// Counted (not voided) public votes.
    pub votes: i64,
    /// What the rank follows: `combined`, or in a category with a public vote of weight
    /// w%, (100 − w)% of `combined` plus w% of the votes' z-score among its finalists.
    pub result: Option<f64>,
    pub figures: Vec<JudgeFigure>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryStandings {
    pub category_id: Uuid,
    pub category: String,
    pub standings: Vec<FinalistStanding>,
}

#[derive(Debug, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct JudgeProgress {
    pub judge_id: MemberId,
    pub assigned: i64,
    /// Assignments with every criterion scored.
    pub finished: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Standings {
    pub categories: Vec<CategoryStandings>,
    pub judges: Vec<JudgeProgress>,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct Finalist {
    id: Uuid,
    category_id: Uuid,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct ScoreLine {
    assignment_id: Uuid,
    judge_id: MemberId,
    nominee_id: Uuid,
    score: i64,
    weight: i64,
}

/// An assignment's judge, nominee and (score, weight) pairs.
type Scored = (MemberId, Uuid, Vec<(i64, i64)>);

/// Every finished assignment's weighted total (unfinished ones do not count yet).
async fn totals<C: ConnectionTrait>(c: &C, p: &ProgrammeRow, criteria: usize) -> AppResult<Vec<Total>> {
    let lines: Vec<ScoreLine> = db::all(
        c,
        "SELECT a.id AS assignment_id, a.judge_id, a.nominee_id, s.score, k.weight FROM award_scores s \
         JOIN award_assignments a ON a.id = s.assignment_id JOIN award_criteria k ON k.id = s.criterion_id \
         WHERE k.programme_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM award_conflicts x WHERE x.judge_id = a.judge_id AND x.nominee_id = a.nominee_id) \
         ORDER BY a.id",
        params![p.id],
    )
    .await?;
    let mut by_assignment: HashMap<Uuid, Scored> = HashMap::new();
    for l in lines {
        by_assignment.entry(l.assignment_id).or_insert((l.judge_id, l.nominee_id, vec![])).2.push((l.score, l.weight));
    }
    let mut out: Vec<Total> = by_assignment
        .into_values()
        .filter(|(_, _, s)| s.len() == criteria)
        .filter_map(|(judge, nominee, s)| {
            normalise::weighted_total(&s).map(|value| Total { judge: judge.0, nominee, value })
        })
        .collect();
    out.sort_by_key(|t| (t.judge, t.nominee));
    Ok(out)
}

/// The standings of a programme, as staff see them.
pub async fn standings<C: ConnectionTrait>(c: &C, p: &ProgrammeRow) -> AppResult<Standings> {
    let criteria = programmes::criteria(c, p.id).await?.len();
    let all = totals(c, p, criteria).await?;
    let normalised = normalise::normalise(&all);
    let combined = normalise::combine(&normalised);
    let finalists: Vec<Finalist> = db::all(
        c,
        "SELECT n.id, n.category_id FROM award_nominees n JOIN award_categories c ON c.id = n.category_id \
         WHERE c.programme_id = $1 AND n.finalist = TRUE AND n.status = 'accepted' ORDER BY n.created_at, n.id",
        params![p.id],
    )
    .await?;
    let mut categories = Vec::new();
    let votes = vote_counts(c, p).await?;
    for category in programmes::categories(c, p.id).await? {
        let order: Vec<Uuid> = finalists.iter().filter(|f| f.category_id == category.id).map(|f| f.id).collect();
        let result = with_votes(&order, &combined, &votes, category.vote_weight_percent);
        let standings = normalise::rank(&order, &result)
            .into_iter()
            .enumerate()
            .map(|(i, nominee)| FinalistStanding {
                nominee_id: nominee,
                rank: i + 1,
                combined: combined.get(&nominee).copied(),
                votes: votes.get(&nominee).copied().unwrap_or(0),
                result: result.get(&nominee).copied(),
                figures: normalised
                    .iter()
                    .filter(|n| n.nominee == nominee)
                    .map(|n| JudgeFigure { judge_id: MemberId(n.judge), raw: n.raw, normalised: n.z })
                    .collect(),
            })
            .collect();
        categories.push(CategoryStandings { category_id: category.id, category: category.name, standings });
    }
    Ok(Standings { categories, judges: progress(c, p, criteria).await? })
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct VoteCount {
    nominee_id: Uuid,
    votes: i64,
}

async fn vote_counts<C: ConnectionTrait>(c: &C, p: &ProgrammeRow) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<VoteCount> = db::all(
        c,
        "SELECT v.nominee_id, CAST(COUNT(*) AS BIGINT) AS votes FROM award_votes v JOIN award_categories c ON c.id = v.category_id \
         WHERE c.programme_id = $1 AND v.voided_at IS NULL GROUP BY v.nominee_id",
        params![p.id],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.nominee_id, r.votes)).collect())
}

/// The figures a category ranks by: the judges' combined figure, blended with the
/// public vote's z-score among the category's finalists by `weight_percent`.
fn with_votes(
    finalists: &[Uuid],
    combined: &HashMap<Uuid, f64>,
    votes: &HashMap<Uuid, i64>,
    weight_percent: i64,
) -> HashMap<Uuid, f64> {
    if weight_percent == 0 {
        return finalists.iter().filter_map(|f| combined.get(f).map(|c| (*f, *c))).collect();
    }
    // The vote as one more "judge" over the finalists, normalised the same way.
    let ballot = Uuid::nil();
    let counts: Vec<Total> = finalists
        .iter()
        .map(|f| Total { judge: ballot, nominee: *f, value: votes.get(f).copied().unwrap_or(0) as f64 })
        .collect();
    let vote_z: HashMap<Uuid, f64> = normalise::normalise(&counts).into_iter().map(|n| (n.nominee, n.z)).collect();
    let w = weight_percent as f64 / 100.0;
    finalists
        .iter()
        .filter_map(|f| combined.get(f).map(|c| (*f, (1.0 - w) * c + w * vote_z.get(f).copied().unwrap_or(0.0))))
        .collect()
}

async fn progress<C: ConnectionTrait>(c: &C, p: &ProgrammeRow, criteria: usize) -> AppResult<Vec<JudgeProgress>> {
    Ok(db::all(
        c,
        "SELECT a.judge_id, CAST(COUNT(*) AS BIGINT) AS assigned, \
         CAST(SUM(CASE WHEN (SELECT COUNT(*) FROM award_scores s WHERE s.assignment_id = a.id) >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS finished \
         FROM award_assignments a JOIN award_nominees n ON n.id = a.nominee_id JOIN award_categories c ON c.id = n.category_id \
         WHERE c.programme_id = $1 GROUP BY a.judge_id ORDER BY a.judge_id",
        params![p.id, criteria as i64],
    )
    .await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Locked {
    pub winners: Vec<crate::overview::Winner>,
    pub ceremony_at: DateTime<Utc>,
}

/// Locks the winners of `year` (staff, audited): the first of each category's ranking
/// among scored finalists. 409 `already_locked`, or `no_ceremony` without a ceremony.
pub async fn lock(state: &AppState, actor: MemberId, year: i64, ip: &str) -> AppResult<Locked> {
    let p = programmes::by_year(state.db.reader(), year).await?;
    let Some(event) = p.ceremony_event_id else {
        return Err(AppError::conflict("no_ceremony", "Set the ceremony event before locking the winners."));
    };
    // The ceremony's time as the events area has it now, in case it moved.
    let ceremony_at = contracts::calendar::starts_at(state, event)
        .await?
        .ok_or_else(|| AppError::conflict("no_ceremony", "The ceremony event is gone or cancelled."))?;
    let tx = state.db.begin().await?;
    let locked = db::exec(
        &tx,
        "UPDATE award_programmes SET locked_at = $1, ceremony_at = $2 WHERE id = $3 AND locked_at IS NULL",
        params![now(), ceremony_at, p.id],
    )
    .await?;
    if locked == 0 {
        return Err(AppError::conflict("already_locked", "The winners are already locked."));
    }
    let standings = standings(&tx, &p).await?;
    let mut winners = Vec::new();
    for c in &standings.categories {
        let Some(top) = c.standings.first().filter(|s| s.result.is_some()) else { continue };
        db::exec(
            &tx,
            "INSERT INTO award_winners (category_id, nominee_id, locked_at) VALUES ($1, $2, $3)",
            params![c.category_id, top.nominee_id, now()],
        )
        .await?;
        let member_id: Option<MemberId> =
            db::scalar(&tx, "SELECT member_id FROM award_nominees WHERE id = $1", params![top.nominee_id])
                .await?
                .flatten();
        winners.push(crate::overview::Winner { category_id: c.category_id, nominee_id: top.nominee_id, member_id });
    }
    let detail = serde_json::json!({"year": year, "winners": winners.iter().map(|w| w.nominee_id).collect::<Vec<_>>()});
    audit::record(&tx, Some(actor), "award_winners_locked", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(Locked { winners, ceremony_at })
}

/// Announces the winners of every locked programme whose ceremony has started and that
/// has not been announced: one `AwardWon` per winning member, once.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PublishWinners {}

impl kernel::jobs::Job for PublishWinners {
    const KIND: &'static str = "awards.publish_winners";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        publish_due(&state).await?;
        Ok(())
    }
}

pub async fn publish_due(state: &AppState) -> AppResult<usize> {
    let due: Vec<Uuid> = state
        .db
        .column(
            "SELECT id FROM award_programmes p WHERE p.published_at IS NULL AND p.locked_at IS NOT NULL AND p.ceremony_at <= $1",
            params![now()],
        )
        .await?;
    for programme in &due {
        let tx = state.db.begin().await?;
        let claimed = db::exec(
            &tx,
            "UPDATE award_programmes SET published_at = $1 WHERE id = $2 AND published_at IS NULL",
            params![now(), *programme],
        )
        .await?;
        if claimed == 1 {
            let members: Vec<Option<MemberId>> = db::column(
                &tx,
                "SELECT n.member_id FROM award_winners w JOIN award_nominees n ON n.id = w.nominee_id \
                 JOIN award_categories c ON c.id = w.category_id WHERE c.programme_id = $1",
                params![*programme],
            )
            .await?;
            let unique: HashSet<MemberId> = members.into_iter().flatten().collect();
            for member_id in unique {
                outbox::publish(&tx, None, &AwardWon { member_id }).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(due.len())
}

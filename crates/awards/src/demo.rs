//! Demo awards: this year's programme in its endorsement phase with accepted nominees
//! (a few endorsements each), and last year's programme closed with its winners
//! announced, so the hall of fame has a year to show.

use chrono::{Datelike, Duration, Utc};
use kernel::AppState;
use kernel::ids::MemberId;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::viewer::{Member, Role};
use kernel::{db, params};
use uuid::Uuid;

use crate::model::{Phase, Screening};
use crate::nominations::{self, NewNomination, ScreeningDecision};
use crate::programmes::{self, NewCategory, NewCriterion, NewProgramme};

const CATEGORIES: [&str; 4] = ["Patient Leader", "Healthcare Collaborator", "Rookie of the Year", "Best Kept Secret"];
const STATEMENTS: [&str; 3] = [
    "Runs a weekly peer-support circle and never misses a message.",
    "Turned their diagnosis into a podcast that thousands of families rely on.",
    "Brought clinicians and patients to the same table in our city.",
];

pub async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    let members = &people.member_ids;
    if members.len() < 4 {
        return Ok(());
    }
    let year = i64::from(Utc::now().year());
    // A second demo load finds the programmes already there.
    if !programmes::all(state.db.reader()).await.map_err(|e| anyhow::anyhow!("{e}"))?.is_empty() {
        return Ok(());
    }
    let last = programme(state, admin, year - 1, members).await?;
    move_to(state, admin, year - 1, Phase::Closed).await?;
    announce(state, last).await?;
    programme(state, admin, year, members).await?;
    move_to(state, admin, year, Phase::Endorsements).await?;
    endorse(state, year, members).await
}

fn as_member(id: MemberId) -> Member {
    Member { id, display_name: "Demo".into(), role: Role::Member, health_leader: false }
}

/// A programme for `year` with a nominee per category (demo members nominated by the
/// next one), all accepted; its id.
async fn programme(state: &AppState, admin: MemberId, year: i64, members: &[MemberId]) -> anyhow::Result<Uuid> {
    let p = NewProgramme {
        year,
        categories: CATEGORIES
            .iter()
            .map(|c| NewCategory {
                name: (*c).into(),
                member_types: vec![],
                vote_weight_percent: 0,
                min_member_days: 0,
            })
            .collect(),
        criteria: vec![
            NewCriterion { name: "Impact on the community".into(), weight: 3 },
            NewCriterion { name: "Reach".into(), weight: 1 },
            NewCriterion { name: "Originality".into(), weight: 2 },
        ],
        finalists_per_category: 3,
        ceremony_event_id: None,
    };
    let created = programmes::create(state, admin, &p, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut nominees = Vec::new();
    for (i, category) in created.categories.iter().enumerate() {
        for k in 0..2 {
            let nominee = members[(1 + i * 2 + k) % members.len()];
            let by = members[(2 + i * 2 + k) % members.len()];
            let n = NewNomination {
                category_id: category.id,
                nominee_member_id: Some(nominee),
                nominee: None,
                statement: STATEMENTS[(i + k) % STATEMENTS.len()].into(),
                links: vec![],
            };
            match nominations::nominate(state, &as_member(by), year, &n).await {
                Ok(done) => nominees.push(done.nominee_id),
                Err(e) => tracing::warn!(error = ?e, "a demo nomination was refused"),
            }
        }
    }
    let d = ScreeningDecision { nominee_ids: nominees, decision: Screening::Accepted, reason: String::new() };
    nominations::screen(state, admin, year, &d, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(created.id)
}

async fn move_to(state: &AppState, admin: MemberId, year: i64, phase: Phase) -> anyhow::Result<()> {
    programmes::set_phase(state, admin, year, phase, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Last year's winners: the first finalist of each category, announced months ago.
async fn announce(state: &AppState, programme: Uuid) -> anyhow::Result<()> {
    let ceremony = now() - Duration::days(200);
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO award_winners (category_id, nominee_id, locked_at) \
         SELECT c.id, (SELECT n.id FROM award_nominees n WHERE n.category_id = c.id AND n.finalist = TRUE ORDER BY n.created_at, n.id LIMIT 1), $2 \
         FROM award_categories c WHERE c.programme_id = $1 \
         AND EXISTS (SELECT 1 FROM award_nominees n WHERE n.category_id = c.id AND n.finalist = TRUE)",
        params![programme, ceremony],
    )
    .await?;
    db::exec(
        &tx,
        "UPDATE award_programmes SET locked_at = $1, ceremony_at = $1, published_at = $1 WHERE id = $2",
        params![ceremony, programme],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Other demo members endorse this year's nominees, a few each.
async fn endorse(state: &AppState, year: i64, members: &[MemberId]) -> anyhow::Result<()> {
    let p = programmes::by_year(state.db.reader(), year).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let nominees = crate::nominees::of_programme(state.db.reader(), p.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, n) in nominees.iter().enumerate() {
        for fan in members.iter().skip(i % 3).take(1 + i % 4) {
            let _ = crate::endorsements::endorse(state, *fan, n.id).await;
        }
    }
    Ok(())
}

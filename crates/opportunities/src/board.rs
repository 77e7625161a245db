//! Opportunities as a member sees them: what is asked, what it pays, how many seats are
//! left, whether they are eligible and, if not, why — the same view for the board, the
//! opportunity's page and the API. A fixed number of queries however long the list.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use contracts::members::MatchProfile;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::{self, OpportunityRow};
use crate::credentials;
use crate::model::{Pay, Status, kind_label};
use crate::policy::{self, Candidate, ConditionNames, Rules};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerRef {
    pub id: Uuid,
    pub name: String,
    pub website: String,
}

/// The viewer's own application, if they made one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyApplication {
    pub id: Uuid,
    pub status: Status,
}

/// An opportunity as the viewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpportunityView {
    pub id: Uuid,
    /// social_media_campaign, speaking_engagement, article_feature, panel_seat, advisory_board or other.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    /// Markdown.
    pub brief: String,
    pub partner: PartnerRef,
    pub compensation: Pay,
    /// The compensation in words, e.g. "USD 250.00" or "500 points".
    pub compensation_text: String,
    pub seats: i64,
    pub seats_left: i64,
    pub apply_by: DateTime<Utc>,
    /// Closed to applications (past the deadline or closed by staff).
    pub closed: bool,
    pub work_starts_on: Option<String>,
    pub work_ends_on: Option<String>,
    pub questions: Vec<String>,
    pub deliverables: String,
    /// Who may apply, in words; empty when every member may.
    pub requirements: Vec<String>,
    /// Whether the viewer meets every requirement.
    pub eligible: bool,
    /// Why not, one reason per requirement not met (e.g. "needs 1,000 followers on Instagram").
    pub reasons: Vec<String>,
    pub my_application: Option<MyApplication>,
}

/// What the members port says `member`'s profile offers for matching (empty for an
/// account that is not active).
pub async fn profile_of(state: &AppState, member: MemberId) -> AppResult<MatchProfile> {
    let people = contracts::members::directory(state)?;
    Ok(people.match_profiles((&state.db).into(), &[member]).await?.remove(&member).unwrap_or_default())
}

/// What `member` offers for matching: their profile and the credentials they hold.
pub async fn candidate_of(state: &AppState, member: MemberId) -> AppResult<Candidate> {
    let profile = profile_of(state, member).await?;
    let credentials = credentials::held(state.db.reader(), &[member]).await?.remove(&member).unwrap_or_default();
    Ok(Candidate { profile, credentials })
}

/// Condition ids → names, from the reference list.
pub async fn condition_names(state: &AppState) -> AppResult<ConditionNames> {
    let all = contracts::members::directory(state)?.conditions(&state.db).await?;
    Ok(all.into_iter().map(|c| (c.id, c.name)).collect())
}

/// The viewer's applications to each of `ids`, in one query.
async fn my_applications(db: &Db, me: MemberId, ids: &[Uuid]) -> AppResult<HashMap<Uuid, MyApplication>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        opportunity_id: Uuid,
        status: String,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut values = kernel::params![me];
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let sql = format!(
        "SELECT id, opportunity_id, status FROM applications WHERE member_id = $1 AND opportunity_id IN ({})",
        db::placeholders(2, ids.len())
    );
    let rows: Vec<Row> = db.all(&sql, values).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Status::parse(&r.status).map(|status| (r.opportunity_id, MyApplication { id: r.id, status })))
        .collect())
}

/// The view of each of `rows` for the signed-in `viewer`, in their order.
pub async fn views(state: &AppState, viewer: &Viewer, rows: Vec<OpportunityRow>) -> AppResult<Vec<OpportunityView>> {
    let me = viewer.require_member()?;
    let candidate = candidate_of(state, me.id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut rules = catalogue::rules_of_all(&state.db, &rows).await?;
    let taken = catalogue::seats_taken(state.db.reader(), &ids).await?;
    let mut mine = my_applications(&state.db, me.id, &ids).await?;
    let names = condition_names(state).await?;
    let t = now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let r = rules.remove(&row.id).unwrap_or_default();
            let seats_taken = taken.get(&row.id).copied().unwrap_or(0);
            let my_application = mine.remove(&row.id);
            view(row, &r, &candidate, &names, seats_taken, my_application, t)
        })
        .collect())
}

fn view(
    row: OpportunityRow,
    rules: &Rules,
    candidate: &Candidate,
    names: &ConditionNames,
    seats_taken: i64,
    my_application: Option<MyApplication>,
    t: DateTime<Utc>,
) -> OpportunityView {
    let reasons = policy::reasons(rules, candidate, names);
    let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let pay = row.pay();
    OpportunityView {
        id: row.id,
        kind_label: kind_label(&row.kind).to_string(),
        closed: row.closed(t),
        questions: row.question_list(),
        work_starts_on: nonempty(&row.work_starts_on),
        work_ends_on: nonempty(&row.work_ends_on),
        partner: PartnerRef { id: row.partner_id, name: row.partner_name, website: row.partner_website },
        compensation_text: pay.describe(),
        compensation: pay,
        seats_left: (row.seats - seats_taken).max(0),
        seats: row.seats,
        apply_by: row.apply_by,
        requirements: policy::requirements(rules, names),
        eligible: reasons.is_empty(),
        reasons,
        my_application,
        kind: row.kind,
        title: row.title,
        brief: row.brief,
        deliverables: row.deliverables,
    }
}

/// The most open opportunities [`open_to_each`] reads for a batch; with more open at
/// once it answers `None` and each member is read alone.
const OPEN_AT_ONCE: u64 = 200;

/// For each of `members` (in their order), the views of every open opportunity, deadline
/// first, as that member sees them (eligibility by the policy's Rust form): the open
/// ones, their rules and seats read once, and the members' profiles, credentials and
/// applications in one statement each. `None` when more than [`OPEN_AT_ONCE`] are open.
pub async fn open_to_each(state: &AppState, members: &[MemberId]) -> AppResult<Option<Vec<Vec<OpportunityView>>>> {
    let anyone = Candidate::default();
    let page = catalogue::list(&state.db, &anyone, catalogue::Shelf::AllOpen, None, None, OPEN_AT_ONCE).await?;
    if page.next_cursor.is_some() {
        return Ok(None);
    }
    let rows = page.items;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let rules = catalogue::rules_of_all(&state.db, &rows).await?;
    let taken = catalogue::seats_taken(state.db.reader(), &ids).await?;
    let names = condition_names(state).await?;
    let people = contracts::members::directory(state)?;
    let mut profiles = people.match_profiles((&state.db).into(), members).await?;
    let mut held = credentials::held(state.db.reader(), members).await?;
    let mut applied = applications_of_each(&state.db, members, &ids).await?;
    let t = now();
    Ok(Some(
        members
            .iter()
            .map(|m| {
                let profile = profiles.remove(m).unwrap_or_default();
                let candidate = Candidate { profile, credentials: held.remove(m).unwrap_or_default() };
                let mut mine = applied.remove(m).unwrap_or_default();
                rows.iter()
                    .map(|row| {
                        let r = rules.get(&row.id).cloned().unwrap_or_default();
                        let seats = taken.get(&row.id).copied().unwrap_or(0);
                        view(row.clone(), &r, &candidate, &names, seats, mine.remove(&row.id), t)
                    })
                    .collect()
            })
            .collect(),
    ))
}

/// Each of `members`' applications to any of `ids`, in one statement.
async fn applications_of_each(
    db: &Db,
    members: &[MemberId],
    ids: &[Uuid],
) -> AppResult<HashMap<MemberId, HashMap<Uuid, MyApplication>>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        member_id: MemberId,
        opportunity_id: Uuid,
        status: String,
    }
    if ids.is_empty() || members.is_empty() {
        return Ok(HashMap::new());
    }
    let mut values: Vec<sea_orm::Value> = members.iter().map(|m| (*m).into()).collect();
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let sql = format!(
        "SELECT id, member_id, opportunity_id, status FROM applications WHERE member_id IN ({}) AND opportunity_id IN ({})",
        db::placeholders(1, members.len()),
        db::placeholders(members.len() + 1, ids.len())
    );
    let rows: Vec<Row> = db.all(&sql, values).await?;
    let mut out: HashMap<MemberId, HashMap<Uuid, MyApplication>> = HashMap::new();
    for r in rows {
        if let Some(status) = Status::parse(&r.status) {
            out.entry(r.member_id).or_default().insert(r.opportunity_id, MyApplication { id: r.id, status });
        }
    }
    Ok(out)
}

/// One opportunity as the signed-in viewer sees it (any member may look at any one).
pub async fn one(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<OpportunityView> {
    viewer.require_member()?;
    let row = catalogue::load(state.db.reader(), id).await?;
    let mut v = views(state, viewer, vec![row]).await?;
    v.pop().ok_or(kernel::AppError::NotFound)
}

//! A programme as the API and pages show it: categories, criteria, phase, the ceremony,
//! and the winners — an empty list for everyone but staff until the ceremony starts
//! (`policy::winners_visible`).

use chrono::{DateTime, Utc};
use contracts::ids::EventId;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState, params};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;
use crate::policy;
use crate::programmes::{self, Category, Criterion, ProgrammeRow};

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Winner {
    pub category_id: Uuid,
    pub nominee_id: Uuid,
    /// Null when the winner is not (yet) a member.
    pub member_id: Option<MemberId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeView {
    pub id: Uuid,
    pub year: i64,
    pub phase: Phase,
    pub finalists_per_category: i64,
    pub ceremony_event_id: Option<EventId>,
    /// When the winners are announced (the ceremony's start), if a ceremony is set.
    pub ceremony_at: Option<DateTime<Utc>>,
    pub categories: Vec<Category>,
    pub criteria: Vec<Criterion>,
    /// Empty for everyone but staff until the ceremony starts.
    pub winners: Vec<Winner>,
}

/// The winners of `p` as `viewer` may see them at this moment.
pub async fn winners<C: ConnectionTrait>(c: &C, viewer: &Viewer, p: &ProgrammeRow) -> AppResult<Vec<Winner>> {
    if !policy::winners_visible(viewer.is_staff(), p.locked_at, p.ceremony_at, now()) {
        return Ok(vec![]);
    }
    Ok(db::all(
        c,
        "SELECT w.category_id, w.nominee_id, n.member_id FROM award_winners w \
         JOIN award_nominees n ON n.id = w.nominee_id JOIN award_categories c ON c.id = w.category_id \
         WHERE c.programme_id = $1 ORDER BY c.position",
        params![p.id],
    )
    .await?)
}

pub async fn view(state: &AppState, viewer: &Viewer, year: i64) -> AppResult<ProgrammeView> {
    let c = state.db.reader();
    let p = programmes::by_year(c, year).await?;
    Ok(ProgrammeView {
        categories: programmes::categories(c, p.id).await?,
        criteria: programmes::criteria(c, p.id).await?,
        winners: winners(c, viewer, &p).await?,
        id: p.id,
        year: p.year,
        phase: p.phase(),
        finalists_per_category: p.finalists_per_category,
        ceremony_event_id: p.ceremony_event_id,
        ceremony_at: p.ceremony_at,
    })
}
